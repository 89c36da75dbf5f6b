"""Crystal graphs: invariance under cell choice, rotation and atom order; ties; caching; moments ignored."""

from collections import Counter

import numpy as np
import pytest

from altermag.discovery.graphs import (CrystalGraph, GraphConfig, build_graph, build_graphs, gaussian_expand,
                                       neighbor_list)
from altermag.structures import load_reference


def _environments(g: CrystalGraph, decimals: int = 4) -> Counter:
    """Multiset over atoms of (node features, sorted neighbour distances, sorted neighbour features)."""
    env = Counter()
    for i in range(g.n_nodes):
        sel = g.edge_index[0] == i
        d = np.round(g.edge_distance[sel].astype(float), decimals)
        nbf = [tuple(np.round(g.node_features[j], 4)) for j in g.edge_index[1][sel]]
        pairs = tuple(sorted(zip(d.tolist(), nbf)))
        env[(tuple(np.round(g.node_features[i], 4)), bool(g.magnetic[i]), pairs)] += 1
    return env


def _random_rotation(rng):
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q @ np.diag(np.sign(np.diag(r)))
    if np.linalg.det(q) < 0:
        q[:, 0] *= -1
    return q


@pytest.mark.parametrize("name", ["RuO2", "MnTe", "Fe2O3"])
def test_supercell_gives_same_atom_environments(name):
    s = load_reference(name)
    g1 = build_graph(s)
    for S in ([2, 1, 1], [[1, 1, 0], [-1, 1, 0], [0, 0, 1]]):
        g2 = build_graph(s.supercell(S))
        det = round(abs(np.linalg.det(np.array(S) if np.ndim(S) == 2 else np.diag(S))))
        assert g2.n_nodes == det * g1.n_nodes
        e1, e2 = _environments(g1), _environments(g2)
        assert e2 == Counter({k: det * v for k, v in e1.items()})


def test_rotation_translation_and_atom_order_invariance(rng):
    s = load_reference("Mn5Si3")
    g = build_graph(s)
    # rotation and origin shift: identical environments
    g_rot = build_graph(s.transformed(_random_rotation(rng)).translated([0.13, 0.71, 0.29]))
    assert _environments(g_rot) == _environments(g)
    # atom order: the graph is the permuted graph, edge by edge
    perm = rng.permutation(len(s))
    from dataclasses import replace

    sp = replace(s, frac_coords=s.frac_coords[perm], species=tuple(s.species[k] for k in perm),
                 moments=s.moments[perm], labels=tuple(s.labels[k] for k in perm))
    gp = build_graph(sp)
    np.testing.assert_array_equal(gp.node_features, g.node_features[perm])
    np.testing.assert_array_equal(gp.magnetic, g.magnetic[perm])
    inv = np.argsort(perm)  # old index -> new index

    def edges(graph, relabel=None):
        ei = graph.edge_index if relabel is None else relabel[graph.edge_index]
        return sorted(zip(ei[0].tolist(), ei[1].tolist(), np.round(graph.edge_distance, 4).tolist()))

    assert edges(gp) == edges(g, inv)


def test_ties_are_kept_bcc_shells():
    """bcc Fe: 8 neighbours at a√3/2 and 6 at a; with 12 kept, the 6 tied second neighbours all stay."""
    s = load_reference("Fe-bcc")
    g = build_graph(s, GraphConfig(max_neighbors=12))
    a = np.cbrt(s.volume / len(s) * 2)  # conventional cubic edge
    for i in range(g.n_nodes):
        d = np.sort(g.edge_distance[g.edge_index[0] == i])
        assert len(d) == 14
        np.testing.assert_allclose(d[:8], a * np.sqrt(3) / 2, rtol=1e-4)
        np.testing.assert_allclose(d[8:], a, rtol=1e-4)
    g8 = build_graph(s, GraphConfig(max_neighbors=8))
    assert np.all(np.bincount(g8.edge_index[0]) == 8)


def test_neighbour_list_against_brute_force(rng):
    lat = np.array([[3.1, 0.2, 0.0], [0.4, 2.9, 0.1], [0.3, -0.2, 3.4]])
    frac = rng.random((3, 3))
    ci, cj, d = neighbor_list(lat, frac, cutoff=6.0, max_neighbors=200)
    # brute force over a generous image range
    rngs = np.arange(-4, 5)
    imgs = np.array(np.meshgrid(rngs, rngs, rngs, indexing="ij")).reshape(3, -1).T
    for i in range(3):
        dd = np.linalg.norm((frac[None, :, :] + imgs[:, None, :] - frac[i]) @ lat, axis=2).ravel()
        ref = np.sort(dd[(dd > 1e-8) & (dd <= 6.0)])
        np.testing.assert_allclose(np.sort(d[ci == i]), ref, rtol=1e-10)


