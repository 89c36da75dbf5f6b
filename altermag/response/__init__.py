"""Response functions of the two-sublattice models (minimal-models paper Secs. III–IV; spec ``minimal_models.md``
§5–§8): which magnetic order the paramagnet prefers, and the anomalous Hall effect of the ordered state.

* :mod:`~altermag.response.normal_state` — the paramagnetic block ε₀ + t_x τ_x + t_z τ_z, filling ↔ Fermi level
* :mod:`~altermag.response.susceptibility` — bare χ⁰_{l1l2l3l4}(q): direct Lindhard sum, full-zone FFT with the
  sparse-ir Matsubara basis, the q → 0 band decomposition (Eq. 16)
* :mod:`~altermag.response.rpa` — RPA, FM/AM channels (Eqs. 23–24), critical U and the leading q
* :mod:`~altermag.response.meanfield` — self-consistent Hubbard mean field, order parameter vs U, onsets
* :mod:`~altermag.response.berry`, :mod:`~altermag.response.ahc` — Berry curvature (Kubo and the linear-in-λ
  formula), Chern numbers, anomalous Hall conductivity with adaptive k refinement

Conventions: energies in eV, **temperature kT in eV**, filling ``n_sigma`` = electrons per spin per site,
fractional k and q. Commands: ``altermag chi | rpa | hf | ahc``. See ``docs/response.md``.

>>> from altermag.models import preset
>>> from altermag.response import critical_U, hartree_fock, anomalous_hall
>>> critical_U(preset("kappa-Cl"), mesh=100, kT=0.005).U_c_q0        # {'AM': 0.22..., 'FM': 0.26...}
>>> anomalous_hall(preset("RuO2", lambda1=0.05, neel=(1, 0, 0)), mesh=48, adaptive=False).sigma["xz"]  # S/cm
"""

from altermag.response.ahc import AHCResult, ahc_sweep, anomalous_hall
from altermag.response.berry import (berry_curvature, berry_curvature_linear, berry_curvature_occupied,
                                     chern_number)
from altermag.response.meanfield import (HartreeFockNotConverged, HartreeFockResult, critical_U_hf,
                                            hartree_fock, hf_sweep)
from altermag.response.normal_state import fermi_level, filling, paramagnetic
from altermag.response.rpa import critical_U, rpa_channels, rpa_susceptibility, rpa_sweep, stoner
from altermag.response.susceptibility import (band_decomposition_q0, bare_susceptibility, chi0_full_grid,
                                              chi_along_path)

# Sub-module names (normal_state, meanfield, rpa, ahc, ...) are never shadowed by functions re-exported here.
__all__ = ["paramagnetic", "filling", "fermi_level", "bare_susceptibility", "chi0_full_grid",
           "band_decomposition_q0", "chi_along_path", "rpa_susceptibility", "rpa_channels", "stoner", "critical_U",
           "rpa_sweep", "hartree_fock", "HartreeFockResult", "HartreeFockNotConverged", "hf_sweep", "critical_U_hf",
           "berry_curvature", "berry_curvature_occupied", "berry_curvature_linear", "chern_number",
           "anomalous_hall", "AHCResult", "ahc_sweep"]
