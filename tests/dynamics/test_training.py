"""Dataset generation from ED, training, held-out evaluation, checkpoint/resume, CLI."""

import numpy as np
import pytest
import torch
import yaml

from altermag.core.errors import ParameterError
from altermag.dynamics.dataset import generate_dataset, load_dataset, make_calculator, make_model
from altermag.dynamics.network import SpinForceField
from altermag.dynamics.training import TrainConfig, train

DESC = dict(cutoff=2.0, bond_cutoff=1.0, chirality_cutoff=1.0)


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    path = tmp_path_factory.mktemp("ds") / "d.h5"
    generate_dataset(path, "tetrahedral", L=8, n_random=4, n_quench_runs=2, quench_steps=20, snapshot_every=10,
                     dt=0.1, seed=4, progress=False)
    return path


def test_dataset_holds_ed_fields_of_its_configurations(tiny_data):
    ds = load_dataset(tiny_data)
    assert len(ds) == 4 + 2 * 2 and ds.spins.shape == (8, 64, 3)
    assert set(ds.source.tolist()) == {"random", "quench"}
    assert np.allclose(np.linalg.norm(ds.spins, axis=2), 1.0, atol=1e-12)
    assert ds.inputs["model_params"]["J"] == 3.0 and ds.inputs["model_params"]["filling"] == 0.5
    # recompute two configurations with an independent ED calculator
    calc = make_calculator(make_model("tetrahedral", 8), "ed")
    for c in (0, len(ds) - 1):
        E, H = calc.energy_and_field(ds.spins[c])
        assert abs(E - ds.energies[c]) < 1e-10 and np.max(np.abs(H - ds.fields[c])) < 1e-10
    assert ds.inputs["n_quench_runs"] == 2 and ds.inputs["method"] == "ed"


def test_bad_generation_parameters_are_named(tmp_path):
    with pytest.raises(ParameterError, match="n_random"):
        generate_dataset(tmp_path / "x.h5", n_random=-1)
    with pytest.raises(ParameterError, match="unknown model parameters"):
        make_model({"preset": "tetrahedral", "U": 3}, 8)


def _cfg(data, out, epochs, **kw):
    opts = dict(data=[str(data)], out=str(out), descriptor=DESC, hidden=[16, 8], epochs=epochs, batch_size=2, lr=3e-3,
                val_fraction=0.25, device="cpu")
    opts.update(kw)
    return TrainConfig.from_dict(opts)


def test_training_reduces_the_loss_and_reports_held_out_metrics(tiny_data, tmp_path):
    res = train(_cfg(tiny_data, tmp_path / "run", 5), progress=False)
    h = res["history"]
    assert h[-1]["train_loss"] < 0.7 * h[0]["train_loss"]
    m = res["metrics"]
    assert m["n_val_configs"] > 0 and m["n_train_configs"] + m["n_val_configs"] == 8
    ho = m["held_out"]
    assert 0 < ho["relative_field_rmse"] < 2 and abs(ho["relative_field_rmse"] - ho["field_rmse"] / ho["field_rms"]) < 1e-12
    out = res["out"]
    for f in ("model.pt", "checkpoint.pt", "config.yaml", "metrics.json", "history.csv", "parity.png"):
        assert (out / f).is_file(), f
    saved = yaml.safe_load((out / "config.yaml").read_text())
    assert saved["hidden"] == [16, 8] and saved["descriptor"] == DESC
    # the saved model reproduces the held-out number
    ff = SpinForceField.load(out / "model.pt")
    assert ff.metadata["metrics"]["relative_field_rmse"] == pytest.approx(ho["relative_field_rmse"], rel=1e-12)


