"""The SQLite catalog: images, files, regions, failures; functions that each run one short transaction and return plain records."""
