"""Tour section "minimal model": the RuO2 preset's bands with spin splitting, splitting map and f(k)."""

from __future__ import annotations

import html
from pathlib import Path


def section(out: Path):
    """Write ``model_ruo2_*.png`` and ``model_ruo2.json`` into ``out``; return the HTML section (< 10 s)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from altermag.core.io import save_json
    from altermag.models.analysis import bands, form_factor_map, nodal_check, splitting_map, wave_class
    from altermag.models.export import roundtrip_error
    from altermag.models.plots import plot_bands, plot_form_factor, plot_splitting_map
    from altermag.models.presets import preset
    from altermag.tour import Section, html_table

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    m = preset("RuO2")
    bs = bands(m)
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4))
    plot_bands(bs, ax=axes[0], title=f"RuO2 (Table 5, J = {m.J:g} eV): bands, colour ⟨σ_z⟩")
    sm = splitting_map(m, "kz=0", 121)
    plot_splitting_map(sm, ax=axes[1], title="E↑ − E↓ of the upper pair, k_z = 0")
    ff = form_factor_map(m, "kz=0", 121)
    plot_form_factor(ff, ax=axes[2], title="f(k) = t_z(k) (B2g, d_xy), k_z = 0")
    fig.tight_layout()
    fig.savefig(out / "model_ruo2.png", dpi=110)
    plt.close(fig)

    # the paper's qualitative facts, measured on the preset
    m0 = m.with_params(J=0.0)
    q = np.linspace(0.05, 0.45, 9)
    az = np.stack([q, q, np.full_like(q, 0.5)], axis=-1)  # A–Z line (k_z = π)
    e_az = m0.eigenvalues(az)
    t6, t7 = m.params["t6"], m.params["t7"]
    predicted = 2 * abs(t6 - t7) * np.sin(2 * np.pi * q) ** 2
    facts = []
    xm = np.stack([np.full_like(q, 0.5), q, np.zeros_like(q)], axis=-1)
    zra = np.concatenate([np.stack([q, 0 * q, 0 * q + 0.5], -1), np.stack([0 * q + 0.5, q, 0 * q + 0.5], -1)])
    facts.append({"fact": "nodal lines X–M and Z–R–A (bands pairwise degenerate, any J)",
                  "measured": f"max pair splitting {max(abs(m.spin_splitting(xm)).max(), abs(m.spin_splitting(zra)).max()):.1e} eV"})
    facts.append({"fact": "A–Z splitting = 2|t6 − t7| sin² q (t_z only, J = 0)",
                  "measured": f"max deviation {np.abs((e_az[:, 2] - e_az[:, 1]) - predicted).max():.1e} eV"})
    gm = np.stack([q, q, 0 * q], -1)
    facts.append({"fact": "spin splitting along M–Γ and A–Z once J ≠ 0",
                  "measured": f"max |ΔE| {1e3 * abs(m.spin_splitting(gm)).max():.0f} meV (Γ–M), "
                              f"{1e3 * abs(m.spin_splitting(az)).max():.0f} meV (A–Z)"})
    vA = m0.velocity([[0.5, 0.5, 0.5]])
    facts.append({"fact": "van Hove point at A: ε₀(A) = 0 before μ, zero velocity",
                  "measured": f"ε₀(A)+μ = {m0.coefficients([0.5, 0.5, 0.5])[0] + m0.mu:.1e} eV, "
                              f"max |∂H/∂k| = {abs(vA).max():.1e} eV·Å"})
    nc = nodal_check(m, "kz=0", 81)
    facts.append({"fact": "nodal set = zeros of f(k) = t_z on k_z = 0", "measured": f"{nc['agree']} "
                  f"(max |ΔE| on f = 0: {nc['max_split_on_f_zero']:.1e} eV)"})
    facts.append({"fact": "class from t_z near Γ", "measured": f"{wave_class(m)}-wave"})
    rt = roundtrip_error(m.with_params(lambda1=0.05))
    facts.append({"fact": "PythTB / TBmodels export round trip (λ₁ = 0.05)",
                  "measured": f"{rt['pythtb']['bands']:.1e} / {rt['tbmodels']['bands']:.1e} eV"})
    facts.append({"fact": "space-group covariance (16 ops) / time reversal",
                  "measured": f"{m.check_space_group():.1e} / {m.check_time_reversal():.1e} eV"})
    save_json(out / "model_ruo2.json", {"model": m.as_dict(), "bands": bs.as_dict(), "facts": facts},
              inputs={"preset": "RuO2"})
    prov = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(str(v))}</li>"
                   for k, v in m.info.get("provisional", {}).items())
    text = ("<p>Four-band minimal model of RuO2 (Roig et al. 2024, Eq. 1) with the Table 5 numbers, built by "
            "<code>altermag.models.preset('RuO2')</code>. Left: bands along the paper's path coloured by the spin "
            "along the Néel vector; centre: spin splitting on k<sub>z</sub> = 0 with the zeros of t<sub>z</sub> "
            "(black); right: the d-wave form factor. Data: <code>model_ruo2.json</code>.</p>"
            '<p><img src="model_ruo2.png" alt="RuO2 minimal model"></p>'
            + html_table(facts, [("fact", "paper's statement"), ("measured", "measured on the preset")])
            + f"<p>Provisional inputs:</p><ul>{prov}</ul>")
    return Section("Minimal model: RuO2 (four-band, d-wave altermagnet)", text)
