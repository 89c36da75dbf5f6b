"""`altermag transport ...` command line: JSON contracts, round trips, user errors."""

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from altermag.cli import app

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data" / "transport"


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_solve_json_table1():
    out = _json(runner.invoke(app, ["transport", "solve", "--alpha", "0.4", "--tau", "1", "--length",
                                    str(math.sqrt(2)), "--json"]))
    assert out["conductance"] == pytest.approx(5.0716, rel=2e-3)  # paper Table 1
    assert out["conductance_e2h_per_width"] == pytest.approx(out["conductance"] / (2 * math.pi))
    assert out["sharvin"] > out["conductance"]
    out2 = _json(runner.invoke(app, ["transport", "solve", "--alpha", "0.2", "--tau", "0.5", "--length", "2",
                                     "--fermi-energy", "1.5", "--mass", "0.8", "--json", "--profile"]))
    assert len(out2["x"]) == len(out2["mu"]) and 0 < min(out2["mu"]) < max(out2["mu"]) < 1


def test_spectrum_then_fit_round_trip(tmp_path):
    csv = tmp_path / "spec.csv"
    _json(runner.invoke(app, ["transport", "spectrum", "--alpha", "0.35", "--tau", "1.2", "--length", "1.5",
                              "--e-min", "0.3", "--e-max", "3", "--points", "10", "--noise", "0.002",
                              "--seed", "4", "--out", str(csv), "--json"]))
    out = _json(runner.invoke(app, ["transport", "fit", str(csv), "--json"]))
    for k in ("alpha", "tau", "alpha_err", "tau_err", "correlation"):
        assert k in out
    assert abs(out["alpha"] - 0.35) < 4 * out["alpha_err"] and abs(out["tau"] - 1.2) < 4 * out["tau_err"]
    assert -1 < out["correlation"] < -0.5
    single_run = runner.invoke(app, ["transport", "fit", str(csv), "--fix-tau", "1.2", "--json"])
    single = _json(single_run)
    assert abs(single["alpha"] - 0.35) < 4 * single["alpha_err"] and single["tau_err"] == 0
    # strict JSON: no NaN for the undefined correlation of a one-parameter fit
    assert single["correlation"] is None and "NaN" not in single_run.stdout


def test_fit_physical_fixture(tmp_path, monkeypatch):
    import altermag.transport.plots as plots

    real = plots.plot_error_map
    monkeypatch.setattr(plots, "plot_error_map",  # a coarse map keeps the test fast
                        lambda ax, *a, **k: real(ax, *a, **{**k, "alphas": [0.1, 0.3, 0.45], "taus": [50, 150, 400]}))
    out = _json(runner.invoke(app, ["transport", "fit", str(DATA / "device_example_SI.csv"), "--json",
                                    "--out", str(tmp_path / "rep")]))
    assert (tmp_path / "rep" / "transport_fit.png").exists() and (tmp_path / "rep" / "transport_fit.json").exists()
    assert abs(out["alpha"] - 0.3) < 3 * out["alpha_err"]  # truth from SOURCE.md
    assert out["physical"]["tau_ps"] > 0 and "alpha_eV_A2" in out["physical"]


def test_map_command(tmp_path):
    csv = tmp_path / "spec.csv"
    runner.invoke(app, ["transport", "spectrum", "--alpha", "0.3", "--tau", "1", "--length", "1.4", "--points",
                        "6", "--out", str(csv)])
    out = _json(runner.invoke(app, ["transport", "map", str(csv), "--points", "9", "--out", str(tmp_path / "m.png"),
                                    "--json"]))
    assert Path(out["figure"]).exists() and Path(out["json"]).exists()
    # noise-free data: the grid (α step 0.06, τ ∈ τ_fit·4^[-1, 1]) contains the truth, where the misfit vanishes
    assert out["alpha_min"] == pytest.approx(0.3, abs=1e-9) and out["tau_min"] == pytest.approx(1.0, rel=1e-3)
    assert out["cost_min"] < 1e-8 and -1 < out["correlation"] < -0.5


@pytest.mark.parametrize("args,needle", [
    (["solve", "--alpha", "0.6", "--tau", "1", "--length", "1"], "alpha"),
    (["solve", "--alpha", "0.1", "--tau", "-1", "--length", "1"], "tau"),
    (["solve", "--alpha", "0.1", "--tau", "1", "--length", "1", "--fermi-energy", "0"], "fermi_energy"),
    (["solve", "--alpha", "0.5", "--tau", "1", "--length", "1"], "|2·mass·alpha| = 1.0 >= 1"),
    (["solve", "--alpha", "0.1", "--tau", "1", "--length", "1", "--mass", "6"], "open"),
    (["solve", "--alpha", "0.1", "--tau", "1", "--length", "0"], "length"),
    (["solve", "--alpha", "nan", "--tau", "1", "--length", "1"], "finite"),
    (["spectrum", "--alpha", "0.1", "--tau", "1", "--length", "1", "--e-min", "2", "--e-max", "1"], "e_min"),
    (["spectrum", "--alpha", "0.1", "--tau", "1", "--length", "1", "--noise", "-1"], "noise"),
    (["fit", "/nonexistent/data.csv"], "cannot read"),
    (["fit", "{data}", "--fix-tau", "1", "--fix-alpha", "0.3"], "nothing to fit"),
    (["fit", "{data}", "--fix-tau", "-1"], "tau"),
    (["fit", "{data}", "--bootstrap", "-3"], "--bootstrap"),
    (["fit", "{data}", "--mcmc", "10"], "n_mcmc"),
    (["fit", "{data}", "--confidence", "1.5"], "confidence"),
    (["map", "{data}", "--alpha-max", "0.7"], "--alpha-max"),
    (["map", "{data}", "--points", "1"], "--points"),
    (["fit", "{bad}"], "conductance_obs"),
])
def test_user_errors_exit_1_without_traceback(tmp_path, args, needle):
    data = tmp_path / "d.csv"
    data.write_text("# length = 1.4\nfermi_energy,conductance\n0.5,1.9\n1,3.1\n1.5,4.1\n2,5.0\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("# length = 1.4\nfermi_energy,conductance\n0.5,1.9\n1,-3.1\n1.5,4.1\n")
    args = [a.format(data=data, bad=bad) for a in args]
    r = runner.invoke(app, ["transport", *args])
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith("error:") and needle in r.stderr and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1  # one clear line


def test_pinn_command_registered():
    r = runner.invoke(app, ["transport", "pinn", "--help"])
    assert r.exit_code == 0 and "--alpha" in r.output


def test_solver_warnings_are_one_plain_line(monkeypatch):
    import warnings

    import altermag.transport.solver as solver

    real = solver.solve

    def noisy(*a, **k):
        warnings.warn("transport solver: finest mesh reached (test)", UserWarning, stacklevel=2)
        return real(*a, **k)

    monkeypatch.setattr(solver, "solve", noisy)
    r = runner.invoke(app, ["transport", "solve", "--alpha", "0.1", "--tau", "1", "--length", "1", "--json"])
    assert r.exit_code == 0, r.output
    assert r.stderr.strip() == "warning: transport solver: finest mesh reached (test)"
    assert json.loads(r.stdout)["conductance"] > 0
