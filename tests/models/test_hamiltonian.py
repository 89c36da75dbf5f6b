"""TwoSublatticeModel: Hermiticity, time reversal, space-group covariance, closed forms, analytic derivatives,
gauge, frames, I/O. Checks are against independent constructions (Kronecker products written out here,
finite differences, numpy.linalg.eigh), never against numbers the code produced earlier."""

import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.models import TwoSublatticeModel, list_presets, preset
from altermag.models.hamiltonian import SymmetryError, harmonic_from_trig, spin_rotation
from altermag.models.presets import preset_terms

S0 = np.eye(2)
SX = np.array([[0, 1], [1, 0]], complex)
SY = np.array([[0, -1j], [1j, 0]])
SZ = np.diag([1.0, -1.0]).astype(complex)


def _random_model(name, rng, soc=True):
    m = preset(name)
    lam = {p: rng.normal() * 0.1 for p in m.params if p.startswith("lambda")} if soc else {}
    return m.with_params(J=rng.uniform(0.05, 0.5), neel=rng.normal(size=3), **lam)


def _random_k(rng, m, n=40):
    k = rng.uniform(-1, 1, (n, 3))
    if m.terms.dimension == 2:
        k[:, 2] = 0
    return k


def test_hamiltonian_matches_explicit_kronecker_form(rng):
    """H = ε₀τ0σ0 + t_x τxσ0 + t_z τzσ0 + τy λ·σ + J τz n̂·σ written out independently (basis A↑,A↓,B↑,B↓)."""
    m = _random_model("RuO2", rng)
    k = _random_k(rng, m, 10)
    c = m.coefficients(k)
    tx_, ty_, tz_ = SX, SY, SZ
    for cc, H in zip(c, m.hamiltonian(k)):
        lam_sigma = cc[3] * SX + cc[4] * SY + cc[5] * SZ
        ref = (cc[0] * np.kron(S0, S0) + cc[1] * np.kron(tx_, S0) + cc[2] * np.kron(tz_, S0)
               + np.kron(ty_, lam_sigma) + m.J * np.kron(tz_, m.neel[0] * SX + m.neel[1] * SY + m.neel[2] * SZ))
        assert np.abs(H - ref).max() < 1e-13


def test_ruo2_coefficients_equal_eq5_eq6(rng):
    """ε₀, t_x, t_z of the RuO2 preset evaluate to Eqs. (5)-(6) with the Table 5 numbers (spec §2.2)."""
    m = preset("RuO2", J=0.0)
    k = rng.uniform(-0.5, 0.5, (50, 3))
    kx, ky, kz = (2 * np.pi * k).T
    t1, t2, t3, t4, t5, t6, t7, t8, mu = -0.05, 0.7, 0.5, -0.15, -0.4, -0.6, 0.3, 1.7, 0.25
    eps = (t1 * (np.cos(kx) + np.cos(ky)) + t2 * np.cos(kz) + t3 * np.cos(kx) * np.cos(ky)
           + t4 * (np.cos(kx) + np.cos(ky)) * np.cos(kz) + t5 * np.cos(kx) * np.cos(ky) * np.cos(kz) - mu)
    tz = t6 * np.sin(kx) * np.sin(ky) + t7 * np.sin(kx) * np.sin(ky) * np.cos(kz)
    tx = t8 * np.cos(kx / 2) * np.cos(ky / 2) * np.cos(kz / 2)
    c = m.coefficients(k)
    assert np.allclose(c[:, 0], eps, atol=1e-13) and np.allclose(c[:, 1], tx, atol=1e-13)
    assert np.allclose(c[:, 2], tz, atol=1e-13) and np.allclose(c[:, 3:], 0)


