import numpy as np
import pytest

from altermag.core import ParameterError
from altermag.core.pauli import (
    SIGMA,
    TAU_SIGMA,
    pauli_compose,
    pauli_decompose,
    sigma0,
    sigmax,
    sigmay,
    sigmaz,
    tau_sigma,
)


def _levi_civita():
    eps = np.zeros((3, 3, 3))
    for i, j, k in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        eps[i, j, k], eps[j, i, k] = 1, -1
    return eps


def test_pauli_algebra():
    s = SIGMA[1:]
    products = np.einsum("iab,jbc->ijac", s, s)
    expected = np.einsum("ij,ac->ijac", np.eye(3), sigma0) + 1j * np.einsum("ijk,kac->ijac", _levi_civita(), s)
    assert np.allclose(products, expected)
    assert np.allclose(SIGMA, np.stack([sigma0, sigmax, sigmay, sigmaz]))
    assert np.allclose(SIGMA, np.conj(np.swapaxes(SIGMA, 1, 2)))  # Hermitian


def test_constants_are_read_only():
    with pytest.raises(ValueError):
        sigmax[0, 0] = 5
    with pytest.raises(ValueError):
        TAU_SIGMA[0, 0, 0, 0] = 5
    m = tau_sigma(1, 1)
    m[0, 0] = 7  # a copy, free to modify
    assert TAU_SIGMA[1, 1, 0, 0] == 0


def test_tau_sigma_basis_order_is_sublattice_outer_spin_inner():
    # basis (A↑, A↓, B↑, B↓)
    assert np.allclose(tau_sigma(0, 3), np.diag([1, -1, 1, -1]))  # spin
    assert np.allclose(tau_sigma("z", "0"), np.diag([1, 1, -1, -1]))  # sublattice
    assert np.allclose(tau_sigma(3, 3), np.diag([1, -1, -1, 1]))
    assert np.allclose(tau_sigma("x", "y"), np.kron(sigmax, sigmay))
    # orthogonality: Tr(P_a P_b) = 4 δ_ab
    P = TAU_SIGMA.reshape(16, 4, 4)
    assert np.allclose(np.einsum("aij,bji->ab", P, P), 4 * np.eye(16))


def test_pauli_decompose_known_matrix():
    H = 0.5 * tau_sigma(0, 0) + 2.0 * tau_sigma(3, 1) - 0.3 * tau_sigma(2, 2)
    c = pauli_decompose(H)
    expected = np.zeros((4, 4))
    expected[0, 0], expected[3, 1], expected[2, 2] = 0.5, 2.0, -0.3
    assert c.dtype == float
    assert np.allclose(c, expected)


def test_pauli_decompose_round_trip_on_a_batch():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(5, 7, 4, 4)) + 1j * rng.normal(size=(5, 7, 4, 4))
    H = A + np.conj(np.swapaxes(A, -1, -2))
    c = pauli_decompose(H)
    assert c.shape == (5, 7, 4, 4) and np.isrealobj(c)
    assert np.allclose(pauli_compose(c), H)
    # and the other way round
    c2 = rng.normal(size=(3, 4, 4))
    assert np.allclose(pauli_decompose(pauli_compose(c2)), c2)


def test_pauli_decompose_2x2():
    c = np.array([[1.0, 0.2, -0.3, 0.4], [0.0, 1.0, 0.0, 0.0]])
    H = pauli_compose(c, n=2)
    assert H.shape == (2, 2, 2)
    assert np.allclose(H[1], sigmax)
    assert np.allclose(pauli_decompose(H), c)


def test_bad_input_raises_parameter_error():
    with pytest.raises(ParameterError):
        pauli_decompose(np.array([[0, 1], [0, 0]]))  # not Hermitian
    with pytest.raises(ParameterError):
        pauli_decompose(np.eye(3))
    with pytest.raises(ParameterError):
        tau_sigma(4, 0)
    with pytest.raises(ParameterError):
        tau_sigma("w", 0)
    with pytest.raises(ParameterError):
        pauli_compose(np.zeros((4, 3)), n=2)
    with pytest.raises(ParameterError):
        pauli_compose(np.zeros(4), n=4)
