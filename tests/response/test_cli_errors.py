"""Every response command turns bad user input into ``error: ...`` on stderr and exit status 1, with no
traceback and no silently wrong (NaN, negative-U) result."""

import pytest
from typer.testing import CliRunner

from altermag.cli import app

# cheap settings per command so a bug that lets bad input through still finishes quickly
FAST = {"chi": ["--mesh", "8"], "rpa": ["--mesh", "8", "--q0-only"], "hf": ["--U", "1.0", "--mesh", "8"],
        "ahc": ["--mesh", "4", "--uniform"]}

BAD = {
    "unknown-preset": (["NoSuchModel"], "nosuchmodel"),
    "bad-neel": (["RuO2", "--neel", "q"], "neel"),
    "bad-neel-digits": (["RuO2", "--neel", "-100"], "neel"),
    "zero-mesh": (["RuO2", "--mesh", "0"], "mesh"),
    "text-mesh": (["RuO2", "--mesh", "abc"], "mesh"),
    "3d-mesh-for-2d-model": (["kappa-Cl", "--mesh", "8,8,8"], "2d"),
    "negative-kT": (["RuO2", "--kT", "-0.01"], "kt"),
    "zero-kT": (["RuO2", "--kT", "0"], "kt"),
    "n-sigma-above-1": (["RuO2", "--n-sigma", "1.5"], "n_sigma"),
    "n-sigma-zero": (["RuO2", "--n-sigma", "0"], "n_sigma"),
    "nan-fermi-level": (["RuO2", "--E-F", "nan"], "e_f"),
    "filling-and-fermi-level": (["RuO2", "--n-sigma", "0.5", "--E-F", "0.1"], "not both"),
    "unknown-param": (["RuO2", "--param", "nosuch=1"], "nosuch"),
    "bad-mu-convention": (["RuO2", "--mu-convention", "sideways"], "mu-convention"),
}

EXTRA = [
    ["hf", "RuO2", "--U", "-1", "--mesh", "8"],
    ["hf", "RuO2", "--U-range", "-1:1:3", "--mesh", "8"],
    ["rpa", "RuO2", "--sweep", "U=-1:1:3", "--mesh", "8"],
    ["rpa", "RuO2", "--sweep", "n_sigma=1.2,1.5", "--mesh", "8", "--q0-only"],
    ["rpa", "RuO2", "--sweep", "bogus=1,2", "--mesh", "8"],
    ["ahc", "RuO2", "--sweep", "J=0.1,0.2", "--kT", "-1", "--mesh", "4"],
    ["ahc", "RuO2", "--sweep", "bogus=1,2", "--mesh", "4"],
    ["ahc", "RuO2", "--soc", "nan", "--mesh", "4"],
    ["ahc", "RuO2", "--rtol", "2", "--mesh", "4"],
    ["chi", "RuO2", "--q", "a,b", "--mesh", "8"],
    ["hf", "RuO2", "--U", "1", "--seed", "XX", "--mesh", "8"],
    ["hf", "RuO2", "--U", "1", "--mixing", "0", "--mesh", "8"],
]


def _check(args, needle=None):
    res = CliRunner().invoke(app, args)
    out = res.output
    assert res.exit_code == 1, (args, res.exit_code, out[-400:])
    assert "error:" in out and "Traceback" not in out, (args, out[-400:])
    assert res.exception is None or isinstance(res.exception, SystemExit), (args, repr(res.exception))
    if needle is not None:
        assert needle in out.lower(), (args, out)


# hf works at fixed filling and has no --E-F option (its Python API is checked below)
CASES = [(command, case) for command in FAST for case in BAD
         if not (command == "hf" and case in ("nan-fermi-level", "filling-and-fermi-level"))]


@pytest.mark.parametrize(("command", "case"), CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_bad_input_is_a_clean_error(command, case):
    args, needle = BAD[case]
    # the bad option comes after the fast defaults, so it wins where both set --mesh
    _check([command, args[0], *FAST[command], *args[1:]], needle)


@pytest.mark.parametrize("args", EXTRA, ids=[" ".join(a[:1] + a[2:4]) for a in EXTRA])
def test_bad_sweep_and_solver_input_is_a_clean_error(args):
    _check(args)


def test_python_api_rejects_non_finite_fermi_level():
    from altermag.core.errors import ParameterError
    from altermag.models import preset
    from altermag.response.ahc import anomalous_hall
    from altermag.response.meanfield import hartree_fock
    from altermag.response.susceptibility import normal_state

    m = preset("RuO2")
    for call in (lambda: normal_state(m, mesh=4, E_F=float("nan")),
                 lambda: anomalous_hall(m, mesh=4, E_F=float("inf"), adaptive=False),
                 lambda: hartree_fock(m, 1.0, mesh=4, E_F=float("nan"))):
        with pytest.raises(ParameterError, match="E_F"):
            call()
