"""Entry point for the PyInstaller bundle: the same CLI, which opens the GUI with no arguments."""

import logging
import multiprocessing

if __name__ == "__main__":
    # First of all: a decode worker or multiprocessing's resource tracker is this very
    # executable started again with multiprocessing's own arguments; this runs it and exits.
    multiprocessing.freeze_support()
    # The bundle leaves out triton (torch's GPU kernel compiler, which the app never uses);
    # torch says so once when the model is exported, which would only puzzle a user.
    logging.getLogger("torch.utils.flop_counter").setLevel(logging.ERROR)
    from app.cli import command_line

    raise SystemExit(command_line())
