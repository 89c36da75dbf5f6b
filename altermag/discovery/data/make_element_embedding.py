"""Generate altermag/discovery/data/element_embedding.json (CGCNN-style one-hot-binned element properties)."""
import json, math, warnings
import numpy as np
from pymatgen.core.periodic_table import Element
from altermag.structures.elements import ELEMENTS
warnings.filterwarnings("ignore")

def prop(e, name):
    try:
        if name == "group": return e.group
        if name == "period": return e.row
        if name == "X":
            v = e.X; return None if (v is None or not np.isfinite(v)) else v
        if name == "radius":
            v = e.atomic_radius_calculated or e.atomic_radius
            return None if v is None else float(v) * 100  # pm
        if name == "valence":
            # number of valence electrons: outer s+p (+d for d block, +f for f block)
            b = e.block
            g = e.group
            if b == "s": return g if g <= 2 else 2
            if b == "p": return g - 10
            if b == "d": return g
            if b == "f": return 3
        if name == "ie":
            v = e.ionization_energy; return None if v is None else math.log(v)
        if name == "ea":
            v = e.electron_affinity; return None if v is None else float(v)
        if name == "block": return "spdf".index(e.block)
        if name == "volume":
            v = e.molar_volume; return None if v is None else math.log(float(v))
    except Exception:
        return None

SPEC = [  # name, kind, (lo, hi, nbins) or categories  -- bins as in Xie & Grossman 2018, Table S2
    ("group", "cat", list(range(1, 19))),
    ("period", "cat", list(range(1, 10))),
    ("X", "bin", (0.5, 4.0, 10)),
    ("radius", "bin", (25.0, 250.0, 10)),
    ("valence", "cat", list(range(1, 13))),
    ("ie", "bin", (1.3, 3.3, 10)),
    ("ea", "bin", (-3.0, 3.7, 10)),
    ("block", "cat", [0, 1, 2, 3]),
    ("volume", "bin", (1.5, 4.3, 10)),
]
table = {}
for sym in ELEMENTS[:100]:
    e = Element(sym)
    vec = []
    for name, kind, arg in SPEC:
        v = prop(e, name)
        if kind == "cat":
            oh = [0] * len(arg)
            if v in arg: oh[arg.index(v)] = 1
        else:
            lo, hi, n = arg
            oh = [0] * n
            if v is not None:
                k = int(np.clip(np.floor((v - lo) / (hi - lo) * n), 0, n - 1)); oh[k] = 1
        vec += oh
    table[sym] = vec
out = {"description": "CGCNN-style element embedding: one-hot bins of group(18), period(9), electronegativity "
       "0.5-4.0 (10), covalent radius 25-250 pm (10), valence electrons 1-12 (12), log first ionisation energy "
       "1.3-3.3 log(eV) (10), electron affinity -3..3.7 eV (10), block s/p/d/f (4), log molar volume 1.5-4.3 "
       "log(cm3/mol) (10), after Xie & Grossman, PRL 120, 145301 (2018) Table S2; element data from pymatgen. "
       "An unknown property leaves its block all zero.",
       "fields": [[n, k, a] for n, k, a in SPEC], "dim": len(next(iter(table.values()))), "elements": table}
json.dump(out, open(__import__("pathlib").Path(__file__).parent / "element_embedding.json", "w"))
print(out["dim"], table["Fe"])
