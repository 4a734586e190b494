"""Analysis: clusters (DBSCAN, HDBSCAN, k-means), their names, the 3D map, and evaluation."""
