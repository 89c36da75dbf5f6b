"""Structure I/O: every format into one MagneticStructure, clear errors on bad input."""

import json

import numpy as np
import pytest

from altermag.core.errors import StructureError
from altermag.structures import MagneticStructure, read_structure
from altermag.structures.cif import parse_operation, structure_from_cif_text
from altermag.symmetry import analyze
from tests.conftest import DATA, fixture_file

RUO2 = fixture_file("0.607_")


def test_magcif_expansion_and_moments():
    s = read_structure(RUO2)
    assert len(s) == 6 and s.formula == "RuO2"
    ru = [i for i, sp in enumerate(s.species) if sp == "Ru"]
    m = s.moments[ru]
    # moments are axial vectors: the 4_2 operation with time reversal makes the two Ru antiparallel
    assert np.allclose(m[0], -m[1]) and np.linalg.norm(m[0]) > 0
    assert s.info["bns_number"] == "136.499"


def test_operation_parser():
    R, t, th = parse_operation("-y+1/2,x+1/2,z+1/2,-1")
    assert (R == [[0, -1, 0], [1, 0, 0], [0, 0, 1]]).all() and np.allclose(t, 0.5) and th == -1
    R, t, th = parse_operation("x-y,x,z+1/2")
    assert (R == [[1, -1, 0], [1, 0, 0], [0, 0, 1]]).all() and th == 1
    with pytest.raises(StructureError, match="cannot parse"):
        parse_operation("x,y,q")
    with pytest.raises(StructureError, match="unimodular"):
        parse_operation("2x,y,z")


def _roundtrip_key(s):
    r = analyze(s)
    return r.verdict, r.wave, r.form_factor


def test_pymatgen_ase_json_roundtrips(tmp_path):
    s = read_structure(RUO2)
    ref = _roundtrip_key(s)
    pmg = s.to_pymatgen()
    assert _roundtrip_key(read_structure(pmg)) == ref
    atoms = s.to_ase()
    assert _roundtrip_key(read_structure(atoms)) == ref
    path = tmp_path / "ruo2.json"
    path.write_text(json.dumps(s.as_dict()))
    back = read_structure(path)
    assert np.allclose(back.moments, s.moments) and _roundtrip_key(back) == ref
    path2 = tmp_path / "pmg.json"
    path2.write_text(json.dumps(pmg.as_dict()))
    assert _roundtrip_key(read_structure(path2)) == ref


def test_poscar_with_magmom_string_and_incar(tmp_path):
    s = read_structure(RUO2)
    from ase.io import write

    atoms = s.without_moments().to_ase()
    write(tmp_path / "POSCAR", atoms, format="vasp", direct=True)
    mag = " ".join("1" if sp == "Ru" and m[2] > 0 else "-1" if sp == "Ru" else "0"
                   for sp, m in zip(s.species, s.moments))
    assert analyze(read_structure(tmp_path / "POSCAR", magmoms=mag)).wave == "d"
    assert analyze(read_structure(tmp_path / "POSCAR")).verdict == "nonmagnetic"
    (tmp_path / "INCAR").write_text(f"ISPIN = 2\nMAGMOM = {mag}  # AFM\n")
    s2 = read_structure(tmp_path / "POSCAR")
    assert s2.info["magmom_source"].endswith("INCAR") and analyze(s2).verdict == "altermagnet"
    with pytest.raises(StructureError, match="moment values for 6 sites"):
        read_structure(tmp_path / "POSCAR", magmoms="1 -1")


def test_plain_cif_with_moments_by_label():
    text = """data_x
_cell_length_a 4.0
_cell_length_b 4.0
_cell_length_c 4.0
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Fe1 Fe 0 0 0
"""
    s = structure_from_cif_text(text, magmoms={"Fe": 2.0})
    assert analyze(s).verdict == "ferromagnet"
    with pytest.raises(StructureError, match="neither a site label nor an element"):
        structure_from_cif_text(text, magmoms={"Mn": 1.0})


@pytest.mark.parametrize("text,problem", [
    ("data_x\n_cell_length_a 4\n_cell_length_b 4\n", "missing cell parameter _cell_length_c"),
    ("data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\nloop_\n_atom_site_label\n_atom_site_fract_x\n"
     "_atom_site_fract_y\n_atom_site_fract_z\nFe1 0 0\n", "4 values for 4 columns|3 values for 4 columns"),
    ("data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_gamma 0\n", "degenerate"),
    ("data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\nloop_\n_atom_site_label\n_atom_site_type_symbol\n"
     "_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nQ1 Qq 0 0 0\n", "not a chemical element"),
    ("data_x\n_cell_length_a 4..1\n_cell_length_b 4\n_cell_length_c 4\n", "is not a number"),
    ("data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\nloop_\n_atom_site_label\n"
     "_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nFe1 Fe 0 0 0\nCo1 Co 0 0 0.0001\n",
     "total occupancy 2"),
])
def test_bad_cif_gives_clear_errors(text, problem):
    with pytest.raises(StructureError, match=problem) as err:
        structure_from_cif_text(text, source="bad.cif")
    assert str(err.value).startswith("bad.cif: ")


def test_redundant_listing_is_kept_once_and_recorded():
    text = RUO2.read_text().replace("O1 O 0.30558(17) 0.30558 0", "O1 O 0.30558(17) 0.30558 0\nO2 O 0.69442 0.69442 0")
    s = structure_from_cif_text(text)
    assert len(s) == 6 and any("kept once" in r for r in s.info["repairs"])


def test_recorded_repairs_are_not_silent():
    text = RUO2.read_text().replace("0.30558(17)", "0.30558(17).")
    s = structure_from_cif_text(text)
    assert any("0.30558(17)." in r for r in s.info["repairs"])


def test_malformed_files_from_other_tools():
    """Each file that broke other readers is read or rejected with a message naming the file."""
    for path in sorted((DATA / "malformed").iterdir()):
        try:
            s = read_structure(path)
        except StructureError as exc:
            assert str(path) in str(exc)
            continue
        r = analyze(s)
        assert r.verdict in ("altermagnet", "antiferromagnet", "ferromagnet", "compensated-ferrimagnet",
                             "noncollinear", "nonmagnetic")
    # the 2D flake files carry non-parallel moments
    assert analyze(read_structure(DATA / "malformed" / "yzplane.mcif")).verdict == "noncollinear"


def test_missing_and_wrong_inputs():
    with pytest.raises(StructureError, match="does not exist"):
        read_structure("/nonexistent/file.mcif")
    with pytest.raises(StructureError, match="folder"):
        read_structure(DATA)
    with pytest.raises(StructureError, match="cannot read a structure"):
        read_structure(42)
    with pytest.raises(StructureError, match="degenerate"):
        MagneticStructure(np.zeros((3, 3)), [[0, 0, 0]], ("Fe",), None)


def test_every_magndata_file_reads_or_is_rejected_clearly(shared_magndata):
    n_ok = n_err = 0
    for path in sorted(shared_magndata.glob("*.mcif")):
        try:
            read_structure(path)
            n_ok += 1
        except StructureError as exc:
            assert str(path) in str(exc) and len(exc.problem) > 10
            n_err += 1
    assert n_ok > 2100 and n_err < 20
