"""``altermag tour``: the end-to-end HTML report on bundled data.

Each capability contributes a *section*: a function ``section(out: Path) -> Section`` registered in
:data:`SECTIONS`. A section writes its figures and data into ``out`` and returns HTML. The report
(``<out>/index.html``) is self-contained apart from those files; every table is also saved as JSON.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np


@dataclass
class Section:
    title: str
    html: str


def html_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """HTML table of ``rows`` (dicts) with ``columns`` = [(key, header), ...]; None shows as an em dash."""
    head = "".join(f"<th>{html.escape(t)}</th>" for _, t in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r.get(k, '')) if r.get(k) is not None else '—')}</td>"
                                     for k, _ in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def discovery_section(out: Path) -> Section:
    """Classify the bundled known altermagnets and reference magnets; plot f(k) of each altermagnet."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from altermag.core.io import save_json
    from altermag.core.progress import progress
    from altermag.structures.datasets import list_references, load_reference, reference_info
    from altermag.symmetry import analyze

    rows, ams = [], []
    for name in progress(list_references(), desc="tour: classify"):
        info = reference_info(name)
        r = analyze(load_reference(name))
        expected = info.get("expected", {})
        exp_v = expected.get("verdict") if isinstance(expected, dict) else expected
        rows.append({"name": name, "role": info.get("role"), "verdict": r.verdict, "wave": r.wave,
                     "spin_laue_group": r.spin_laue_group, "form_factor": r.form_factor,
                     "detail": r.detail, "space_group": f"{r.space_group} {r.space_group_symbol}",
                     "literature": exp_v, "agrees": exp_v in (None, r.verdict)})
        if r.verdict == "altermagnet" and info.get("role") == "positive":
            ams.append((name, r))
    save_json(out / "classification.json", rows, inputs={"set": "bundled references"})

    # f(k) on the unit sphere (equal-area projection of the upper hemisphere seen along z and along x)
    n = len(ams)
    cols = 5
    fig, axes = plt.subplots(int(np.ceil(n / cols)), cols, figsize=(3.0 * cols, 3.0 * int(np.ceil(n / cols))))
    th, ph = np.meshgrid(np.linspace(0, np.pi, 121), np.linspace(0, 2 * np.pi, 241), indexing="ij")
    k = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=-1)
    for ax, (name, r) in zip(np.ravel(axes), ams):
        f = r.formfactor(k)
        f = f / (np.abs(f).max() or 1)
        ax.pcolormesh(ph, np.cos(th), f, cmap="RdBu_r", vmin=-1, vmax=1, shading="auto")
        ax.set_title(f"{name}: {r.wave}-wave\n{r.form_factor}", fontsize=8)
        ax.set_xlabel("azimuth φ of k", fontsize=7)
        ax.set_ylabel("cos θ", fontsize=7)
        ax.tick_params(labelsize=6)
    for ax in np.ravel(axes)[n:]:
        ax.axis("off")
    fig.suptitle("Spin-splitting form factor f(k) on the unit sphere (red ΔE>0, blue ΔE<0; standard setting axes)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(out / "form_factors.png", dpi=110)
    plt.close(fig)

    n_ok = sum(r["agrees"] for r in rows)
    text = (f"<p>{len(rows)} bundled structures (known altermagnets, their experimental orders where they differ, "
            f"and reference non-altermagnets) classified by the nonrelativistic spin-group engine; "
            f"{n_ok}/{len(rows)} agree with the literature verdict. Data: <code>classification.json</code>.</p>")
    table = html_table(rows, [("name", "material"), ("role", "role"), ("verdict", "verdict"), ("wave", "class"),
                          ("spin_laue_group", "spin Laue group"), ("form_factor", "f(k)"), ("detail", "detail"),
                          ("space_group", "space group"), ("literature", "literature")])
    return Section("Discovery: spin-group classification of known magnets",
                   text + table + '<p><img src="form_factors.png" alt="form factors"></p>')


def _capability_section(module: str) -> Callable[[Path], Section]:
    """The ``section(out)`` of ``altermag.<capability>.tour``, imported only when the tour runs."""

    def make(out: Path) -> Section:
        import importlib

        return importlib.import_module(module).section(out)

    make.__name__ = module
    return make


#: the report's sections in order; each capability contributes ``altermag/<capability>/tour.py:section``
SECTIONS: list[Callable[[Path], Section]] = [
    discovery_section,
    _capability_section("altermag.models.tour"),
    _capability_section("altermag.response.tour"),
    _capability_section("altermag.transport.tour"),
    _capability_section("altermag.discovery.tour"),
    _capability_section("altermag.dynamics.tour"),
    _capability_section("altermag.dynamics.driven_tour"),
]

_CSS = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
th{background:#f2f2f2}img{max-width:100%}code{background:#f5f5f5;padding:1px 3px}"""


def run_tour(out="tour") -> Path:
    """Run every section and write ``<out>/index.html``; returns its path."""
    import altermag
    from altermag.core.io import provenance

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parts = []
    for make in SECTIONS:
        sec = make(out)
        parts.append(f"<section><h2>{html.escape(sec.title)}</h2>{sec.html}</section>")
    prov = provenance({"command": "altermag tour", "out": str(out)})
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>altermag tour</title><style>{_CSS}</style>"
            f"</head><body><h1>altermag {altermag.__version__}: tour</h1>{''.join(parts)}"
            f"<footer><p><small>Generated {html.escape(str(prov.get('timestamp', '')))} with python "
            f"{html.escape(str(prov.get('python', '')))}.</small></p></footer></body></html>")
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
