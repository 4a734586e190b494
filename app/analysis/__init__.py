"""Analysis: clusters (DBSCAN, HDBSCAN, k-means), their names, the 3D map, and evaluation."""

import threading

_sklearn_lock = threading.Lock()


def load_sklearn() -> None:
    """Import the parts of scikit-learn the analysis uses, one thread at a time: two threads
    importing it for the first time at once (the app computes clusters and the 3D map side by
    side) can meet a half-initialised module and fail."""
    with _sklearn_lock:
        import sklearn.cluster  # noqa: F401
        import sklearn.decomposition  # noqa: F401
        import sklearn.manifold  # noqa: F401
        import sklearn.metrics  # noqa: F401
