import numpy as np
import pytest

from altermag.core import Lattice, ParameterError
from altermag.core.kspace import kpath, kpath_from_segments, monkhorst_pack, to_cartesian, to_fractional

A_RUTILE, C_RUTILE = 4.59, 2.96


def rutile():
    x = 0.3  # Ti at 2a, O at 4f (x, x, 0)
    positions = [[0, 0, 0], [0.5, 0.5, 0.5], [x, x, 0], [-x, -x, 0], [0.5 + x, 0.5 - x, 0.5], [0.5 - x, 0.5 + x, 0.5]]
    return Lattice(np.diag([A_RUTILE, A_RUTILE, C_RUTILE])), positions, [22, 22, 8, 8, 8, 8]


def _contains(points, k):
    return np.any(np.all(np.isclose(points, k), axis=1))


def _closed_under_inversion(grid):
    minus = -grid - np.floor(-grid + 0.5)  # wrapped like the grid, into [-0.5, 0.5)
    keys = {tuple(np.round(k, 10)) for k in grid}
    return all(tuple(np.round(k, 10)) in keys for k in minus)


@pytest.mark.parametrize("mesh", [(4, 4, 3), (5, 2, 1), (1, 1, 1)])
@pytest.mark.parametrize("gamma_centered", [True, False])
def test_monkhorst_pack_properties(mesh, gamma_centered):
    grid = monkhorst_pack(mesh, gamma_centered=gamma_centered)
    assert grid.shape == (np.prod(mesh), 3)
    assert len({tuple(np.round(k, 10)) for k in grid}) == len(grid)
    assert np.all(grid >= -0.5) and np.all(grid < 0.5)
    assert _closed_under_inversion(grid)
    # points sit on the 1/n lattice (shifted by 1/2n for odd-even MP offsets)
    n = np.array(mesh)
    offset = 0.0 if gamma_centered else (n + 1) % 2 / (2 * n)
    steps = (grid - offset) * n
    assert np.allclose(steps, np.round(steps))
    if gamma_centered:
        assert _contains(grid, [0, 0, 0])


def test_monkhorst_pack_gamma_and_order():
    assert not _contains(monkhorst_pack((4, 4, 4), gamma_centered=False), [0, 0, 0])
    assert _contains(monkhorst_pack((3, 3, 3), gamma_centered=False), [0, 0, 0])
    grid = monkhorst_pack((2, 3, 4)).reshape(2, 3, 4, 3)  # C order, last index fastest
    assert np.allclose(grid[0, 0, :, 2] % 1, np.arange(4) / 4)
    assert np.allclose(grid[:, 0, 0, 0] % 1, np.arange(2) / 2)
    shifted = monkhorst_pack((2, 2, 2), shift=(0.5, 0.5, 0.5))
    assert np.allclose(np.sort(np.unique(shifted[:, 0])), [-0.25, 0.25])
    with pytest.raises(ParameterError):
        monkhorst_pack((4, 4))
    with pytest.raises(ParameterError):
        monkhorst_pack((4, 0, 4))


def test_to_cartesian_round_trip():
    lat = Lattice.from_parameters(3.0, 3.0, 5.0, 90, 90, 120)
    k = np.random.default_rng(2).random((10, 3)) - 0.5
    kc = to_cartesian(k, lat)
    assert np.allclose(to_cartesian([1, 0, 0], lat), lat.reciprocal.matrix[0])
    assert np.allclose(to_fractional(kc, lat), k)
    # exp(i k·R) = 1 for a reciprocal lattice vector and any lattice vector: 2π included
    G = to_cartesian([1, -2, 3], lat)
    R = lat.frac_to_cart([2, 1, -1])
    assert np.isclose(np.exp(1j * G @ R), 1.0)
    cubic = np.eye(3) * 4.0
    assert np.linalg.norm(to_cartesian([0.5, 0, 0], cubic)) == pytest.approx(np.pi / 4.0)


def test_rutile_kpath_from_seekpath():
    lat, positions, numbers = rutile()
    path = kpath(lat, positions, numbers, reference_distance=0.025)
    assert {"Γ", "X", "M", "Z", "R", "A"} <= set("|".join(path.labels).split("|"))
    assert path.labels[0] == "Γ"
    assert "GAMMA" not in path.labels
    assert path.lattice.allclose(lat)  # rutile input is already the standard primitive cell
    n = len(path)
    assert path.k_frac.shape == path.k_cart.shape == path.k_frac_input.shape == (n, 3)
    assert np.allclose(path.k_cart, path.k_frac @ path.lattice.reciprocal.matrix)
    assert np.allclose(path.k_frac_input, path.k_frac)

    # x is monotone and advances by |Δk| except across breaks, where it stays put
    dx = np.diff(path.x)
    dk = np.linalg.norm(np.diff(path.k_cart, axis=0), axis=1)
    assert np.all(dx >= 0)
    jumps = np.zeros(n - 1, bool)
    jumps[path.breaks - 1] = True
    assert len(path.breaks) > 0
    assert np.allclose(dx[~jumps], dk[~jumps])
    assert np.all(dx[jumps] == 0) and np.all(dk[jumps] > 0)
    assert dk[~jumps].max() <= 0.025 * 1.1  # close to the reference distance

    # segment lengths between consecutive high-symmetry points: |Δk| of their coordinates
    B = path.lattice.reciprocal.matrix
    lengths = {}
    for i in range(len(path.ticks) - 1):
        start = path.labels[i].split("|")[-1]  # at "Z|X" the path leaves from X
        stop = path.labels[i + 1].split("|")[0]  # ... and arrives at Z
        expected = np.linalg.norm((path.point_coords[stop] - path.point_coords[start]) @ B)
        assert path.ticks[i + 1] - path.ticks[i] == pytest.approx(expected)
        lengths[start, stop] = expected
    a_star, c_star = 2 * np.pi / A_RUTILE, 2 * np.pi / C_RUTILE
    assert lengths["Γ", "X"] == pytest.approx(a_star / 2)  # Γ(0,0,0) → X(0,1/2,0)
    assert lengths["X", "M"] == pytest.approx(a_star / 2)
    assert lengths["M", "Γ"] == pytest.approx(a_star / np.sqrt(2))
    assert lengths["Γ", "Z"] == pytest.approx(c_star / 2)
    assert path.ticks[-1] == pytest.approx(path.x[-1])

    # every labelled point sits at its coordinates
    for tick, label in zip(path.ticks, path.labels):
        i = np.flatnonzero(np.isclose(path.x, tick))
        for name in label.split("|"):
            assert any(np.allclose(path.k_frac[j], path.point_coords[name]) for j in i)

    # continuous pieces for plotting
    pieces = path.segments
    assert pieces[0].start == 0 and pieces[-1].stop == n and len(pieces) == len(path.breaks) + 1


