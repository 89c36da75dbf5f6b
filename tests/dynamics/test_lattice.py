"""Lattice geometry: shells, neighbour ordering, point-group permutations, triangles, open boundaries."""

import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.dynamics.lattice import SpinLattice


@pytest.mark.parametrize("kind,counts,dists", [
    ("square", [4, 4, 4, 8], [1, np.sqrt(2), 2, np.sqrt(5)]),
    ("triangular", [6, 6, 6, 12], [1, np.sqrt(3), 2, np.sqrt(7)]),
])
def test_shells(kind, counts, dists):
    lat = SpinLattice(kind, 8)
    assert np.allclose(lat.shell_distances[1:5], dists)
    for s, c in enumerate(counts, start=1):
        nb = lat.neighbors(s)
        assert nb.shape == (lat.n_sites, c)
        d = lat.displacements(np.arange(lat.n_sites)[:, None], nb)
        assert np.allclose(np.linalg.norm(d, axis=-1), dists[s - 1])
        # same bond direction in column k for every site, counter-clockwise order
        assert np.allclose(d, (lat.offsets(s) @ lat.a)[None])
        ang = np.mod(np.arctan2(d[0, :, 1], d[0, :, 0]), 2 * np.pi)
        assert np.all(np.diff(ang) > 0)


@pytest.mark.parametrize("kind", ["square", "triangular"])
def test_neighbours_symmetric(kind):
    lat = SpinLattice(kind, 7, 5)
    for s in (1, 2, 3):
        nb = lat.neighbors(s)
        pairs = {(i, j) for i in range(lat.n_sites) for j in nb[i]}
        assert all((j, i) in pairs for i, j in pairs)


@pytest.mark.parametrize("kind,G", [("square", 8), ("triangular", 12)])
def test_point_group_permutations(kind, G):
    lat = SpinLattice(kind, 6)
    ops = lat.point_group()
    assert ops.shape == (G, 2, 2)
    assert np.allclose(np.einsum("gij,gkj->gik", ops, ops), np.eye(2))
    # the group is closed
    for a in ops:
        for b in ops:
            assert np.min(np.abs(ops - a @ b).sum(axis=(1, 2))) < 1e-12
    c = 8
    perms = lat.site_permutations(center=c)
    ii, jj = np.triu_indices(lat.n_sites, 1)
    d0 = np.linalg.norm(lat.displacements(ii, jj), axis=-1)
    for g, p in enumerate(perms):
        assert len(set(p.tolist())) == lat.n_sites and p[c] == c
        # distances are preserved, and the displacement from the centre is rotated by the Cartesian matrix
        assert np.allclose(np.linalg.norm(lat.displacements(p[ii], p[jj]), axis=-1), d0)
        rel = lat.displacements(np.full(lat.n_sites, c), np.arange(lat.n_sites))
        relg = lat.displacements(np.full(lat.n_sites, c), p)
        near = np.linalg.norm(rel, axis=1) < 2.5
        assert np.allclose(relg[near], rel[near] @ ops[g].T)


def test_site_permutations_need_square_cell():
    with pytest.raises(ParameterError):
        SpinLattice("square", 4, 6).site_permutations()


@pytest.mark.parametrize("kind", ["square", "triangular"])
def test_triangles_counter_clockwise(kind):
    lat = SpinLattice(kind, 6)
    tri = lat.triangles()
    assert tri.shape == (2 * lat.n_sites, 3)
    a = lat.displacements(tri[:, 0], tri[:, 1])
    b = lat.displacements(tri[:, 0], tri[:, 2])
    assert np.all(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0] > 0)


def test_open_boundary_in_x():
    lat = SpinLattice("square", 5, 4, periodic_x=False)
    nb = lat.neighbors(1)
    x = lat.coords[:, 0]
    assert np.all(nb[x == 0, 2] == -1) and np.all(nb[x == 4, 0] == -1)
    assert np.all(nb[(x > 0) & (x < 4)] >= 0)
    assert len(lat.bonds(1)) == 4 * 4 + 5 * 4  # (L-1)·Ly along x + L·Ly along y


def test_bad_parameters():
    with pytest.raises(ParameterError):
        SpinLattice("hexagonal", 4)
    with pytest.raises(ParameterError):
        SpinLattice("square", 0)
