"""Shared core of altermag: units, Pauli algebra, lattices, k-space, Fermi functions, I/O,
executors, progress bars and logging.

Conventions (see :mod:`altermag.core.units`): energies in eV, lengths in Å, Cartesian k in Å⁻¹
with the 2π included (or fractional k in the reciprocal basis), temperatures in K, moments in
μB, conductances in S or e²/h. Lattice vectors are the rows of a 3×3 matrix. The 4-band basis
is sublattice ⊗ spin, ``(A↑, A↓, B↑, B↓)``.
"""

from altermag.core import units
from altermag.core.errors import AltermagError, ParameterError, StructureError
from altermag.core.executor import (
    DaskExecutor,
    Executor,
    JobError,
    LocalExecutor,
    SerialExecutor,
    cpu_count,
    get_executor,
)
from altermag.core.fermi import fermi_dirac, fermi_window
from altermag.core.io import (
    JsonlWriter,
    load_csv,
    load_hdf5,
    load_json,
    provenance,
    read_jsonl,
    save_csv,
    save_hdf5,
    save_json,
)
from altermag.core.kspace import KPath, kpath, kpath_from_segments, monkhorst_pack, to_cartesian, to_fractional
from altermag.core.lattice import Lattice
from altermag.core.log import configure_logging, get_logger
from altermag.core.pauli import (
    SIGMA,
    TAU_SIGMA,
    pauli_compose,
    pauli_decompose,
    sigma0,
    sigmax,
    sigmay,
    sigmaz,
    tau_sigma,
)
from altermag.core.progress import progress

__all__ = [
    "units",
    "AltermagError",
    "ParameterError",
    "StructureError",
    "Executor",
    "SerialExecutor",
    "LocalExecutor",
    "DaskExecutor",
    "JobError",
    "get_executor",
    "cpu_count",
    "fermi_dirac",
    "fermi_window",
    "provenance",
    "save_json",
    "load_json",
    "save_hdf5",
    "load_hdf5",
    "save_csv",
    "load_csv",
    "JsonlWriter",
    "read_jsonl",
    "KPath",
    "kpath",
    "kpath_from_segments",
    "monkhorst_pack",
    "to_cartesian",
    "to_fractional",
    "Lattice",
    "get_logger",
    "configure_logging",
    "SIGMA",
    "TAU_SIGMA",
    "sigma0",
    "sigmax",
    "sigmay",
    "sigmaz",
    "tau_sigma",
    "pauli_decompose",
    "pauli_compose",
    "progress",
]
