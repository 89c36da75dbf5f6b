"""Magnetic-structure I/O and bundled reference structures.

>>> from altermag.structures import read_structure, load_reference
>>> s = read_structure("0.607_RuO2.mcif")          # magCIF with moments
>>> s = read_structure("POSCAR", magmoms="2*1 2*-1 4*0")
>>> ruo2 = load_reference("RuO2")                   # bundled, with provenance in ruo2.info
"""

from altermag.structures.datasets import (list_references, load_reference, positive_set, reference_info,
                                          reference_set)
from altermag.structures.elements import magnetic_elements
from altermag.structures.io import moments_from_spec, parse_magmom_string, read_structure
from altermag.structures.magnetic import MagneticStructure, elements_of

__all__ = [
    "MagneticStructure", "elements_of", "magnetic_elements", "moments_from_spec", "parse_magmom_string",
    "read_structure", "list_references", "load_reference", "positive_set", "reference_info", "reference_set",
]
