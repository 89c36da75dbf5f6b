"""Spin-group analysis: verdicts, spin Laue groups, form factors, configuration enumeration, screening."""

from altermag.symmetry.formfactor import FormFactor, form_factor
from altermag.symmetry.operations import CrystalSymmetry, crystal_symmetry
from altermag.symmetry.spingroup import VERDICTS, SpinGroupResult, Tolerances, analyze, classify_pattern
from altermag.symmetry.enumeration import EnumerationResult, enumerate_configurations  # noqa: E402
from altermag.symmetry.screening import paper_rules, screen_folder, screen_structure  # noqa: E402

__all__ = ["CrystalSymmetry", "EnumerationResult", "FormFactor", "SpinGroupResult", "Tolerances", "VERDICTS",
           "analyze", "classify_pattern", "crystal_symmetry", "enumerate_configurations", "form_factor",
           "paper_rules", "screen_folder", "screen_structure"]
