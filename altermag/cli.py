"""The ``altermag`` command line: thin Typer wrappers over the Python API.

Machine-readable output (``--json``) is one JSON object per line; its keys are stable.
Bad input prints an error record (``{"file": ..., "error": ...}``) and the command exits with status 1
after processing every input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from altermag.core.errors import AltermagError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="altermag: altermagnet discovery, models, transport and spin dynamics.")

SYMPREC = typer.Option(1e-2, "--symprec", help="Position tolerance of the symmetry search (Å).")
MOMENT_TOL = typer.Option(0.05, "--moment-tol", help="Relative moment tolerance (zero / equal moments).")
COLLINEAR_TOL = typer.Option(0.1, "--collinear-tol", help="Relative tolerance on moment components "
                                                           "perpendicular to the spin axis.")


def _emit(obj: dict) -> None:
    from altermag.core.io import dumps

    sys.stdout.write(dumps(obj, strict=True, indent=None, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@app.command()
def classify(
    files: List[Path] = typer.Argument(..., help="Structure files: magCIF, CIF, POSCAR (+INCAR), JSON."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per input line."),
    magmom: Optional[str] = typer.Option(None, "--magmom", help="Moments for CIF/POSCAR input: VASP MAGMOM "
                                         "string such as '2*5 2*-5 4*0'."),
    symprec: float = SYMPREC, moment_tol: float = MOMENT_TOL, collinear_tol: float = COLLINEAR_TOL,
):
    """Spin-group verdict of each structure: altermagnet (d/g/i-wave, f(k)), antiferromagnet, ..."""
    from altermag.structures import read_structure
    from altermag.symmetry import analyze

    def run(f):
        return analyze(read_structure(f, magmoms=magmom), symprec=symprec, moment_tol=moment_tol,
                       collinear_tol=collinear_tol).as_dict()

    def show(f, rec):
        line = f"{f}: {rec['verdict']}"
        if rec["wave"]:
            line += f" ({rec['wave']}-wave, spin Laue group {rec['spin_laue_group']}, f(k) = {rec['form_factor']})"
        elif rec["detail"]:
            line += f" ({rec['detail']})"
        typer.echo(line + f"  [SG {rec['space_group']} {rec['space_group_symbol']}]")
        if rec["verdict"] in ("antiferromagnet", "compensated-ferrimagnet", "noncollinear", "nonmagnetic"):
            typer.echo(f"    {rec['reason']}")

    _for_each_file(files, run, show, json_out)


def _for_each_file(files, run, show, json_out: bool) -> None:
    """Run ``run(file) -> record`` per file; bad input becomes an error record; exit 1 if any failed."""
    failed = 0
    for f in files:
        try:
            rec = run(f)
            rec["file"] = str(f)
        except AltermagError as exc:
            failed += 1
            rec = {"file": str(f), "error": str(exc)}
        if json_out:
            _emit(rec)
        elif "error" in rec:
            typer.secho(f"{f}: error: {rec['error']}", fg="red", err=True)
        else:
            show(f, rec)
    raise typer.Exit(1 if failed else 0)


@app.command("enumerate")
def enumerate_cmd(
    files: List[Path] = typer.Argument(..., help="Structure files (moments, if any, are ignored)."),
    json_out: bool = typer.Option(False, "--json"),
    magnetic: str = typer.Option("broad", "--magnetic", help="Magnetic elements: 3d4f, broad, paper-code, or "
                                 "a comma list such as 'Mn,Fe'."),
    max_sites: int = typer.Option(16, "--max-sites", help="Largest number of magnetic sites to enumerate."),
    symprec: float = SYMPREC,
):
    """Enumerate and classify all compensated collinear k=0 orders of the primitive cell."""
    from altermag.structures import read_structure
    from altermag.symmetry.enumeration import enumerate_configurations

    def run(f):
        return enumerate_configurations(read_structure(f), magnetic=magnetic, symprec=symprec,
                                        max_sites=max_sites).as_dict()

    def show(f, rec):
        typer.echo(f"{f}: {rec['formula']} SG {rec['space_group']}, {rec['n_magnetic_sites']} magnetic sites, "
                   f"{rec['n_configurations']} distinct compensated orders: {rec['counts']}")
        for c in rec["configurations"]:
            extra = f" {c['wave']}-wave f(k) = {c['form_factor']}" if c["wave"] else ""
            typer.echo(f"    {c['signs']} ×{c['multiplicity']}: {c['verdict']}{extra}")

    _for_each_file(files, run, show, json_out)


@app.command()
def screen(
    folder: Path = typer.Argument(..., help="Folder of structure files."),
    out: Path = typer.Option(..., "--out", help="Results, one JSON record per line (append-only)."),
    mode: str = typer.Option("paper", "--mode", help="paper: the discovery paper's rules; exact: rules plus "
                             "the configuration enumeration, and where the two disagree."),
    magnetic: str = typer.Option("3d4f", "--magnetic", help="Magnetic elements: 3d4f (the paper's), broad, "
                                 "paper-code, or a comma list."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Local worker processes (default: all cores)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786) "
                                            "or 'local'."),
    resume: bool = typer.Option(False, "--resume", help="Continue an existing --out file, skipping done files."),
    max_sites: int = typer.Option(16, "--max-sites"),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    symprec: float = SYMPREC, moment_tol: float = MOMENT_TOL, collinear_tol: float = COLLINEAR_TOL,
):
    """Screen a folder of structures: verdicts, the paper's pipeline table and its three sets."""
    from altermag.symmetry.screening import screen_folder

    try:
        summary = screen_folder(folder, out, mode=mode, magnetic=magnetic, symprec=symprec, moment_tol=moment_tol,
                                collinear_tol=collinear_tol, max_sites=max_sites, workers=workers,
                                scheduler=scheduler, resume=resume)
    except AltermagError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    if json_out:
        _emit(summary)
        return
    typer.echo(f"\n{summary['n_records']} records ({summary['n_errors']} errors) in {out}")
    typer.echo(f"{'step':<16}{'count':>8}{'paper':>10}  description")
    for row in summary["paper_table"]:
        paper = "" if row["paper"] is None else str(row["paper"])
        typer.echo(f"{row['step']:<16}{row['count']:>8}{paper:>10}  {row['description']}")
    typer.echo(f"verdicts of the given orders: {summary['verdicts']}  waves: {summary['waves']}")
    if mode == "exact":
        typer.echo(f"rules vs exact enumeration: {len(summary['rules_vs_exact'])} disagreements "
                   f"(listed in {out}.summary.json)")