@pytest.mark.parametrize("name", list_presets())
def test_hermitian_time_reversal_and_space_group(name, rng):
    m = _random_model(name, rng)
    assert m.check_hermitian() < 1e-13
    assert m.check_time_reversal() < 1e-13
    assert m.check_space_group() < 1e-10
    # independent time-reversal statement at J = 0: Θ H(k)* Θ† = H(−k), Θ = τ0 ⊗ iσ_y
    m0 = m.with_params(J=0.0)
    k = _random_k(rng, m)
    theta = np.kron(S0, 1j * SY)
    lhs = theta @ m0.hamiltonian(k).conj() @ theta.conj().T
    assert np.abs(lhs - m0.hamiltonian(-k)).max() < 1e-13


def test_space_group_check_detects_wrong_soc_sign():
    """The relative minus sign of λ_x, λ_y in SG 136 is forced by {C2x|½½½} (spec §2.1: error ≈ 0.16)."""
    terms = preset_terms("RuO2")
    bad = harmonic_from_trig("ly", "lambda1", [(1.0, [("cos", (0.5, 0, 0)), ("sin", (0, 0.5, 0)),
                                                      ("sin", (0, 0, 0.5))])])
    terms.harmonics = [h for h in terms.harmonics if h.channel != "ly"] + [bad]
    m = TwoSublatticeModel(terms, {p: 0.1 for p in terms.parameters})
    assert m.check_space_group() > 0.05
    with pytest.raises(SymmetryError):
        m.check_space_group(strict=True)
    # and a d_{x²−y²} t_z is not B2g: the check must fail too
    terms = preset_terms("RuO2")
    terms.harmonics = [h for h in terms.harmonics if h.channel != "tz"] + [
        harmonic_from_trig("tz", "t6", [(1, [("cos", (1, 0, 0))]), (-1, [("cos", (0, 1, 0))])])]
    m = TwoSublatticeModel(terms, {p: 0.1 for p in terms.parameters})
    assert m.check_space_group() > 0.05


def test_spin_rotation_is_the_su2_double_cover(rng):
    from scipy.spatial.transform import Rotation

    for R in Rotation.random(20, random_state=1).as_matrix():
        D = spin_rotation(R)
        assert np.allclose(D @ D.conj().T, np.eye(2))
        for i, Si in enumerate((SX, SY, SZ)):
            assert np.allclose(D @ Si @ D.conj().T, sum(R[j, i] * Sj for j, Sj in enumerate((SX, SY, SZ))))
    assert np.allclose(spin_rotation(-np.eye(3)), np.eye(2))  # inversion: spin is axial


@pytest.mark.parametrize("name", ["RuO2", "FeSb2", "CrSb", "SG223", "SG136-2D"])
def test_closed_form_eq4_equals_eigh(name, rng):
    for _ in range(3):
        m = _random_model(name, rng)
        k = _random_k(rng, m, 200)
        assert np.abs(m.eigenvalues(k) - np.linalg.eigvalsh(m.hamiltonian(k))).max() < 1e-12


def test_eq2_without_soc(rng):
    """λ = 0, n̂ = z: E_{±,s} = ε₀ ± sqrt(t_x² + (t_z + sJ)²); splitting ≈ 2 t_z J/|t| to first order in J."""
    m = preset("RuO2", J=0.37)
    k = rng.uniform(-0.5, 0.5, (100, 3))
    c = m.coefficients(k)
    e0, tx, tz, J = c[:, 0], c[:, 1], c[:, 2], m.J
    ref = np.sort(np.stack([e0 + s1 * np.sqrt(tx ** 2 + (tz + s2 * J) ** 2) for s1 in (1, -1) for s2 in (1, -1)],
                           axis=-1), axis=-1)
    assert np.abs(m.eigenvalues(k) - ref).max() < 1e-13
    dE = m.spin_splitting(k)[:, 1]
    exact = np.sqrt(tx ** 2 + (tz + J) ** 2) - np.sqrt(tx ** 2 + (tz - J) ** 2)
    assert np.allclose(dE, exact, atol=1e-13)
    small = m.with_params(J=1e-5)
    lin = 2 * tz * 1e-5 / np.sqrt(tx ** 2 + tz ** 2)
    ok = np.sqrt(tx ** 2 + tz ** 2) > 0.05
    assert np.allclose(small.spin_splitting(k)[ok, 1], lin[ok], rtol=1e-4, atol=1e-12)


