"""Training data for spin force fields: spin configurations and their exact (ED) or KPM fields.

Two kinds of configurations (as in the authors' released data, spec §1.2/§3):

* ``random``: independent uniformly random unit spins (infinite temperature);
* ``quench``: snapshots of stochastic LLG runs (driven by the same ED/KPM calculator) that start from
  random spins and relax in a bath at ``quench_temperature`` — the configurations met during ordering
  and coarsening.

Jobs (one per batch of random configurations, one per quench run) go through
:func:`altermag.core.executor.get_executor`, so a dataset is generated on local processes or a Dask
cluster with a progress bar. The result is one HDF5 file per lattice size with arrays ``spins``
(S, N, 3), ``fields`` (S, N, 3) (H = −∂E/∂S, full vector), ``energies`` (S,), ``source`` (S,)
(``"random"``/``"quench"``), ``run``/``step`` (S,) and the inputs (model parameters, lattice,
method, generation settings) as provenance attributes.

Driven strips (issue 8): :func:`save_spin_dataset` writes externally computed configurations and
fields (e.g. NEGF fields of a biased strip, ``periodic_x=False``) in the same layout, plus an optional
``bias`` (S,) array; :func:`load_dataset` returns ``periodic_x`` and ``bias`` (default 0).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from altermag.core.errors import ParameterError

__all__ = [
    "make_model",
    "make_calculator",
    "generate_dataset",
    "label_configurations",
    "tile_configurations",
    "load_dataset",
    "save_spin_dataset",
    "SpinDataset",
]

_MODEL_KEYS = ("t1", "t2", "t3", "J", "filling", "mu", "temperature")


def make_model(model: dict[str, Any] | str, L: int, Ly: int | None = None):
    """An electron model on an L × Ly lattice from a preset name (``"tetrahedral"``, ``"120"``,
    ``"double-exchange"``) or a dict ``{"preset": name, **overrides}`` / ``{"kind": ..., "t1": ..., ...}``."""
    from altermag.dynamics.lattice import SpinLattice
    from altermag.dynamics.models import SDModel

    spec = {"preset": model} if isinstance(model, str) else dict(model)
    preset = spec.pop("preset", None)
    unknown = set(spec) - set(_MODEL_KEYS) - {"kind"}
    if unknown:
        raise ParameterError(f"unknown model parameters {sorted(unknown)}; allowed: preset, kind, {_MODEL_KEYS}")
    if preset is not None:
        spec.pop("kind", None)
        return SDModel.default(preset, L=L, Ly=Ly, **spec)
    kind = spec.pop("kind", None)
    if kind is None:
        raise ParameterError("model needs 'preset' or 'kind'")
    return SDModel(SpinLattice(kind, L, Ly), **spec)


def make_calculator(model, method: str = "ed", kpm: dict[str, Any] | None = None):
    """``EDCalculator`` or ``KPMCalculator`` for ``model``."""
    if method == "ed":
        from altermag.dynamics.ed import EDCalculator

        return EDCalculator(model)
    if method == "kpm":
        from altermag.dynamics.kpm import KPMCalculator

        return KPMCalculator(model, **(kpm or {}))
    raise ParameterError(f"method must be 'ed' or 'kpm', got {method!r}")


def _random_spins(rng: np.random.Generator, n: int) -> np.ndarray:
    S = rng.normal(size=(n, 3))
    return S / np.linalg.norm(S, axis=1, keepdims=True)


def _job(item: dict[str, Any]) -> dict[str, Any]:
    """One generation job (top-level so that process/Dask executors can pickle it)."""
    model = make_model(item["model"], item["L"], item.get("Ly"))
    calc = make_calculator(model, item["method"], item.get("kpm"))
    N = model.lattice.n_sites
    rng = np.random.default_rng(item["seed"])
    t0 = time.perf_counter()
    spins, fields, energies, steps = [], [], [], []
    if item["kind"] == "random":
        for _ in range(item["n"]):
            S = _random_spins(rng, N)
            E, H = calc.energy_and_field(S)
            spins.append(S)
            fields.append(H)
            energies.append(E)
            steps.append(0)
    elif item["kind"] == "quench":
        from altermag.dynamics.llg import llg_integrator

        init, step = llg_integrator(
            calc, alpha=item["alpha"], dt=item["dt"], temperature=item["temperature"], seed=item["seed"] + 1
        )
        st = init(_random_spins(rng, N))
        every = item["snapshot_every"]
        for n in range(1, item["n_steps"] + 1):
            st = step(st)
            if n % every == 0 and n >= item.get("skip", 0):
                spins.append(st.spins.copy())
                fields.append(np.asarray(st.field).copy())
                energies.append(st.energy)
                steps.append(n)
    elif item["kind"] == "given":
        for S in item["spins"]:
            E, H = calc.energy_and_field(S)
            spins.append(S)
            fields.append(H)
            energies.append(E)
            steps.append(0)
    else:  # pragma: no cover
        raise ParameterError(f"unknown job kind {item['kind']!r}")
    return {
        "spins": np.array(spins).reshape(-1, N, 3),
        "fields": np.array(fields).reshape(-1, N, 3),
        "energies": np.array(energies, dtype=float),
        "steps": np.array(steps, dtype=np.int64),
        "seconds": time.perf_counter() - t0,
        "model_params": model.params(),
    }


def generate_dataset(
    out: str | Path,
    model: dict[str, Any] | str = "tetrahedral",
    L: int = 12,
    Ly: int | None = None,
    method: str = "ed",
    n_random: int = 20,
    n_quench_runs: int = 2,
    quench_steps: int = 400,
    snapshot_every: int = 20,
    quench_temperature: float = 0.02,
    quench_skip: int = 0,
    dt: float = 0.05,
    alpha: float = 0.5,
    seed: int = 0,
    kpm: dict[str, Any] | None = None,
    workers: int | None = 1,
    scheduler: str | None = None,
    random_batch: int = 10,
    progress: bool = True,
) -> Path:
    """Generate a training set and write it to ``out`` (HDF5); returns the path.

    ``model``: preset name or parameter dict (see :func:`make_model`); ``method``: ``"ed"`` or
    ``"kpm"`` (options in ``kpm``); ``n_random`` random configurations; ``n_quench_runs`` LLG runs of
    ``quench_steps`` steps (time step ``dt``, damping ``alpha``, bath ``quench_temperature``, all in
    units of t1) keeping a snapshot every ``snapshot_every`` steps after ``quench_skip`` steps.
    Jobs run on ``get_executor(workers, scheduler)``.
    """
    from altermag.core.executor import get_executor
    from altermag.core.io import save_hdf5

    for name, v in (("n_random", n_random), ("n_quench_runs", n_quench_runs)):
        if v < 0:
            raise ParameterError(f"{name} must be >= 0, got {v}")
    if n_random + n_quench_runs == 0:
        raise ParameterError("nothing to generate: n_random and n_quench_runs are both 0")
    if n_quench_runs and (quench_steps < snapshot_every or snapshot_every < 1):
        raise ParameterError(
            f"need 1 <= snapshot_every <= quench_steps, got snapshot_every={snapshot_every}, quench_steps={quench_steps}"
        )
    if dt <= 0 or alpha < 0 or quench_temperature < 0:
        raise ParameterError(f"need dt > 0, alpha >= 0, quench_temperature >= 0; got {dt}, {alpha}, {quench_temperature}")
    make_model(model, L, Ly)  # validate early (cheap)
    base = {"model": model, "L": int(L), "Ly": None if Ly is None else int(Ly), "method": method, "kpm": kpm}
    items = []
    ss = np.random.SeedSequence(seed)
    seeds = [int(s.generate_state(1)[0]) for s in ss.spawn(n_quench_runs + (n_random + random_batch - 1) // random_batch)]
    k = 0
    for r in range(n_quench_runs):
        items.append(
            {
                **base,
                "kind": "quench",
                "run": r,
                "seed": seeds[k],
                "n_steps": int(quench_steps),
                "snapshot_every": int(snapshot_every),
                "skip": int(quench_skip),
                "temperature": float(quench_temperature),
                "dt": float(dt),
                "alpha": float(alpha),
            }
        )
        k += 1
    left = n_random
    while left > 0:
        n = min(random_batch, left)
        items.append({**base, "kind": "random", "run": -1, "seed": seeds[k], "n": n})
        left -= n
        k += 1
    results: list[Any] = [None] * len(items)
    with get_executor(workers, scheduler) as ex:
        for i, res in ex.imap_unordered(_job, items, progress=progress, desc=f"dataset L={L}"):
            if isinstance(res, BaseException):
                raise res
            results[i] = res
    spins = np.concatenate([r["spins"] for r in results])
    arrays = {
        "spins": spins,
        "fields": np.concatenate([r["fields"] for r in results]),
        "energies": np.concatenate([r["energies"] for r in results]),
        "source": np.array(sum(([it["kind"]] * len(r["energies"]) for it, r in zip(items, results)), [])),
        "run": np.concatenate([np.full(len(r["energies"]), it["run"]) for it, r in zip(items, results)]),
        "step": np.concatenate([r["steps"] for r in results]),
    }
    inputs = {
        "model": model,
        "model_params": results[0]["model_params"],
        "lattice": {"kind": results[0]["model_params"]["kind"], "L": int(L), "Ly": int(Ly or L)},
        "method": method,
        "kpm": kpm,
        "n_random": n_random,
        "n_quench_runs": n_quench_runs,
        "quench_steps": quench_steps,
        "snapshot_every": snapshot_every,
        "quench_temperature": quench_temperature,
        "quench_skip": quench_skip,
        "dt": dt,
        "alpha": alpha,
        "seed": seed,
        "cpu_seconds": float(sum(r["seconds"] for r in results)),
        "field_evaluations": int(
            n_random + sum(2 * it["n_steps"] + 1 for it in items if it["kind"] == "quench")
        ),
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return save_hdf5(out, arrays, inputs=inputs)


@dataclass
class SpinDataset:
    """Configurations of one lattice: ``spins``/``fields`` (S, N, 3), ``energies`` (S,) (NaN: unknown),
    where they came from, the boundary condition along x and the bias ``V`` (S,) of each configuration."""

    kind: str
    L: int
    Ly: int
    spins: np.ndarray
    fields: np.ndarray
    energies: np.ndarray
    source: np.ndarray
    inputs: dict[str, Any]
    path: str = ""
    periodic_x: bool = True
    bias: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.bias is None:
            self.bias = np.zeros(len(self.energies))
        self.bias = np.broadcast_to(np.asarray(self.bias, dtype=float), (len(self.energies),)).copy()

    def __len__(self) -> int:
        return len(self.energies)

    def lattice(self):
        from altermag.dynamics.lattice import SpinLattice

        return SpinLattice(self.kind, self.L, self.Ly, periodic_x=self.periodic_x)

    def subset(self, idx) -> SpinDataset:
        idx = np.asarray(idx)
        return SpinDataset(
            self.kind, self.L, self.Ly, self.spins[idx], self.fields[idx], self.energies[idx], self.source[idx],
            self.inputs, self.path, self.periodic_x, self.bias[idx],
        )


def load_dataset(path: str | Path) -> SpinDataset:
    """Read a file written by :func:`generate_dataset`."""
    from altermag.core.io import load_hdf5

    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"dataset file not found: {path}")
    raw = load_hdf5(path)
    d = raw["data"]
    for key in ("spins", "fields", "energies"):
        if key not in d:
            raise ParameterError(f"{path}: not a spin dataset (no '{key}' array)")
    inputs = (raw.get("provenance") or {}).get("inputs", {})
    lat = inputs.get("lattice") or {}
    if not lat:
        raise ParameterError(f"{path}: the lattice is not recorded in the file's inputs")
    return SpinDataset(
        lat["kind"], int(lat["L"]), int(lat.get("Ly") or lat["L"]), d["spins"], d["fields"], d["energies"],
        d.get("source", np.array(["?"] * len(d["energies"]))), inputs, str(path),
        periodic_x=bool(lat.get("periodic_x", True)), bias=d.get("bias"),
    )


def save_spin_dataset(
    path: str | Path,
    lattice,
    spins: np.ndarray,
    fields: np.ndarray,
    *,
    bias: np.ndarray | float | None = None,
    energies: np.ndarray | None = None,
    source: np.ndarray | str | None = None,
    run: np.ndarray | None = None,
    step: np.ndarray | None = None,
    inputs: dict[str, Any] | None = None,
) -> Path:
    """Write externally computed configurations (S, N, 3) and fields (S, N, 3) on ``lattice`` (a
    :class:`~altermag.dynamics.lattice.SpinLattice`, possibly a strip with ``periodic_x=False``) as a
    dataset file readable by :func:`load_dataset` and the trainer (same layout as :func:`generate_dataset`).

    ``bias``: V per configuration (S,) or one number (t1); ``energies``: (S,) (NaN allowed; default all
    NaN, e.g. for driven fields that have no energy); ``source``: a label per configuration or one
    string (default ``"given"``); ``run``: group ids (configurations of one run, e.g. one NEGF-LLG
    trajectory, are held out together in training; default: every configuration its own group);
    ``step``: time step index; ``inputs``: extra provenance (e.g. the NEGF settings). Returns the path.
    """
    from altermag.core.io import save_hdf5

    spins = np.asarray(spins, dtype=float)
    fields = np.asarray(fields, dtype=float)
    N = int(lattice.n_sites)
    if spins.ndim == 2:
        spins = spins[None]
    if fields.ndim == 2:
        fields = fields[None]
    if spins.ndim != 3 or spins.shape[1:] != (N, 3):
        raise ParameterError(f"spins must have shape (S, {N}, 3) for {lattice!r}, got {spins.shape}")
    if fields.shape != spins.shape:
        raise ParameterError(f"fields must have the shape of spins {spins.shape}, got {fields.shape}")
    S = len(spins)
    if S == 0:
        raise ParameterError("no configurations to save (S = 0)")
    if not (np.all(np.isfinite(spins)) and np.all(np.isfinite(fields))):
        raise ParameterError("spins and fields must be finite")

    def per_config(name, value, default, dtype):
        if value is None:
            return np.array([default] * S, dtype=dtype) if dtype is str else np.full(S, default, dtype=dtype)
        a = np.asarray(value)
        if a.ndim == 0:
            return np.array([a.item()] * S, dtype=dtype) if dtype is str else np.full(S, a.item(), dtype=dtype)
        if a.shape != (S,):
            raise ParameterError(f"{name} must be one value or shape ({S},), got {a.shape}")
        return a.astype(dtype)

    arrays = {
        "spins": spins,
        "fields": fields,
        "energies": per_config("energies", energies, np.nan, float),
        "source": per_config("source", source, "given", str),
        "run": per_config("run", run, -1, np.int64) if run is not None else np.arange(S, dtype=np.int64),
        "step": per_config("step", step, 0, np.int64),
    }
    if bias is not None:
        arrays["bias"] = per_config("bias", bias, 0.0, float)
        if not np.all(np.isfinite(arrays["bias"])):
            raise ParameterError("bias must be finite")
    meta = {
        "lattice": {
            "kind": lattice.kind,
            "L": int(lattice.L),
            "Ly": int(lattice.Ly),
            "periodic_x": bool(getattr(lattice, "periodic_x", True)),
        },
        "method": (inputs or {}).get("method", "external"),
        "group_by_run": run is not None,
        **(inputs or {}),
    }
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    return save_hdf5(out, arrays, inputs=meta)


def tile_configurations(spins: np.ndarray, L_small: int, L: int, noise: float = 0.0, seed: int = 0, kind: str = "triangular"):
    """Tile configurations (S, L_small², 3) periodically onto an L × L lattice (L a multiple of L_small) and
    add Gaussian noise of width ``noise`` to every spin (then renormalise): new, larger configurations with
    the local environments of the small ones (e.g. quench snapshots of a cheap small-lattice run)."""
    from altermag.dynamics.lattice import SpinLattice

    if L % L_small:
        raise ParameterError(f"L={L} must be a multiple of L_small={L_small}")
    small, big = SpinLattice(kind, L_small), SpinLattice(kind, L)
    src = small.site_index(big.coords[:, 0] % L_small, big.coords[:, 1] % L_small)
    out = np.asarray(spins, dtype=float)[:, src, :].copy()
    if noise > 0:
        out += noise * np.random.default_rng(seed).normal(size=out.shape)
    return out / np.linalg.norm(out, axis=2, keepdims=True)


def label_configurations(
    out: str | Path,
    spins: np.ndarray,
    model: dict[str, Any] | str = "tetrahedral",
    L: int = 12,
    Ly: int | None = None,
    method: str = "ed",
    source: str = "given",
    kpm: dict[str, Any] | None = None,
    workers: int | None = 1,
    scheduler: str | None = None,
    batch: int = 4,
    progress: bool = True,
    inputs: dict[str, Any] | None = None,
    run: np.ndarray | None = None,
) -> Path:
    """Compute reference (ED/KPM) energies and fields of given configurations (S, N, 3) and write a dataset
    file like :func:`generate_dataset` (e.g. to label snapshots of an ML-LLG run for active learning).
    ``run``: optional group id per configuration (configurations of one group are held out together)."""
    from altermag.core.executor import get_executor
    from altermag.core.io import save_hdf5

    spins = np.asarray(spins, dtype=float)
    model_obj = make_model(model, L, Ly)
    N = model_obj.lattice.n_sites
    if spins.ndim != 3 or spins.shape[1:] != (N, 3):
        raise ParameterError(f"spins must have shape (S, {N}, 3) for an L={L} lattice, got {spins.shape}")
    base = {"model": model, "L": int(L), "Ly": None if Ly is None else int(Ly), "method": method, "kpm": kpm}
    items = [
        {**base, "kind": "given", "run": -1, "seed": 0, "spins": spins[a : a + batch]}
        for a in range(0, len(spins), max(1, int(batch)))
    ]
    results: list[Any] = [None] * len(items)
    with get_executor(workers, scheduler) as ex:
        for i, res in ex.imap_unordered(_job, items, progress=progress, desc=f"label L={L}"):
            if isinstance(res, BaseException):
                raise res
            results[i] = res
    S = len(spins)
    arrays = {
        "spins": np.concatenate([r["spins"] for r in results]),
        "fields": np.concatenate([r["fields"] for r in results]),
        "energies": np.concatenate([r["energies"] for r in results]),
        "source": np.array([source] * S),
        "run": np.arange(S) if run is None else np.asarray(run, dtype=np.int64),
        "step": np.zeros(S, dtype=np.int64),
    }
    meta = {
        "model": model,
        "model_params": model_obj.params(),
        "lattice": {"kind": model_obj.lattice.kind, "L": int(L), "Ly": int(Ly or L)},
        "method": method,
        "kpm": kpm,
        "cpu_seconds": float(sum(r["seconds"] for r in results)),
        "field_evaluations": S,
        **(inputs or {}),
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return save_hdf5(out, arrays, inputs=meta)
