"""Saving results together with the inputs that produced them.

Every writer stores a *provenance* record (:func:`provenance`): altermag, Python and NumPy
versions, platform, command line, UTC time and the caller's ``inputs``. Formats:

* JSON (:func:`save_json` / :func:`load_json`): document ``{"provenance": ..., "data": ...}``.
  NumPy arrays become (nested) lists, complex numbers ``{"re": x, "im": y}`` (read back as
  Python ``complex``), paths strings, dataclasses dicts of their fields.
* HDF5 (:func:`save_hdf5` / :func:`load_hdf5`): arrays as datasets, nested dicts as groups,
  provenance as a JSON string in the root attribute ``"provenance"``.
* CSV (:func:`save_csv` / :func:`load_csv`): provenance as a ``# ``-commented JSON header,
  then one row of column names and the data; a complex column ``z`` is stored as ``z.re``,
  ``z.im``.
* JSON Lines (:class:`JsonlWriter` / :func:`read_jsonl`): append-only, one record per line,
  each flushed and fsync'ed, for batch runs that may be killed at any time.

JSON, HDF5 and CSV files are written to a temporary file and renamed, so a crash never leaves a
half-written result under the final name.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import io as _io
import json
import os
import platform
import shlex
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from altermag.core.errors import AltermagError, ParameterError
from altermag.core.log import get_logger

__all__ = [
    "provenance",
    "AltermagJSONEncoder",
    "to_jsonable",
    "dumps",
    "save_json",
    "load_json",
    "save_hdf5",
    "load_hdf5",
    "save_csv",
    "load_csv",
    "JsonlWriter",
    "read_jsonl",
]

_log = get_logger(__name__)

PathLike = str | os.PathLike


class AltermagJSONEncoder(json.JSONEncoder):
    """JSON encoder for the objects results are made of.

    Handles NumPy scalars and arrays, complex numbers (``{"re": x, "im": y}``), paths,
    dataclass instances (dict of their fields), sets, datetimes (ISO 8601), exceptions
    (``{"type": ..., "message": ...}``) and objects with an ``as_dict()`` method (pymatgen).
    """

    def default(self, o: Any) -> Any:
        if isinstance(o, np.ndarray):
            return o.tolist()  # complex elements come back here as Python complex
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, complex):
            return {"re": o.real, "im": o.imag}
        if isinstance(o, os.PathLike):
            return os.fspath(o)
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            # Not dataclasses.asdict: it deep-copies every array before we convert it anyway.
            return {f.name: getattr(o, f.name) for f in dataclasses.fields(o)}
        if isinstance(o, (set, frozenset)):
            return sorted(o, key=repr)
        if isinstance(o, (_dt.datetime, _dt.date)):
            return o.isoformat()
        if isinstance(o, BaseException):
            return {"type": type(o).__name__, "message": str(o)}
        if callable(getattr(o, "as_dict", None)):
            return o.as_dict()
        return super().default(o)


def dumps(obj: Any, *, strict: bool = False, **kwargs: Any) -> str:
    """``json.dumps`` with :class:`AltermagJSONEncoder`.

    ``strict=True`` writes standard JSON: non-finite numbers (NaN, ±inf), which ``json`` would write as
    the non-standard ``NaN``/``Infinity`` tokens, become ``null``. The command-line ``--json`` outputs use it.
    """
    if strict:
        obj = _nonfinite_to_none(json.loads(json.dumps(obj, cls=AltermagJSONEncoder)))
        kwargs.setdefault("allow_nan", False)
    return json.dumps(obj, cls=AltermagJSONEncoder, **kwargs)


def _nonfinite_to_none(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, list):
        return [_nonfinite_to_none(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _nonfinite_to_none(v) for k, v in obj.items()}
    return obj


def to_jsonable(obj: Any) -> Any:
    """``obj`` converted to plain JSON types (what :func:`save_json` writes)."""
    return json.loads(dumps(obj))


def _decode_complex(d: dict) -> Any:
    if len(d) == 2 and d.keys() == {"re", "im"}:
        re, im = d["re"], d["im"]
        if isinstance(re, (int, float)) and isinstance(im, (int, float)):
            return complex(re, im)
    return d


def provenance(inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Record of how a result was made.

    Keys: ``altermag_version``, ``timestamp_utc`` (ISO 8601), ``python``, ``numpy``,
    ``platform``, ``command`` (the shell-quoted command line) and ``inputs`` (``inputs``
    converted to plain JSON types, ``{}`` when None).
    """
    import altermag  # late: altermag/__init__ imports this package

    return {
        "altermag_version": altermag.__version__,
        "timestamp_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "command": shlex.join(sys.argv),
        "inputs": to_jsonable(dict(inputs or {})),
    }


