"""Configuration enumeration and the paper's screening rules."""

import json
from math import comb

import numpy as np
import pytest

from altermag.core.errors import AltermagError, ParameterError
from altermag.structures import read_structure
from altermag.symmetry import analyze
from altermag.symmetry.enumeration import enumerate_configurations, primitive_symmetry
from altermag.symmetry.screening import paper_rules, paper_table, screen_folder, screen_structure
from tests.conftest import MAGNDATA_FIXTURES, fixture_file


def test_multiplicities_count_every_compensated_configuration():
    """Σ multiplicity over distinct classes = C(M, M/2)/2 (global flip removed), for one species."""
    for prefix in ("0.110_", "0.65_", "0.1_"):
        res = enumerate_configurations(read_structure(fixture_file(prefix)))
        M = len(res.magnetic_sites)
        assert sum(c.multiplicity for c in res.configurations) == comb(M, M // 2) // 2


def test_enumerated_verdicts_agree_with_full_analysis():
    """Two routes: the vectorised enumeration vs analyze() of the same order put on the primitive cell."""
    for prefix in ("0.110_", "0.65_", "0.1_", "0.607_", "0.800_"):
        s = read_structure(fixture_file(prefix))
        res = enumerate_configurations(s)
        prim, _ = primitive_symmetry(s)
        for conf in res.configurations:
            m = np.zeros(len(prim))
            m[res.magnetic_sites] = conf.signs
            r = analyze(prim.with_moments(m))
            assert (r.verdict, r.wave) == (conf.verdict, conf.wave), (prefix, conf.signs)


def test_enumeration_known_cases():
    # rutile: the single compensated order of the two Ru is the d-wave altermagnet
    ruo2 = enumerate_configurations(read_structure(fixture_file("0.607_")))
    assert [(c.verdict, c.wave) for c in ruo2.configurations] == [("altermagnet", "d")]
    # corundum Cr2O3: the experimental (+-+-) PT order and one more are conventional; one order is g-wave
    cr2o3 = enumerate_configurations(read_structure(fixture_file("0.110_")))
    assert cr2o3.counts == {"antiferromagnet": 2, "altermagnet": 1}
    # rock salt NiO: one magnetic atom per primitive cell, no compensated k=0 order
    nio = enumerate_configurations(read_structure(fixture_file("1.6_")))
    assert nio.configurations == [] and "odd" in nio.note


def test_enumeration_limits_and_element_sets():
    s = read_structure(fixture_file("0.110_"))
    with pytest.raises(AltermagError, match="max_sites"):
        enumerate_configurations(s, max_sites=2)
    with pytest.raises(ParameterError, match="not element symbols"):
        enumerate_configurations(s, magnetic="Xx,Cr")
    assert enumerate_configurations(read_structure(fixture_file("0.607_")), magnetic="3d4f").magnetic_sites == []


def test_paper_rules():
    # Mn2Au: two Mn exchanged by inversion, not on inversion centres -> {T||IT} negative
    r = paper_rules(read_structure(fixture_file("0.639_")))
    assert r.set == "negative" and r.inversion_pair
    # NiO: odd count in the primitive cell; type-IV given its experimental order
    r = screen_structure(read_structure(fixture_file("1.6_")))["rules"]
    assert r["set"] == "negative" and r["odd"] and r["type_iv"]
    # RuO2: Ru is 4d, outside the paper's 3d/4f set; included with the broad set -> candidate
    assert paper_rules(read_structure(fixture_file("0.607_"))).set == "excluded"
    assert paper_rules(read_structure(fixture_file("0.607_")), magnetic="broad").set == "candidate"
    # MnF2: a candidate; the exact enumeration agrees that it can host altermagnetism
    rec = screen_structure(read_structure(fixture_file("0.15_")), mode="exact")
    assert rec["rules"]["set"] == "candidate" and rec["agreement"] == "agree"
    # CuMnAs: two magnetic species -> excluded from the pre-training set
    assert paper_rules(read_structure(fixture_file("0.222_"))).set == "excluded"


def test_rules_false_negative_is_reported():
    """Cr2O3 is a rules-negative? No: 4 Cr -> candidate. Fe2O3 likewise. Check the table bookkeeping."""
    recs = [screen_structure(read_structure(fixture_file(p)), mode="exact") for p in ("0.110_", "0.639_", "1.6_")]
    table = {row["step"]: row["count"] for row in paper_table(recs)}
    assert table["input"] == 3
    assert table["negatives"] + table["candidates"] == table["not_p1"]
    assert table["negatives"] == sum(r["rules"]["set"] == "negative" for r in recs)


def test_screen_folder_resume_loses_and_duplicates_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    files = sorted(MAGNDATA_FIXTURES.glob("*.mcif"))[:6]
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "broken.mcif").write_text("data_x\n_cell_length_a 1\n")
    (folder / "notes.txt").write_text("not a structure")
    out = tmp_path / "res.jsonl"
    # simulate a run killed after two records, mid-way through writing the third
    full = screen_folder(folder, tmp_path / "ref.jsonl", workers=1, progress=False)
    lines = (tmp_path / "ref.jsonl").read_text().splitlines()
    out.write_text(lines[0] + "\n" + lines[1] + "\n" + lines[2][: len(lines[2]) // 2])
    with pytest.raises(AltermagError, match="--resume"):
        screen_folder(folder, out, workers=1, progress=False)
    summary = screen_folder(folder, out, workers=1, progress=False, resume=True)
    recs = [json.loads(line) for line in out.read_text().splitlines() if line.strip().endswith("}")]
    names = [r["file"] for r in recs]
    assert len(names) == len(set(names)) == 7  # 6 structures + 1 error record, the .txt ignored
    assert summary["n_resumed"] == 2
    assert summary["verdicts"] == full["verdicts"]
    err = [r for r in recs if "error" in r]
    assert len(err) == 1 and "broken.mcif" in err[0]["error"]
    assert (tmp_path / "res.jsonl.sets.json").exists()


def test_screen_killed_with_sigkill_then_resumed(tmp_path):
    """A real kill -9 in the middle of a run: --resume completes it without losses or duplicates."""
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(4):  # enough files that the kill lands mid-run
        for f in sorted(MAGNDATA_FIXTURES.glob("*.mcif")):
            (folder / f"{k}_{f.name}").write_bytes(f.read_bytes())
    n_files = len(list(folder.iterdir()))
    out = tmp_path / "r.jsonl"
    cmd = [sys.executable, "-m", "altermag.cli", "screen", str(folder), "--out", str(out), "--workers", "1",
           "--mode", "exact"]
    env = {**os.environ, "ALTERMAG_NO_PROGRESS": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 5):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    n_before = len(out.read_text().splitlines())
    assert 5 <= n_before < n_files, "the kill should land mid-run"
    subprocess.run(cmd + ["--resume"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    names = [r["file"] for r in recs]
    assert len(names) == len(set(names)) == n_files


def test_screen_on_a_dask_cluster_matches_local(tmp_path):
    pytest.importorskip("distributed")
    files = sorted(MAGNDATA_FIXTURES.glob("*.mcif"))[:5]
    folder = tmp_path / "in"
    folder.mkdir()
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    a = screen_folder(folder, tmp_path / "a.jsonl", workers=1, progress=False)
    b = screen_folder(folder, tmp_path / "b.jsonl", scheduler="local", workers=1, progress=False)
    assert a["verdicts"] == b["verdicts"] and a["paper_table"] == b["paper_table"]
