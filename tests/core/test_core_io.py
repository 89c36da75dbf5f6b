import dataclasses
import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pytest

import altermag
from altermag.core import AltermagError, Lattice, ParameterError
from altermag.core.io import (
    JsonlWriter,
    dumps,
    load_csv,
    load_hdf5,
    load_json,
    provenance,
    read_jsonl,
    save_csv,
    save_hdf5,
    save_json,
)

INPUTS = {"structure": Path("MnTe.mcif"), "mesh": np.array([8, 8, 6]), "T": np.float64(300.0), "U": 4}


@dataclasses.dataclass
class Params:
    t: float
    J: np.ndarray


def test_provenance_records_versions_time_and_inputs():
    p = provenance(INPUTS)
    assert p["altermag_version"] == altermag.__version__
    assert p["numpy"] == np.__version__
    assert p["python"].count(".") == 2 and p["platform"] and isinstance(p["command"], str)
    stamp = dt.datetime.fromisoformat(p["timestamp_utc"])
    assert stamp.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.timezone.utc) - stamp).total_seconds()) < 60
    assert p["inputs"] == {"structure": "MnTe.mcif", "mesh": [8, 8, 6], "T": 300.0, "U": 4}
    json.dumps(p)  # plain JSON types only
    assert provenance()["inputs"] == {}


def test_encoder_handles_scientific_types():
    obj = {
        "i": np.int64(3),
        "f": np.float32(0.5),
        "b": np.bool_(True),
        "z": 1 + 2j,
        "zs": np.complex128(-1j),
        "path": Path("/tmp/x"),
        "params": Params(1.0, np.eye(2)),
        "lattice": Lattice(np.eye(3)),
        "set": {2, 1},
        "error": ValueError("boom"),
    }
    decoded = json.loads(dumps(obj))
    assert decoded["i"] == 3 and decoded["f"] == 0.5 and decoded["b"] is True
    assert decoded["z"] == {"re": 1.0, "im": 2.0}
    assert decoded["zs"] == {"re": -0.0, "im": -1.0}
    assert decoded["path"] == "/tmp/x"
    assert decoded["params"] == {"t": 1.0, "J": [[1.0, 0.0], [0.0, 1.0]]}
    assert decoded["lattice"]["matrix"][2] == [0.0, 0.0, 1.0]
    assert decoded["set"] == [1, 2]
    assert decoded["error"] == {"type": "ValueError", "message": "boom"}
    with pytest.raises(TypeError):
        dumps(object())


def test_json_round_trip(tmp_path):
    data = {
        "energies": np.linspace(0, 1, 5),
        "H": np.array([[1.0, 1j], [-1j, 2.0]]),
        "label": "MnTe",
        "z": 0.5 - 0.25j,
    }
    path = save_json(tmp_path / "sub" / "result.json", data, inputs=INPUTS)
    assert path.exists() and os.listdir(path.parent) == ["result.json"]  # no temporary file left
    doc = load_json(path)
    assert doc["provenance"]["inputs"]["mesh"] == [8, 8, 6]
    assert np.allclose(doc["data"]["energies"], data["energies"])
    H = np.array(doc["data"]["H"])
    assert H.dtype == complex and np.array_equal(H, data["H"])
    assert doc["data"]["z"] == 0.5 - 0.25j
    assert doc["data"]["label"] == "MnTe"


def test_load_json_reports_bad_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(AltermagError, match="bad.json"):
        load_json(bad)


def test_hdf5_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    arrays = {
        "k": rng.random((10, 3)),
        "bands": {"up": rng.random((10, 4)), "down": rng.random((10, 4))},
        "H": rng.random((2, 4, 4)) + 1j * rng.random((2, 4, 4)),
        "labels": np.array(["Γ", "X", "M"]),
        "n": np.int64(7),
    }
    attrs = {"model": "d-wave", "t": 1.5, "mesh": np.array([4, 4, 1]), "options": {"soc": False, "U": None}}
    path = save_hdf5(tmp_path / "bands.h5", arrays, inputs=INPUTS, attrs=attrs)
    out = load_hdf5(path)
    data = out["data"]
    assert np.array_equal(data["k"], arrays["k"])
    assert np.array_equal(data["bands"]["down"], arrays["bands"]["down"])
    assert data["H"].dtype == complex and np.array_equal(data["H"], arrays["H"])
    assert data["labels"].tolist() == ["Γ", "X", "M"]
    assert data["n"] == 7
    assert out["attrs"]["model"] == "d-wave" and out["attrs"]["t"] == 1.5
    assert np.array_equal(out["attrs"]["mesh"], [4, 4, 1])
    assert out["attrs"]["options"] == {"soc": False, "U": None}
    assert out["provenance"]["inputs"]["structure"] == "MnTe.mcif"
    assert out["provenance"]["altermag_version"] == altermag.__version__


