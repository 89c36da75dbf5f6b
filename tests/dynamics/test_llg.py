"""Stochastic LLG: exact norm conservation, energy descent at T = 0, Boltzmann equilibrium at T > 0."""

import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.dynamics.ed import EDCalculator
from altermag.dynamics.lattice import SpinLattice
from altermag.dynamics.llg import cayley_update, llg_integrator, run_llg
from altermag.dynamics.models import HeisenbergCalculator, SDModel, metropolis, random_spins


def test_cayley_update_solves_midpoint_equation_and_keeps_norm():
    rng = np.random.default_rng(0)
    S = random_spins(50, 1)
    T = rng.normal(size=(50, 3)) * 3
    Sn = cayley_update(S, T, 0.3)
    assert np.allclose(Sn - S, 0.3 * np.cross(T, 0.5 * (S + Sn)), atol=1e-13)
    assert np.allclose(np.linalg.norm(Sn, axis=1), 1, atol=1e-14)


def test_norm_conserved_to_machine_precision_with_noise():
    calc = HeisenbergCalculator(SpinLattice("triangular", 6), J1=1.0, J2=0.2)
    init, step = llg_integrator(calc, alpha=0.3, dt=0.1, temperature=0.7, seed=2)
    st = init(random_spins(36, 0))
    for _ in range(300):
        st = step(st)
    assert np.max(np.abs(np.linalg.norm(st.spins, axis=1) - 1)) < 1e-14


def test_energy_non_increasing_at_zero_temperature_ed():
    calc = EDCalculator(SDModel.default("tetrahedral", L=6))
    res = run_llg(calc, random_spins(36, 3), 60, dt=0.1, alpha=0.5, record_every=1, progress=False)
    assert np.all(np.diff(res["energy"]) <= 1e-9)
    assert res["energy"][-1] < res["energy"][0] - 0.1


def test_energy_non_increasing_heisenberg_and_precession_conserves_energy():
    calc = HeisenbergCalculator(SpinLattice("square", 8), J1=1.0, J2=0.5)
    res = run_llg(calc, random_spins(64, 4), 200, dt=0.05, alpha=0.2, record_every=1, progress=False)
    assert np.all(np.diff(res["energy"]) <= 1e-10)
    # α = 0: precession only; the midpoint rule conserves the energy up to O(dt²) and without drift
    res0 = run_llg(calc, random_spins(64, 4), 400, dt=0.01, alpha=0.0, record_every=1, progress=False)
    assert np.ptp(res0["energy"]) < 2e-3 * abs(res0["energy"][0])


def test_thermal_field_gives_langevin_magnetisation():
    """Independent spins in a field h at temperature T: ⟨S·ĥ⟩ = coth(h/T) − T/h (Langevin function).
    Checks the noise variance 2αT exactly (a wrong factor 2 shifts ⟨S_z⟩ by ≈ 0.1)."""
    lat = SpinLattice("square", 40, 30)
    h, T = 1.0, 0.5
    calc = HeisenbergCalculator(lat, J1=0.0, h=(0.0, 0.0, h))
    res = run_llg(calc, random_spins(lat.n_sites, 0), 1500, dt=0.02, alpha=0.5, temperature=T, record_every=25,
                  progress=False, seed=5, observables=lambda s: {"mz": s[:, 2].mean()})
    mz = res["mz"][20:]
    expected = 1 / np.tanh(h / T) - T / h
    err = mz.std() / np.sqrt(len(mz)) + 2e-3  # statistical + O(dt) allowance
    assert abs(mz.mean() - expected) < 4 * err, (mz.mean(), expected)


def _block_mean(x, nb=20):
    b = np.array([c.mean() for c in np.array_split(x, nb)])
    return x.mean(), b.std(ddof=1) / np.sqrt(nb)


