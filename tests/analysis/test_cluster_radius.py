"""The cluster radius chosen from the data: it fits models whose distances sit on different
scales, where the thesis' fixed 0.2 does not; DBSCAN from the graph matches scikit-learn's."""

from __future__ import annotations

import copy
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from app.analysis.clustering import NOISE, ClusterParams, RadiusGraph, cluster, dbscan_on_graph
from app.analysis.evaluation import purity
from app.analysis.neighbours import radius_graph
from app.analysis.radius import LOOSEST, knee, scale
from tests.analysis.test_clustering import blobs
from tests.helpers.shapes import MODEL_CFG, write_test_set

PER_CLASS = 16


@pytest.mark.parametrize("seed", range(3))
def test_dbscan_from_the_graph_matches_scikit_learn(seed):
    from sklearn.cluster import DBSCAN
    from sklearn.metrics import adjusted_rand_score

    x, _truth = blobs(k=8, seed=seed)
    for eps in (0.02, 0.1, 0.2, 0.4):
        for min_samples in (2, 4):
            graph = radius_graph(x, eps)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = DBSCAN(eps=eps, min_samples=min_samples, metric="precomputed").fit(graph)
            found = dbscan_on_graph(graph, eps, min_samples)
            core = np.zeros(len(x), dtype=bool)
            core[expected.core_sample_indices_] = True
            assert adjusted_rand_score(expected.labels_[core], found[core]) == 1.0
            assert np.array_equal(expected.labels_ == NOISE, found == NOISE)
            # From a looser graph, the same clusters: the slider re-clusters without searching.
            assert np.array_equal(dbscan_on_graph(radius_graph(x, 2 * eps), eps, min_samples), found)


@pytest.mark.parametrize("seed", range(3))
def test_the_spanning_forest_gives_the_graphs_clusters_at_every_radius(seed):
    """With `min_samples` 2 (and 1) the forest the slider keeps finds exactly the clusters of
    the whole graph, exact copies (distance 0), tied distances and lone photos included."""
    from app.analysis.clustering import spanning_forest

    x, _truth = blobs(k=8, seed=seed)
    rng = np.random.default_rng(seed)
    copies = x[rng.choice(len(x), 12, replace=False)]  # exact copies: SciPy reads a 0 as no edge
    lone = rng.normal(size=(5, x.shape[1])).astype(np.float32)
    x = np.vstack([x, copies, copies[:3], lone / np.linalg.norm(lone, axis=1, keepdims=True)])
    graph = radius_graph(x, 0.4)
    graph.data = np.round(graph.data, 2).astype(np.float32)  # many ties between edges
    forest = spanning_forest(graph)
    assert forest.nnz <= 3 * len(x), "about two edges a photo, and its self-distance"
    for eps in (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4):
        for min_samples in (1, 2):
            assert np.array_equal(dbscan_on_graph(forest, eps, min_samples), dbscan_on_graph(graph, eps, min_samples))
    kept = RadiusGraph.build(x, None, 2, loose=True)
    forested = kept.single_linkage()
    for strictness in np.linspace(0, 1, 9):
        assert np.array_equal(forested.clustering(2, strictness).labels, kept.clustering(2, strictness).labels)


def test_the_knee_is_where_near_neighbours_end():
    rng = np.random.default_rng(0)
    grouped = rng.uniform(0.01, 0.03, 700)  # photos with a close neighbour
    loose = rng.uniform(0.2, 0.5, 300)  # photos near nothing in particular
    assert 0.025 <= knee(np.concatenate([grouped, loose])) <= 0.05
    assert knee(np.array([0.1, 0.1, 0.1])) == pytest.approx(0.1)
    assert scale(0.0) == pytest.approx(LOOSEST) and scale(0.5) == 1.0 and scale(1.0) == pytest.approx(1 / LOOSEST)


def test_the_chosen_radius_follows_the_model_scale():
    """Pulling every vector towards their mean (a model whose similarities are all high, as
    SigLIP's or OpenAI CLIP's differ) shrinks the distances; the chosen radius shrinks with
    them and finds the same groups."""
    x, truth = blobs(k=6, noise=0)
    found = cluster(x, ClusterParams()).labels
    mean = x.mean(axis=0) / np.linalg.norm(x.mean(axis=0))
    squeezed = x + 3.0 * mean
    squeezed /= np.linalg.norm(squeezed, axis=1, keepdims=True)
    again = cluster(squeezed, ClusterParams())
    assert again.radius is not None and again.radius.how == "chosen"
    assert purity(again.labels, truth)["purity"] == 1.0
    assert purity(found, truth)["purity"] == 1.0
    assert cluster(squeezed, ClusterParams(eps=0.2)).labels.max() == 0, "a fixed radius merges them all"


