"""Descriptors on strips with open x edges (ghost padding) and the reduced-symmetry descriptors (issue 8)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from altermag.core.errors import ParameterError
from altermag.dynamics.descriptors import MagneticDescriptor, point_group, random_rotation, site_permutation
from altermag.dynamics.lattice import SpinLattice
from altermag.dynamics.network import SpinForceField

SMALL = {"cutoff": 2.0, "bond_cutoff": 1.5, "chirality_cutoff": 1.5}


def _spins(rng, n):
    S = rng.normal(size=(n, 3))
    return S / np.linalg.norm(S, axis=1, keepdims=True)


def _env(lat, d, S):
    """Environments (N, M, 3) built independently from the lattice's own neighbour lookup (zero spin off an edge)."""
    nb = lat.neighbors_at(d.offsets)
    Sg = np.vstack([S, np.zeros((1, 3))])
    return torch.as_tensor(Sg[nb])  # -1 -> the appended zero row


@pytest.mark.parametrize("kind", ["square", "triangular"])
def test_strip_descriptor_equals_zero_padded_environment(kind, rng):
    """The fast table path on a strip equals the lattice-free path on environments padded with zero spins."""
    d = MagneticDescriptor(kind, **SMALL)
    lat = SpinLattice(kind, 9, 8, periodic_x=False)
    S = _spins(rng, lat.n_sites)
    idx = d.index_tensors(lat)
    assert idx["ghost"] and int(idx["neighbors"].max()) == lat.n_sites
    G = d(torch.as_tensor(S), idx)
    G_env = d.from_environment(_env(lat, d, S))
    assert G.shape == (lat.n_sites, d.n_features)
    np.testing.assert_allclose(G.numpy(), G_env.numpy(), atol=1e-12)


@pytest.mark.parametrize("kind", ["square", "triangular"])
def test_strip_descriptor_so3_invariant(kind, rng):
    d = MagneticDescriptor(kind, **SMALL)
    lat = SpinLattice(kind, 8, 8, periodic_x=False)
    idx = d.index_tensors(lat)
    S = _spins(rng, lat.n_sites)
    R = random_rotation(rng)
    G = d(torch.as_tensor(S), idx)
    G2 = d(torch.as_tensor(S @ R.T), idx)
    np.testing.assert_allclose(G.numpy(), G2.numpy(), atol=1e-11)


def test_strip_mirrors_map_descriptors(rng):
    """y -> −y (periodic direction) and the x-mirror of the whole strip (x -> Lx−1−x) permute the descriptors."""
    d = MagneticDescriptor("square", **SMALL)
    Lx, Ly = 9, 8
    lat = SpinLattice("square", Lx, Ly, periodic_x=False)
    idx = d.index_tensors(lat)
    S = _spins(rng, lat.n_sites)
    G = d(torch.as_tensor(S), idx).numpy()
    x, y = lat.coords[:, 0], lat.coords[:, 1]
    for p in (lat.site_index(x, -y), lat.site_index(Lx - 1 - x, y), lat.site_index(Lx - 1 - x, -y)):
        S2 = np.empty_like(S)
        S2[p] = S
        G2 = d(torch.as_tensor(S2), idx).numpy()
        np.testing.assert_allclose(G2[p], G, atol=1e-11)
    # a mirror that is not a symmetry of the configuration does change the descriptors (test can fail)
    p = lat.site_index(Lx - 1 - x, y)
    S2 = np.empty_like(S)
    S2[p] = S
    assert np.abs(d(torch.as_tensor(S2), idx).numpy() - G).max() > 1e-3


@pytest.mark.parametrize("kind", ["square", "triangular"])
def test_bulk_sites_match_periodic_lattice_and_edges_differ(kind, rng):
    d = MagneticDescriptor(kind, cutoff=3.0, bond_cutoff=1.5, chirality_cutoff=2.0)
    Lx, Ly = 12, 10
    strip = SpinLattice(kind, Lx, Ly, periodic_x=False)
    per = SpinLattice(kind, Lx, Ly)
    S = torch.as_tensor(_spins(rng, strip.n_sites))
    Go = d(S, d.index_tensors(strip)).numpy()
    Gp = d(S, d.index_tensors(per)).numpy()
    x = strip.coords[:, 0]
    reach = 3  # largest |x offset| of any site used by the descriptor (cutoff 3)
    assert np.abs(d.offsets[:, 0]).max() >= reach
    bulk = (x >= reach) & (x <= Lx - 1 - reach)
    assert bulk.sum() > 0
    np.testing.assert_array_equal(Go[bulk], Gp[bulk])
    for edge in (0, Lx - 1):
        sel = x == edge
        assert np.all(np.abs(Go[sel] - Gp[sel]).max(1) > 1e-3)


