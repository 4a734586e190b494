"""The window opened on a library and left running, as JSON: when its first gallery (the newest
page) and its whole gallery are shown, when clusters, events and memories arrive, each
background task's start and end, and the resident memory of the window's process and of its
children (the analysis process) sampled every two seconds, with their peaks.

    .venv/bin/python benchmarks/window_memory.py LIBRARY [--seconds 90]

Run it alone on the machine (a million photos keep both cores busy for minutes). The window's
process must stay within 3 GB at a million photos while the analyses run in its child.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def resident_mb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            found.append(int(entry))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--seconds", type=float, default=90.0)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    import app.ui.task_manager as task_manager
    from app.ui.application import freeze_heap_after_first_gallery
    from app.ui.main_window import MainWindow

    application = QApplication([])
    shown: list[tuple[float, str]] = []
    tasks: list[dict] = []
    samples: list[tuple[float, int, int]] = []

    def now() -> float:
        return round(time.perf_counter() - started, 2)

    run = task_manager.TaskManager.run

    def timed_run(self, op, on_success=None, on_error=None):  # type: ignore[no-untyped-def]
        def timed():  # type: ignore[no-untyped-def]
            began = now()
            try:
                return op()
            finally:
                tasks.append({"task": getattr(op, "__qualname__", repr(op)), "from": began, "to": now()})

        return run(self, timed, on_success, on_error)

    task_manager.TaskManager.run = timed_run  # type: ignore[method-assign]
    window = MainWindow(args.library)
    freeze_heap_after_first_gallery(window)  # as the app does (run_gui)
    for name in ("show_gallery", "show_clusters", "show_events", "show_memories"):
        original = getattr(window, name)

        def noted(*given, _original=original, _name=name):  # type: ignore[no-untyped-def]
            rows = given[0] if _name == "show_gallery" and given[0] is not None else None
            shown.append((now(), f"{_name} {len(rows):,} rows" if rows is not None else _name))
            return _original(*given)

        setattr(window, name, noted)
    window.resize(1200, 800)
    window.show()

    def sample() -> None:
        mine = os.getpid()
        samples.append((now(), resident_mb(mine), sum(resident_mb(child) for child in children(mine))))

    timer = QTimer()
    timer.timeout.connect(sample)
    timer.start(2000)
    QTimer.singleShot(int(args.seconds * 1000), application.quit)
    application.exec()
    sample()
    galleries = [moment for moment, what in shown if what.startswith("show_gallery")]
    print(
        json.dumps(
            {
                "seconds": args.seconds,
                "first_gallery_seconds": galleries[0] if galleries else None,
                "window_peak_mb": max(s[1] for s in samples),
                "children_peak_mb": max(s[2] for s in samples),
                "shown": shown,
                "tasks": sorted(tasks, key=lambda t: t["from"]),
                "samples": samples,
            }
        )
    )
    sys.stdout.flush()
    os._exit(0)  # the analysis process is a daemon: it ends with this one


if __name__ == "__main__":  # the analysis process imports this module again (spawn)
    main()