def test_velocity_and_hessian_equal_finite_differences(rng):
    m = _random_model("CrSb", rng)  # hexagonal: tests the Cartesian conversion of a non-orthogonal cell
    kc = m.to_cart(rng.uniform(-0.5, 0.5, (8, 3)))
    h = 1e-5
    v = m.velocity(kc, frame="cart")
    w = m.hessian(kc, frame="cart")
    for a in range(3):
        e = np.zeros(3)
        e[a] = h
        fd = (m.hamiltonian(kc + e, frame="cart") - m.hamiltonian(kc - e, frame="cart")) / (2 * h)
        assert np.abs(v[:, a] - fd).max() < 1e-7
        fd2 = (m.velocity(kc + e, frame="cart") - m.velocity(kc - e, frame="cart")) / (2 * h)
        assert np.abs(w[:, a] - fd2).max() < 1e-6
    # band velocities ⟨n|∂H|n⟩ = ∂E_n/∂k away from degeneracies (Hellmann–Feynman)
    E, U, vnm = m.velocity_band_basis(kc, frame="cart")
    vn = np.einsum("kxii->kxi", vnm).real
    assert np.allclose(vnm, np.swapaxes(vnm, -1, -2).conj())  # Hermitian per direction
    for a in range(3):
        e = np.zeros(3)
        e[a] = h
        fd = (m.eigenvalues(kc + e, frame="cart") - m.eigenvalues(kc - e, frame="cart")) / (2 * h)
        assert np.abs(vn[:, a] - fd).max() < 1e-6


def test_batch_shapes_frames_and_gauge(rng):
    m = _random_model("RuO2", rng)
    k = rng.uniform(-0.5, 0.5, (2, 3, 5, 3))
    H = m.hamiltonian(k)
    assert H.shape == (2, 3, 5, 4, 4) and m.velocity(k).shape == (2, 3, 5, 3, 4, 4)
    assert np.allclose(H.reshape(-1, 4, 4), m.hamiltonian(k.reshape(-1, 3)))
    assert np.allclose(m.hamiltonian(m.to_cart(k), frame="cart"), H)
    E, U = m.eigh(k)
    assert E.shape == (2, 3, 5, 4) and U.shape == (2, 3, 5, 4, 4)
    assert np.allclose(np.einsum("...ai,...ab,...bi->...i", U.conj(), H, U).real, E)
    # gauge e^{ik·r_site}: H(k + G) = W H(k) W†, W = diag(1, e^{2πiG·d}) ⊗ σ0 (here G·d = ½ → W = diag(1, −1))
    kf = k.reshape(-1, 3)
    for G in ([1, 0, 0], [0, 0, 1], [1, 1, 0]):
        ph = np.exp(2j * np.pi * np.dot(G, m.terms.d))
        W = np.kron(np.diag([1, ph]), S0)
        assert np.abs(m.hamiltonian(kf + G) - W @ m.hamiltonian(kf) @ W.conj().T).max() < 1e-12
    # band energies are periodic
    assert np.allclose(m.eigenvalues(kf + [1, 0, 0]), m.eigenvalues(kf))


def test_eigenvalues_on_grid_and_spin(rng):
    m = _random_model("FeSb2", rng)
    mesh = (6, 5, 4)
    g = np.stack(np.meshgrid(*[np.arange(n) / n for n in mesh], indexing="ij"), axis=-1)
    assert np.abs(m.eigenvalues_on_grid(mesh) - m.eigenvalues(g)).max() < 1e-12
    assert np.abs(m.eigenvalues_on_grid(mesh, method="eigh") - m.eigenvalues(g)).max() < 1e-12
    # without SOC every band is a spin eigenstate (|⟨σ·n̂⟩| = 1), also on degenerate (nodal) points
    m0 = preset("RuO2", J=0.2)
    k = np.concatenate([rng.uniform(-0.5, 0.5, (50, 3)), [[0.5, 0.2, 0.1], [0.0, 0.3, 0.0]]])
    E, S = m0.bands_with_spin(k)
    assert np.allclose(np.abs(S), 1, atol=1e-6) and np.allclose(E, m0.eigenvalues(k), atol=1e-9)
    assert np.allclose(S.sum(-1), 0, atol=1e-6)


