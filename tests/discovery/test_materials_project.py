"""Materials Project loader on recorded-shape responses (no network): parsing, moments, errors."""

import copy
import json
from types import SimpleNamespace

import numpy as np
import pytest

from altermag.core.errors import AltermagError, ParameterError, StructureError
from altermag.discovery import materials_project as mp
from altermag.structures import read_structure
from altermag.symmetry import analyze
from tests.conftest import DATA, fixture_file

FIX = DATA / "discovery"


class FakeEndpoint:
    """Stands in for ``MPRester().materials.<name>``: records the calls, filters like the server."""

    def __init__(self, docs):
        self.docs = docs
        self.calls = []

    def search(self, **kw):
        self.calls.append(kw)
        out = self.docs
        if "material_ids" in kw:
            out = [d for d in out if d["material_id"] in kw["material_ids"]]
        if "magnetic_ordering" in kw:
            want = getattr(kw["magnetic_ordering"], "value", kw["magnetic_ordering"])
            out = [d for d in out if d.get("ordering") == want]
        if "elements" in kw:
            out = [d for d in out if set(kw["elements"]) <= {s["species"][0]["element"]
                                                             for s in d["structure"]["sites"]}]
        return copy.deepcopy(out)


class FakeClient:
    def __init__(self, summary=None, magnetism=None):
        summary = json.loads((FIX / "mp_summary_response.json").read_text()) if summary is None else summary
        magnetism = json.loads((FIX / "mp_magnetism_response.json").read_text()) if magnetism is None else magnetism
        self.materials = SimpleNamespace(summary=FakeEndpoint(summary), magnetism=FakeEndpoint(magnetism))


def test_recorded_responses_parse_into_structures_with_moments():
    client = FakeClient()
    mats = mp.load_materials_project(client=client, orderings=("AFM",))
    assert [m.info["material_id"] for m in mats] == ["mp-825", "mp-560902", "mp-404"]
    call = client.materials.summary.calls[0]
    assert call["magnetic_ordering"].value == "AFM" and set(mp.MP_FIELDS) <= set(call["fields"])
    # MnTe's structure had no magmom: its moments were fetched from the magnetism endpoint, once
    assert client.materials.magnetism.calls == [{"material_ids": ["mp-404"], "fields": ["material_id", "magmoms"]}]
    for m in mats:
        assert m.has_moments and m.source == f"mp:{m.info['material_id']}"
        assert m.info["ordering"] == "AFM" and m.info["database"] == "Materials Project"
        assert abs(m.moments.sum(axis=0)).max() < 1e-9  # compensated
    # the parsed crystals and moments are the ones the documents were made from: same physics verdicts
    expected = {"mp-825": "0.607_RuO2", "mp-560902": "0.15_MnF2", "mp-404": "0.800_MnTe"}
    for m in mats:
        ref = read_structure(fixture_file(expected[m.info["material_id"]]))
        assert len(m) == len(ref) and sorted(m.species) == sorted(ref.species)
        assert np.allclose(np.sort(np.linalg.norm(m.moments, axis=1)), np.sort(np.linalg.norm(ref.moments, axis=1)),
                           atol=1e-3)
        assert analyze(m).verdict == "altermagnet"


def test_filters_and_fm_documents():
    client = FakeClient()
    fm = mp.load_materials_project(client=client, orderings=("FM",))
    assert len(fm) == 1 and fm[0].info["ordering"] == "FM"
    assert analyze(fm[0]).verdict == "ferromagnet"
    assert fm[0].info["total_magnetization"] == pytest.approx(float(np.linalg.norm(fm[0].moments.sum(0))), abs=0.01)
    only = mp.load_materials_project(client=FakeClient(), material_ids=["mp-825"])
    assert [m.formula for m in only] == ["RuO2"]
    mn = mp.load_materials_project(client=FakeClient(), elements=["Mn", "F"], orderings=("AFM",), max_results=5)
    assert [m.formula for m in mn] == ["MnF2"]


def test_saved_structures_read_back_offline(tmp_path):
    mats = mp.load_materials_project(client=FakeClient(), orderings=("AFM",))
    paths = mp.save_structures(mats, tmp_path)
    assert [p.name for p in paths] == ["mp-825.json", "mp-560902.json", "mp-404.json"]
    back = read_structure(paths[2])
    assert np.allclose(back.moments, mats[2].moments) and back.info["material_id"] == "mp-404"


def test_malformed_documents_give_clear_errors():
    docs = json.loads((FIX / "mp_summary_response.json").read_text())
    no_structure = dict(docs[0], structure=None)
    with pytest.raises(StructureError, match="mp:mp-825.*no structure"):
        mp.doc_to_structure(no_structure)
    broken = dict(docs[0], structure={"lattice": "nonsense"})
    with pytest.raises(StructureError, match="malformed structure"):
        mp.doc_to_structure(broken)
    with pytest.raises(StructureError, match="moments for"):
        mp.doc_to_structure(docs[0], magmoms=[1.0, -1.0])
    with pytest.raises(StructureError, match="material_id"):
        mp.doc_to_structure({"structure": docs[0]["structure"]})
    # errors="skip" drops the bad document and keeps the rest
    client = FakeClient(summary=[broken] + docs[1:2], magnetism=[])
    with pytest.raises(StructureError):
        mp.load_materials_project(client=client, orderings=("AFM",))
    kept = mp.load_materials_project(client=FakeClient(summary=[broken] + docs[1:2], magnetism=[]),
                                     orderings=("AFM",), errors="skip")
    assert [m.formula for m in kept] == ["MnF2"]


def test_bad_parameters_and_missing_dependency(monkeypatch):
    with pytest.raises(ParameterError, match="ordering"):
        mp.load_materials_project(client=FakeClient(), orderings=("AF",))
    with pytest.raises(ParameterError):
        mp.load_materials_project(client=FakeClient(), max_results=0)
    with pytest.raises(ParameterError):
        mp.load_materials_project(client=FakeClient(), errors="ignore")
    monkeypatch.delenv("MP_API_KEY", raising=False)
    with pytest.raises(AltermagError, match="(pip install mp-api|MP_API_KEY)"):
        mp.load_materials_project()
    import builtins

    real_import = builtins.__import__

    def no_mp_api(name, *a, **k):
        if name.startswith("mp_api"):
            raise ImportError("No module named 'mp_api'")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_mp_api)
    with pytest.raises(AltermagError, match="pip install mp-api"):
        mp.get_client("some-key")


def test_client_failures_become_altermag_errors():
    class Down:
        def search(self, **kw):
            raise ConnectionError("no route to host")

    client = SimpleNamespace(materials=SimpleNamespace(summary=Down(), magnetism=Down()))
    with pytest.raises(AltermagError, match="query failed.*no route"):
        mp.load_materials_project(client=client)