@app.command()
def references(json_out: bool = typer.Option(False, "--json"),
               role: Optional[str] = typer.Option(None, "--role", help="positive | experimental | reference")):
    """List the bundled reference structures (known altermagnets and non-altermagnets)."""
    from altermag.structures.datasets import list_references, reference_info

    for name in list_references(role):
        info = reference_info(name)
        if json_out:
            _emit({"name": name, **info})
        else:
            typer.echo(f"{name:<24}{info.get('role', ''):<14}{info.get('file', '')}")


@app.command()
def tour(out: Path = typer.Option(Path("tour"), "--out", help="Output folder for index.html and figures."),
         open_browser: bool = typer.Option(False, "--open", help="Open the report in a browser.")):
    """The main job: an HTML report (tour/index.html) of every capability on bundled data."""
    from altermag.tour import run_tour

    index = run_tour(out)
    typer.echo(f"wrote {index}")
    if open_browser:
        import webbrowser

        webbrowser.open(index.resolve().as_uri())


def _register_capabilities() -> None:
    """Each capability owns its sub-command group in ``altermag/<capability>/cli.py``."""
    from altermag.discovery.cli import app as discover_app
    from altermag.dynamics.cli import app as dynamics_app
    from altermag.models.cli import app as model_app
    from altermag.response.cli import register as register_response
    from altermag.transport.cli import app as transport_app

    app.add_typer(model_app, name="model", help="Minimal two-sublattice models: catalogue, bands, presets.")
    app.add_typer(transport_app, name="transport", help="Boltzmann transport of a d-wave altermagnet channel.")
    app.add_typer(discover_app, name="discover", help="Crystal-graph network: pre-train, train, predict, evaluate.")
    app.add_typer(dynamics_app, name="dynamics", help="Itinerant spin models, exchange fields, ML force fields, LLG.")
    register_response(app)  # top-level chi, rpa, hf, ahc


_register_capabilities()


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