def test_strip_field_autograd_matches_finite_difference_and_chunks(rng):
    torch.manual_seed(0)
    ff = SpinForceField.create("square", SMALL, hidden=(8,), n_outputs=2, n_extra_inputs=1, seed=3)
    lat = SpinLattice("square", 7, 8, periodic_x=False)
    idx = ff.descriptor.index_tensors(lat)
    S = torch.as_tensor(_spins(rng, lat.n_sites))
    extra = torch.as_tensor(lat.coords[:, :1] / 6.0)
    E, F = ff.forces(S, idx, extra)
    E2, F2 = ff.forces(S, idx, extra, chunk=5)
    E3, F3 = ff.forces(S, idx, extra, create_graph=True)
    np.testing.assert_allclose(F2.numpy(), F.numpy(), atol=1e-12)
    np.testing.assert_allclose(F3.detach().numpy(), F.numpy(), atol=1e-12)
    np.testing.assert_allclose(E2.numpy(), E.numpy(), atol=1e-11)

    def energy(Sx):
        return ff.site_energies(Sx, idx, extra).sum(0).detach().numpy()

    h = 1e-6
    for i in (0, 6, 24, lat.n_sites - 1):  # both edges and the interior
        for a in range(3):
            Sp, Sm = S.clone(), S.clone()
            Sp[i, a] += h
            Sm[i, a] -= h
            fd = -(energy(Sp) - energy(Sm)) / (2 * h)
            np.testing.assert_allclose(F[:, i, a].numpy(), fd, atol=1e-7)


def test_periodic_index_has_no_ghost_and_matches_environment(rng):
    d = MagneticDescriptor("triangular", **SMALL)
    lat = SpinLattice("triangular", 8)
    idx = d.index_tensors(lat)
    assert "ghost" not in idx and int(idx["neighbors"].max()) < lat.n_sites
    S = _spins(rng, lat.n_sites)
    np.testing.assert_allclose(
        d(torch.as_tensor(S), idx).numpy(), d.from_environment(_env(lat, d, S)).numpy(), atol=1e-12
    )


def test_narrow_strip_is_rejected():
    d = MagneticDescriptor("square")  # radius 4: needs Ly >= 9
    with pytest.raises(ParameterError, match="wraps onto itself"):
        d.index_tensors(SpinLattice("square", 12, 8, periodic_x=False))
    d.index_tensors(SpinLattice("square", 12, 9, periodic_x=False))
    with pytest.raises(ParameterError, match="periodic"):
        site_permutation(SpinLattice("square", 12, 9, periodic_x=False), "square", 1)


@pytest.mark.parametrize("symmetry", ["D2", "Cs"])
def test_reduced_symmetry_descriptor(symmetry, rng):
    """D2/Cs descriptors are invariant under their subgroup only (not under the 90° rotation)."""
    d = MagneticDescriptor("square", symmetry=symmetry, **SMALL)
    assert d.config()["symmetry"] == symmetry
    full_mats, _ = point_group("square")
    sub_mats, _ = point_group("square", symmetry)
    lat = SpinLattice("square", 8)
    idx = d.index_tensors(lat)
    S = _spins(rng, lat.n_sites)
    G = d(torch.as_tensor(S), idx).numpy()
    for op, g in enumerate(full_mats):
        p = site_permutation(lat, "square", op, centre=0)
        S2 = np.empty_like(S)
        S2[p] = S
        G2 = d(torch.as_tensor(S2), idx).numpy()[p]
        in_sub = any(np.allclose(g, h) for h in sub_mats)
        if in_sub:
            np.testing.assert_allclose(G2, G, atol=1e-11)
        else:
            assert np.abs(G2 - G).max() > 1e-3
    # the default descriptor records no symmetry key (fingerprints of existing models unchanged)
    assert "symmetry" not in MagneticDescriptor("square", **SMALL).config()


@pytest.mark.parametrize("periodic", [True, False])
def test_stacked_index_gives_each_configuration_its_own_descriptors_and_fields(periodic, rng):
    """B configurations stacked along the site axis: descriptors and autograd fields equal the one-by-one values
    (no copy sees another copy's spins or the other side of the strip through the shared ghost)."""
    d = MagneticDescriptor("square", **SMALL)
    lat = SpinLattice("square", 9, 8, periodic_x=periodic)
    idx = d.index_tensors(lat)
    B = 3
    S = [torch.as_tensor(_spins(rng, lat.n_sites)) for _ in range(B)]
    st = MagneticDescriptor.stack_index(idx, B)
    assert st["n_sites"] == B * lat.n_sites and bool(st.get("ghost")) == (not periodic)
    G = d(torch.cat(S), st)
    for b in range(B):
        np.testing.assert_allclose(G[b * lat.n_sites:(b + 1) * lat.n_sites].numpy(), d(S[b], idx).numpy(), atol=1e-13)
    ff = SpinForceField.create("square", SMALL, hidden=(8,), n_outputs=2, seed=1)
    d = ff.descriptor
    _, F = ff.forces(torch.cat(S), st, create_graph=True)
    for b in range(B):
        _, Fb = ff.forces(S[b], idx, create_graph=True)
        np.testing.assert_allclose(F[:, b * lat.n_sites:(b + 1) * lat.n_sites].detach().numpy(), Fb.detach().numpy(),
                                   atol=1e-12)
    with pytest.raises(ParameterError, match="copies"):
        MagneticDescriptor.stack_index(idx, 0)
