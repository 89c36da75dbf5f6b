"""Response functions of the two-sublattice models: bare and RPA susceptibilities, Hartree-Fock, Berry
curvature and anomalous Hall conductivity (minimal-models paper Secs. III-IV; spec ``minimal_models.md`` §5-§8).

See ``docs/response.md``.
"""
