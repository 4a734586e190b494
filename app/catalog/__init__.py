"""The SQLite catalog: images, files, regions, failures; short-session repository functions."""
