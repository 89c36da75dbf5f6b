"""The bundled reference data set: registry integrity, provenance, and literature-expected verdicts."""

from __future__ import annotations

import importlib.util
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import yaml

from altermag import AltermagError
from altermag.structures import (MagneticStructure, list_references, load_reference, positive_set,
                                 reference_info, reference_set)
from altermag.structures.datasets import ROLES, UnknownReferenceError, registry_notes
from altermag.symmetry import VERDICTS, analyze

DATA = resources.files("altermag.structures").joinpath("data")
MAGNDATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "magndata"

NAMES = list_references()

# Entries whose analysis disagrees with the literature. Keep them in the data set, mark them here with the
# reason (they run as xfail(strict=True), so a fix shows up as a failure to be cleaned up). None at present.
KNOWN_DISAGREEMENTS: dict[str, str] = {}


def _raw_registry() -> dict:
    return yaml.safe_load(DATA.joinpath("reference.yaml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------ registry
def test_names_are_unique_and_nonempty():
    names = [e["name"] for e in _raw_registry()["entries"]]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert all(isinstance(n, str) and n.strip() == n and n for n in names)
    assert names == NAMES


def test_files_are_unique():
    files = [e["file"] for e in _raw_registry()["entries"]]
    assert len(files) == len(set(files))


def test_roles_partition_the_registry():
    by_role = {r: list_references(r) for r in ROLES}
    assert sorted(sum(by_role.values(), [])) == sorted(NAMES)
    # the 13 positives of the discovery paper's public list; the 14th is not established (registry note)
    assert len(by_role["positive"]) == 13
    assert {"RuO2", "CuF2", "Mn5Si3", "CaCrO3", "MnF2", "MnO2", "LaMnO3", "La2CuO4", "Fe2O3", "MnTe",
            "CrSb", "KRu4O8", "FeSb2"} == set(by_role["positive"])
    assert {"CuF2-experimental", "La2CuO4-experimental", "Mn5Si3-experimental"} == set(by_role["experimental"])
    assert len(by_role["reference"]) >= 10
    assert "Not established" in registry_notes()["fourteenth_positive"]


def test_unknown_role_raises():
    with pytest.raises(UnknownReferenceError, match="roles are"):
        list_references("positives")


@pytest.mark.parametrize("name", NAMES)
def test_entry_is_complete(name):
    e = reference_info(name)
    assert e["role"] in ROLES
    assert DATA.joinpath("reference", e["file"]).is_file(), e["file"]
    exp = e["expected"]
    assert exp["verdict"] in VERDICTS
    assert exp.get("reference"), "the expected verdict must cite the literature"
    if exp["verdict"] == "altermagnet":
        assert exp["wave"] in ("d", "g", "i")
    else:
        assert exp.get("wave") is None
    src = e["source"]
    if src["kind"] == "magndata":
        assert src["magndata_id"] and e["file"].startswith(src["magndata_id"] + "_")
        assert src.get("doi") or src.get("citation")
        assert src.get("citation")
    else:
        assert src["kind"] == "built" and e["file"].startswith("built_")
        assert src["crystal"] and src["order"] and src["generator"].endswith("build_reference.py")
        assert isinstance(e.get("approximate"), bool)
        if e["approximate"]:
            assert e["approximations"], "approximate entries must say which numbers are approximate"
            head = DATA.joinpath("reference", e["file"]).read_text(encoding="utf-8")
            assert "# APPROXIMATE:" in head


def test_reference_info_is_a_copy():
    e = reference_info("RuO2")
    e["role"] = "changed"
    assert reference_info("RuO2")["role"] == "positive"


# ------------------------------------------------------------------------------------------ files
@pytest.mark.parametrize("name", NAMES)
def test_entry_loads_with_provenance(name):
    s = load_reference(name)
    assert isinstance(s, MagneticStructure)
    assert s.has_moments and len(s) > 0
    assert np.all(np.isfinite(s.moments)) and s.moment_magnitudes().max() > 0
    assert s.info["name"] == name and s.name == name
    assert s.info["reference"] == reference_info(name)
    assert Path(s.source).name == reference_info(name)["file"]
    from pymatgen.core import Composition

    got = Composition(s.formula).fractional_composition
    want = Composition(reference_info(name)["formula"]).fractional_composition
    assert got.almost_equals(want, rtol=0.0, atol=0.01), (s.formula, reference_info(name)["formula"])


@pytest.mark.parametrize("name", [n for n in NAMES if reference_info(n)["source"]["kind"] == "magndata"])
def test_magndata_files_are_verbatim(name):
    e = reference_info(name)
    original = MAGNDATA / e["file"]
    if not original.exists():
        pytest.skip("shared MAGNDATA folder not available")
    assert DATA.joinpath("reference", e["file"]).read_bytes() == original.read_bytes()
    # the recorded DOI is the file's _citation_DOI
    s = load_reference(name)
    if e["source"]["doi"] is None:
        assert "doi" not in s.info
    else:
        assert s.info["doi"].lower() == e["source"]["doi"].lower()


def test_built_files_are_up_to_date():
    script = DATA.joinpath("build_reference.py")
    if not script.is_file():  # the generator is not package data; it is there in a source checkout
        pytest.skip("build_reference.py not installed with the package")
    spec = importlib.util.spec_from_file_location("_build_reference", str(script))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look the module up while the class body runs
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop(spec.name, None)
    built = {e["file"] for e in _raw_registry()["entries"] if e["source"]["kind"] == "built"}
    assert built == {entry.file for entry in mod.ENTRIES}
    assert mod.main(["--check"]) == 0


# ------------------------------------------------------------------------------------------ verdicts
def _params():
    for n in NAMES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_DISAGREEMENTS[n])] if n in KNOWN_DISAGREEMENTS else []
        yield pytest.param(n, marks=marks, id=n)


@pytest.mark.parametrize("name", list(_params()))
def test_analysis_matches_literature(name):
    exp = reference_info(name)["expected"]
    res = analyze(load_reference(name))
    assert res.verdict == exp["verdict"], res.reason
    if exp["verdict"] == "altermagnet":
        assert res.wave == exp["wave"], res.spin_laue_group
    if exp.get("detail"):
        assert res.detail == exp["detail"]


def test_experimental_models_are_translation_afms_and_k0_versions_are_altermagnets():
    for base in ("CuF2", "La2CuO4", "Mn5Si3"):
        assert analyze(load_reference(base + "-experimental")).detail == "translation"
        assert analyze(load_reference(base)).verdict == "altermagnet"


# ------------------------------------------------------------------------------------------ API
def test_unknown_name_lists_available_names():
    with pytest.raises(UnknownReferenceError) as err:
        load_reference("NoSuchMagnet")
    msg = str(err.value)
    assert "NoSuchMagnet" in msg
    assert all(n in msg for n in NAMES)
    assert isinstance(err.value, AltermagError) and isinstance(err.value, KeyError)
    with pytest.raises(KeyError):
        reference_info("ruo2")  # names are case-sensitive


def test_sets():
    pos = positive_set()
    ref = reference_set()
    assert list(pos) == list_references("positive")
    assert list(ref) == list_references("reference")
    assert all(s.info["reference"]["role"] == "positive" for s in pos.values())
    assert all(s.info["reference"]["role"] == "reference" for s in ref.values())
