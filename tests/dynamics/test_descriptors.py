"""Magnetic descriptors: group theory, SO(3)/point-group invariance, translation equivariance (spec §4.5)."""

import numpy as np
import pytest
import torch

from altermag.core.errors import ParameterError
from altermag.dynamics.descriptors import (
    CHARACTER_TABLES,
    MagneticDescriptor,
    irreps,
    point_group,
    random_rotation,
    site_permutation,
)
from altermag.dynamics.lattice import SpinLattice

KINDS = ["square", "triangular"]
SMALL = {"square": dict(cutoff=3.0, bond_cutoff=1.5, chirality_cutoff=1.5),
         "triangular": dict(cutoff=3.0, bond_cutoff=1.8, chirality_cutoff=1.5)}


def _spins(rng, n):
    S = rng.normal(size=(n, 3))
    return S / np.linalg.norm(S, axis=1, keepdims=True)


@pytest.fixture(scope="module", params=KINDS)
def setup(request):
    kind = request.param
    lat = SpinLattice(kind, 10)
    d = MagneticDescriptor(kind, **SMALL[kind]).bind(lat)
    return kind, lat, d


@pytest.mark.parametrize("kind", KINDS)
def test_irreps_are_representations_with_orthonormal_characters(kind):
    mats, _ = point_group(kind)
    G = len(mats)
    assert G == {"square": 8, "triangular": 12}[kind]
    # closure + homomorphism for every pair of operations
    table = np.array([[np.argmin([np.abs(a @ b - m).sum() for m in mats]) for b in mats] for a in mats])
    for a in range(G):
        for b in range(G):
            assert np.allclose(mats[a] @ mats[b], mats[table[a, b]])
    reps = irreps(kind)
    for D in reps.values():
        for a in range(G):
            for b in range(G):
                assert np.allclose(D[a] @ D[b], D[table[a, b]], atol=1e-12)
    chars = np.array(list(CHARACTER_TABLES[kind].values()))
    assert np.allclose(chars @ chars.T / G, np.eye(len(chars)), atol=1e-12)  # irreducible + inequivalent
    assert sum(D.shape[1] ** 2 for D in reps.values()) == G  # complete set (Burnside)


def test_generic_orbit_is_the_regular_representation():
    d = MagneticDescriptor("triangular", cutoff=3.0, bond_cutoff=0, chirality_cutoff=0)
    # centre bonds to the r = sqrt(7) shell: 12 sites in general position -> regular representation of D6
    orbit = [o for o in d.orbits if len(o.members) == 12]
    assert orbit
    from altermag.dynamics.descriptors import _decompose

    parts = _decompose(orbit[0].perms, irreps("triangular"))
    counts = {}
    for name, _ in parts:
        counts[name] = counts.get(name, 0) + 1
    assert counts == {"A1": 1, "A2": 1, "B1": 1, "B2": 1, "E1": 2, "E2": 2}
    # the nearest-neighbour shell (6 sites on mirror lines): A1 + (B1 or B2) + E1 + E2 (spec §4.3)
    six = [o for o in d.orbits if len(o.members) == 6 and o.radius == 1.0]
    names = sorted(n for n, _ in _decompose(six[0].perms, irreps("triangular")))
    assert names in (["A1", "B1", "E1", "E2"], ["A1", "B2", "E1", "E2"])


def test_global_so3_rotation_invariance(setup, rng):
    kind, lat, d = setup
    S = _spins(rng, lat.n_sites)
    G0 = d(torch.tensor(S))
    for _ in range(3):
        R = random_rotation(rng)
        G1 = d(torch.tensor(S @ R.T))
        assert torch.max(torch.abs(G1 - G0)) < 1e-12


def test_every_point_group_operation_about_a_centre(setup, rng):
    kind, lat, d = setup
    S = _spins(rng, lat.n_sites)
    G0 = d(torch.tensor(S))
    centre = 23
    n_ops = len(point_group(kind)[0])
    for op in range(n_ops):
        p = site_permutation(lat, kind, op, centre)
        assert p[centre] == centre
        S2 = np.empty_like(S)
        S2[p] = S
        G2 = d(torch.tensor(S2))
        assert torch.max(torch.abs(G2[centre] - G0[centre])) < 1e-12
        # equivariance of the whole field of descriptors: G'_{g(j)} = G_j
        assert torch.max(torch.abs(G2[p] - G0)) < 1e-12


def test_site_permutations_agree_with_the_lattice(setup):
    kind, lat, d = setup
    # the same operation built by the lattice object itself (independent code)
    if not hasattr(lat, "site_permutations"):
        pytest.skip("lattice has no site_permutations")
    mine = np.array([site_permutation(lat, kind, op, 0) for op in range(len(point_group(kind)[0]))])
    theirs = lat.site_permutations(center=0)
    assert sorted(map(tuple, mine)) == sorted(map(tuple, theirs))