@contextmanager
def _atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` on success."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkstemp: its 0600 mode would survive the rename and hide results from the group.
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save_json(path: PathLike, data: Any, inputs: Mapping[str, Any] | None = None, *, indent: int | None = 2) -> Path:
    """Write ``{"provenance": provenance(inputs), "data": data}`` to ``path``; return the path."""
    text = dumps({"provenance": provenance(inputs), "data": data}, indent=indent)
    with _atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    return Path(path)


def load_json(path: PathLike) -> Any:
    """Read a JSON file, turning ``{"re": x, "im": y}`` objects back into ``complex``.

    For a file written by :func:`save_json` the result is ``{"provenance": ..., "data": ...}``.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh, object_hook=_decode_complex)
    except json.JSONDecodeError as exc:
        raise AltermagError(f"{path}: invalid JSON ({exc})") from exc


# --------------------------------------------------------------------------------------- HDF5


def _attr_value(value: Any) -> Any:
    if isinstance(value, (str, bytes, int, float, bool, np.generic)):
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        return value
    # Anything else (dicts, lists, None) goes in as JSON text so that it reads back unchanged.
    return "json:" + dumps(value)


def _read_attr(value: Any) -> Any:
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str) and value.startswith("json:"):
        return json.loads(value[5:], object_hook=_decode_complex)
    return value


def _write_group(group, arrays: Mapping[str, Any]) -> None:
    import h5py

    for name, value in arrays.items():
        if not isinstance(name, str) or not name or "/" in name:
            raise ParameterError(f"HDF5 names must be non-empty strings without '/', got {name!r}")
        if isinstance(value, Mapping):
            _write_group(group.create_group(name), value)
            continue
        arr = np.asarray(value)
        if arr.dtype.kind == "U":
            group.create_dataset(name, data=arr.astype(object), dtype=h5py.string_dtype())
        elif arr.dtype.kind in "biufc":
            group.create_dataset(name, data=arr)
        else:
            raise ParameterError(f"cannot store {name!r} of dtype {arr.dtype} in HDF5 (numbers or strings only)")


def _read_group(group) -> dict[str, Any]:
    import h5py

    out: dict[str, Any] = {}
    for name, item in group.items():
        if isinstance(item, h5py.Group):
            out[name] = _read_group(item)
        elif h5py.check_string_dtype(item.dtype) is not None:
            out[name] = np.asarray(item.asstr()[()], dtype=str)
        else:
            out[name] = item[()]
    return out


def save_hdf5(
    path: PathLike,
    arrays: Mapping[str, Any],
    inputs: Mapping[str, Any] | None = None,
    attrs: Mapping[str, Any] | None = None,
) -> Path:
    """Write arrays (numeric, complex or strings) to an HDF5 file; return the path.

    ``arrays`` maps names to arrays; a nested mapping becomes an HDF5 group. ``attrs`` become
    attributes of the root group (scalars, strings and numeric arrays as they are, anything
    else as JSON text). The provenance is the root attribute ``"provenance"`` (JSON text).
    """
    import h5py

    with _atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as fh:
            fh.attrs["provenance"] = dumps(provenance(inputs))
            for key, value in (attrs or {}).items():
                if key == "provenance":
                    raise ParameterError("the attribute name 'provenance' is reserved")
                fh.attrs[key] = _attr_value(value)
            _write_group(fh, arrays)
    return Path(path)


def load_hdf5(path: PathLike) -> dict[str, Any]:
    """Read an HDF5 file into ``{"data": arrays, "attrs": attrs, "provenance": provenance}``.

    ``data`` mirrors the group structure as nested dicts of NumPy arrays (string datasets as
    ``str`` arrays); ``provenance`` is ``None`` for files not written by :func:`save_hdf5`.
    """
    import h5py

    try:
        fh = h5py.File(path, "r")
    except OSError as exc:
        raise AltermagError(f"{path}: cannot open as HDF5 ({exc})") from exc
    with fh:
        attrs = {key: _read_attr(value) for key, value in fh.attrs.items()}
        prov = attrs.pop("provenance", None)
        if prov is not None:
            prov = json.loads(prov if isinstance(prov, str) else prov.decode())
        return {"data": _read_group(fh), "attrs": attrs, "provenance": prov}


# ---------------------------------------------------------------------------------------- CSV


def save_csv(path: PathLike, columns: Mapping[str, Any], inputs: Mapping[str, Any] | None = None) -> Path:
    """Write equally long 1-D columns to a CSV file with a ``# ``-commented provenance header.

    Layout: the provenance JSON (indented, every line starting with ``# ``), one line of column
    names, then the rows. Floats are written with full precision (they read back exactly). A
    complex column ``z`` becomes the two columns ``z.re`` and ``z.im``.
    """
    names: list[str] = []
    values: list[np.ndarray] = []
    length = None
    for name, col in columns.items():
        arr = np.asarray(col)
        if arr.ndim != 1:
            raise ParameterError(f"CSV column {name!r} must be 1-D, got shape {arr.shape}")
        if length is not None and len(arr) != length:
            raise ParameterError(f"CSV column {name!r} has {len(arr)} rows, expected {length}")
        length = len(arr)
        if np.iscomplexobj(arr):
            names += [f"{name}.re", f"{name}.im"]
            values += [arr.real, arr.imag]
        else:
            names.append(str(name))
            values.append(arr)
    buf = _io.StringIO()
    for line in dumps(provenance(inputs), indent=1).splitlines():
        buf.write(f"# {line}\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    # tolist() yields Python floats, whose str() is the shortest repr that reads back exactly.
    writer.writerows(zip(*(v.tolist() for v in values)))
    with _atomic_path(path) as tmp:
        tmp.write_text(buf.getvalue(), encoding="utf-8")
    return Path(path)


def _parse_column(cells: list[str]) -> np.ndarray:
    for dtype in (int, float):
        try:
            return np.array(cells, dtype=dtype)
        except ValueError:
            pass
    return np.array(cells, dtype=str)


def load_csv(path: PathLike) -> dict[str, Any]:
    """Read a CSV file into ``{"data": columns, "provenance": provenance}``.

    Columns are NumPy arrays (int, float, else str); ``x.re``/``x.im`` pairs are merged into a
    complex column ``x``. ``provenance`` is ``None`` when the file has no JSON header.
    """
    with open(path, encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines()
    header = [ln[1:] for ln in lines if ln.startswith("#")]
    body = [ln for ln in lines if not ln.startswith("#")]
    prov = None
    if header:
        try:
            prov = json.loads("\n".join(header))
        except json.JSONDecodeError:
            prov = None
    rows = list(csv.reader(body))
    if not rows:
        raise AltermagError(f"{path}: no column header")
    names, data_rows = rows[0], rows[1:]
    if any(len(r) != len(names) for r in data_rows):
        raise AltermagError(f"{path}: rows do not all have {len(names)} cells")
    cols = {name: _parse_column([r[j] for r in data_rows]) for j, name in enumerate(names)}
    data: dict[str, Any] = {}
    for name, col in cols.items():
        if name.endswith(".im") and name[:-3] + ".re" in cols:
            continue
        if name.endswith(".re") and name[:-3] + ".im" in cols:
            data[name[:-3]] = col.astype(float) + 1j * cols[name[:-3] + ".im"].astype(float)
        else:
            data[name] = col
    return {"data": data, "provenance": prov}


# -------------------------------------------------------------------------------- JSON Lines


class JsonlWriter:
    """Append-only JSON Lines file: one JSON object per line, durable after each :meth:`write`.

    Every record is written with a single ``write`` call, flushed and ``os.fsync``'ed, so a run
    killed at any moment loses at most the record being written, which then is a truncated last
    line (:func:`read_jsonl` skips it). Reopening such a file removes that fragment first, so
    that new records do not get glued to it. Use as a context manager::

        with JsonlWriter("results/screen.jsonl") as out:
            out.write({"id": "1.23", "class": "altermagnet"})

    Thread-safe; not safe for several *processes* writing the same file (let the parent write).
    """

    def __init__(self, path: PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._fh = open(self.path, "ab+")
        self._drop_partial_last_line()

    def _drop_partial_last_line(self) -> None:
        fh = self._fh
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        # Find the last newline, reading backwards in blocks (records can be long).
        end = size
        cut = 0
        while end > 0:
            start = max(0, end - 65536)
            fh.seek(start)
            pos = fh.read(end - start).rfind(b"\n")
            if pos >= 0:
                cut = start + pos + 1
                break
            end = start
        _log.warning("%s: removing a truncated last record (%d bytes)", self.path, size - cut)
        fh.truncate(cut)
        fh.flush()
        os.fsync(fh.fileno())

    def write(self, record: Any) -> None:
        """Append one record (anything :class:`AltermagJSONEncoder` handles, normally a dict)."""
        line = (dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            if self._fh.closed:
                raise ValueError(f"{self.path}: JsonlWriter is closed")
            self._fh.write(line)
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        with self._lock:
            self._fh.close()

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_jsonl(path: PathLike, skip_broken_last_line: bool = True) -> list[Any]:
    """Records of a JSON Lines file, in order (blank lines ignored).

    A line that is not valid JSON raises :class:`AltermagError` naming the line number, except
    the last line when ``skip_broken_last_line`` is true: a run killed mid-write leaves exactly
    such a truncated line, which is then skipped silently.
    """
    with open(path, "rb") as fh:
        # Split bytes, not text: a killed writer may have cut a multi-byte UTF-8 character.
        lines = fh.read().split(b"\n")
    last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
    records = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line.decode("utf-8"), object_hook=_decode_complex))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            if i == last and skip_broken_last_line:
                break
            raise AltermagError(f"{path}:{i + 1}: invalid JSON record ({exc})") from exc
    return records
