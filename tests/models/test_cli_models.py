"""`altermag model ...` CLI: JSON contracts, files written, errors without tracebacks."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from altermag.cli import app
from altermag.models import preset

runner = CliRunner()


def test_model_bands_json_contract(tmp_path):
    r = runner.invoke(app, ["model", "bands", "RuO2", "--json", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["kpath"] == ["Γ", "X", "M", "Γ", "Z", "R", "A", "Z"]
    bands = np.array(d["bands"])
    assert bands.shape[0] == 4 and bands.shape[1] == len(d["x"])
    m = preset("RuO2")
    assert np.allclose(bands.T, m.eigenvalues(np.array(d["k_frac"])), atol=1e-9)
    # physics in the JSON (eV, bands sorted): X–M is a nodal line (spin-degenerate pairs), M–Γ is spin split
    x, t = np.array(d["x"]), d["ticks"]
    on_xm = (x > t[1] + 1e-6) & (x < t[2] - 1e-6)
    on_mg = (x > t[2] + 1e-6) & (x < t[3] - 1e-6)
    assert np.all(np.diff(bands, axis=0) >= -1e-12)
    assert np.abs(bands[0, on_xm] - bands[1, on_xm]).max() < 1e-9
    assert np.abs(bands[1, on_mg] - bands[0, on_mg]).max() > 1e-2
    assert (tmp_path / "bands.png").stat().st_size > 1000 and (tmp_path / "bands.json").exists()


def test_model_list_json_contract():
    pytest.importorskip("altermag.models.catalogue")
    r = runner.invoke(app, ["model", "list", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 40
    for row in rows:
        assert {"space_group", "wyckoff", "irrep", "wave", "form_factor"} <= set(row)
    assert {(row["space_group"], row["wave"]) for row in rows} >= {(136, "d"), (194, "g"), (223, "i")}


def test_model_show_and_fermi(tmp_path):
    r = runner.invoke(app, ["model", "show", "MnF2", "--json", "-p", "t6=0.01", "--J", "0.1",
                            "--save", str(tmp_path / "m.json")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["params"]["t6"] == 0.01 and d["J"] == 0.1 and d["wave_from_tz"] == "d"
    assert max(d["checks"].values()) < 1e-10
    # the saved model is a valid MODEL argument
    r = runner.invoke(app, ["model", "fermi", str(tmp_path / "m.json"), "--json", "--n", "41",
                            "--out", str(tmp_path / "f")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["nodal_check"]["agree"] and d["n_contours"] >= 1
    for f in ("fermi.png", "splitting.png", "form_factor.png", "fermi.json", "splitting.json"):
        assert (tmp_path / "f" / f).exists()


def test_generated_entry_as_model_argument(tmp_path):
    pytest.importorskip("altermag.models.generator")
    r = runner.invoke(app, ["model", "show", "223:2a", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["wave_from_tz"] == "i" and d["checks"]["space_group"] < 1e-10


@pytest.mark.parametrize("args,needle", [
    (["bands", "Unobtainium"], "neither a preset"),        # unknown preset
    (["show", "RuO2", "-p", "nonsense=1"], "nonsense"),      # unknown coefficient
    (["show", "RuO2", "-p", "t1"], "NAME=VALUE"),
    (["show", "RuO2", "-p", "t1=abc"], "not a number"),
    (["show", "136:2z"], "2z"),                              # malformed SG:WYCKOFF
    (["show", "999:2a"], "space_group=999"),
    (["show", "136"], "no Wyckoff position"),                # SG without a Wyckoff position
    (["show", "RuO2", "--neel", "1,0"], "neel"),
    (["show", "RuO2", "--neel", "0,0,0"], "non-zero"),
    (["show", "RuO2", "--save", "model.txt"], ".json"),
    (["bands", "RuO2", "--density", "-1"], "--density"),
    (["bands", "RuO2", "--path", "nowhere"], "path"),
    (["fermi", "RuO2", "--plane", "kq=3"], "plane"),
    (["fermi", "RuO2", "--n", "1"], "n must be"),
    (["show", "missing_model.json"], "does not exist"),
])
def test_user_errors_exit_1_without_traceback(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["model", *args, *(["--out", str(tmp_path)] if args[0] != "show" else [])])
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith("error:") and needle in r.stderr and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1  # one clear line


def test_from_structure_cli(tmp_path):
    pytest.importorskip("altermag.models.from_structure")
    from tests.conftest import fixture_file

    r = runner.invoke(app, ["model", "from-structure", str(fixture_file("0.607_")), "--json",
                            "--save", str(tmp_path / "ruo2.json")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["space_group"] == 136 and d["wave"] == "d" and d["parameters"]
    r = runner.invoke(app, ["model", "bands", str(tmp_path / "ruo2.json"), "--json", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["kpath"][0] == "Γ"
    r = runner.invoke(app, ["model", "from-structure", str(tmp_path / "nothing.cif")])
    assert r.exit_code == 1 and "error:" in r.stderr


def test_fermi_outside_the_bands_says_so(tmp_path):
    r = runner.invoke(app, ["model", "fermi", "RuO2", "--energy", "50", "--n", "21", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "0 Fermi contours" in r.stdout and "no band crosses E = 50 eV" in r.stdout
    lo, hi = (float(v) for v in r.stdout.split("bands span ")[1].split(" eV")[0].split(" to "))
    E = preset("RuO2").eigenvalues(np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0]]))
    assert lo <= E.min() + 1e-3 and E.max() - 1e-3 <= hi < 50  # printed to 1 meV