def test_hdf5_rejects_bad_names_and_types(tmp_path):
    with pytest.raises(ParameterError):
        save_hdf5(tmp_path / "a.h5", {"a/b": np.zeros(2)})
    with pytest.raises(ParameterError):
        save_hdf5(tmp_path / "b.h5", {"x": np.array([object()])})
    with pytest.raises(ParameterError):
        save_hdf5(tmp_path / "c.h5", {"x": np.zeros(2)}, attrs={"provenance": 1})
    assert not list(tmp_path.iterdir())  # failed writes leave nothing behind


def test_csv_round_trip(tmp_path):
    columns = {
        "mu": np.array([0.1, 1 / 3, -2.5e-12]),
        "n": np.array([1, 2, 3]),
        "sigma": np.array([1 + 2j, -0.5j, 3.0]),
        "phase": ["a", "b, c", "d"],
    }
    path = save_csv(tmp_path / "cond.csv", columns, inputs={"T": 300})
    text = path.read_text()
    assert text.startswith("# {")
    header = [line for line in text.splitlines() if not line.startswith("#")][0]
    assert header == "mu,n,sigma.re,sigma.im,phase"
    out = load_csv(path)
    assert out["provenance"]["inputs"] == {"T": 300}
    data = out["data"]
    assert np.array_equal(data["mu"], columns["mu"])  # exact, not approximately
    assert data["n"].dtype.kind == "i" and np.array_equal(data["n"], [1, 2, 3])
    assert np.array_equal(data["sigma"], columns["sigma"])
    assert data["phase"].tolist() == ["a", "b, c", "d"]
    # plain NumPy reads the numbers too: the header is comments, then one line of names
    n_header = sum(line.startswith("#") for line in text.splitlines())
    assert np.array_equal(np.loadtxt(path, delimiter=",", skiprows=n_header + 1, usecols=(0, 1)), np.c_[columns["mu"], [1, 2, 3]])


def test_csv_rejects_ragged_columns(tmp_path):
    with pytest.raises(ParameterError):
        save_csv(tmp_path / "x.csv", {"a": [1, 2], "b": [1, 2, 3]})
    with pytest.raises(ParameterError):
        save_csv(tmp_path / "x.csv", {"a": np.zeros((2, 2))})


def test_jsonl_writer_flushes_and_fsyncs_every_record(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    path = tmp_path / "runs" / "screen.jsonl"
    with JsonlWriter(path) as out:
        out.write({"id": 1, "gap": np.float64(0.25), "spin_split": [0.1j]})
        # readable by another reader right away, before close
        assert read_jsonl(path) == [{"id": 1, "gap": 0.25, "spin_split": [0.1j]}]
        out.write({"id": 2, "name": "Γ-point"})
    assert len(synced) == 2
    assert out.closed
    with pytest.raises(ValueError):
        out.write({"id": 3})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line) for line in lines)
    # append-only: reopening keeps what is there
    with JsonlWriter(path) as out:
        out.write({"id": 3})
    assert [r["id"] for r in read_jsonl(path)] == [1, 2, 3]


def test_truncated_last_line_is_skipped_only_when_last(tmp_path):
    path = tmp_path / "r.jsonl"
    with JsonlWriter(path) as out:
        for i in range(3):
            out.write({"id": i, "label": "Γ"})
    full = path.read_bytes()
    # killed in the middle of the 'Γ' (2 bytes in UTF-8) of a fourth record
    partial = '{"id":3,"label":"Γ"}'.encode()[:-3]
    path.write_bytes(full + partial)
    assert [r["id"] for r in read_jsonl(path)] == [0, 1, 2]
    with pytest.raises(AltermagError, match=":4:"):
        read_jsonl(path, skip_broken_last_line=False)

    # a broken line that is not the last one is corruption: report its line number
    lines = full.split(b"\n")
    lines[1] = lines[1][:-5]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(AltermagError, match=r"r\.jsonl:2:"):
        read_jsonl(path)


def test_reopening_drops_a_truncated_record(tmp_path):
    path = tmp_path / "r.jsonl"
    with JsonlWriter(path) as out:
        out.write({"id": 0})
    with open(path, "ab") as fh:
        fh.write(b'{"id": 1, "resu')
    with JsonlWriter(path) as out:
        out.write({"id": 2})
    assert read_jsonl(path, skip_broken_last_line=False) == [{"id": 0}, {"id": 2}]


def test_read_jsonl_accepts_a_complete_last_line_without_newline(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}')
    assert read_jsonl(path) == [{"a": 1}, {"a": 2}]


def test_dumps_strict_writes_standard_json_for_nonfinite_numbers():
    import json as _json

    import numpy as _np

    from altermag.core.io import dumps

    obj = {"a": float("nan"), "b": [1.0, _np.inf, -_np.inf], "c": _np.float64("nan"), "d": 2.5}
    loose = dumps(obj)
    assert "NaN" in loose  # the default keeps Python's json behaviour
    strict = dumps(obj, strict=True)
    assert _json.loads(strict, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c))) == {
        "a": None, "b": [1.0, None, None], "c": None, "d": 2.5}