def test_translation_equivariance(setup, rng):
    kind, lat, d = setup
    S = _spins(rng, lat.n_sites)
    G0 = d(torch.tensor(S))
    # translate the configuration by (dx, dy) lattice vectors: S'(r + a) = S(r)
    x, y = lat.coords[:, 0], lat.coords[:, 1]
    for dx, dy in [(1, 0), (0, 1), (3, 7)]:
        target = ((x + dx) % lat.L) * lat.Ly + (y + dy) % lat.Ly
        target = lat.site_index((x + dx) % lat.L, (y + dy) % lat.Ly)
        S2 = np.empty_like(S)
        S2[target] = S
        G2 = d(torch.tensor(S2))
        assert torch.max(torch.abs(G2[target] - G0)) < 1e-12


def test_tables_agree_with_direct_environment_evaluation(setup, rng):
    kind, lat, d = setup
    S = torch.tensor(_spins(rng, lat.n_sites))
    nb = d.index_tensors(lat)["neighbors"]
    assert torch.max(torch.abs(d(S) - d.from_environment(S[nb]))) < 1e-13


def test_time_reversal_parity_of_bonds_and_chiralities(setup, rng):
    kind, lat, d = setup
    S = torch.tensor(_spins(rng, lat.n_sites))
    P, C = d.site_tables(S)
    Pm, Cm = d.site_tables(-S)
    assert torch.allclose(P, Pm, atol=1e-14) and torch.allclose(C, -Cm, atol=1e-14)
    # chiralities are real pseudo-scalars: the descriptor must tell S from -S
    assert torch.max(torch.abs(d(S) - d(-S))) > 1e-3


def test_tetrahedral_state_both_chiralities():
    """A mirror maps one tetrahedral chirality onto the other, so D6-invariant descriptors (and any energy
    built on them) are identical for the two; the chirality itself is carried by A2 components."""
    lat = SpinLattice("triangular", 12)
    d = MagneticDescriptor("triangular", **SMALL["triangular"]).bind(lat)
    x, y = lat.coords[:, 0], lat.coords[:, 1]
    # S_r = (cos M1.r, cos M2.r, cos M3.r)/sqrt(3) with M points -> signs (-1)^x, (-1)^y, (-1)^(x+y)
    S = np.stack([(-1.0) ** x, (-1.0) ** y, (-1.0) ** (x + y)], axis=1) / np.sqrt(3)
    Gp = d(torch.tensor(S))
    Gm = d(torch.tensor(-S))  # the other chirality (time reversal)
    assert torch.max(torch.abs(Gp - Gp[0])) < 1e-12  # every site is equivalent
    assert torch.max(torch.abs(Gp - Gm)) < 1e-12
    P, C = d.site_tables(torch.tensor(S))
    assert torch.allclose(C.abs(), torch.full_like(C, 4 / (3 * np.sqrt(3))), atol=1e-12)  # |chi| = 0.7698
    # the uniform chirality lives in A2 (pseudo-scalar): its power spectrum is nonzero
    a2 = [k for k, n in enumerate(d.feature_names) if n.startswith("|A2")]
    assert a2 and torch.max(Gp[0, a2]) > 0.1


def test_descriptor_gradients_match_finite_differences(rng):
    lat = SpinLattice("triangular", 8)
    d = MagneticDescriptor("triangular", cutoff=2.0, bond_cutoff=1.0, chirality_cutoff=1.0).bind(lat)
    S0 = torch.tensor(_spins(rng, lat.n_sites))
    var = torch.tensor(S0[:12].numpy(), requires_grad=True)  # vary 12 spins (the others enter unchanged)
    w = torch.tensor(rng.normal(size=d.n_features))

    def f(v):
        return (d(torch.cat([v, S0[12:]]))[:12] * w).sum()

    assert torch.autograd.gradcheck(f, (var,), eps=1e-6, atol=1e-7)


def test_lattice_too_small_is_rejected():
    d = MagneticDescriptor("triangular", cutoff=4.0)
    with pytest.raises(ParameterError, match="too small"):
        d.index_tensors(SpinLattice("triangular", 6))
    with pytest.raises(ParameterError, match="lattice_kind"):
        MagneticDescriptor("hexagonal")


def test_fingerprint_is_reproducible_and_sensitive():
    a = MagneticDescriptor("triangular", cutoff=3.0)
    b = MagneticDescriptor("triangular", cutoff=3.0)
    c = MagneticDescriptor("triangular", cutoff=3.5)
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert a.n_features == len(a.feature_names)


def test_square_bond_set_matches_the_authors_double_exchange_descriptor():
    """Spec §4.2 (CONFIRMED-CODE): centre bonds within sqrt(26) plus all pairs within distance 3 of the centre
    give 466 bonds in 75 D4 orbits on the square lattice."""
    d = MagneticDescriptor("square", cutoff=np.sqrt(26), bond_cutoff=3.0, chirality_cutoff=0)
    assert d.n_bonds == 466
    assert len([o for o in d.orbits if o.kind == "bond"]) == 75
    assert len(d.offsets) - 1 == 112  # 15 distance shells up to sqrt(26), incl. the centre: 113 sites
