"""Regenerate mp_summary_response.json / mp_magnetism_response.json (see SOURCE.md).

Documents in the shape that ``MPRester(...).materials.summary.search(fields=MP_FIELDS)`` returns as dicts
(``SummaryDoc.model_dump()``: ``structure`` is ``pymatgen.core.Structure.as_dict()`` with a ``magmom`` site
property), built from the bundled MAGNDATA test files so that no network or key is needed.
"""

import json
from pathlib import Path

import numpy as np

from altermag.structures import read_structure

HERE = Path(__file__).parent
MAG = HERE.parent / "magndata"

ENTRIES = [  # (material_id, MAGNDATA fixture, MP ordering label, symmetry, keep magmom in structure?)
    ("mp-825", "0.607_RuO2.mcif", "AFM", {"number": 136, "symbol": "P4_2/mnm", "crystal_system": "Tetragonal"}, True),
    ("mp-560902", "0.15_MnF2.mcif", "AFM", {"number": 136, "symbol": "P4_2/mnm", "crystal_system": "Tetragonal"}, True),
    ("mp-404", "0.800_MnTe.mcif", "AFM", {"number": 194, "symbol": "P6_3/mmc", "crystal_system": "Hexagonal"}, False),
    ("mp-999001", "0.639_Mn2Au.mcif", "FM", {"number": 139, "symbol": "I4/mmm", "crystal_system": "Tetragonal"}, True),
]


def main():
    summary, magnetism = [], []
    for mid, fname, ordering, sym, keep in ENTRIES:
        s = read_structure(MAG / fname)
        mz = s.moments @ (s.moments[np.argmax(np.linalg.norm(s.moments, axis=1))] /
                          np.linalg.norm(s.moments, axis=1).max())  # collinear projection, as DFT magmoms
        pmg = s.without_moments().to_pymatgen()
        pmg.remove_site_property("magmom")
        if keep:
            pmg.add_site_property("magmom", [round(float(x), 3) for x in mz])
        if ordering == "FM":  # an FM DFT solution: all moments parallel
            mz = np.abs(mz)
            pmg.remove_site_property("magmom")
            pmg.add_site_property("magmom", [round(float(x), 3) for x in mz])
        summary.append({
            "material_id": mid, "formula_pretty": s.formula, "structure": pmg.as_dict(), "ordering": ordering,
            "total_magnetization": round(float(mz.sum()), 3), "is_magnetic": True,
            "num_magnetic_sites": int(np.count_nonzero(np.abs(mz) > 0.01)),
            "types_of_magnetic_species": sorted({sp for sp, m in zip(s.species, mz) if abs(m) > 0.01}),
            "symmetry": sym,
        })
        if not keep:
            magnetism.append({"material_id": mid, "magmoms": [round(float(x), 3) for x in mz]})
    (HERE / "mp_summary_response.json").write_text(json.dumps(summary, indent=1) + "\n")
    (HERE / "mp_magnetism_response.json").write_text(json.dumps(magnetism, indent=1) + "\n")


if __name__ == "__main__":
    main()
