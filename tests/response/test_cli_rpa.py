"""CLI ``altermag chi`` and ``altermag rpa``: JSON contract, agreement with the Python API, user errors."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from altermag.cli import app
from altermag.models import preset
from altermag.response.cli_common import model_from_argument, parse_sweep
from altermag.response.rpa import critical_U

runner = CliRunner()


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_rpa_json_contract_matches_api():
    d = _json(runner.invoke(app, ["rpa", "kappa-Cl", "--mesh", "64", "--kT", "0.01", "--no-refine", "--json"]))
    for key in ("U_c_q0", "U_c_min", "q_leading", "leading_character", "inputs", "units"):
        assert key in d
    assert set(d["U_c_q0"]) >= {"AM", "FM"} and len(d["q_leading"]) == 3
    ref = critical_U(preset("kappa-Cl"), mesh=64, kT=0.01, refine=False)
    assert d["U_c_q0"]["AM"] == pytest.approx(ref.U_c_q0["AM"], rel=1e-12)
    assert d["U_c_min"] == pytest.approx(ref.U_c_min, rel=1e-12)
    assert d["leading_character"] in ("AM", "FM", "decoupled-SDW", "mixed")
    assert d["inputs"]["mesh"] == [64, 64, 1] and d["inputs"]["kT"] == 0.01


def test_rpa_options_reach_the_model():
    d = _json(runner.invoke(app, ["rpa", "FeSb2", "--mu-convention", "plus", "--n-sigma", "0.46", "--kT", "0.01",
                                  "--mesh", "12", "--q0-only", "--json"]))
    assert d["inputs"]["n_sigma"] == pytest.approx(0.46, abs=1e-6)
    assert d["inputs"]["mu_convention"] == "plus"
    d2 = _json(runner.invoke(app, ["rpa", "RuO2", "--param", "t8=0", "--mesh", "12", "--q0-only", "--json"]))
    assert d2["U_c_q0"]["AM"] == pytest.approx(d2["U_c_q0"]["FM"], rel=1e-12)   # t_x ≡ 0 ⇒ AM = FM


def test_rpa_filling_sweep_json(tmp_path):
    out = tmp_path / "sweep.json"
    d = _json(runner.invoke(app, ["rpa", "RuO2", "--sweep", "n_sigma=0.5:0.7:3", "--q0-only", "--mesh", "12",
                                  "--kT", "0.02", "--json", "--out", str(out)]))
    assert d["parameter"] == "n_sigma" and len(d["rows"]) == 3
    assert out.exists() and out.with_suffix(".png").exists()
    assert [r["n_sigma"] for r in d["rows"]] == pytest.approx([0.5, 0.6, 0.7], abs=1e-6)


def test_chi_single_q_and_path(tmp_path):
    d = _json(runner.invoke(app, ["chi", "RuO2", "--q", "0.5,0.5,1", "--pi", "--mesh", "8", "--kT", "0.05",
                                  "--json"]))
    assert d["q"] == pytest.approx([0.25, 0.25, 0.5])
    assert abs(d["chi0"]["chi12"]) < 1e-12                                  # q_z = π: sublattices decouple
    assert d["chi0"]["AM"] == pytest.approx(d["chi0"]["FM"])
    out = tmp_path / "p.json"
    r = runner.invoke(app, ["chi", "kappa-Cl", "--path", "--mesh", "16", "--density", "3", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists() and out.with_suffix(".png").exists()


@pytest.mark.parametrize("args,needle", [(["rpa", "NoSuchModel", "--json"], "neither a preset"),
                                         (["rpa", "RuO2", "--n-sigma", "1.5"], "n_sigma"),
                                         (["rpa", "RuO2", "--mesh", "x"], "--mesh"),
                                         (["chi", "RuO2", "--q", "1,2"], "--q"),
                                         (["rpa", "RuO2", "--sweep", "n_sigma"], "--sweep"),
                                         (["rpa", "RuO2", "--mu-convention", "sideways"], "mu-convention")])
def test_user_errors_exit_1(args, needle):
    r = runner.invoke(app, args)
    assert r.exit_code == 1
    assert "error:" in r.output and needle in r.output
    assert "Traceback" not in r.output


def test_model_from_argument(tmp_path):
    m = model_from_argument("ruo2", J=0.1, neel="x", params=["t8=1.0"])
    assert m.J == 0.1 and np.allclose(m.neel, [1, 0, 0]) and m.params["t8"] == 1.0
    p = tmp_path / "m.json"
    preset("kappa-Cl").save(p)
    m2 = model_from_argument(str(p), mu=0.05)
    assert m2.name == "kappa-Cl" and m2.mu == 0.05
    plus = model_from_argument("FeSb2", mu_convention="plus")
    assert plus.mu == -preset("FeSb2").mu
    assert parse_sweep("kT=0.01,0.02") == ("kT", [0.01, 0.02])
