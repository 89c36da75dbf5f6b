"""The command line: stable --json records, error records and exit codes, the tour."""

import json

from typer.testing import CliRunner

from altermag.cli import app
from tests.conftest import DATA, fixture_file

runner = CliRunner()


def test_classify_json_records():
    files = [str(fixture_file("0.607_")), str(fixture_file("1.6_")), str(fixture_file("0.800_"))]
    res = runner.invoke(app, ["classify", *files, "--json"])
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["verdict"] for r in recs] == ["altermagnet", "antiferromagnet", "altermagnet"]
    for r in recs:
        assert set(r) >= {"file", "verdict", "wave", "spin_laue_group", "form_factor", "space_group"}
    assert recs[0]["wave"] == "d" and recs[0]["form_factor"] == "kx*ky" and recs[0]["space_group"] == 136
    assert recs[1]["wave"] is None and recs[2]["wave"] == "g"


def test_classify_bad_file_is_an_error_record_and_exit_1(tmp_path):
    bad = tmp_path / "bad.mcif"
    bad.write_text("data_x\n_cell_length_a 4\n")
    res = runner.invoke(app, ["classify", str(bad), str(fixture_file("0.15_")), "--json"])
    assert res.exit_code == 1
    recs = [json.loads(line) for line in res.stdout.splitlines()]
    assert "error" in recs[0] and "bad.mcif" in recs[0]["error"]
    assert recs[1]["verdict"] == "altermagnet"


def test_classify_human_output_and_tolerance_flags():
    res = runner.invoke(app, ["classify", str(fixture_file("0.110_")), "--symprec", "0.005"])
    assert res.exit_code == 0 and "antiferromagnet (inversion)" in res.stdout


def test_enumerate_and_screen(tmp_path):
    res = runner.invoke(app, ["enumerate", str(fixture_file("0.110_")), "--json"])
    rec = json.loads(res.stdout)
    assert rec["counts"] == {"antiferromagnet": 2, "altermagnet": 1}
    out = tmp_path / "r.jsonl"
    res = runner.invoke(app, ["screen", str(DATA / "magndata"), "--out", str(out), "--workers", "1",
                              "--mode", "exact", "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["n_records"] == len(list((DATA / "magndata").glob("*.mcif")))
    res = runner.invoke(app, ["screen", str(DATA / "magndata"), "--out", str(out)])
    assert res.exit_code == 2 and "--resume" in res.output


def test_references_and_tour(tmp_path):
    res = runner.invoke(app, ["references", "--json", "--role", "positive"])
    names = [json.loads(line)["name"] for line in res.stdout.splitlines()]
    assert "RuO2" in names and "MnTe" in names
    res = runner.invoke(app, ["tour", "--out", str(tmp_path / "tour")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "tour" / "index.html").read_text()
    assert "RuO2" in page and "form_factors.png" in page
    assert (tmp_path / "tour" / "form_factors.png").stat().st_size > 10000
    # driven section: lead currents conserved, the V = 0 field is a gradient, the biased one is not
    driven = json.loads((tmp_path / "tour" / "driven_tour.json").read_text())["data"]["negf"]
    assert "driven_negf_profile.png" in page
    for row in driven:
        assert abs(float(row["I_L"]) + float(row["I_R"])) <= 1e-6 * max(abs(float(row["I_L"])), 1e-12)
    asym = {row["V"]: float(row["asym"]) for row in driven if row["asym"] != "–"}
    assert asym["+0.0"] < 1e-6 < asym["+1.0"]
