"""`python -m app`: the same entry point as the `photo-organizer` command."""

from app.cli import command_line

if __name__ == "__main__":
    raise SystemExit(command_line())
