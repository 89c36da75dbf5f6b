"""PythTB / TBmodels export: identical Hamiltonians and bands (round trip), real-space hopping structure."""

import numpy as np
import pytest

from altermag.models import list_presets, preset
from altermag.models.export import hopping_list, roundtrip_error, to_pythtb, to_tbmodels


@pytest.mark.parametrize("name", list_presets())
def test_roundtrip_identical_hamiltonians(name, rng):
    m = preset(name)
    lam = {p: rng.normal() * 0.1 for p in m.params if p.startswith("lambda")}
    m = m.with_params(neel=rng.normal(size=3), J=0.2, **lam)
    err = roundtrip_error(m)
    for tool in ("pythtb", "tbmodels"):
        assert err[tool]["hamiltonian"] < 1e-12, (tool, err)
        assert err[tool]["bands"] < 1e-12, (tool, err)


def test_hopping_list_structure():
    m = preset("RuO2", lambda1=0.1)
    hl = hopping_list(m)
    # 8 nearest Ru1–Ru2 bonds (d + lattice, |v| = shortest) carry t_x = t8/4 each... as 2×2 spin blocks
    inter = [(amp, R) for amp, i, j, R in hl["hoppings"] if (i, j) == (0, 1)]
    assert len(inter) == 8
    for amp, _R in inter:
        assert abs(amp[0, 0] + amp[1, 1]) / 2 == pytest.approx(1.7 / 8)
    # on-site: −μ ± J σ_z on the two sublattices
    assert np.allclose(hl["onsite"][0], np.diag([-0.25 + 0.3, -0.25 - 0.3]))
    assert np.allclose(hl["onsite"][1], np.diag([-0.25 - 0.3, -0.25 + 0.3]))


def test_pythtb_and_tbmodels_objects_work_natively():
    m = preset("CrSb")
    tb = to_pythtb(m)
    path = np.array([[0, 0, 0], [0.5, 0, 0], [1 / 3, 1 / 3, 0.5]])
    assert np.allclose(np.sort(np.array(tb.solve_all(path)).T, -1), m.eigenvalues(path), atol=1e-12)
    tm = to_tbmodels(m)
    assert tm.size == 4 and tm.dim == 3
    assert np.allclose(tm.eigenval(path), m.eigenvalues(path), atol=1e-12)
