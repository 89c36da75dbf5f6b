"""Stoner consistency (issue #4): the q = 0 RPA critical U of each channel equals the U at which the
self-consistent Hartree-Fock order parameter of that channel appears, for the same model, grid, kT and
filling. Two independent codes: RPA (Lindhard sum + Stoner eigenproblem, altermag.response.rpa) and the
HF fixed-point iteration (altermag.response.meanfield), which never sees χ⁰.

At onset the linearised HF equations are m_a = U Σ_b χ⁰_ab m_b (spec §8), so the HF onset found by bisection
from a tiny seed must coincide with U_c^RPA(q = 0) to within the bisection tolerance.
"""

import pytest

from altermag.models import preset
from altermag.response.meanfield import critical_U_hf, hartree_fock
from altermag.response.rpa import critical_U

CASES = [("RuO2", 16, 0.01), ("kappa-Cl", 100, 0.005)]
REL_TOL = 1e-3  # bisection tolerance, relative to U_c


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def case(request):
    name, mesh, kT = request.param
    model = preset(name)
    rpa = critical_U(model, mesh=mesh, kT=kT, refine=False)
    return model, mesh, kT, rpa


@pytest.mark.parametrize("channel", ["AM", "FM"])
def test_hf_onset_equals_rpa_uc(case, channel):
    model, mesh, kT, rpa = case
    uc_rpa = rpa.U_c_q0[channel]
    tol = REL_TOL * uc_rpa
    hf = critical_U_hf(model, channel, mesh=mesh, kT=kT, U_tol=tol)
    # same filling in both codes (HF defaults to the paramagnet's filling at the model's μ)
    assert hf.n_sigma == pytest.approx(rpa.state.n_sigma, abs=1e-9)
    assert abs(hf.U_c - uc_rpa) <= tol, (channel, hf.U_c, hf.bracket, uc_rpa)


def test_am_leads_fm_in_both_codes(case):
    model, mesh, kT, rpa = case
    assert rpa.U_c_q0["AM"] < 0.9 * rpa.U_c_q0["FM"]


def test_hf_orders_am_just_above_uc_and_not_below(case):
    """From a small seed (next to the paramagnet): PM at 0.99 U_c^AM, AM order at 1.01 U_c^AM. An FM seed
    (unconstrained) at 1.01 U_c^AM < U_c^FM drifts into the AM state (the paramagnet is AM-unstable there)."""
    model, mesh, kT, rpa = case
    uc = rpa.U_c_q0["AM"]
    below = hartree_fock(model, 0.99 * uc, mesh=mesh, kT=kT, seed="AM", seed_amplitude=1e-4)
    above = hartree_fock(model, 1.01 * uc, mesh=mesh, kT=kT, seed="AM", seed_amplitude=1e-4)
    assert below.state == "PM" and abs(below.m_AM) < 1e-5
    assert above.state == "AM" and abs(above.m_AM) > 1e-2
    drift = hartree_fock(model, 1.01 * uc, mesh=mesh, kT=kT, seed="FM", seed_amplitude=1e-2)
    assert drift.state == "AM"
    assert abs(drift.m_AM) == pytest.approx(abs(above.m_AM), rel=1e-3)
