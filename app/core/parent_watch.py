"""A worker process that ends with the process that started it: a pool's worker waits on a
pipe its parent's end of which it also holds, so a killed parent would leave it waiting."""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent() -> None:
    """Watch, in a daemon thread, for this process's parent to go (it is then re-parented),
    and exit at once when it does, releasing the pipes and files held."""
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="orphan-watch").start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