def test_kpath_of_rotated_input_maps_back_to_the_input_cell():
    from scipy.spatial.transform import Rotation

    lat, positions, numbers = rutile()
    Q = Rotation.from_euler("zyx", [20, 30, 40], degrees=True).as_matrix()
    rotated = Lattice(lat.matrix @ Q.T)  # every lattice vector rotated by Q
    ref = kpath(lat, positions, numbers)
    path = kpath(rotated, positions, numbers)
    assert path.lattice.allclose(ref.lattice, atol=1e-6)  # seekpath un-rotates
    assert np.allclose(path.rotation @ Q, np.eye(3), atol=1e-6)
    assert np.allclose(path.k_frac_input, ref.k_frac, atol=1e-6)
    # the same physical k: k·a_i/2π of the input cell
    k_input_cart = path.k_cart @ path.rotation
    assert np.allclose(k_input_cart @ rotated.matrix.T / (2 * np.pi), path.k_frac_input)


def test_kpath_of_a_non_primitive_input_cell():
    # conventional bcc cell of a single element: seekpath returns the primitive cell
    lat = Lattice(np.eye(3) * 3.0)
    path = kpath(lat, [[0, 0, 0], [0.5, 0.5, 0.5]], [26, 26])
    assert path.lattice.volume == pytest.approx(13.5)
    assert len(path.positions) == 1
    # k_frac_input refers to the input reciprocal basis: same Cartesian points
    assert np.allclose(to_cartesian(path.k_frac_input, lat), path.k_cart @ path.rotation)
    assert "H" in path.labels and "N" in path.labels


def test_kpath_bad_input():
    lat, positions, numbers = rutile()
    with pytest.raises(ParameterError):
        kpath(lat, positions, numbers[:-1])
    with pytest.raises(ParameterError):
        kpath(lat, positions, numbers, reference_distance=0)


def test_kpath_from_segments_square_lattice():
    a = 3.0
    lat = Lattice(np.diag([a, a, 20.0]))  # 2D model: c only separates the layers
    points = {"GAMMA": [0, 0], "X": [0.5, 0], "M": [0.5, 0.5], "Y": [0, 0.5]}
    path = kpath_from_segments(lat, points, [["GAMMA", "X", "M", "GAMMA"], ["X", "Y"]], n_per_inv_angstrom=20)
    assert path.labels == ["Γ", "X", "M", "Γ|X", "Y"]
    g = np.pi / a
    assert np.allclose(path.ticks, [0, g, 2 * g, (2 + np.sqrt(2)) * g, (2 + 2 * np.sqrt(2)) * g])
    assert np.allclose(path.k_frac[0], [0, 0, 0]) and np.allclose(path.k_frac[-1], [0, 0.5, 0])
    assert len(path.breaks) == 1
    b = path.breaks[0]
    assert np.allclose(path.k_frac[b - 1], [0, 0, 0]) and np.allclose(path.k_frac[b], [0.5, 0, 0])
    assert path.x[b] == path.x[b - 1]
    dk = np.linalg.norm(np.diff(path.k_cart, axis=0), axis=1)
    dk = np.delete(dk, b - 1)
    assert dk.max() <= 1 / 20 + 1e-12 and dk.min() > 0
    # no duplicated junction points inside a polyline
    assert len(np.unique(np.round(path.k_frac[:b], 12), axis=0)) == b - 1  # Γ appears twice
    assert np.allclose(path.k_frac_input, path.k_frac)
    assert np.allclose(path.k_cart[:, 2], 0)


def test_kpath_from_segments_errors():
    lat = np.diag([3.0, 3.0, 20.0])
    with pytest.raises(ParameterError):
        kpath_from_segments(lat, {"G": [0, 0]}, [["G", "X"]])
    with pytest.raises(ParameterError):
        kpath_from_segments(lat, {"G": [0, 0], "X": [0.5, 0]}, ["G", "X"])  # not nested
    with pytest.raises(ParameterError):
        kpath_from_segments(lat, {"G": [0, 0], "X": [0.5, 0]}, [["G", "G"]])
    with pytest.raises(ParameterError):
        kpath_from_segments(lat, {"G": [0, 0, 0, 0]}, [["G", "G"]])
