"""Models: the CLIP embedder (open_clip). torch is imported lazily, only when a model loads."""