def test_parameter_errors_name_the_parameter():
    terms = preset_terms("RuO2")
    params = {p: 0.1 for p in terms.parameters}
    with pytest.raises(ParameterError, match="t99"):
        TwoSublatticeModel(terms, {**params, "t99": 1.0})
    del params["t6"]
    with pytest.raises(ParameterError, match="t6"):
        TwoSublatticeModel(terms, params)
    m = preset("RuO2")
    with pytest.raises(ParameterError, match="bogus"):
        m.with_params(bogus=1.0)
    with pytest.raises(ParameterError, match="neel"):
        m.with_params(neel=(0, 0, 0))
    with pytest.raises(ParameterError, match="frame"):
        m.hamiltonian([0, 0, 0], frame="polar")


@pytest.mark.parametrize("suffix", [".json", ".h5"])
def test_save_load_roundtrip(tmp_path, suffix, rng):
    m = _random_model("CrSb", rng)
    p = m.save(tmp_path / f"model{suffix}")
    m2 = TwoSublatticeModel.load(p)
    k = rng.uniform(-1, 1, (20, 3))
    assert np.array_equal(m.hamiltonian(k), m2.hamiltonian(k))
    assert m2.name == m.name and m2.params == m.params and np.allclose(m2.neel, m.neel)
    with pytest.raises(ParameterError):
        TwoSublatticeModel.load(tmp_path / "missing.json")


GENERATED = [(136, "2a"), (194, "2a"), (223, "2a"), (58, "2a"), (14, "2a"), (139, "4c"), (167, "6b")]


@pytest.mark.parametrize("sg,wy", GENERATED)
def test_generated_models_pass_the_hamiltonian_checks(sg, wy, rng):
    """M1's symmetry-projected terms, with random coefficients, pass this module's independent checks."""
    generator = pytest.importorskip("altermag.models.generator")
    terms = generator.generate_model(sg, wy)
    m = TwoSublatticeModel(terms, {p: rng.normal() * 0.3 for p in terms.parameters}, J=0.3,
                           neel=rng.normal(size=3))
    assert m.check_hermitian() < 1e-12
    assert m.check_time_reversal() < 1e-12
    assert m.check_space_group() < 1e-10
    k = rng.uniform(-1, 1, (100, 3))
    assert np.abs(m.eigenvalues(k) - np.linalg.eigvalsh(m.hamiltonian(k))).max() < 1e-11


@pytest.mark.slow
def test_every_catalogue_orbit_passes_the_checks(rng):
    """All 94 Wyckoff orbits of the 40 rows: generated terms + random coefficients pass Hermiticity, time reversal,
    covariance and Eq. (4); the class measured from t_z equals the catalogue's; nodal set = zeros of t_z."""
    from altermag.models import catalogue, generate_model
    from altermag.models.analysis import nodal_check, wave_class

    n = 0
    for entry in catalogue():
        for orbit in entry.orbits:
            terms = generate_model(entry.space_group, orbit.wyckoff)
            m = TwoSublatticeModel(terms, {p: rng.normal() * 0.3 for p in terms.parameters}, J=0.3,
                                   neel=rng.normal(size=3))
            label = f"{entry.space_group} {orbit.wyckoff}"
            assert max(m.check_hermitian(), m.check_time_reversal(), m.check_space_group()) < 1e-10, label
            k = rng.uniform(-1, 1, (100, 3))
            assert np.abs(m.eigenvalues(k) - np.linalg.eigvalsh(m.hamiltonian(k))).max() < 1e-10, label
            assert wave_class(m) == orbit.wave, label
            m0 = m.with_params(**{p: 0.0 for p in terms.parameters if p.startswith("lambda")})
            assert nodal_check(m0, "kz=0.13", 31)["agree"], label
            n += 1
    assert n >= 40