@pytest.mark.slow
def test_heisenberg_llg_energy_matches_monte_carlo():
    """Coupled 6×6 FM Heisenberg model at T = 0.5: ⟨E⟩/N from stochastic LLG (dt = 0.05) vs Metropolis."""
    lat = SpinLattice("square", 6)
    calc = HeisenbergCalculator(lat, J1=-1.0)
    T = 0.5
    _, e = metropolis(calc, random_spins(36, 0), T, 8000, seed=1)
    mc, mc_err = _block_mean(e[500:] / 36)
    res = run_llg(calc, random_spins(36, 0), 60000, dt=0.05, alpha=0.5, temperature=T, record_every=5,
                  progress=False, seed=3)
    ee = res["energy"][1200:] / 36
    llg, llg_err = _block_mean(ee)
    assert abs(llg - mc) < 4 * np.hypot(mc_err, llg_err) + 0.005, (llg, llg_err, mc, mc_err)


def test_bad_parameters():
    calc = HeisenbergCalculator(SpinLattice("square", 4))
    with pytest.raises(ParameterError):
        llg_integrator(calc, alpha=-1, dt=0.1)
    with pytest.raises(ParameterError):
        llg_integrator(calc, alpha=0.1, dt=0.0)


def test_time_step_control_limits_rotation():
    """With max_rotation the step shrinks where torques are large: no spin turns by more than ≈ max_rotation per
    step, while the uncontrolled dt = 0.1 run turns spins by far more."""
    calc = HeisenbergCalculator(SpinLattice("square", 6), J1=1.0)
    S0 = random_spins(36, 9)

    def max_turn(res):
        s = res["spins"]
        return float(np.max(np.arccos(np.clip(np.sum(s[1:] * s[:-1], axis=-1), -1, 1))))

    free = run_llg(calc, S0, 30, dt=0.1, alpha=0.3, record_every=1, progress=False)
    ctrl = run_llg(calc, S0, 60, dt=0.1, alpha=0.3, record_every=1, progress=False, max_rotation=0.02)
    assert max_turn(free) > 0.1
    assert max_turn(ctrl) < 1.5 * 0.02
    dts = np.diff(ctrl["time"])
    assert np.all(dts <= 0.1 + 1e-12) and dts.min() < 0.05
    assert np.all(np.diff(ctrl["energy"]) <= 1e-10)


def test_heisenberg_field_is_minus_gradient():
    calc = HeisenbergCalculator(SpinLattice("triangular", 5), J1=1.0, J2=-0.3, J3=0.2, h=(0.1, 0.0, 0.4))
    S = random_spins(25, 8)
    E, H = calc.energy_and_field(S)
    d = 1e-6
    for i, a in ((0, 0), (7, 2), (13, 1)):
        Sp, Sm = S.copy(), S.copy()
        Sp[i, a] += d
        Sm[i, a] -= d
        assert np.isclose(-(calc.energy(Sp) - calc.energy(Sm)) / (2 * d), H[i, a], atol=1e-8)
    # bond counting: the uniform FM energy is N (3 J1 + 3 J2 + 3 J3) − N h·n on the triangular lattice
    n = np.array([0.0, 0.0, 1.0])
    assert np.isclose(calc.energy(np.tile(n, (25, 1))), 25 * (3 * (1.0 - 0.3 + 0.2) - 0.4))


def test_itinerant_field_time_step_converged():
    """The ED field has a large part along S (J⟨s⟩); only H⊥ may enter the SIB step. With it projected, dt = 0.4
    gives the dt = 0.05 trajectory of the 120° set to 1e-3 (unprojected it ordered 60 % too fast at dt = 0.4)."""
    from altermag.dynamics import EDCalculator, SDModel
    from altermag.dynamics.experiments import standard_observables

    model = SDModel.default("120", L=12)
    calc = EDCalculator(model)
    S0 = random_spins(144, 3)
    obs = standard_observables(model.lattice)
    nn1 = {}
    for dt in (0.4, 0.05):
        n = int(round(4.0 / dt))
        nn1[dt] = run_llg(calc, S0, n, dt=dt, alpha=0.5, record_every=n, progress=False, observables=obs)["nn1"][-1]
    assert nn1[0.05] < -0.05  # ordering has started
    assert abs(nn1[0.4] - nn1[0.05]) < 1e-3
