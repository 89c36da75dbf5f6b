"""Two-potential force fields for driven spin fields (issue 8, spec §6): site inputs, the field form,
the toy driven field with a known split, fits that recover both parts, gauge, persistence, data files."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from altermag.core.errors import ParameterError
from altermag.dynamics.dataset import load_dataset, save_spin_dataset
from altermag.dynamics.lattice import SpinLattice
from altermag.dynamics.ml_field import MLCalculator
from altermag.dynamics.network import SpinForceField
from altermag.dynamics.training import TrainConfig, train
from altermag.dynamics.two_potential import n_site_inputs, strip_inputs, toy_driven_field, two_potential_field

J1, A_J = 1.0, 1.0
DESC = {"cutoff": 1.0, "bond_cutoff": 0.0, "chirality_cutoff": 0.0, "symmetry": "D2"}
SITE = {"encoding": "boundary", "n_boundary": 3}


def _unit(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def _configs(rng, n, N):
    """Half uniformly random spins, half perturbed ferromagnets/Néel states (random axes)."""
    S = _unit(rng.normal(size=(n, N, 3)))
    for c in range(n // 2):
        axis = _unit(rng.normal(size=3))
        sign = 1.0 if c % 2 else np.where(np.arange(N) % 2, 1.0, -1.0)[:, None]
        S[c] = _unit(sign * axis + rng.uniform(0.3, 1.2) * rng.normal(size=(N, 3)))
    return S


def _rel(a, b):
    return float(np.sqrt(((a - b) ** 2).sum(-1).mean() / (b**2).sum(-1).mean()))


# ------------------------------------------------------------------------------------ site inputs


def test_strip_inputs_boundary_and_absolute():
    lat = SpinLattice("square", 10, 3, periodic_x=False)
    X = strip_inputs(lat, 0.25, "boundary", 3)
    assert X.shape == (30, n_site_inputs("boundary", 3)) == (30, 7)
    x = lat.coords[:, 0]
    for i in range(30):
        onehot = np.zeros(6)
        if x[i] < 3:
            onehot[x[i]] = 1
        if 9 - x[i] < 3:
            onehot[3 + 9 - x[i]] = 1
        np.testing.assert_array_equal(X[i, :6], onehot)
    np.testing.assert_array_equal(X[:, 6], 0.25)
    # interior columns of a short and a long strip see identical inputs (transferable encoding)
    Xl = strip_inputs(SpinLattice("square", 40, 3, periodic_x=False), 0.25, "boundary", 3)
    np.testing.assert_array_equal(np.unique(X[(x >= 3) & (x <= 6)], axis=0), np.unique(Xl[12:15], axis=0))
    A = strip_inputs(lat, -0.5, "absolute")
    np.testing.assert_allclose(A[:, 0], x / 9.0)
    np.testing.assert_array_equal(A[:, 1], -0.5)
    assert strip_inputs(lat, 1.0, None).shape == (30, 0)
    assert strip_inputs(SpinLattice("square", 4), 0.1, "bias").shape == (16, 1)
    with pytest.raises(ParameterError, match="open x edges"):
        strip_inputs(SpinLattice("square", 4), 0.1, "boundary")
    with pytest.raises(ParameterError, match="encoding"):
        n_site_inputs("nope")


# ------------------------------------------------------------------------------- field form, toy


def test_two_potential_field_numpy_torch_and_transverse(rng):
    S = _unit(rng.normal(size=(20, 3)))
    FA, FB = rng.normal(size=(2, 20, 3))
    H = two_potential_field(FA, FB, S)
    FBp = FB - (FB * S).sum(-1, keepdims=True) * S
    np.testing.assert_allclose(H, np.cross(S, FA) - FBp, atol=1e-13)
    np.testing.assert_allclose((H * S).sum(-1), 0, atol=1e-13)
    Ht = two_potential_field(*(torch.as_tensor(a) for a in (FA, FB, S)))
    np.testing.assert_allclose(Ht.numpy(), H, atol=1e-14)


@pytest.mark.parametrize("profile", [None, lambda x: 1.0 + 0.5 * np.cos(x)])
def test_toy_field_is_exact_two_potential_field(profile, rng):
    lat = SpinLattice("square", 6, 4, periodic_x=False)
    S = _unit(rng.normal(size=(24, 3)))
    t = toy_driven_field(lat, S, J1=0.7, a_J=0.4, profile=profile)
    np.testing.assert_allclose(t["field"], two_potential_field(t["F_A"], t["F_B"], S), atol=1e-13)
    np.testing.assert_allclose(t["eps_A"].sum(), t["E_A"], atol=1e-12)
    np.testing.assert_allclose(t["eps_B"].sum(), t["E_B"], atol=1e-12)
    # F^X = −∂E^X/∂S by finite differences of the returned potentials
    h = 1e-6
    for i in (0, 7, 23):
        for a in range(3):
            Sp, Sm = S.copy(), S.copy()
            Sp[i, a] += h
            Sm[i, a] -= h
            tp, tm = toy_driven_field(lat, Sp, 0.7, 0.4, profile), toy_driven_field(lat, Sm, 0.7, 0.4, profile)
            np.testing.assert_allclose(-(tp["E_A"] - tm["E_A"]) / (2 * h), t["F_A"][i, a], atol=1e-8)
            np.testing.assert_allclose(-(tp["E_B"] - tm["E_B"]) / (2 * h), t["F_B"][i, a], atol=1e-8)
    if profile is None:  # p_i = a_J (S_{i-x} + S_{i+x}) in the interior, one neighbour at the edges
        i = 2 + 6 * 1
        np.testing.assert_allclose(t["F_A"][i], 0.4 * (S[i - 1] + S[i + 1]), atol=1e-14)
        np.testing.assert_allclose(t["F_A"][6], 0.4 * S[7], atol=1e-14)
    # the torque part is nonconservative: its circulation around a closed loop of one spin is nonzero
    assert np.abs(t["torque_part"]).max() > 0.05


# ------------------------------------------------------------------------------------------ fits


@pytest.fixture(scope="module")
def toy_fits(tmp_path_factory):
    """Toy data on a 12×8 strip, a two-potential fit (two seeds) and a one-potential (gradient) fit."""
    torch.set_num_threads(1)
    tmp = tmp_path_factory.mktemp("toy")
    rng = np.random.default_rng(11)
    lat = SpinLattice("square", 12, 8, periodic_x=False)
    S = _configs(rng, 120, lat.n_sites)
    H = np.array([toy_driven_field(lat, s, J1, A_J)["field"] for s in S])
    path = save_spin_dataset(tmp / "toy.h5", lat, S, H, bias=0.3, source="toy", run=np.arange(len(S)))
    common = dict(data=[str(path)], descriptor=DESC, hidden=[16], activation="silu", batch_size=1,
                  lr=2e-2, lr_decay=0.85, device="cpu", val_fraction=0.1)
    fits = {}
    for name, seed, form, n_out, epochs in (
        ("a", 0, "two-potential", 2, 16),
        ("b", 1, "two-potential", 2, 16),
        ("grad", 0, "gradient", 1, 4),  # a gradient model reaches its (large) error plateau at once
    ):
        cfg = TrainConfig(out=str(tmp / name), seed=seed, field_form=form, n_outputs=n_out, site_inputs=SITE,
                          epochs=epochs, **common)
        fits[name] = train(cfg, progress=False)
    test_S = _configs(np.random.default_rng(99), 20, lat.n_sites)
    return {"lat": lat, "fits": fits, "test_S": test_S, "tmp": tmp}


def _parts(ff, lat, S, bias=0.3):
    idx = ff.descriptor.index_tensors(lat)
    extra = torch.as_tensor(strip_inputs(lat, bias, **ff.site_inputs))
    St = torch.as_tensor(S)
    E, F = ff.forces(St, idx, extra)
    FA, FB = F[0].numpy(), F[1].numpy()
    torque = np.cross(S, FA)
    cons = -(FB - (FB * S).sum(-1, keepdims=True) * S)
    eps = ff.site_energies(St, idx, extra).detach().numpy()
    return torque, cons, eps


def test_two_potential_fit_recovers_total_field_and_each_part(toy_fits):
    lat, S_test = toy_fits["lat"], toy_fits["test_S"]
    ff = toy_fits["fits"]["a"]["model"]
    assert ff.field_form == "two-potential"
    calc = MLCalculator(ff, lattice=lat, bias=0.3)
    tot, tq, cs = [], [], []
    for S in S_test:
        t = toy_driven_field(lat, S, J1, A_J)
        E, H = calc.energy_and_field(S)
        assert np.isnan(E)
        np.testing.assert_allclose((H * S).sum(-1), 0, atol=1e-12)
        torque, cons, _ = _parts(ff, lat, S)
        tot.append((H, t["field"]))
        tq.append((torque, t["torque_part"]))
        cs.append((cons, t["conservative_part"]))
    errs = [_rel(np.array([p for p, _ in x]), np.array([q for _, q in x])) for x in (tot, tq, cs)]
    assert max(errs) < 0.01, errs  # issue check: toy torque recovered within 1 %
    held = toy_fits["fits"]["a"]["metrics"]["held_out"]
    assert held["relative_field_rmse"] < 0.01


def test_gradient_model_cannot_fit_the_nonconservative_part(toy_fits):
    """S×F_A is divergence-free on (S²)^N, L2-orthogonal to every gradient field: a one-potential model
    misses it entirely (its error is about the size of that part)."""
    lat, S_test = toy_fits["lat"], toy_fits["test_S"]
    ff = toy_fits["fits"]["grad"]["model"]
    calc = MLCalculator(ff, lattice=lat, bias=0.3, transverse=True)
    pred = np.array([calc.energy_and_field(S)[1] for S in S_test])
    toys = [toy_driven_field(lat, S, J1, A_J) for S in S_test]
    true = np.array([t["field"] for t in toys])
    torque = np.array([t["torque_part"] for t in toys])
    cons = np.array([t["conservative_part"] for t in toys])
    err = np.sqrt(((pred - true) ** 2).sum(-1).mean())
    size = np.sqrt((torque**2).sum(-1).mean())
    assert 0.8 * size < err < 1.2 * size
    assert _rel(pred, cons) < 0.25  # what it does learn is (close to) the conservative part


def test_gauge_parts_unique_site_energies_not(toy_fits):
    lat, S_test = toy_fits["lat"], toy_fits["test_S"]
    fa, fb = toy_fits["fits"]["a"]["model"], toy_fits["fits"]["b"]["model"]
    S = S_test[:5]
    ta, ca, ea = zip(*[_parts(fa, lat, s) for s in S])
    tb, cb, eb = zip(*[_parts(fb, lat, s) for s in S])
    assert _rel(np.array(ta), np.array(tb)) < 0.02
    assert _rel(np.array(ca), np.array(cb)) < 0.02
    ea, eb = np.array(ea), np.array(eb)
    d = ea - eb  # (configs, N, 2)
    rms = np.sqrt((ea**2).mean())
    assert np.sqrt((d**2).mean()) / rms > 0.05  # the site energies differ (gauge), the fields do not
    # ... and the difference is the gauge freedom of this model: a constant per column c_X(x)
    # (Σ_i c(x_i) is configuration independent), the same constant in all interior columns
    x = lat.coords[:, 0]
    col = np.array([[d[:, x == c, k].mean() for k in range(2)] for c in range(lat.L)])  # (Lx, 2)
    resid = d - col[x][None]
    assert np.sqrt((resid**2).mean()) < 0.02 * rms
    interior = col[SITE["n_boundary"] : lat.L - SITE["n_boundary"]]
    assert np.abs(interior - interior.mean(0)).max() < 0.02 * rms


def test_saved_model_transfers_to_longer_strip_and_new_bias_input(toy_fits):
    """model.pt reloads as a two-potential model with its site inputs; the boundary encoding lets it run
    on a 30-column strip (the toy's split is the same there)."""
    path = toy_fits["fits"]["a"]["out"] / "model.pt"
    ff = SpinForceField.load(path)
    assert ff.field_form == "two-potential" and ff.site_inputs == SITE
    long = SpinLattice("square", 30, 8, periodic_x=False)
    calc = MLCalculator(str(path), lattice=long, bias=0.3)
    rng = np.random.default_rng(5)
    S = _configs(rng, 4, long.n_sites)
    pred = np.array([calc.energy_and_field(s)[1] for s in S])
    true = np.array([toy_driven_field(long, s, J1, A_J)["field"] for s in S])
    assert _rel(pred, true) < 0.015
    # explicit extra inputs give the same field
    X = strip_inputs(long, 0.3, **SITE)
    calc2 = MLCalculator(ff, lattice=long, extra=X)
    np.testing.assert_allclose(calc2.energy_and_field(S[0])[1], pred[0], atol=1e-12)
    with pytest.raises(ParameterError, match="extra must have shape"):
        MLCalculator(ff, lattice=long, extra=X[:10])


# ------------------------------------------------------------------------------ persistence, data


def test_old_model_files_load_as_gradient():
    ff = SpinForceField.create("square", DESC, hidden=(4,), seed=0)
    st = ff.state()
    st.pop("field_form")
    st.pop("site_inputs")
    ff2 = SpinForceField.from_state(st)
    assert ff2.field_form == "gradient" and ff2.site_inputs is None
    with pytest.raises(ParameterError, match="n_outputs = 2"):
        SpinForceField.create("square", DESC, hidden=(4,), n_outputs=1, field_form="two-potential")
    with pytest.raises(ParameterError, match="n_outputs = 2"):
        TrainConfig(data=["x"], field_form="two-potential", n_outputs=1).validate()


def test_save_spin_dataset_round_trip(tmp_path, rng):
    lat = SpinLattice("square", 6, 9, periodic_x=False)
    S = _unit(rng.normal(size=(4, 54, 3)))
    H = rng.normal(size=(4, 54, 3))
    p = save_spin_dataset(tmp_path / "d.h5", lat, S, H, bias=np.array([0.0, 0.1, 0.2, 0.3]), source="negf",
                          run=np.array([0, 0, 1, 1]), step=np.arange(4), inputs={"note": "test"})
    ds = load_dataset(p)
    assert ds.periodic_x is False and not ds.lattice().periodic_x and ds.lattice().L == 6
    np.testing.assert_array_equal(ds.bias, [0.0, 0.1, 0.2, 0.3])
    assert np.all(np.isnan(ds.energies)) and list(ds.source) == ["negf"] * 4
    np.testing.assert_array_equal(ds.spins, S)
    sub = ds.subset([1, 3])
    np.testing.assert_array_equal(sub.bias, [0.1, 0.3])
    p2 = save_spin_dataset(tmp_path / "e.h5", SpinLattice("square", 5), S[:, :25], H[:, :25], energies=np.ones(4))
    ds2 = load_dataset(p2)
    assert ds2.periodic_x and np.all(ds2.bias == 0) and np.all(ds2.energies == 1)
    with pytest.raises(ParameterError, match="bias"):
        save_spin_dataset(tmp_path / "f.h5", lat, S, H, bias=np.ones(3))


def test_two_potential_training_resume_matches_uninterrupted(tmp_path, rng):
    lat = SpinLattice("square", 8, 4, periodic_x=False)
    S = _unit(rng.normal(size=(12, 32, 3)))
    H = np.array([toy_driven_field(lat, s)["field"] for s in S])
    p = save_spin_dataset(tmp_path / "d.h5", lat, S, H, bias=np.linspace(0, 0.5, 12), run=np.arange(12) // 3)
    base = dict(data=[str(p)], descriptor=DESC, hidden=[4], n_outputs=2, field_form="two-potential",
                site_inputs={"encoding": "absolute"}, batch_size=2, device="cpu")
    full = train(TrainConfig(out=str(tmp_path / "full"), epochs=3, **base), progress=False)
    train(TrainConfig(out=str(tmp_path / "part"), epochs=2, **base), progress=False)
    res = train(TrainConfig(out=str(tmp_path / "part"), epochs=3, **base), resume=True, progress=False)
    assert [h["train_loss"] for h in res["history"]] == [h["train_loss"] for h in full["history"]]
    # whole runs (groups of 3) are held out together
    assert full["metrics"]["n_val_configs"] % 3 == 0 and full["metrics"]["n_val_configs"] > 0


# ------------------------------------------------------------------------------------ slow checks


def _fit_and_test(tmp, lat, profile, site_inputs, descriptor, epochs=16, n=120, seed=0, hidden=(16,)):
    rng = np.random.default_rng(21)
    S = _configs(rng, n, lat.n_sites)
    H = np.array([toy_driven_field(lat, s, J1, A_J, profile)["field"] for s in S])
    path = save_spin_dataset(tmp / "d.h5", lat, S, H, bias=0.3, run=np.arange(n))
    res = train(TrainConfig(data=[str(path)], out=str(tmp / "run"), descriptor=descriptor, hidden=list(hidden), activation="silu",
                            batch_size=1, lr=2e-2, lr_decay=0.85, epochs=epochs, device="cpu", val_fraction=0.1,
                            n_outputs=2, field_form="two-potential", site_inputs=site_inputs, seed=seed), progress=False)
    calc = MLCalculator(res["model"], lattice=lat, bias=0.3)
    St = _configs(np.random.default_rng(7), 10, lat.n_sites)
    toys = [toy_driven_field(lat, s, J1, A_J, profile) for s in St]
    pred = np.array([calc.energy_and_field(s)[1] for s in St])
    torque = np.array([_parts(res["model"], lat, s)[0] for s in St])
    return _rel(pred, np.array([t["field"] for t in toys])), _rel(torque, np.array([t["torque_part"] for t in toys]))


@pytest.mark.slow
def test_position_dependent_spin_transfer_with_absolute_inputs(tmp_path):
    """a_J(x) varying across the strip is learned from the x/(Lx−1) input (the paper's position input)."""
    lat = SpinLattice("square", 12, 8, periodic_x=False)
    tot, torque = _fit_and_test(tmp_path, lat, lambda x: 1.0 + 0.5 * np.cos(np.pi * x / 11), {"encoding": "absolute"}, DESC,
                                epochs=30, hidden=(32, 16))
    # measured 1.6 % / 2.5 %: the network has to learn a product of the x input and the bond features
    assert tot < 0.03 and torque < 0.05, (tot, torque)


@pytest.mark.slow
def test_full_d4_descriptor_cannot_represent_spin_transfer_along_the_bias(tmp_path):
    """With the fully D4-invariant descriptor the x-directional torque is not representable in the strip
    interior (a 90°-rotated environment gives the same inputs): the torque part is missed by a lot.
    This is why bias-driven strips need ``symmetry="D2"`` (or ``"Cs"``) descriptors."""
    lat = SpinLattice("square", 12, 8, periodic_x=False)
    full = {k: v for k, v in DESC.items() if k != "symmetry"}
    with pytest.warns(UserWarning, match="D2"):
        tot, torque = _fit_and_test(tmp_path, lat, None, SITE, full, epochs=8)
    assert torque > 0.2, torque  # measured 66 % (total field 39 %)


# ------------------------------------------------------------------------------------ local potential input


def _wall(lat, x0, tilt, rng):
    from altermag.dynamics.driven import wall_spins

    return wall_spins(lat, x0, tilt=tilt, seed=int(rng.integers(1 << 30)))


def test_local_potential_limits_and_symmetries(rng):
    from altermag.dynamics.two_potential import local_potential

    lat = SpinLattice("square", 12, 6, periodic_x=False)
    x = lat.coords[:, 0]
    V = 0.8
    fm = np.tile([0.0, 0.0, 1.0], (lat.n_sites, 1))
    phi = local_potential(fm, lat, V)
    cols = np.array([phi[x == c][0] for c in range(12)])
    # uniform ferromagnet: 2 contacts + 11 links, all of resistance 1/Ly -> a linear drop in 13 equal steps
    np.testing.assert_allclose(np.diff(cols), -V / 13, atol=1e-12)
    np.testing.assert_allclose(cols + cols[::-1], 0.0, atol=1e-12)
    # AF (x < 6) | FM: the insulating AF takes the drop, the FM sits at the right lead's potential
    s = _wall(lat, 5.5, 0.05, rng)
    phi = local_potential(s, lat, V)
    assert np.all(np.abs(phi[x >= 6] + V / 2) < 0.01 * V) and phi[x == 0].min() > 0.3 * V
    assert np.all(np.abs(phi) <= V / 2 + 1e-12)
    # global spin rotation: unchanged; mirror x -> Lx-1-x with V -> -V: mirrored profile
    from altermag.dynamics.descriptors import random_rotation

    R = random_rotation(rng)
    np.testing.assert_allclose(local_potential(s @ R.T, lat, V), phi, atol=1e-12)
    mirror = (11 - x) + 12 * lat.coords[:, 1]  # site index of the mirror image (index = x + Lx·y)
    pm = local_potential(s[mirror], lat, -V)
    np.testing.assert_allclose(pm, phi[mirror], atol=1e-12)
    with pytest.raises(ParameterError, match="open x"):
        local_potential(fm[:36], SpinLattice("square", 6), V)
    with pytest.raises(ParameterError, match="spins"):
        strip_inputs(lat, V, "boundary", 3, potential=True)


def test_potential_site_inputs_follow_the_configuration(tmp_path, rng):
    """Training data and the calculator build the potential column from each configuration's own spins."""
    from altermag.dynamics.training import TrainingData

    lat = SpinLattice("square", 8, 4, periodic_x=False)
    si = {"encoding": "boundary", "n_boundary": 2, "potential": True}
    assert n_site_inputs(**si) == 6
    S = np.array([_wall(lat, x0, 0.1, rng) for x0 in (2.5, 5.5, 3.5, 6.5)])
    H = np.array([toy_driven_field(lat, s)["field"] for s in S])
    p = save_spin_dataset(tmp_path / "d.h5", lat, S, H, bias=np.array([0.5, 0.5, -1.0, 0.0]))
    cfg = TrainConfig(data=[str(p)], out=str(tmp_path / "r"), descriptor=DESC, hidden=[4], n_outputs=2,
                      field_form="two-potential", site_inputs=si, epochs=1, batch_size=2, device="cpu", val_fraction=0)
    ff = SpinForceField.create("square", DESC, hidden=(4,), n_outputs=2, field_form="two-potential", site_inputs=si)
    data = TrainingData(cfg, ff, torch.device("cpu"))
    for c, V in enumerate([0.5, 0.5, -1.0, 0.0]):
        np.testing.assert_allclose(data.extra(0, c).numpy(), strip_inputs(lat, V, spins=S[c], **si), atol=1e-14)
    assert not np.allclose(data.extra(0, 0).numpy(), data.extra(0, 1).numpy())  # same V, walls elsewhere
    res = train(cfg, progress=False)
    calc = MLCalculator(res["model"], lattice=lat, bias=0.5)
    Hc = calc.energy_and_field(S[1])[1]
    extra = torch.as_tensor(strip_inputs(lat, 0.5, spins=S[1], **si))
    ref = res["model"].model_field(torch.as_tensor(S[1]), res["model"].descriptor.index_tensors(lat), extra)[1]
    np.testing.assert_allclose(Hc, ref.detach().numpy(), atol=1e-12)


def test_potential_input_captures_a_nonlocal_spin_transfer(tmp_path):
    """A spin-transfer coefficient set by the wall position far away (a_J ∝ the local potential) is learned with
    the potential input and missed without it (a cutoff-1 descriptor cannot see the wall)."""
    from altermag.dynamics.two_potential import local_potential

    lat = SpinLattice("square", 12, 4, periodic_x=False)
    V = 1.0
    x = lat.coords[:, 0]

    def data(n, seed):
        r = np.random.default_rng(seed)
        S = np.array([_wall(lat, r.uniform(1.5, 10.5), r.uniform(0.2, 0.6), r) for _ in range(n)])
        prof = [np.array([local_potential(s, lat, V)[x == c][0] for c in range(12)]) + 0.5 for s in S]
        return S, np.array([toy_driven_field(lat, s, J1, A_J, f)["field"] for s, f in zip(S, prof)])

    S, H = data(100, 1)
    St, Ht = data(12, 2)
    p = save_spin_dataset(tmp_path / "d.h5", lat, S, H, bias=V)
    errs = {}
    for name, si in (("local", {"encoding": "boundary", "n_boundary": 2}),
                     ("potential", {"encoding": "boundary", "n_boundary": 2, "potential": True})):
        res = train(TrainConfig(data=[str(p)], out=str(tmp_path / name), descriptor=DESC, hidden=[16, 16], batch_size=2,
                                lr=1e-2, lr_decay=0.9, epochs=25, device="cpu", val_fraction=0.1, n_outputs=2,
                                field_form="two-potential", site_inputs=si, seed=0), progress=False)
        calc = MLCalculator(res["model"], lattice=lat, bias=V)
        errs[name] = _rel(np.array([calc.energy_and_field(s)[1] for s in St]), Ht)
    print(errs)
    assert errs["potential"] < 0.5 * errs["local"], errs
