"""Tour section "stability and Hall": which magnetic order the minimal models prefer, and their Hall response.

Three measured pieces, each from its own module's ``tour_figures(out)``:

* RPA (:mod:`altermag.response.rpa`): bare χ⁰ channels of κ-Cl along its path, critical U per channel and the
  leading q over the whole zone;
* Hartree-Fock (:mod:`altermag.response.meanfield`): RuO2 order parameter vs U from AM and FM seeds;
* Berry curvature and AHC (:mod:`altermag.response.ahc`): RuO2 with SOC and n̂ ∥ x.
"""

from __future__ import annotations

import html
from pathlib import Path


def _fmt(x, digits: int = 3) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(_fmt(v, digits) for v in x) + ")"
    return str(x)


def section(out: Path):
    """Write the three figures and ``response.json`` into ``out``; return the HTML section (< 30 s)."""
    from altermag.core.io import save_json
    from altermag.response import ahc, meanfield, rpa
    from altermag.tour import Section, html_table

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    chi = rpa.tour_figures(out)
    hf = meanfield.tour_figures(out)
    hall = ahc.tour_figures(out)
    save_json(out / "response.json", {"rpa": chi, "hartree_fock": hf, "ahc": hall},
              inputs={"section": "stability and Hall"})

    rows = [
        {"what": f"RPA q = 0 critical U, {chi['model']} ({chi['mesh'][0]}², kT = {chi['kT']} eV)",
         "measured": f"AM {_fmt(chi['U_c_q0']['AM'])} eV, FM {_fmt(chi['U_c_q0']['FM'])} eV",
         "paper / spec": "AM diverges first (spec §8: 0.220 vs 0.266 at 300², kT = 0.005)"},
        {"what": "RPA leading instability over the zone",
         "measured": f"U_c = {_fmt(chi['U_c_min'])} eV at q = {_fmt(chi['q_leading_over_pi'])} π, "
                     f"{chi['leading_character']} character",
         "paper / spec": "a small-q mode 4–8 % below the q = 0 AM one (spec §8)"},
        {"what": f"Hartree-Fock onsets, RuO2 ({hf['mesh']}³, kT = {hf['kT']} eV, n_σ = {_fmt(hf['n_sigma'])})",
         "measured": f"AM {_fmt(hf['U_c']['AM'])} eV, FM {_fmt(hf['U_c']['FM'])} eV",
         "paper / spec": "AM orders at lower U than FM (spec §8, 40³: 1.95 vs ≈ 2.7)"},
        {"what": "Anomalous Hall σ_xz, RuO2, λ₁ = 0.05 eV, n̂ ∥ x",
         "measured": f"{_fmt(hall['sigma_xz_S_per_cm'])} S/cm ({hall['n_kpoints']} k-points)",
         "paper / spec": "σ ∝ λ, Hall vector ∥ y for n̂ ∥ x (spec §6); λ not recovered"},
        {"what": "σ with n̂ ∥ c (mirror-protected zero)",
         "measured": f"max |σ| = {hall['sigma_max_abs_neel_z_S_per_cm']:.1e} S/cm",
         "paper / spec": "0 by symmetry"},
    ]
    text = ("<p>Instabilities of the paramagnetic minimal models (bare and RPA susceptibility in the FM τ₀σ_z and "
            "altermagnetic τ_zσ_z channels, Hubbard U on both sublattices) and the self-consistent Hartree-Fock "
            "order that follows; then the spin-orbit Berry curvature of the altermagnetic state and its anomalous "
            "Hall conductivity. Commands: <code>altermag rpa kappa-Cl --json</code>, <code>altermag hf RuO2 "
            "--U-range 1.5:3.5:21</code>, <code>altermag ahc RuO2 --soc 0.05 --neel x --json</code>. "
            "Data: <code>response.json</code>. Numbers are properties of the reconstructed presets "
            "(provisional column mapping, J and λ not recovered), not of the paper.</p>"
            f'<p><img src="{html.escape(Path(chi["figure"]).name)}" alt="chi0 along the path" width="32%"> '
            f'<img src="{html.escape(Path(hf["figure"]).name)}" alt="HF order parameter" width="32%"> '
            f'<img src="{html.escape(Path(hall["figure"]).name)}" alt="Berry curvature" width="32%"></p>'
            + html_table(rows, [("what", "quantity"), ("measured", "measured"), ("paper / spec", "expected")]))
    return Section("Stability and Hall: RPA, Hartree-Fock, anomalous Hall effect", text)
