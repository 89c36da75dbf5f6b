"""Driven AF|FM domain wall (issue 8): wall position, AF/FM coexistence, wall motion under a thermodynamic drive."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from altermag.core.errors import ParameterError
from altermag.dynamics.driven import (
    bulk_grand_potentials,
    coexistence_mu,
    run_wall,
    velocity_curve,
    wall_position,
    wall_profile,
    wall_spins,
    wall_velocity,
)
from altermag.dynamics.ed import EDCalculator
from altermag.dynamics.lattice import SpinLattice
from altermag.dynamics.models import SDModel

STRIP = SpinLattice("square", 24, 10, periodic_x=False)


# ------------------------------------------------------------------ wall position
@pytest.mark.parametrize("x0", [0.5, 3.5, 11.5, 12.5, 20.5, 23.5])
def test_wall_position_exact_on_sharp_walls(x0):
    s = wall_spins(STRIP, x0)
    assert wall_position(s, STRIP) == pytest.approx(x0, abs=1e-12)
    # the mirrored wall (FM on the left)
    s2 = wall_spins(STRIP, x0, af_left=False)
    assert wall_position(s2, STRIP, af_left=False) == pytest.approx(x0, abs=1e-12)
    if 1 < x0 < STRIP.L - 1:  # orientation detectable only with both phases present
        assert wall_position(s2, STRIP, af_left=None) == pytest.approx(x0, abs=1e-12)


def test_wall_profile_limits():
    x, p = wall_profile(wall_spins(STRIP, 12.5), STRIP)
    assert len(x) == 2 * STRIP.L - 1
    assert np.allclose(p[x < 12], -1) and np.allclose(p[x > 13], 1)
    # the bond across a Néel|FM interface averages to zero over y
    assert p[np.isclose(x, 12.5)][0] == pytest.approx(0.0, abs=1e-12)


def test_wall_position_interpolates_a_smooth_wall():
    """A wall whose Néel amplitude turns smoothly into the ferromagnet: the spins rotate from ±z (AF) to +z (FM)
    via the AF sublattice B tilting through the xz plane, θ_B(x) = π (1 − f(x)), f = logistic centred at xc.
    The vertical-bond profile is cos θ_B = −cos(π f) with zero crossing exactly where f = 1/2, i.e. at x = xc."""
    lat = STRIP
    for xc in (9.3, 12.0, 15.71):
        x, y = lat.coords[:, 0], lat.coords[:, 1]
        f = 1.0 / (1.0 + np.exp(-(x - xc) / 1.5))
        theta = np.where((x + y) % 2 == 0, 0.0, np.pi * (1 - f))
        s = np.stack([np.sin(theta), np.zeros_like(theta), np.cos(theta)], 1)
        # linear interpolation of a smooth profile: error ≪ one lattice constant
        assert wall_position(s, lat) == pytest.approx(xc, abs=0.1)


def test_wall_position_invariant_under_global_rotation_and_stable_under_noise():
    rots = Rotation.random(5, random_state=3).as_matrix()
    for x0 in (6.5, 17.5):
        s = wall_spins(STRIP, x0, axis=(0.3, -0.2, 0.9))
        for R in rots:
            assert wall_position(s @ R.T, STRIP) == pytest.approx(x0, abs=1e-12)
        for seed in range(4):
            noisy = wall_spins(STRIP, x0, tilt=0.2, seed=seed)  # ~11° random tilts on every spin
            assert abs(wall_position(noisy, STRIP) - x0) < 0.35
    # a single flipped spin deep in the FM region must not create a second wall
    s = wall_spins(STRIP, 8.5)
    s[STRIP.site_index(18, 4)] *= -1
    assert wall_position(s, STRIP) == pytest.approx(8.5, abs=1e-12)


def test_wall_position_edges_and_bad_input():
    assert wall_position(wall_spins(STRIP, 0), STRIP) == pytest.approx(-0.5)  # all FM: AF gone at the left edge
    assert wall_position(wall_spins(STRIP, 99), STRIP) == pytest.approx(STRIP.L - 0.5)  # all AF
    with pytest.raises(ParameterError):
        wall_position(np.zeros((5, 3)), STRIP)
    with pytest.raises(ParameterError):
        wall_position(wall_spins(STRIP, 3), SpinLattice("triangular", 24, 10, periodic_x=False))
    with pytest.raises(ParameterError):
        wall_spins(STRIP, 3, tilt=-1)


# ------------------------------------------------------------------ coexistence
def test_coexistence_mu_equal_grand_potentials_and_spec_densities():
    c = coexistence_mu(J=3.0, temperature=0.05)
    g = bulk_grand_potentials(c["mu_c"], J=3.0, temperature=0.05, nk=600)  # a different mesh
    assert g["omega_fm"] == pytest.approx(g["omega_af"], abs=1e-6)
    # spec §1.3 (NEGF training data): FM columns density ≈ 0.62, AF columns ≈ 0.996 electrons per site
    assert 0.58 < c["n_fm"] < 0.67
    assert 0.98 < c["n_af"] <= 1.0 + 1e-9
    # dΩ/dμ = −n: the denser AF wins above μ_c, the FM below (finite differences of the bulk potentials)
    d = 1e-4
    gp, gm = (bulk_grand_potentials(c["mu_c"] + s, J=3.0, temperature=0.05) for s in (d, -d))
    assert -(gp["omega_fm"] - gm["omega_fm"]) / (2 * d) == pytest.approx(c["n_fm"], abs=1e-4)
    assert -(gp["omega_af"] - gm["omega_af"]) / (2 * d) == pytest.approx(c["n_af"], abs=1e-4)
    g2 = bulk_grand_potentials(np.array([c["mu_c"] - 0.3, c["mu_c"] + 0.3]), J=3.0, temperature=0.05)
    assert g2["omega_fm"][0] < g2["omega_af"][0] and g2["omega_fm"][1] > g2["omega_af"][1]


def test_coexistence_agrees_with_real_space_ed():
    """Independent check: grand potentials of the uniform FM and Néel states by exact diagonalisation of a periodic
    24 × 24 lattice change order across the k-space μ_c."""
    mu_c = coexistence_mu(J=3.0, temperature=0.05)["mu_c"]
    lat = SpinLattice("square", 24, 24)
    x, y = lat.coords.T
    fm = np.tile([0.0, 0.0, 1.0], (lat.n_sites, 1))
    af = fm * np.where((x + y) % 2 == 0, 1.0, -1.0)[:, None]
    diffs = []
    for mu in (mu_c - 0.05, mu_c + 0.05):
        calc = EDCalculator(SDModel(lat, J=3.0, mu=mu, temperature=0.05))
        diffs.append((calc.energy(fm) - calc.energy(af)) / lat.n_sites)
    assert diffs[0] < 0 < diffs[1]  # FM lower below μ_c, AF lower above


def test_coexistence_bad_input():
    with pytest.raises(ParameterError):
        coexistence_mu(J=-1)
    with pytest.raises(ParameterError):
        coexistence_mu(J=3, nk=3)
    with pytest.raises(ParameterError):
        coexistence_mu(J=3, bracket=(1.0, 2.0))


# ------------------------------------------------------------------ wall dynamics (ED, grand-canonical open strip)
def _ed_wall(mu, n_steps=400, seed=0):
    lat = SpinLattice("square", 16, 4, periodic_x=False)
    calc = EDCalculator(SDModel(lat, J=3.0, mu=mu, temperature=0.05))
    return run_wall(calc, lat, 7.5, n_steps, dt=0.2, alpha=0.5, record_every=20, tilt=0.05, seed=seed,
                    progress=False)


def test_wall_at_coexistence_does_not_drift_but_moves_off_coexistence():
    """At μ = μ_c the AF|FM interface is neutral; below μ_c the FM side (lower Ω, dΩ/dμ = −n) grows, above it the
    AF side grows. Checks the coexistence logic without any bias."""
    mu_c = coexistence_mu(J=3.0, temperature=0.05)["mu_c"]
    r0 = _ed_wall(mu_c)
    assert np.max(np.abs(r0["x_dw"] - 7.5)) < 0.5
    r_fm = _ed_wall(mu_c - 0.5, n_steps=500)
    assert r_fm["x_dw"][-1] < 7.5 - 1.5  # the FM region (right) grows: the wall moves to −x
    r_af = _ed_wall(mu_c + 0.5, n_steps=500)
    assert r_af["x_dw"][-1] > 7.5 + 1.0  # the AF region grows: the wall moves to +x
    assert len(r0["time"]) == len(r0["x_dw"]) == 21


def test_wall_velocity_fit_and_velocity_curve(tmp_path):
    t = np.linspace(0, 100, 51)
    x = 10 - 0.07 * t
    v, e = wall_velocity(t, x)
    assert v == pytest.approx(-0.07, abs=1e-12) and e < 1e-10
    rng = np.random.default_rng(0)
    v, e = wall_velocity(t, 3 + 0.02 * t + rng.normal(scale=0.05, size=t.size), t_min=0)
    assert abs(v - 0.02) < 4 * e + 1e-3 and e > 0
    # wall stops at the lead: x_range truncates the fit
    xs = np.maximum(10 - 0.2 * t, -0.5)
    assert wall_velocity(t, xs, t_min=0, x_range=(0, 24))[0] == pytest.approx(-0.2, abs=1e-10)
    with pytest.raises(ParameterError):
        wall_velocity(t, x[:-1])
    assert np.isnan(wall_velocity(t[:2], x[:2])[0])


def _heis_make(bias):
    from altermag.dynamics.models import HeisenbergCalculator

    # a bias-independent classical stand-in: the curve machinery must give one run per bias, in order
    return HeisenbergCalculator(SpinLattice("square", 8, 4, periodic_x=False), J1=1.0 + 0 * bias)


def test_velocity_curve_runs_one_job_per_bias(tmp_path):
    lat = SpinLattice("square", 8, 4, periodic_x=False)
    res = velocity_curve(_heis_make, [-0.5, 0.0, 0.5], lat, 3.5, 30, dt=0.1, record_every=5, workers=1,
                         progress=False, out=tmp_path / "v.json")
    assert res["bias"] == [-0.5, 0.0, 0.5] and len(res["velocity"]) == 3 and len(res["x_dw"][0]) == 7
    # identical calculators and seeds ⇒ identical trajectories
    assert np.allclose(res["x_dw"][0], res["x_dw"][2])
    assert (tmp_path / "v.json").exists()
    with pytest.raises(ParameterError):
        velocity_curve(_heis_make, [], lat, 3.5, 10)


def test_run_wall_bad_input(tmp_path):
    lat = SpinLattice("square", 8, 4, periodic_x=False)
    calc = EDCalculator(SDModel(lat, J=3.0, mu=-2.4, temperature=0.05))
    with pytest.raises(ParameterError):
        run_wall(calc, lat, 50.0, 10)
    with pytest.raises(ParameterError):
        run_wall(calc, lat, 3.5, 0)
    res = run_wall(calc, lat, 3.5, 4, record_every=2, out=tmp_path / "w.h5", progress=False)
    from altermag.core.io import load_hdf5

    d = load_hdf5(tmp_path / "w.h5")["data"]
    assert np.allclose(d["x_dw"], res["x_dw"])


# ------------------------------------------------------------------ CLI
def _cli():
    import typer

    from altermag.dynamics.driven_cli import register

    app = typer.Typer()
    register(app)
    return app


def test_cli_run_and_velocity_json():
    import json

    from typer.testing import CliRunner

    runner = CliRunner()
    app = _cli()
    r = runner.invoke(app, ["run", "--lx", "10", "--ly", "4", "--method", "ed", "--steps", "20", "--record-every",
                            "5", "--x0", "4.5", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert len(d["time"]) == len(d["x_dw"]) == 5 and d["x_dw"][0] == pytest.approx(4.5, abs=0.05)
    assert {"velocity", "velocity_err", "inputs"} <= set(d)
    assert d["inputs"]["mu"] == pytest.approx(coexistence_mu()["mu_c"])
    r = runner.invoke(app, ["velocity", "--biases", "0", "--lx", "10", "--ly", "4", "--method", "ed", "--steps",
                            "10", "--record-every", "5", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["bias"] == [0.0] and len(d["velocity"]) == len(d["velocity_err"]) == 1


@pytest.mark.parametrize("args", [
    ["run", "--method", "ml", "--model", "/nonexistent/model.pt"],
    ["run", "--method", "ml", "--model", "no-such-shipped-model"],
    ["run", "--method", "ml", "--J", "2.0"],  # the shipped model is for J = 3
    ["run", "--method", "foo"],
    ["run", "--method", "ed", "--bias", "0.5"],  # ED is an equilibrium field
    ["run", "--method", "ed", "--lx", "8", "--ly", "4", "--x0", "40"],
    ["velocity", "--biases", "a,b"],
])
def test_cli_user_errors(args):
    from typer.testing import CliRunner

    r = CliRunner().invoke(_cli(), args)
    assert r.exit_code == 1
    assert "error:" in r.output and "Traceback" not in r.output


# ------------------------------------------------------------------ the shipped driven model
def test_shipped_driven_model_reproduces_the_heldout_negf_walls():
    """The shipped two-potential model (trained on NEGF fields of the 16 × 10 strip) against the held-out NEGF-LLG
    runs of docs/driven.md (seed 100, never trained on): pinned at V = 0; at V = +2 the NEGF wall depins at
    t = 33.5 ħ/t1 and the ferromagnet grows (−x) — ML-LLG must depin within 25 % of that time, to −x."""
    from altermag.dynamics.driven import make_driven_calculator, wall_transit
    from altermag.dynamics.ml_field import shipped_models

    assert "sd-square-driven" in shipped_models()
    lat = SpinLattice("square", 16, 10, periodic_x=False)
    calc = make_driven_calculator(0.0, "ml", lx=16, ly=10)
    assert calc.model.site_inputs.get("potential") and calc.model.field_form == "two-potential"
    still = run_wall(calc, lat, 8.5, 120, dt=0.5, alpha=0.5, record_every=10, tilt=0.1, seed=100, progress=False)
    assert np.max(np.abs(still["x_dw"] - 8.5)) < 0.05
    run = run_wall(make_driven_calculator(2.0, "ml", lx=16, ly=10), lat, 8.5, 120, dt=0.5, alpha=0.5, record_every=1,
                   tilt=0.1, seed=100, progress=False)
    tr = wall_transit(run["time"], run["x_dw"])
    assert abs(tr["t_depin"] - 33.5) < 0.25 * 33.5, tr
    assert run["x_dw"][-1] < 8.5 - 3.0  # the FM grows


def test_shipped_driven_model_refuses_other_electron_parameters():
    from altermag.dynamics.driven import make_driven_calculator

    with pytest.raises(ParameterError, match="trained for J = 3"):
        make_driven_calculator(1.0, "ml", lx=16, ly=10, temperature_el=0.01)
    with pytest.raises(ParameterError, match="trained for J = 3"):
        make_driven_calculator(1.0, "ml", lx=16, ly=10, mu=-2.0)
    mu_c = coexistence_mu(J=3.0, temperature=0.05)["mu_c"]
    assert make_driven_calculator(1.0, "ml", lx=16, ly=10, mu=mu_c).bias == 1.0  # μ_c given explicitly is fine


# ------------------------------------------------------------------ NEGF-driven wall (needs altermag.dynamics.negf)
@pytest.mark.slow
def test_negf_bias_sign_reverses_wall_drift():
    """With the FM side at the right lead (μ_R = μ − V/2), V > 0 lowers the FM side's electrochemical potential and
    favours the FM phase (dΩ/dμ = −n, n_FM < n_AF): the wall runs to −x; V < 0 favours the AF: it runs to +x.
    Small strip at μ = μ_c (where V = 0 is neutral)."""
    pytest.importorskip("altermag.dynamics.negf")
    from altermag.dynamics.driven import make_driven_calculator

    lat = SpinLattice("square", 10, 4, periodic_x=False)
    x0 = 5.5
    ends = {}
    for V in (-1.5, 1.5):
        calc = make_driven_calculator(V, "negf", lx=10, ly=4, tol=1e-3)
        r = run_wall(calc, lat, x0, 240, dt=0.5, alpha=0.5, record_every=10, tilt=0.1, seed=0, progress=False)
        ends[V] = r["x_dw"]
    assert ends[1.5][-1] < x0 - 1.0  # FM grows
    assert ends[-1.5][-1] > x0 + 1.0  # AF grows