def test_strictness_moves_the_radius_from_one_graph():
    x, _truth = blobs(k=5)
    graph = RadiusGraph.build(x, None, 2, loose=True)
    assert graph.reach == pytest.approx(graph.radius.eps * LOOSEST)
    loose, chosen, strict = (graph.clustering(2, s) for s in (0.0, 0.5, 1.0))
    assert loose.radius.eps > chosen.radius.eps > strict.radius.eps
    assert (loose.labels == NOISE).sum() <= (chosen.labels == NOISE).sum() <= (strict.labels == NOISE).sum()
    fresh = RadiusGraph.build(x, None, 2, strictness=1.0).clustering(2)
    assert np.array_equal(fresh.labels, strict.labels)


# --- labelled folders, different models ------------------------------------------------------


@pytest.fixture(scope="module")
def second_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Another small CLIP: a wider embedding, another seed, shorter training."""
    from tests.helpers.shapes import train_shapes_model

    config = copy.deepcopy(MODEL_CFG)
    config["embed_dim"] = 64
    folder = train_shapes_model(tmp_path_factory.mktemp("second-model") / "model", steps=400, seed=1, config=config)
    return f"local-dir:{folder}"


def _labelled_library(cli, folder: Path, model: str) -> Path:
    library = folder / "library"
    write_test_set(folder / "photos", per_class=PER_CLASS, seed=2024)
    assert cli("index", folder / "photos", "--model", model, "--library", library, "--no-detect", "--no-ocr").code == 0
    return library


def _quality(report: dict) -> tuple[float, float]:
    """(purity, share left ungrouped) of a `clusters --json` report on drawn shapes."""
    members = [p for c in report["clusters"] for p in c["paths"]]
    majority = sum(
        Counter("-".join(Path(p).stem.split("-")[:2]) for p in c["paths"]).most_common(1)[0][1]
        for c in report["clusters"]
    )
    total = len(members) + report["noise"]
    return majority / max(1, len(members)), report["noise"] / total


@pytest.mark.parametrize("which", ["shapes", "second"])
def test_default_clusters_fit_each_model_where_a_fixed_radius_fails(cli, tmp_path, shapes_model, which, request):
    model = shapes_model if which == "shapes" else request.getfixturevalue("second_model")
    library = _labelled_library(cli, tmp_path, model)
    chosen = cli("clusters", "--library", library, "--json")
    assert chosen.code == 0, chosen.err
    fixed = cli("clusters", "--library", library, "--eps", "0.2", "--json").json
    quality, fixed_quality = _quality(chosen.json), _quality(fixed)
    print(which, chosen.json["radius"], quality, "fixed 0.2:", fixed_quality)
    assert quality[0] >= 0.9 and quality[1] <= 0.2
    assert fixed_quality[0] < 0.9 or fixed_quality[1] > 0.2
    radius = chosen.json["radius"]
    assert radius["how"] == "chosen" and 0 < radius["eps"] < 0.2 and radius["k"] == 2
    assert radius["sampled"] == 12 * PER_CLASS and "knee" in radius["rule"]
    assert fixed["radius"] == {"eps": 0.2, "how": "given"}


def test_default_clusters_fit_the_same_model_with_its_temperature_changed(cli, tmp_path, shapes_model):
    """Vectors sharpened towards their mean: every similarity rises, as with a model whose
    similarities sit on another scale."""
    from app.analysis.library_analysis import _groups
    from app.catalog import analysis_vectors, lookups
    from app.library import Library

    library_dir = _labelled_library(cli, tmp_path, shapes_model)
    with Library(library_dir) as library:
        _regions, image_ids, vectors = analysis_vectors.vectors_for_analysis(library.engine)
        infos = lookups.images(library.engine, image_ids.tolist())
    truth = np.array(["-".join(Path(infos[int(i)].paths[0]).stem.split("-")[:2]) for i in image_ids])
    mean = vectors.mean(axis=0) / np.linalg.norm(vectors.mean(axis=0))
    for weight in (1.0, 3.0):
        warmer = vectors + weight * mean
        warmer /= np.linalg.norm(warmer, axis=1, keepdims=True)
        chosen = cluster(warmer, ClusterParams())
        quality = purity(chosen.labels, truth)
        fixed = purity(cluster(warmer, ClusterParams(eps=0.2)).labels, truth)
        print(weight, chosen.radius, quality, "fixed 0.2:", fixed)
        assert quality["purity"] >= 0.9 and quality["noise_share"] <= 0.2
        assert fixed["purity"] < 0.9 or fixed["noise_share"] > 0.2
        assert len(_groups(chosen)[0]) == quality["clusters"]
