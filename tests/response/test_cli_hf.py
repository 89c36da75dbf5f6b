"""``altermag hf``: JSON contract, sweeps with onsets, non-converged points, user errors."""

import json

import pytest
from typer.testing import CliRunner

from altermag.cli import app

runner = CliRunner()


def _json(args):
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_single_U_json():
    d = _json(["hf", "RuO2", "--U", "2.2", "--mesh", "20", "--json"])
    assert d["mode"] == "single" and d["U"] == 2.2
    am, fm = d["states"]["AM"], d["states"]["FM"]
    for p in (am, fm):
        assert p["converged"] is True
        for key in ("m1", "m2", "m_AM", "m_FM", "n1", "n2", "state", "E_F", "free_energy", "iterations"):
            assert key in p
    assert am["state"] == "AM" and am["m1"] == pytest.approx(-am["m2"]) and am["m_AM"] > 0.15
    assert fm["state"] == "PM"  # below the FM onset, FM symmetry kept (constrain = seed)
    assert am["J_equivalent"] == pytest.approx(-2.2 * am["m_AM"])
    assert d["inputs"]["mesh"] == [20, 20, 20] and d["inputs"]["kT"] == 0.01
    assert d["results"][0]["ground_state"][0]["state"] == "AM"


def test_sweep_json_has_onsets_in_order():
    d = _json(["hf", "kappa-Cl", "--U-range", "0.16:0.34:10", "--kT", "0.005", "--mesh", "60", "--json"])
    assert d["mode"] == "sweep" and len(d["points"]) == 20 and d["n_failed"] == 0
    assert d["U_c"]["AM"] == pytest.approx(0.220, rel=0.05)
    assert d["U_c"]["FM"] == pytest.approx(0.266, rel=0.08)  # curve estimate, 0.02 eV U step
    assert d["U_c"]["AM"] < d["U_c"]["FM"]
    curves = d["results"][0]["curves"]
    assert len(curves["AM"]["U"]) == 10 and len(curves["FM"]["m"]) == 10


def test_bisect_matches_the_python_api():
    from altermag.models import preset
    from altermag.response.meanfield import critical_U_hf

    d = _json(["hf", "kappa-Cl", "--U-range", "0.1:0.4:4", "--kT", "0.005", "--mesh", "50", "--seed", "AM",
               "--bisect", "--json"])
    ref = critical_U_hf(preset("kappa-Cl"), "AM", kT=0.005, mesh=50).U_c
    assert d["U_c"]["AM"] == pytest.approx(ref, abs=1e-9)
    assert "bisection" in d["U_c_method"]


def test_non_converged_points_are_visible():
    d = _json(["hf", "RuO2", "--U-range", "2.0:2.4:2", "--mesh", "12", "--seed", "AM", "--max-iter", "2",
               "--json"])
    assert d["n_failed"] == 2
    for p in d["points"]:
        assert p["converged"] is False and p["m_AM"] is None and p["state"] is None
        assert p["residual"] > 1e-8 and "did not converge" in p["error"]


def test_out_plot_fillings_and_model_file(tmp_path):
    from altermag.models import preset

    f = tmp_path / "ruo2.json"
    preset("RuO2").save(f)
    out = tmp_path / "hf.json"
    png = tmp_path / "hf.png"
    r = runner.invoke(app, ["hf", str(f), "--U-range", "1.8:3.2:4", "--mesh", "12", "--fillings", "0.5,0.6",
                            "--out", str(out), "--plot", str(png)])
    assert r.exit_code == 0, r.output
    assert "onset U_c" in r.stdout and png.exists()
    saved = json.loads(out.read_text())
    assert saved["provenance"]["inputs"]["fillings"] == [0.5, 0.6]
    assert [b["n_sigma"] for b in saved["data"]["results"]] == [0.5, 0.6]


@pytest.mark.parametrize("args, words", [
    (["hf", "RuO2", "--U", "2", "--n-sigma", "1.5"], "n_sigma"),
    (["hf", "RuO2", "--U", "-1"], "U must be"),
    (["hf", "RuO2"], "exactly one of --U"),
    (["hf", "RuO2", "--U", "2", "--seed", "XY"], "--seed"),
    (["hf", "RuO2", "--U-range", "1:2:x"], "--U-range"),
    (["hf", "NoSuchModel", "--U", "1"], "NoSuchModel"),
])
def test_user_errors(args, words):
    r = runner.invoke(app, args)
    assert r.exit_code == 1
    assert "error:" in r.output and words in r.output and "Traceback" not in r.output
