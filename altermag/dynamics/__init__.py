"""Spin dynamics of itinerant magnets: lattices, s-d / double-exchange models, exact (ED) and kernel-polynomial
(KPM) exchange fields, machine-learned force fields, stochastic LLG and its observables.

Quick start::

    from altermag.dynamics import SDModel, EDCalculator, run_llg, random_spins
    model = SDModel.default("tetrahedral", L=12)        # triangular, n_e = 0.5, J = 3 (spec §10)
    calc = EDCalculator(model)
    E, H = calc.energy_and_field(random_spins(model.lattice.n_sites, seed=0))
    traj = run_llg(calc, random_spins(144, 1), n_steps=500, dt=0.05, alpha=0.5)

See docs/dynamics.md (physics side) and docs/dynamics_ml.md (descriptors, network, training); biased strips
(NEGF fields, two-potential force fields, driven walls): docs/negf.md, docs/two_potential.md, docs/driven.md.
"""

from altermag.dynamics.ed import EDCalculator
from altermag.dynamics.kpm import KPMCalculator
from altermag.dynamics.lattice import SpinLattice
from altermag.dynamics.llg import LLGState, llg_integrator, run_llg
from altermag.dynamics.ml_field import MLCalculator, load_shipped_model  # torch is imported on first use
from altermag.dynamics.models import (DEFAULT_SETS, DoubleExchangeModel, HeisenbergCalculator, SDModel, metropolis,
                                      random_spins)
from altermag.dynamics.negf import NEGFCalculator, wall_configuration

__all__ = ["SpinLattice", "SDModel", "DoubleExchangeModel", "HeisenbergCalculator", "metropolis", "random_spins",
           "DEFAULT_SETS", "EDCalculator", "KPMCalculator", "LLGState", "llg_integrator", "run_llg", "MLCalculator",
           "load_shipped_model", "NEGFCalculator", "wall_configuration"]
