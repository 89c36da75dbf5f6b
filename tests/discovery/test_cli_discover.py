"""``altermag discover pretrain|train|predict``: JSON contract, YAML configs, run folders, errors."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from altermag.cli import app
from tests.conftest import fixture_file

runner = CliRunner()
FILES = ["0.607_", "0.15_", "0.800_", "1.6_", "0.110_"]  # RuO2, MnF2, MnTe (AM); NiO, Cr2O3 (not)


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip().startswith("{")]


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory):
    """A tiny labelled set: the bundled MAGNDATA fixtures, labelled by the symmetry engine."""
    from altermag.structures import read_structure
    from altermag.symmetry import analyze

    d = tmp_path_factory.mktemp("lab")
    rows = ["file,label"]
    for f in sorted((Path(__file__).parents[1] / "data" / "magndata").glob("0.*.mcif"))[:16]:
        try:
            v = analyze(read_structure(f)).verdict
        except Exception:
            continue
        if v in ("altermagnet", "antiferromagnet", "ferromagnet"):
            rows.append(f"{f},{int(v == 'altermagnet')}")
    (d / "labels.csv").write_text("\n".join(rows) + "\n")
    assert 0 < sum(int(r.split(",")[1]) for r in rows[1:]) < len(rows) - 1
    return d / "labels.csv"


def test_predict_json_with_shipped_model():
    files = [str(fixture_file(p)) for p in FILES]
    res = runner.invoke(app, ["discover", "predict", *files, "--json"])
    assert res.exit_code == 0, res.output
    recs = _lines(res.output)
    assert [r["file"] for r in recs] == files
    for r in recs:
        assert 0.0 <= r["probability"] <= 1.0
        assert r["above_threshold"] == (r["probability"] > r["threshold"])
    # the same numbers through the Python API
    from altermag.discovery.predict import load_default_model, predict_files

    api = predict_files(files, load_default_model())
    assert [a["probability"] for a in api] == pytest.approx([r["probability"] for r in recs], rel=1e-6)


def test_predict_bad_file_gives_error_record_and_exit_1(tmp_path):
    bad = tmp_path / "broken.cif"
    bad.write_text("data_x\n_cell_length_a 3\n")
    good = str(fixture_file("0.607_"))
    res = runner.invoke(app, ["discover", "predict", good, str(bad), "--json"])
    assert res.exit_code == 1
    recs = _lines(res.output)
    assert "probability" in recs[0] and recs[1]["file"] == str(bad) and "error" in recs[1]
    res = runner.invoke(app, ["discover", "predict", str(bad), str(tmp_path / "missing.cif")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 2 and all(ln.count(str(tmp_path)) == 1 for ln in lines)  # one line each, path once
    res = runner.invoke(app, ["discover", "predict", good, "--model", str(tmp_path / "none.pt")])
    assert res.exit_code == 1 and "not found" in res.output
    junk = tmp_path / "junk.pt"
    junk.write_text("junk\n")
    res = runner.invoke(app, ["discover", "predict", good, "--model", str(junk)])
    assert res.exit_code == 1 and "cannot read model file" in res.output and isinstance(res.exception, SystemExit)
    from altermag.core.errors import AltermagError
    from altermag.discovery.nwr_gae import load_encoder

    with pytest.raises(AltermagError, match="cannot read encoder file"):  # `train --encoder junk.pt`
        load_encoder(junk)


def test_train_with_yaml_config_then_predict(labelled_csv, tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump({"train": {"hidden": 8, "mlp_hidden": 8, "epochs": 3, "batch_size": 4,
                                             "patience": 0, "threads": 1, "seed": 4},
                                   "graph": {"cutoff": 6.0, "max_neighbors": 8}}))
    out = tmp_path / "run"
    res = runner.invoke(app, ["discover", "train", "--labels", str(labelled_csv), "--out", str(out),
                              "--config", str(cfg), "--epochs", "4", "--prior", "--json"])
    assert res.exit_code == 0, res.output
    summary = _lines(res.output)[-1]
    assert summary["epochs_run"] == 4  # the command line overrides the file
    saved = yaml.safe_load((out / "config.yaml").read_text())
    assert saved["train"]["hidden"] == 8 and saved["train"]["graph"]["cutoff"] == 6.0
    assert (out / "model.pt").exists() and (out / "history.json").exists()
    f = str(fixture_file("0.607_"))
    res = runner.invoke(app, ["discover", "predict", f, "--model", str(out / "model.pt"), "--json"])
    assert res.exit_code == 0, res.output
    rec = _lines(res.output)[0]
    assert 0 <= rec["probability"] <= 1
    assert rec["features"]["symmetry_prior"] == 1.0  # RuO2: its only index-2 order is altermagnetic


def test_pretrain_cli_writes_encoder(tmp_path):
    data = tmp_path / "structs"
    data.mkdir()
    for p in FILES[:3]:
        (data / fixture_file(p).name).write_text(fixture_file(p).read_text())
    out = tmp_path / "pre"
    res = runner.invoke(app, ["discover", "pretrain", "--data", str(data), "--out", str(out), "--epochs", "2",
                              "--hidden", "8", "--threads", "1", "--json"])
    assert res.exit_code == 0, res.output
    rec = _lines(res.output)[-1]
    assert rec["n_graphs"] == 3 and rec["epochs"] == 2 and rec["feat"] > 0 and rec["w2"] > 0
    from altermag.discovery.nwr_gae import load_encoder

    assert load_encoder(out / "encoder.pt").config.hidden == 8


def test_config_errors(tmp_path, labelled_csv):
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  hiddden: 3\n")
    res = runner.invoke(app, ["discover", "train", "--labels", str(labelled_csv), "--out", str(tmp_path / "o"),
                              "--config", str(bad)])
    assert res.exit_code == 1 and "hiddden" in res.output
    res = runner.invoke(app, ["discover", "train", "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and "--labels" in res.output
    res = runner.invoke(app, ["discover", "predict", str(fixture_file("0.607_")), "--threshold", "2"])
    assert res.exit_code == 1 and "threshold" in res.output


@pytest.mark.parametrize("text, needle", [
    ("graph:\n  cutof: 6\n", "cutof"),                       # misspelt graph key
    ("train:\n  hidden: abc\n", "hidden"),                    # wrong type
    ("graph: 5\n", "graph"),                                  # not a mapping
    ("graph:\n  embedding: word2vec\n", "embedding"),         # unknown embedding
    ("train:\n  epochs: [\n", "YAML"),                        # not YAML
])
def test_bad_config_is_a_one_line_error(tmp_path, labelled_csv, text, needle):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    res = runner.invoke(app, ["discover", "train", "--labels", str(labelled_csv), "--out", str(tmp_path / "o"),
                              "--config", str(bad)])
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, SystemExit)  # a handled user error, not a traceback
    assert needle in res.output and "error:" in res.output and "Traceback" not in res.output


def test_cli_resume_of_a_killed_run_equals_an_uninterrupted_run(tmp_path, labelled_csv, monkeypatch):
    """`train --resume` after a run died mid-run (step 5; last checkpoint at step 4, so one step is redone)
    ends with the uninterrupted run's weights, bit for bit; resuming with other settings is refused. The
    real SIGKILL of a training subprocess is `test_training.py::test_sigkill_then_resume_gives_identical_weights`
    (-m slow)."""
    import torch

    import altermag.discovery.classifier as C

    args = ["discover", "train", "--labels", str(labelled_csv), "--epochs", "3", "--hidden", "8",
            "--batch-size", "4", "--checkpoint-every", "2", "--patience", "0", "--threads", "1", "--seed", "3"]
    real = C.train_loop
    monkeypatch.setattr(C, "train_loop", lambda *a, **k: real(*a, **{**k, "kill_after_steps": 5}))
    killed = tmp_path / "killed"
    res = runner.invoke(app, [*args, "--out", str(killed)])
    assert res.exit_code != 0 and not (killed / "model.pt").exists()
    assert not torch.load(killed / "checkpoint.pt", weights_only=False)["finished"]
    monkeypatch.setattr(C, "train_loop", real)
    res = runner.invoke(app, [*args, "--out", str(killed), "--resume", "--lr", "0.01"])
    assert res.exit_code == 1 and "changed settings" in res.output and "lr" in res.output
    res = runner.invoke(app, [*args, "--out", str(killed), "--resume"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "fresh")])
    assert res.exit_code == 0, res.output
    # the last epoch's weights (checkpoint) — model.pt holds the best-validation epoch, possibly pre-kill
    ck = {r: torch.load(tmp_path / r / "checkpoint.pt", weights_only=False) for r in ("killed", "fresh")}
    a, b = ck["killed"]["model"], ck["fresh"]["model"]
    assert ck["killed"]["finished"] and a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert [h["loss"] for h in ck["killed"]["history"]] == [h["loss"] for h in ck["fresh"]["history"]]
    ma, mb = (torch.load(tmp_path / r / "model.pt", weights_only=False)["state_dict"] for r in ("killed", "fresh"))
    assert all(torch.equal(ma[k], mb[k]) for k in ma)
