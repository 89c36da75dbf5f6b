"""Spin-group analysis: verdicts, spin Laue groups, form factors, configuration enumeration, screening."""

from altermag.symmetry.formfactor import FormFactor, form_factor
from altermag.symmetry.operations import CrystalSymmetry, crystal_symmetry
from altermag.symmetry.spingroup import VERDICTS, SpinGroupResult, Tolerances, analyze, classify_pattern

__all__ = ["CrystalSymmetry", "FormFactor", "SpinGroupResult", "Tolerances", "VERDICTS", "analyze",
           "classify_pattern", "crystal_symmetry", "form_factor"]
