"""Entry point for the PyInstaller bundle: the same CLI, which opens the GUI with no arguments."""

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
