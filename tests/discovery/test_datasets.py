"""Labelled corpus, split keys, caches, synthetic crystals, local folders and the paper's sets."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from altermag.core.errors import AltermagError, ParameterError
from altermag.discovery import datasets as ds
from altermag.structures import read_structure
from altermag.structures.elements import magnetic_elements
from altermag.structures.magnetic import elements_of
from altermag.symmetry import analyze, screen_structure
from tests.conftest import MAGNDATA_FIXTURES, SHARED_DATA

FIXTURES = ["0.607_RuO2", "0.15_MnF2", "0.800_MnTe", "0.528_CrSb", "0.222_CuMnAs", "0.639_Mn2Au", "0.110_Cr2O3",
            "0.65_Fe2O3-alpha", "0.300_Fe2O3", "0.732_SrRuO3", "0.108_Mn3Ir", "1.6_NiO", "0.5_Cr2S3"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("magndata")
    for name in FIXTURES:
        src = next(MAGNDATA_FIXTURES.glob(f"{name}.mcif"))
        shutil.copy(src, d / src.name)
    return d


@pytest.fixture(scope="module")
def corpus(folder, tmp_path_factory):
    return ds.labelled_corpus(folder, cache_dir=tmp_path_factory.mktemp("cache"), workers=1, progress=False)


def test_labels_are_the_symmetry_engine_verdicts(corpus, folder):
    assert len(corpus) > 0
    for f, y, v in zip(corpus.files, corpus.labels, corpus.verdicts):
        r = analyze(read_structure(f))
        assert r.verdict == v
        assert y == int(r.verdict == "altermagnet")
    # the textbook cases, from the literature (spec discovery.md §4)
    lab = {Path(f).name.split("_", 1)[1][:-5]: int(y) for f, y in zip(corpus.files, corpus.labels)}
    assert lab["RuO2"] == lab["MnF2"] == lab["MnTe"] == lab["CrSb"] == 1
    assert lab["CuMnAs"] == lab["Mn2Au"] == lab["Cr2O3"] == 0


def test_moments_are_removed(corpus):
    for s in corpus.structures:
        assert not s.has_moments
        assert np.all(s.moments == 0)


def test_exclusions_are_documented(corpus, folder):
    skipped = {Path(f).name: why for f, why in corpus.skipped.items()}
    assert skipped["1.6_NiO.mcif"].startswith("k≠0")
    assert skipped["0.108_Mn3Ir.mcif"].startswith("noncollinear")
    assert skipped["0.5_Cr2S3.mcif"].startswith("compensated-ferrimagnet")
    assert len(corpus) + len(corpus.skipped) == len(FIXTURES)
    # options switch the exclusions off
    more = ds.labelled_corpus(folder, k0_only=False, include_compensated_ferrimagnets=True, use_cache=False,
                              workers=1, progress=False)
    names = {Path(f).name for f in more.files}
    assert {"1.6_NiO.mcif", "0.5_Cr2S3.mcif"} <= names
    assert more.labels[[Path(f).name for f in more.files].index("0.5_Cr2S3.mcif")] == 0


def test_groups_and_families(corpus):
    for s, g, fam in zip(corpus.structures, corpus.groups, corpus.families):
        assert g == s.formula
        assert fam == "-".join(sorted({e for sp in s.species for e in elements_of(sp)}))
    # both hematite files share a formula group
    assert corpus.groups.count("Fe2O3") == 2
    assert ds.composition_family("Fe2O3") == ("Fe2O3", "Fe-O")
    assert ds.composition_family("O4Fe2") == ("FeO2", "Fe-O")
    with pytest.raises(AltermagError):
        ds.composition_family("Xx2Qq")
    with pytest.raises(ParameterError):
        corpus.split_keys("planet")


def test_magndata_names():
    assert ds.magndata_k("0.607_RuO2.mcif") == 0
    assert ds.magndata_k("1.0.33_FeF3.mcif") == 1
    assert ds.magndata_k("revised_0.64_MnV2O4.mcif") == 0
    assert ds.magndata_k("2.15_X.mcif") == 2
    assert ds.magndata_k("my_structure.cif") is None


def test_label_cache_is_keyed_by_content(folder, tmp_path, monkeypatch):
    d = tmp_path / "c"
    shutil.copytree(folder, d)
    cache = tmp_path / "cache"
    first = ds.labelled_corpus(d, cache_dir=cache, workers=1, progress=False)
    assert (cache / "labels.json").exists()
    calls = []
    real = ds.label_file

    def counting(path, **kw):
        calls.append(Path(path).name)
        return real(path, **kw)

    monkeypatch.setattr(ds, "label_file", counting)  # workers=1: jobs run in this process
    again = ds.labelled_corpus(d, cache_dir=cache, workers=1, progress=False)
    assert calls == []
    assert again.files == first.files and np.array_equal(again.labels, first.labels)
    # an edited file is relabelled (its hash changed), the others are not
    target = d / "0.800_MnTe.mcif"
    target.write_bytes(target.read_bytes() + b"\n# edited\n")
    edited = ds.labelled_corpus(d, cache_dir=cache, workers=1, progress=False)
    assert calls == ["0.800_MnTe.mcif"]
    assert edited.labels[edited.files.index(str(target))] == 1
    # the key is the content, not the name: MnTe's name with CuMnAs's content is a conventional AFM
    target.write_bytes((d / "0.222_CuMnAs.mcif").read_bytes())
    changed = ds.labelled_corpus(d, cache_dir=cache, workers=1, progress=False)
    assert changed.labels[changed.files.index(str(target))] == 0
    # other tolerances are other keys
    ds.labelled_corpus(d, cache_dir=cache, workers=1, progress=False, moment_tol=0.06)
    assert len(calls) == 1 + len(FIXTURES) - 1  # 1.6_NiO (k≠0) is never labelled


def test_clear_errors(tmp_path):
    with pytest.raises(AltermagError, match="not a folder"):
        ds.labelled_corpus(tmp_path / "missing", use_cache=False, progress=False)
    with pytest.raises(AltermagError, match="no structure files"):
        ds.labelled_corpus(tmp_path, use_cache=False, progress=False)
    (tmp_path / "0.1_bad.mcif").write_text("data_x\n_cell_length_a 3\n")
    c = ds.labelled_corpus(tmp_path, use_cache=False, workers=1, progress=False)
    assert len(c) == 0 and next(iter(c.skipped.values())).startswith("unreadable")


def test_default_folder_message(monkeypatch, tmp_path):
    monkeypatch.setenv("ALTERMAG_MAGNDATA", str(tmp_path))
    assert ds.default_magndata_folder() == tmp_path
    # a wrong explicit setting is an error, never silently replaced by the development folder
    monkeypatch.setenv("ALTERMAG_MAGNDATA", str(tmp_path / "missing"))
    with pytest.raises(AltermagError, match="ALTERMAG_MAGNDATA"):
        ds.default_magndata_folder()
    from typer.testing import CliRunner

    from altermag.cli import app

    res = CliRunner().invoke(app, ["discover", "pretrain", "--magndata", "--synthetic", "1",
                                   "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and "ALTERMAG_MAGNDATA" in res.output and isinstance(res.exception, SystemExit)


def test_read_folder_reports_bad_files(tmp_path):
    shutil.copy(next(MAGNDATA_FIXTURES.glob("0.607_RuO2.mcif")), tmp_path)
    (tmp_path / "broken.cif").write_text("this is not a CIF\n")
    structures, errors = ds.read_folder(tmp_path, progress=False)
    assert len(structures) == 1 and structures[0].has_moments
    assert list(errors) == [str(tmp_path / "broken.cif")]
    s2, _ = ds.read_folder(tmp_path, remove_moments=True, progress=False)
    assert not s2[0].has_moments


def test_paper_sets_follow_the_screening_rules(corpus):
    out = ds.paper_sets(corpus, progress=False)
    sets = out["sets"]
    assert set(sets["negatives"]).isdisjoint(sets["candidates"])
    assert sorted(sets["negatives"] + sets["candidates"]) == sorted(sets["pretraining"])
    for i, s in enumerate(corpus.structures):
        kind = screen_structure(s, magnetic="3d4f")["rules"]["set"]
        assert (i in sets["candidates"]) == (kind == "candidate")
        assert (i in sets["negatives"]) == (kind == "negative")
    rows = {r["step"]: r["count"] for r in out["table"]}
    assert rows["candidates"] == len(sets["candidates"])


def test_synthetic_crystals_seeded_and_magnetic():
    a = ds.synthetic_crystals(4, seed=3, progress=False)
    b = ds.synthetic_crystals(4, seed=3, progress=False)
    mag = magnetic_elements("3d4f")
    for x, y in zip(a, b):
        assert x.species == y.species and np.allclose(x.frac_coords, y.frac_coords)
        els = {e for sp in x.species for e in elements_of(sp)}
        assert len(els & mag) == 1  # exactly one magnetic element
        assert not x.has_moments and len(x) <= 40
    c = ds.synthetic_crystals(4, seed=4, progress=False)
    assert any(x.species != y.species or len(x) != len(y) for x, y in zip(a, c))
    with pytest.raises(ParameterError):
        ds.synthetic_crystals(2, space_groups=(0, 300))


def test_pretraining_corpus_excludes_labelled_files(folder, corpus):
    pre = ds.pretraining_corpus(folder, n_synthetic=2, exclude=corpus, progress=False, workers=1)
    sources = {s.source for s in pre}
    assert not sources & set(corpus.files)
    assert sum(bool(s.info.get("synthetic")) for s in pre) == 2
    assert all(not s.has_moments for s in pre)


@pytest.mark.slow
def test_full_magndata_corpus_matches_the_spec(shared_magndata, tmp_path):
    c = ds.labelled_corpus(shared_magndata, cache_dir=tmp_path, progress=False)
    # spec discovery.md §5: 565 collinear k=0 entries, 182 altermagnets (32 %), 419 formula groups
    assert 540 <= len(c) <= 600
    assert 0.29 <= c.labels.mean() <= 0.35
    assert 400 <= len(set(c.groups)) <= 440


def test_shared_folder_is_the_default_when_present():
    if not (SHARED_DATA / "magndata").is_dir():
        pytest.skip("development data not present")
    assert ds.default_magndata_folder().resolve() == (SHARED_DATA / "magndata").resolve()
