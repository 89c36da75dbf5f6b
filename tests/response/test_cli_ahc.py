"""CLI ``altermag ahc``: JSON contract, symmetry of the output, user errors."""

import json

from typer.testing import CliRunner

from altermag.cli import app

runner = CliRunner()


def _run(args):
    r = runner.invoke(app, args)
    return r


def test_ahc_json_contract_neel_x():
    r = _run(["ahc", "RuO2", "--soc", "0.05", "--neel", "x", "--mesh", "16", "--uniform", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["units"] == "S/cm"
    s = d["sigma"]
    assert set(s) >= {"xy", "yz", "zx", "xz", "zy", "yx"}
    assert abs(s["xz"]) > 1.0 and abs(s["xy"]) < 1e-8 * abs(s["xz"])
    assert d["inputs"]["params"]["lambda1"] == 0.05 and d["n_kpoints"] == 16 ** 3


def test_ahc_neel_z_zero_and_110():
    d = json.loads(_run(["ahc", "RuO2", "--soc", "0.05", "--neel", "z", "--mesh", "12", "--uniform",
                         "--json"]).stdout)
    assert max(abs(v) for v in d["sigma"].values()) < 1e-8
    d = json.loads(_run(["ahc", "RuO2", "--soc", "0.05", "--neel", "110", "--mesh", "12", "--uniform",
                         "--json"]).stdout)
    assert abs(d["sigma"]["yz"] - d["sigma"]["zx"]) < 1e-8 * abs(d["sigma"]["yz"])


def test_ahc_sweep_cli(tmp_path):
    r = _run(["ahc", "RuO2", "--neel", "x", "--mesh", "10", "--uniform", "--sweep", "lambda=0.01,0.02",
              "--json", "--out", str(tmp_path / "sw.json")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout.splitlines()[0])
    assert len(d["sigma"]["xz"]) == 2 and (tmp_path / "sw.json").exists()


def test_ahc_user_errors():
    r = _run(["ahc", "kappa-Cl", "--soc", "0.1"])
    assert r.exit_code == 1 and "no spin-orbit" in r.output
    r = _run(["ahc", "RuO2", "--kT", "-1"])
    assert r.exit_code == 1 and "kT" in r.output
