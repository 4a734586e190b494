"""Indexing: scanning folders, decoding images and the embedding pipeline."""
