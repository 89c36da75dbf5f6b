"""altermag: a toolkit for altermagnet research.

Capabilities live in sub-packages that meet at small documented objects:

* :mod:`altermag.core`        lattices, k-space, Pauli algebra, units, I/O, executors, progress
* :mod:`altermag.structures`  magnetic-structure I/O (magCIF, CIF, POSCAR+MAGMOM, pymatgen, ASE), bundled data
* :mod:`altermag.symmetry`    nonrelativistic spin-group analysis, form factors, enumeration, screening
"""

__version__ = "0.1.0"

from altermag.core.errors import AltermagError, StructureError  # noqa: E402,F401