def test_checkpoint_resume_is_identical_to_an_uninterrupted_run(tiny_data, tmp_path):
    full = train(_cfg(tiny_data, tmp_path / "a", 2), progress=False)
    train(_cfg(tiny_data, tmp_path / "b", 1), progress=False)
    resumed = train(_cfg(tiny_data, tmp_path / "b", 2), resume=True, progress=False)
    sa = full["model"].network.state_dict()
    sb = resumed["model"].network.state_dict()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k
    assert [h["train_loss"] for h in full["history"]] == [h["train_loss"] for h in resumed["history"]]
    with pytest.raises(ParameterError, match="different configuration"):
        train(_cfg(tiny_data, tmp_path / "b", 3, lr=1e-2), resume=True, progress=False)


def test_energy_term_is_used(tiny_data, tmp_path):
    """With energy_weight > 0 the energies enter the loss: the loss differs from the field-only run."""
    a = train(_cfg(tiny_data, tmp_path / "e0", 1), progress=False)
    b = train(_cfg(tiny_data, tmp_path / "e1", 1, energy_weight=1.0), progress=False)
    assert b["history"][0]["train_loss"] > a["history"][0]["train_loss"]


def test_cli_generate_and_train(tmp_path):
    from typer.testing import CliRunner

    from altermag.cli import app

    runner = CliRunner()
    data = tmp_path / "d.h5"
    r = runner.invoke(app, ["dynamics", "generate", "--model", "tetrahedral", "--size", "8", "--n-random", "4",
                            "--n-quench-runs", "0", "--out", str(data), "--json"])
    if r.exit_code != 0 and "No such command" in r.output:
        pytest.skip("dynamics generate/train not registered in the CLI yet")
    assert r.exit_code == 0, r.output
    import json

    assert json.loads(r.stdout)["configurations"] == 4
    cfg = tmp_path / "train.yaml"
    cfg.write_text(yaml.safe_dump({"data": [str(data)], "out": str(tmp_path / "run"), "descriptor": DESC,
                                   "hidden": [8], "epochs": 1, "val_fraction": 0.25, "device": "cpu"}))
    r = runner.invoke(app, ["dynamics", "train", "--config", str(cfg), "--json"])
    assert r.exit_code == 0, r.output
    assert "held_out" in json.loads(r.stdout)
    r = runner.invoke(app, ["dynamics", "train", "--config", str(cfg), "--lr", "-1"])
    assert r.exit_code == 1 and "lr" in r.output


def test_batched_loss_equals_the_sum_over_configurations(tiny_data, tmp_path):
    """The stacked forward pass of a batch gives the loss of the configuration-by-configuration loop."""
    from altermag.dynamics.training import TrainingData, batch_loss

    cfg = _cfg(tiny_data, tmp_path / "run", 1)
    ff = SpinForceField.create("triangular", DESC, hidden=(16, 8), seed=3)
    data = TrainingData(cfg, ff, torch.device("cpu"))
    batch = data.train[:4]
    stacked = batch_loss(ff, data, batch, cfg)
    loop = sum(batch_loss(ff, data, [b], cfg) for b in batch) / len(batch)  # equal site counts per configuration
    assert float(stacked.detach()) == pytest.approx(float(loop.detach()), rel=1e-12)
    assert len(data.sets[0]["stacked_index"]) == 1  # cached per batch size


def test_init_model_warm_starts_from_a_saved_model(tiny_data, tmp_path):
    """A 0-epoch run from init_model reproduces the source model's held-out error; a different architecture is refused."""
    src = train(_cfg(tiny_data, tmp_path / "a", 3), progress=False)
    warm = train(_cfg(tiny_data, tmp_path / "b", 0, init_model=str(tmp_path / "a" / "model.pt")), progress=False)
    assert warm["metrics"]["held_out"]["relative_field_rmse"] == pytest.approx(
        src["metrics"]["held_out"]["relative_field_rmse"], rel=1e-12)
    cont = train(_cfg(tiny_data, tmp_path / "c", 2, init_model=str(tmp_path / "a" / "model.pt")), progress=False)
    assert cont["history"][0]["train_loss"] < 0.9 * src["history"][0]["train_loss"]
    with pytest.raises(ParameterError, match="architecture"):
        train(_cfg(tiny_data, tmp_path / "d", 1, hidden=[8], init_model=str(tmp_path / "a" / "model.pt")), progress=False)
