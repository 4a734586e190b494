"""Photo Organizer: a private, local photo library searchable by words, examples and text."""

__version__ = "0.1.0"
