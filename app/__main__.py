"""`python -m app`: the same entry point as the `photo-organizer` command."""

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
