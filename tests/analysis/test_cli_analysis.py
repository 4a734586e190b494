"""clusters, project and evaluate through the CLI, with the model trained on drawn shapes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.helpers.shapes import COLOURS, SHAPES, draw, write_test_set


@pytest.fixture
def shapes_indexed(cli, tmp_path: Path, shapes_model: str) -> Path:
    folder = tmp_path / "shapes"
    write_test_set(folder, per_class=4, seed=321)
    assert cli("index", folder, "--model", shapes_model).code == 0
    return folder


def _class_of(path: str) -> str:
    colour, shape, _ = Path(path).stem.split("-")
    return f"{colour} {shape}"


def test_clusters_group_the_same_shape_and_colour(cli, shapes_indexed):
    # This 32-dimension model spreads its classes more tightly than CLIP: the radius is chosen
    # from the library's own neighbour distances.
    result = cli("clusters", "--json")
    assert result.code == 0, result.err
    report = result.json
    members = [p for c in report["clusters"] for p in c["paths"]]
    assert len(members) + report["noise"] == 48
    majority = sum(Counter(_class_of(p) for p in c["paths"]).most_common(1)[0][1] for c in report["clusters"])
    print("clusters:", [(c["name"], c["size"]) for c in report["clusters"]], "noise", report["noise"])
    assert majority / len(members) >= 0.9, "clusters are pure"
    assert len(members) >= 36, "most photos are grouped"
    named = 0
    for c in report["clusters"]:
        words = set(c["name"].replace("·", " ").split())
        colour, shape = Counter(_class_of(p) for p in c["paths"]).most_common(1)[0][0].split()
        named += bool(words & {colour, shape})
    # The model knows only colour and shape words; the rest of the vocabulary is noise to it.
    assert named / len(report["clusters"]) >= 0.5, "names say what the photos show"
    assert set(report) >= {"clusters", "noise", "seconds", "radius"}
    assert report["radius"]["how"] == "chosen" and report["radius"]["eps"] < 0.1
    objects = cli("clusters", "--on", "object", "--json")  # none found in drawn shapes: no groups, no error
    assert objects.code == 0 and objects.json["clusters"] == [] and objects.json["noise"] == 0
    human = cli("clusters").out
    assert f"radius {report['radius']['eps']:.4g} (knee of the 2-distance curve over 48 photos)" in human
    assert set(report["clusters"][0]) >= {"id", "name", "size", "paths"}


def test_other_algorithms_from_the_cli(cli, shapes_indexed):
    km = cli("clusters", "--algorithm", "kmeans", "--k", "12", "--json").json
    assert len(km["clusters"]) == 12 and km["noise"] == 0
    hd = cli("clusters", "--algorithm", "hdbscan", "--json")
    assert hd.code == 0 and hd.json["clusters"]


def test_project_gives_every_photo_a_point_cached_until_the_library_changes(cli, shapes_indexed, tmp_path):
    first = cli("project", "--json")
    assert first.code == 0, first.err
    points = first.json["points"]
    assert len(points) == 48
    assert all(-1.0 <= p[a] <= 1.0 for p in points for a in "xyz")
    clusters = cli("clusters", "--json").json
    cluster_of = {p: c["id"] for c in clusters["clusters"] for p in c["paths"]}
    assert all(p["cluster"] == cluster_of.get(p["path"], -1) for p in points)
    assert cli("status", "--json").json["analysis"] == {"clusters": "fresh", "map": "fresh", "places": "fresh"}
    again = cli("project", "--json").json
    assert again["points"] == points and again["seconds"] < first.json["seconds"]

    import numpy as np

    draw("red", "circle", np.random.default_rng(77), 128).save(shapes_indexed / "extra.png")
    cli("index", shapes_indexed)
    assert cli("status", "--json").json["analysis"] == {"clusters": "stale", "map": "stale", "places": "fresh"}
    assert len(cli("project", "--json").json["points"]) == 49


def test_evaluate_reports_retrieval_and_clustering_quality(cli, tmp_path, shapes_model):
    dataset = tmp_path / "dataset"
    for (colour, shape), paths in write_test_set(tmp_path / "flat", per_class=5, seed=555).items():
        target = dataset / f"{colour}_{shape}"
        target.mkdir(parents=True)
        for p in paths:
            p.rename(target / p.name)
    result = cli("evaluate", dataset, "--model", shapes_model, "--json")
    assert result.code == 0, result.err
    m = result.json
    print(
        {k: m[k] for k in ("map_image_to_image", "map_text_to_image", "dbscan", "silhouette")}, m["kmeans"]["accuracy"]
    )
    chance = 1 / (len(COLOURS) * len(SHAPES))
    assert m["images"] == 60 and m["classes"] == 12
    assert m["map_text_to_image"]["5"] >= 0.8 > chance * 3
    assert m["map_image_to_image"]["5"] >= 0.8
    assert set(m["map_image_to_image"]) == {"5", "10", "20", "50"}
    assert m["dbscan"]["purity"] >= 0.85 and m["dbscan"]["noise_share"] <= 0.3
    assert m["dbscan"]["radius"]["how"] == "chosen" and m["dbscan"]["eps"] == m["dbscan"]["radius"]["eps"]
    sweep = {row["eps"]: row for row in m["dbscan"]["sweep"]}
    assert {0.05, 0.1, 0.2, 0.3} <= set(sweep) and round(m["dbscan"]["eps"], 6) in sweep
    assert sweep[round(m["dbscan"]["eps"], 6)]["purity"] == m["dbscan"]["purity"]
    assert sweep[0.2]["purity"] < 0.85, "the thesis' fixed radius merges kinds for this model"
    assert m["kmeans"]["accuracy"] >= 0.7
    assert set(m["kmeans"]["per_class"]["red circle"]) == {"precision", "recall", "f1-score"}
    assert -1 <= m["silhouette"] <= 1


def test_analysis_errors_are_one_line(cli, tmp_path):
    for args in (
        ("clusters",),
        ("project",),
        ("evaluate", tmp_path / "missing"),
        ("clusters", "--eps", "0"),
        ("clusters", "--eps", "wide"),
    ):
        result = cli(*args)
        assert result.code == 2 and "Traceback" not in result.err and result.err.startswith("photo-organizer: error:")


def test_a_renamed_cluster_keeps_its_name_through_recomputation(cli, shapes_indexed, library_dir):
    from app.analysis.clustering import ClusterParams
    from app.analysis.library_analysis import AnalysisInputs, clusters, rename_cluster
    from app.library import Library

    with Library(library_dir) as library:
        inputs = AnalysisInputs.of(library)
        first = clusters(inputs, ClusterParams(eps=0.1)).clusters[0]
        rename_cluster(inputs, first.image_ids, "  My   favourite  shapes ")
        again = clusters(inputs, ClusterParams(eps=0.1), use_cache=False).clusters
    renamed = [c for c in again if c.renamed]
    assert [c.name for c in renamed] == ["My favourite shapes"]
    assert set(renamed[0].image_ids) == set(first.image_ids)
    listed = cli("clusters", "--eps", "0.1", "--json").json["clusters"]
    assert "My favourite shapes" in [c["name"] for c in listed]


def test_the_map_takes_the_cached_default_clusters_instead_of_clustering_again(cli, shapes_indexed, monkeypatch):
    from app.analysis import library_analysis

    clusters = cli("clusters", "--json").json
    cluster_of = {p: c["id"] for c in clusters["clusters"] for p in c["paths"]}

    def clustered_again(*_args, **_named):  # type: ignore[no-untyped-def]
        raise AssertionError("the map clustered the library again")

    monkeypatch.setattr(library_analysis, "cluster", clustered_again)
    points = cli("project", "--json")
    assert points.code == 0, points.err
    assert len(points.json["points"]) == 48
    assert all(p["cluster"] == cluster_of.get(p["path"], -1) for p in points.json["points"])
