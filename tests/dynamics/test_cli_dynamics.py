"""``altermag dynamics field|run|analyze`` through the Typer app."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from altermag.cli import app

runner = CliRunner()


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_field_ed_and_kpm_json_contract():
    ed = _json(runner.invoke(app, ["dynamics", "field", "--model", "sd-triangular", "--size", "6", "--method", "ed",
                                   "--json"]))
    assert ed["relative_rms_vs_ed"] is None and ed["seconds"] > 0 and ed["n_sites"] == 36
    kpm = _json(runner.invoke(app, ["dynamics", "field", "--model", "sd-triangular", "--size", "6", "--method",
                                    "kpm", "--kpm-moments", "600", "--json"]))
    # 6×6 with colouring distance 6: every site its own colour, only the Chebyshev truncation remains
    assert 0 < kpm["relative_rms_vs_ed"] < 0.1 and kpm["relative_rms_full_vs_ed"] < 0.01
    assert np.isclose(kpm["energy_per_site"], ed["energy_per_site"], atol=2e-3)


def test_field_ml_uses_shipped_model_or_fails_cleanly():
    """With the shipped tetrahedral model present the ML field must run and beat the trivial prediction H⊥ = 0
    (relative rms < 1); without it the command must fail with one error line naming the model."""
    from pathlib import Path

    import altermag.dynamics as dyn

    shipped = (Path(dyn.__file__).parent / "data" / "sd-triangular-tetrahedral.pt").is_file()
    r = runner.invoke(app, ["dynamics", "field", "--size", "12", "--method", "ml", "--json"])
    if shipped:
        rec = _json(r)
        assert rec["seconds"] > 0 and rec["ml_model"] == "sd-triangular-tetrahedral"
        assert 0 < rec["relative_rms_vs_ed"] < 1.0
        # below the descriptor's cutoff the ML method refuses with one clear line
        small = runner.invoke(app, ["dynamics", "field", "--size", "6", "--method", "ml"])
        assert small.exit_code == 1 and "lattice too small" in small.output and "Traceback" not in small.output
    else:
        assert r.exit_code == 1 and "error" in r.output and "sd-triangular-tetrahedral" in r.output
        assert "Traceback" not in r.output


def test_run_and_analyze_with_yaml_config(tmp_path):
    cfg = tmp_path / "relax.yaml"
    cfg.write_text(f"model: tetrahedral\nsize: 6\nmethod: ed\nsteps: 12\ndt: 0.1\nrecord_every: 4\n"
                   f"out: {tmp_path / 'run'}\n")
    rec = _json(runner.invoke(app, ["dynamics", "run", "--config", str(cfg), "--json"]))
    assert rec["experiment"] == "relax" and rec["steps"] == 12
    assert (tmp_path / "run" / "trajectory.h5").is_file() and (tmp_path / "run" / "order_vs_time.png").is_file()
    an = _json(runner.invoke(app, ["dynamics", "analyze", str(tmp_path / "run" / "trajectory.h5"), "--json"]))
    assert an["n_snapshots"] >= 2
    # the analysis of the last snapshot agrees with the run's own record
    assert np.isclose(an["final"]["nn1"], rec["final"]["nn1"])


@pytest.mark.parametrize("args,needle", [
    (["dynamics", "field", "--model", "kagome", "--json"], "model"),
    (["dynamics", "field", "--method", "dft", "--size", "6"], "method"),
    (["dynamics", "run", "--experiment", "melt", "--size", "6"], "experiment"),
    (["dynamics", "analyze", "/nonexistent/trajectory.h5"], "not found"),
    (["dynamics", "field", "--size", "1"], "size=1"),
    (["dynamics", "field", "--size", "6", "--method", "kpm", "--kpm-distance", "0"], "coloring_distance=0"),
    (["dynamics", "run", "--size", "1", "--steps", "2"], "size=1"),
    (["dynamics", "run", "--size", "6", "--steps", "2", "--alpha", "-0.5"], "alpha=-0.5"),
    (["dynamics", "run", "--size", "6", "--steps", "2", "--dt", "-0.1"], "dt=-0.1"),
    (["dynamics", "run", "--size", "6", "--steps", "2", "--dt", "0"], "dt=0.0"),
    (["dynamics", "run", "--size", "6", "--steps", "-3"], "steps=-3"),
    (["dynamics", "run", "--size", "6", "--steps", "2", "--temperature", "-1"], "temperature=-1.0"),
    (["dynamics", "run", "--size", "6", "--steps", "2", "--record-every", "0"], "record_every=0"),
])
def test_user_errors_exit_1_without_traceback(args, needle):
    r = runner.invoke(app, args)
    assert r.exit_code == 1, r.output
    assert "error" in r.output and needle in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output


@pytest.mark.parametrize("text,needle", [
    ("sizee: 6\n", "unknown keys ['sizee']"),
    ("size: [1, 2\n", "not valid YAML"),
    ("- 1\n- 2\n", "mapping"),
    ("size: 6\nsteps: abc\n", "steps='abc'"),
    ("size: 6\nsteps: 2\ndt: fast\n", "dt='fast'"),
    ("size: 6.5\nsteps: 2\n", "size=6.5"),
    ("size: 6\nsteps: 2\nalpha: -1\n", "alpha=-1.0"),
])
def test_bad_yaml_config_is_one_error_line(tmp_path, text, needle):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    r = runner.invoke(app, ["dynamics", "run", "--config", str(cfg)])
    assert r.exit_code == 1, r.output
    assert r.output.startswith("error:") and needle in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output


def test_run_experiment_validation_keeps_yaml_numbers():
    """Integers written as YAML floats (``steps: 4.0``) are accepted and typed; the defaults fill the rest."""
    from altermag.dynamics.experiments import _validated_config

    cfg = _validated_config({"steps": 4.0, "dt": "0.02", "size": 6})
    assert cfg["steps"] == 4 and isinstance(cfg["steps"], int) and cfg["dt"] == 0.02 and cfg["alpha"] == 0.5


@pytest.mark.parametrize("model,experiment,files", [
    ("tetrahedral", "quench", ["domain_growth.png", "summary.json"]),
    ("double-exchange", "de-quench", ["fractions.png", "summary.json"]),  # square 6×6
])
def test_run_quench_experiments(tmp_path, model, experiment, files):
    rec = _json(runner.invoke(app, ["dynamics", "run", "--model", model, "--size", "6", "--experiment", experiment,
                                    "--steps", "8", "--record-every", "4", "--out", str(tmp_path), "--json"]))
    assert rec["temperature"] == 0.01
    for f in files:
        assert (tmp_path / f).is_file()


def test_compare_relaxations_identical_calculators_agree(tmp_path):
    """Same start, same noise, same physics → identical observables (checks the comparison plumbing)."""
    from altermag.dynamics.ed import EDCalculator
    from altermag.dynamics.experiments import compare_relaxations
    from altermag.dynamics.models import SDModel

    m = SDModel.default("tetrahedral", L=6)
    res = compare_relaxations(EDCalculator(m), EDCalculator(m), n_steps=10, temperature=0.01, record_every=5,
                              progress=False, out=tmp_path)
    assert res["metrics"]["max_diff_nn1"] < 1e-12 and res["metrics"]["max_diff_Cr_final"] < 1e-12
    assert (tmp_path / "compare.png").is_file()
    # a stored reference run is reused as is; a mismatched one is refused
    from altermag.core.errors import ParameterError
    from altermag.dynamics import HeisenbergCalculator

    again = compare_relaxations(None, EDCalculator(m), lattice=m.lattice, n_steps=10, temperature=0.01,
                                record_every=5, progress=False, reference=res["ref"])
    assert again["metrics"]["max_diff_nn1"] < 1e-12 and again["ref"] is res["ref"]
    other = compare_relaxations(None, HeisenbergCalculator(m.lattice, J1=1.0), lattice=m.lattice, n_steps=10,
                                temperature=0.01, record_every=5, progress=False, reference=res["ref"])
    assert other["metrics"]["max_diff_nn1"] > 1e-3  # a different force field does differ
    with pytest.raises(ParameterError, match="initial state"):
        compare_relaxations(None, EDCalculator(m), lattice=m.lattice, n_steps=10, temperature=0.01, seed=3,
                            record_every=5, progress=False, reference=res["ref"])


def test_unwritable_out_is_one_error_line(tmp_path):
    blocker = tmp_path / "plain_file"
    blocker.write_text("not a folder")
    r = runner.invoke(app, ["dynamics", "run", "--size", "6", "--steps", "2", "--out", str(blocker / "run")])
    assert r.exit_code == 1 and r.output.startswith("error:") and "Traceback" not in r.output, r.output


def test_locality_json_contract_and_gapped_point():
    rec = _json(runner.invoke(app, ["dynamics", "locality", "--model", "120", "--size", "12", "--config", "ordered",
                                    "--cutoffs", "1,4", "--probes", "2", "--json"]))
    rel = rec["relative_nonlocal"]
    assert set(rel) == {"1.0", "4.0"} and rec["model_params"]["J"] == 5.0
    assert rel["4.0"] < 1e-3 < rel["1.0"]  # gapped 120° point: nearsighted beyond a few bonds
    bad = runner.invoke(app, ["dynamics", "locality", "--size", "12", "--config", "spiral"])
    assert bad.exit_code != 0 and "--config" in bad.output


def test_train_two_potential_from_the_cli(tmp_path):
    """`dynamics train --field-form two-potential` fits a driven toy field; the saved model keeps its form and inputs."""
    from altermag.dynamics.dataset import save_spin_dataset
    from altermag.dynamics.lattice import SpinLattice
    from altermag.dynamics.models import random_spins
    from altermag.dynamics.network import SpinForceField
    from altermag.dynamics.two_potential import toy_driven_field

    lat = SpinLattice("square", 8, 6, periodic_x=False)
    S = np.array([random_spins(lat.n_sites, seed=k) for k in range(12)])
    H = np.array([toy_driven_field(lat, s, 1.0, 0.5)["field"] for s in S])
    data = save_spin_dataset(tmp_path / "toy.h5", lat, S, H, bias=0.2, run=np.arange(12))
    (tmp_path / "cfg.yaml").write_text("descriptor: {cutoff: 1.0, bond_cutoff: 1.0, chirality_cutoff: 0.0}\n"
                                       "hidden: [8]\nthreads: 1\n")
    args = ["dynamics", "train", "--config", str(tmp_path / "cfg.yaml"), "--data", str(data), "--out",
            str(tmp_path / "run"), "--epochs", "2", "--field-form", "two-potential", "--site-inputs", "boundary:2",
            "--symmetry", "Cs", "--json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout.strip().splitlines()[-1])
    assert 0 < rec["held_out"]["relative_field_rmse"] < 2
    ff = SpinForceField.load(tmp_path / "run" / "model.pt")
    assert ff.field_form == "two-potential" and ff.n_outputs == 2
    assert ff.site_inputs == {"encoding": "boundary", "n_boundary": 2}
    assert ff.descriptor.symmetry == "Cs"
    bad = runner.invoke(app, [a if a != "boundary:2" else "boundary:x" for a in args])
    assert bad.exit_code == 1 and "site-inputs" in bad.output
