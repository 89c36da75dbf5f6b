"""Measured conductance spectra in, fit reports out; synthetic spectra with Gaussian noise.

CSV format (``altermag transport fit DATA.csv``). Comment lines ``# key = value [unit]`` (or
``# key: value [unit]``) give the channel; other comment lines are ignored. One header row, then
numbers. Column names (case-insensitive; the unit is part of the name):

==========================  =====================================================================
column                      meaning
==========================  =====================================================================
``fermi_energy_eV``         E_F in eV, measured from the band bottom (also ``fermi_energy_meV``)
``density_cm-2``            carrier density instead of E_F (also ``density_m-2``); both spins
``conductance_S``           two-terminal conductance in siemens (also ``conductance_mS``, ``_uS``)
``conductance_e2h``         conductance in units of e²/h (whole channel, not per width)
``sigma_S`` / ``sigma_e2h`` optional 1σ errors, in the unit of the conductance column
``fermi_energy``,           *model units* (the paper's: ħ = e = 1, G in the paper's unit, spec §2);
``density``, ``conductance``, then ``# length = L`` is in model units too and no width is needed
``sigma``
==========================  =====================================================================

Metadata for physical data: ``length`` (channel length, unit nm/um/m/A, required), ``width``
(required), ``mass`` (effective band mass m* in m_e, default 1), optional ``length_unit``
(the model's length unit ℓ₀, default 1 nm).

Conversion to model units (ħ = 1, m* = 1, length unit ℓ₀): energy unit E₀ = ħ²/(m* ℓ₀²), time unit
t₀ = ħ/E₀; E_F → E_F/E₀, L → L/ℓ₀, n → n ℓ₀², G → 2π (G/(e²/h)) ℓ₀/W (from G/W = (e²/h) G_model
/(2π ℓ₀)). Fitted α, τ convert back as α_phys = α E₀ ℓ₀² (eV·Å²), τ_phys = τ t₀ (s); the
dimensionless anisotropy 2m*α/ħ² is the same in both systems.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from altermag.core import units
from altermag.core.errors import AltermagError, ParameterError

__all__ = ["ConductanceData", "UnitSystem", "read_conductance_csv", "write_conductance_csv", "synthetic_spectrum",
           "write_report"]

_LEN = {"m": 1.0, "cm": 1e-2, "mm": 1e-3, "um": 1e-6, "µm": 1e-6, "μm": 1e-6, "micron": 1e-6, "nm": 1e-9,
        "a": 1e-10, "å": 1e-10, "angstrom": 1e-10}
_G = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ns": 1e-9}


@dataclass(frozen=True)
class UnitSystem:
    """Model units for physical data: ħ = 1, band mass m* = 1, length unit ℓ₀ (SI metres)."""

    mass_me: float = 1.0
    length_unit_m: float = 1e-9

    @property
    def energy_eV(self) -> float:
        """E₀ = ħ²/(m* ℓ₀²) in eV."""
        return units.HBAR_SI ** 2 / (self.mass_me * units.M_E * self.length_unit_m ** 2) / units.EV

    @property
    def time_s(self) -> float:
        """t₀ = ħ/E₀ in s."""
        return units.HBAR / self.energy_eV

    def alpha_eV_A2(self, alpha_model: float) -> float:
        """α in eV·Å² of α(k_x² − k_y²)σ_z."""
        return alpha_model * self.energy_eV * (self.length_unit_m / units.ANGSTROM) ** 2

    def as_dict(self) -> dict:
        return {"mass_me": self.mass_me, "length_unit_m": self.length_unit_m, "energy_unit_eV": self.energy_eV,
                "time_unit_s": self.time_s}


@dataclass
class ConductanceData:
    """A conductance spectrum in model units, ready for :func:`~altermag.transport.inverse.fit_spectrum`.

    Exactly one of ``fermi_energy`` / ``density`` is set. ``units`` is ``None`` for data given in
    model units. ``raw`` keeps the columns as read (physical units).
    """

    conductance: np.ndarray
    length: float
    mass: float = 1.0
    fermi_energy: np.ndarray | None = None
    density: np.ndarray | None = None
    sigma: np.ndarray | None = None
    units: UnitSystem | None = None
    width_m: float | None = None
    source: str | None = None
    meta: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.conductance.size)

    def fit(self, **kwargs):
        """Fit (α, τ) to this spectrum (keywords go to :func:`~altermag.transport.inverse.fit_spectrum`)."""
        from altermag.transport.inverse import fit_spectrum

        kw = dict(length=self.length, mass=self.mass, sigma=self.sigma)
        kw.update(kwargs)
        if self.density is not None:
            return fit_spectrum(density=self.density, conductance_obs=self.conductance, **kw)
        return fit_spectrum(self.fermi_energy, self.conductance, **kw)

    def physical(self, result) -> dict:
        """Fit result in physical units (α in eV·Å², τ in s and ps); ``{}`` for model-unit data."""
        if self.units is None:
            return {}
        u = self.units
        out = {"alpha_eV_A2": u.alpha_eV_A2(result.alpha), "alpha_err_eV_A2": u.alpha_eV_A2(result.alpha_err),
               "tau_s": result.tau * u.time_s, "tau_err_s": result.tau_err * u.time_s,
               "tau_ps": result.tau * u.time_s * 1e12, "tau_err_ps": result.tau_err * u.time_s * 1e12,
               "anisotropy_2m_alpha": 2 * result.mass * result.alpha,
               "mean_free_path_m": result.tau * u.time_s * math.sqrt(2 * float(np.median(
                   result.fermi_energy)) * u.energy_eV * units.EV / (u.mass_me * units.M_E)),
               "units": u.as_dict()}
        return out

    def as_dict(self) -> dict:
        return {"conductance": self.conductance.tolist(), "length": self.length, "mass": self.mass,
                "fermi_energy": None if self.fermi_energy is None else self.fermi_energy.tolist(),
                "density": None if self.density is None else self.density.tolist(),
                "sigma": None if self.sigma is None else self.sigma.tolist(),
                "units": None if self.units is None else self.units.as_dict(), "width_m": self.width_m,
                "source": self.source, "meta": self.meta}


def _quantity(text: str, table: dict, what: str, source: str) -> float:
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*([^\s]*)\s*", text)
    if not m:
        raise AltermagError(f"{source}: cannot read {what} = {text!r} (expected a number and a unit)")
    val, unit = float(m.group(1)), m.group(2).lower()
    if not unit:
        raise AltermagError(f"{source}: {what} = {text!r} needs a unit ({', '.join(sorted(table))})")
    if unit not in table:
        raise AltermagError(f"{source}: unknown unit {unit!r} of {what}; use one of {', '.join(sorted(table))}")
    return val * table[unit]


def _norm(name: str) -> str:
    n = name.strip().lower().replace(" ", "_").replace("[", "_").replace("]", "").replace("(", "_").replace(")", "")
    n = n.replace("²", "2").replace("^", "").replace("/", "").replace("__", "_").strip("_")
    aliases = {"e_f_ev": "fermi_energy_ev", "ef_ev": "fermi_energy_ev", "e_f": "fermi_energy", "ef": "fermi_energy",
               "g_s": "conductance_s", "g_e2h": "conductance_e2h", "g": "conductance", "n_cm-2": "density_cm-2",
               "n_cm2": "density_cm-2", "density_cm2": "density_cm-2", "density_m2": "density_m-2",
               "n_m-2": "density_m-2", "fermi_energy_mev": "fermi_energy_mev", "e_f_mev": "fermi_energy_mev"}
    return aliases.get(n, n)


def read_conductance_csv(path) -> ConductanceData:
    """Read a measured (or synthetic) G(E_F) spectrum; see the module docstring for the format.

    Raises:
        AltermagError: missing/unknown columns or units, bad numbers (message names the file).
    """
    path = Path(path)
    src = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AltermagError(f"{src}: cannot read ({exc.strerror})") from None
    meta: dict[str, str] = {}
    body = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            m = re.fullmatch(r"#\s*([A-Za-z_][\w ]*?)\s*[=:]\s*(.+?)\s*", s)
            if m and not m.group(2).startswith(("{", "[")):
                meta[m.group(1).strip().lower().replace(" ", "_")] = m.group(2)
            continue
        body.append(s)
    rows = list(csv.reader(body))
    if len(rows) < 2:
        raise AltermagError(f"{src}: needs a header row and at least one data row")
    names = [_norm(n) for n in rows[0]]
    for i, r in enumerate(rows[1:], start=1):
        if len(r) != len(names):
            raise AltermagError(f"{src}: data row {i} has {len(r)} cells but the header {rows[0]} has {len(names)}")
    try:
        data = np.array([[float(c) for c in r] for r in rows[1:]], dtype=float)
    except ValueError as exc:
        raise AltermagError(f"{src}: non-numeric cell ({exc})") from None
    cols = {n: data[:, i] for i, n in enumerate(names)}
    raw = dict(cols)

    model = any(n in cols for n in ("conductance", "fermi_energy", "density")) and not any(
        n in cols for n in ("conductance_s", "conductance_ms", "conductance_us", "conductance_e2h"))
    physical_x = [n for n in ("fermi_energy_ev", "fermi_energy_mev", "density_cm-2", "density_m-2") if n in cols]
    if model and physical_x:
        raise AltermagError(f"{src}: column 'conductance' has no unit but {physical_x[0]!r} does; name it "
                            "conductance_S, conductance_mS, conductance_uS or conductance_e2h")
    if model:
        if "conductance" not in cols:
            raise AltermagError(f"{src}: model-unit data need a 'conductance' column (found {names})")
        x_e, x_n = cols.get("fermi_energy"), cols.get("density")
        if (x_e is None) == (x_n is None):
            raise AltermagError(f"{src}: give exactly one of the columns 'fermi_energy', 'density'")
        if "length" not in meta:
            raise AltermagError(f"{src}: missing '# length = ...' (model units)")
        try:
            L = float(meta["length"].split()[0])
            mass = float(meta.get("mass", "1").split()[0])
        except ValueError:
            raise AltermagError(f"{src}: length/mass must be numbers in model units") from None
        return ConductanceData(conductance=cols["conductance"], length=L, mass=mass, fermi_energy=x_e, density=x_n,
                               sigma=cols.get("sigma"), units=None, source=src, meta=meta, raw=raw)

    # physical units
    if "length" not in meta or "width" not in meta:
        raise AltermagError(f"{src}: physical data need '# length = <value> <unit>' and '# width = <value> <unit>'")
    L_m = _quantity(meta["length"], _LEN, "length", src)
    W_m = _quantity(meta["width"], _LEN, "width", src)
    try:
        m_eff = float(meta.get("mass", "1").split()[0])
    except ValueError:
        raise AltermagError(f"{src}: mass must be a number (effective mass in m_e)") from None
    l0 = _quantity(meta["length_unit"], _LEN, "length_unit", src) if "length_unit" in meta else 1e-9
    if L_m <= 0 or W_m <= 0 or m_eff <= 0 or l0 <= 0:
        raise AltermagError(f"{src}: length, width, mass and length_unit must be > 0")
    u = UnitSystem(mass_me=m_eff, length_unit_m=l0)

    g_col = next((n for n in ("conductance_s", "conductance_ms", "conductance_us", "conductance_e2h") if n in cols), None)
    if g_col is None:
        raise AltermagError(f"{src}: no conductance column; expected conductance_S or conductance_e2h (found {names})")
    if g_col == "conductance_e2h":
        to_e2h = 1.0
    else:
        to_e2h = _G[g_col.split("_")[1]] / units.E2_H
    g_e2h = cols[g_col] * to_e2h
    factor = 2 * math.pi * l0 / W_m  # G_model = 2π (G/(e²/h)) ℓ₀/W
    G = g_e2h * factor
    sig = None
    s_col = next((n for n in cols if n.startswith("sigma")), None)
    if s_col is not None:
        unit = s_col.split("_", 1)[1] if "_" in s_col else g_col.split("_")[1]
        s_to = 1.0 if unit == "e2h" else _G.get(unit, None)
        if s_to is None:
            raise AltermagError(f"{src}: unknown unit of {s_col}")
        sig = cols[s_col] * (s_to if unit == "e2h" else s_to / units.E2_H) * factor
    x_e = x_n = None
    if "fermi_energy_ev" in cols:
        x_e = cols["fermi_energy_ev"] / u.energy_eV
    elif "fermi_energy_mev" in cols:
        x_e = cols["fermi_energy_mev"] * 1e-3 / u.energy_eV
    elif "density_cm-2" in cols:
        x_n = cols["density_cm-2"] * 1e4 * l0 ** 2
    elif "density_m-2" in cols:
        x_n = cols["density_m-2"] * l0 ** 2
    else:
        raise AltermagError(f"{src}: no Fermi-level column; expected fermi_energy_eV, fermi_energy_meV, "
                            f"density_cm-2 or density_m-2 (found {names})")
    return ConductanceData(conductance=G, length=L_m / l0, mass=1.0, fermi_energy=x_e, density=x_n, sigma=sig,
                           units=u, width_m=W_m, source=src, meta=meta, raw=raw)


def synthetic_spectrum(alpha: float, tau: float, length: float, fermi_energy, *, mass: float = 1.0,
                       noise: float = 0.01, seed: int | None = 0, rtol: float = 1e-6,
                       n_cells: int | None = None) -> ConductanceData:
    """G(E_F) from the solver with relative Gaussian noise ``noise`` (σ_k = noise·G_k; 0 = exact).

    Model units. ``meta`` records the truth (alpha, tau) and the noise model.
    """
    from altermag.transport.solver import conductance_and_gradient

    if noise < 0:
        raise ParameterError(f"noise = {noise} must be >= 0")
    E = np.asarray(fermi_energy, dtype=float).reshape(-1)
    G0 = conductance_and_gradient(alpha, tau, length, E, mass, rtol=rtol, n_cells=n_cells, grad=False)
    rng = np.random.default_rng(seed)
    sig = noise * G0
    G = G0 + sig * rng.standard_normal(G0.shape) if noise > 0 else G0.copy()
    return ConductanceData(conductance=G, length=float(length), mass=float(mass), fermi_energy=E,
                           sigma=sig if noise > 0 else None, source="synthetic",
                           meta={"alpha_true": alpha, "tau_true": tau, "noise": noise, "seed": seed},
                           raw={"conductance_exact": G0})


def write_conductance_csv(path, data: ConductanceData, *, physical: bool = False) -> Path:
    """Write ``data`` as a CSV readable by :func:`read_conductance_csv` (model units, or physical
    units when ``physical`` and ``data.units`` is set)."""
    from altermag.core.io import dumps, provenance

    path = Path(path)
    lines = ["# altermag transport conductance spectrum",
             "# provenance: " + dumps(provenance({"source": data.source, **{k: v for k, v in data.meta.items()}}),
                                      indent=None)]
    if physical and data.units is not None:
        u = data.units
        factor = 2 * math.pi * u.length_unit_m / data.width_m
        lines += [f"# length = {data.length * u.length_unit_m * 1e9!r} nm", f"# width = {data.width_m * 1e9!r} nm",
                  f"# mass = {u.mass_me!r}", f"# length_unit = {u.length_unit_m * 1e9!r} nm"]
        xname = "fermi_energy_eV" if data.fermi_energy is not None else "density_m-2"
        x = data.fermi_energy * u.energy_eV if data.fermi_energy is not None else data.density / u.length_unit_m ** 2
        cols = {xname: x, "conductance_e2h": data.conductance / factor}
        if data.sigma is not None:
            cols["sigma_e2h"] = data.sigma / factor
    else:
        lines += [f"# length = {data.length!r}", f"# mass = {data.mass!r}"]
        cols = {("fermi_energy" if data.fermi_energy is not None else "density"):
                (data.fermi_energy if data.fermi_energy is not None else data.density), "conductance": data.conductance}
        if data.sigma is not None:
            cols["sigma"] = data.sigma
    lines.append(",".join(cols))
    for row in zip(*(np.asarray(v, dtype=float).tolist() for v in cols.values())):
        lines.append(",".join(repr(v) for v in row))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_report(result, out_dir, *, data: ConductanceData | None = None, landscape: bool = True,
                 stem: str = "transport_fit") -> dict:
    """Write ``<stem>.json`` (values, intervals, residuals, physical units, inputs) and ``<stem>.png``.

    Returns the report dict (also what the JSON holds under ``data``).
    """
    from altermag.core.io import save_json
    from altermag.transport.plots import plot_fit_report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rep = result.as_dict()
    if data is not None:
        rep["physical"] = data.physical(result)
        rep["source"] = data.source
    png = out / f"{stem}.png"
    plot_fit_report(result, png, landscape=landscape)
    rep["figure"] = str(png)
    save_json(out / f"{stem}.json", rep, inputs={"source": None if data is None else data.source,
                                                  "length": result.length, "mass": result.mass,
                                                  "fitted": list(result.fitted)})
    return rep