def test_gaussian_expansion_peaks_at_distance():
    cfg = GraphConfig()
    e = gaussian_expand(np.array([2.0, 3.3]), cfg)
    assert e.shape == (2, cfg.edge_dim) and cfg.edge_dim == 41
    assert cfg.centres[np.argmax(e[0])] == pytest.approx(2.0)
    assert abs(cfg.centres[np.argmax(e[1])] - 3.3) <= 0.1 + 1e-9
    assert e.max() <= 1.0


def test_moments_ignored_and_inputs_equivalent():
    s = load_reference("RuO2")
    g1 = build_graph(s)
    g2 = build_graph(s.without_moments())
    g3 = build_graph(s.to_pymatgen())
    for other in (g2, g3):
        for k, v in g1.arrays().items():
            np.testing.assert_array_equal(v, other.arrays()[k])
    assert g1.content_hash == g2.content_hash == g3.content_hash
    assert g1.magnetic.sum() == 2  # the two Ru atoms


def test_embeddings():
    s = load_reference("MnTe")
    gc = build_graph(s, GraphConfig(embedding="cgcnn"))
    go = build_graph(s, GraphConfig(embedding="onehot"))
    assert gc.node_features.shape[1] == 93 and go.node_features.shape[1] == 100
    np.testing.assert_array_equal(go.node_features.sum(1), 1.0)
    # Mn and Te differ in every one-hot block of the CGCNN embedding but group/period blocks sum to 1
    assert np.all(gc.node_features[:, :18].sum(1) == 1) and np.all(gc.node_features[:, 18:27].sum(1) == 1)


def test_cache_uses_content_hash(tmp_path):
    s = load_reference("CrSb")
    g = build_graphs([s], cache_dir=tmp_path, progress_bar=False)[0]
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1 and files[0].stem == g.content_hash
    again = build_graphs([s], cache_dir=tmp_path, progress_bar=False)[0]
    np.testing.assert_array_equal(again.edge_features, g.edge_features)
    marked = CrystalGraph.load(files[0])  # prove the second build is a cache hit: mark the cached file
    marked.edge_features = marked.edge_features * 0.5
    marked.save(files[0])
    hit = build_graphs([s], cache_dir=tmp_path, progress_bar=False)[0]
    np.testing.assert_array_equal(hit.edge_features, 0.5 * g.edge_features)
    # a changed structure or config is a different key, never a stale hit
    strained = s.supercell([1, 1, 1])
    from dataclasses import replace

    strained = replace(strained, lattice=strained.lattice * 1.01)
    g2 = build_graphs([strained], cache_dir=tmp_path, progress_bar=False)[0]
    assert g2.content_hash != g.content_hash
    assert not np.allclose(g2.edge_distance, g.edge_distance)
    g3 = build_graphs([s], GraphConfig(cutoff=6.0), cache_dir=tmp_path, progress_bar=False)[0]
    assert g3.content_hash != g.content_hash
    assert len(list(tmp_path.glob("*.npz"))) == 3


def test_bad_parameters():
    from altermag.core.errors import ParameterError

    with pytest.raises(ParameterError, match="cutoff"):
        GraphConfig(cutoff=-1)
    with pytest.raises(ParameterError, match="embedding"):
        GraphConfig(embedding="word2vec")


def test_parallel_build_equals_serial():
    from altermag.structures import list_references

    structs = [load_reference(n) for n in list_references()][:16]
    a = build_graphs(structs, workers=1, progress_bar=False)
    b = build_graphs(structs, workers=2, progress_bar=False)
    for ga, gb in zip(a, b):
        assert ga.content_hash == gb.content_hash
        np.testing.assert_array_equal(ga.edge_index, gb.edge_index)


def test_errors_return_keeps_failures_in_place():
    from altermag.core.errors import StructureError
    from altermag.structures import MagneticStructure

    bad = MagneticStructure(lattice=np.eye(3) * 30, frac_coords=[[0, 0, 0]], species=("Fe",), moments=None)
    good = load_reference("RuO2")
    with pytest.raises(StructureError, match="no neighbours"):
        build_graphs([good, bad], GraphConfig(cutoff=5.0), progress_bar=False)
    out = build_graphs([good, bad], GraphConfig(cutoff=5.0), progress_bar=False, errors="return")
    assert isinstance(out[0], CrystalGraph) and isinstance(out[1], StructureError)
