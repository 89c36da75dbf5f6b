"""Minimal two-sublattice models of altermagnets (Roig et al., PRB 110, 144412 (2024)).

* :mod:`~altermag.models.terms` — symbolic harmonics (:class:`Harmonic`, :class:`ModelTerms`)
* :mod:`~altermag.models.catalogue` — the 40 (space group, Wyckoff) entries (:func:`catalogue`, :func:`get_entry`)
* :mod:`~altermag.models.generator` — symmetry-projected terms (:func:`generate_model`)
* :mod:`~altermag.models.from_structure` — structure → model (:func:`model_from_structure`)
* :mod:`~altermag.models.hamiltonian` — the vectorised four-band :class:`TwoSublatticeModel`
* :mod:`~altermag.models.presets` — Table 5 materials and the Sec. III toy models (:func:`preset`)
* :mod:`~altermag.models.analysis`, :mod:`~altermag.models.plots`, :mod:`~altermag.models.export`

See ``docs/models.md``.
"""

from altermag.models.analysis import model_from_spec
from altermag.models.catalogue import catalogue, get_entry
from altermag.models.from_structure import model_from_structure
from altermag.models.generator import generate_model
from altermag.models.hamiltonian import SymmetryError, TwoSublatticeModel, illustrative_params
from altermag.models.presets import list_presets, preset, preset_info
from altermag.models.terms import CHANNELS, Harmonic, ModelTerms

__all__ = ["CHANNELS", "Harmonic", "ModelTerms", "TwoSublatticeModel", "SymmetryError", "illustrative_params",
           "preset", "list_presets", "preset_info", "catalogue", "get_entry", "generate_model",
           "model_from_structure", "model_from_spec"]
