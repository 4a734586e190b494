"""Guards against Qt binding bugs the app cannot work around."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Relay(QObject):
    fired = Signal(int)


def test_signal_emission_keeps_reference_counts(qapp):
    # PySide6 6.12.0 returned True from emit() without a reference: after ~600 emits the
    # interpreter aborted ("bool_dealloc"). The gallery emits one signal per thumbnail.
    relay = _Relay()
    relay.fired.connect(lambda _n: None)
    before = sys.getrefcount(True)
    for n in range(5000):
        relay.fired.emit(n)
    # Other threads may hold a True or two meanwhile; the bug lost one per emit.
    assert abs(sys.getrefcount(True) - before) < 100
