"""Commands that analyse the library: clusters, project (the 3D map), evaluate, duplicates."""

from __future__ import annotations

import argparse
import json

from app.cli.common import check_cluster_args, emit, open_library


def cmd_clusters(args: argparse.Namespace) -> int:
    from app.analysis.clustering import ClusterParams
    from app.analysis.library_analysis import AnalysisInputs, clusters

    check_cluster_args(args)
    params = ClusterParams(args.algorithm, args.eps, args.min_samples, args.k, strictness=args.strictness)
    with open_library(args) as library:
        library.require_vectors()
        result = clusters(AnalysisInputs.of(library), params, args.on)
    payload = result.to_json()
    lines = [f"{c.size:5d}  {c.name}" for c in result.clusters]
    lines.append(f"{result.noise:5d}  (not grouped)")
    if result.radius:
        how = result.radius.get("rule", "given")
        lines.append(f"radius {result.radius['eps']:.4g} ({how})")
    emit(args, payload, "\n".join(lines))
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    from app.analysis.library_analysis import AnalysisInputs
    from app.analysis.library_events import events

    with open_library(args) as library:
        library.require_vectors()
        found = events(AnalysisInputs.of(library))
    lines = [f"{e.id:4d}  {e.size:5d}  {e.name}" for e in found.events]
    emit(args, found.to_json(), "\n".join(lines) or "no events yet")
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    from app.analysis.library_analysis import AnalysisInputs, projection
    from app.core.paths import display_path

    with open_library(args) as library:
        library.require_vectors()
        result = projection(AnalysisInputs.of(library))
    payload = result.to_json()
    human = "\n".join(
        f"{p.x:+.3f} {p.y:+.3f} {p.z:+.3f}  {p.cluster:3d}  {display_path(p.path)}" for p in result.points
    )
    emit(args, payload, human)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from app.analysis.evaluate_folder import evaluate_dataset
    from app.ml.spec import requested_spec

    check_cluster_args(args)
    metrics = evaluate_dataset(
        args.dataset, requested_spec(args.model, args.pretrained), args.device, args.eps, args.min_samples
    )
    human = "\n".join(f"{k}: {json.dumps(v)}" for k, v in metrics.items())
    emit(args, metrics, human)
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    from app.analysis.duplicates import DuplicateParams, find_duplicates
    from app.analysis.library_analysis import AnalysisInputs
    from app.core.errors import UserError
    from app.core.paths import display_path

    if not 0.0 <= args.strictness <= 1.0:  # false for NaN too
        raise UserError("--strictness is between 0 (loose) and 1 (strict); 0.5 is the default")
    with open_library(args) as library:
        library.require_vectors()
        found = find_duplicates(AnalysisInputs.of(library), DuplicateParams.from_strictness(args.strictness), args.tier)
    lines = []
    for group in found.groups:
        lines.append(f"{group.tier}: keep {display_path(group.keep)} ({group.why})")
        lines += [f"    {display_path(p)}" for p in group.paths if p != group.keep]
    emit(args, found.to_json(), "\n".join(lines) or "no duplicates found")
    return 0
