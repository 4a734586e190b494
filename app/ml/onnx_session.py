"""ONNX Runtime sessions as the app opens them: the exported query towers (`query_text`,
`query_image`) and the text gate (`text_gate`); onnxruntime is imported only when one opens."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def onnx_session(path: Path, spin: bool = True) -> Any:
    """An ONNX Runtime session on the CPU, on every core, quiet. Without `spin` its threads
    sleep as soon as a run ends instead of busy-waiting for the next one: for a model called
    between torch models, which would otherwise share the cores with idle spinning."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, os.cpu_count() or 1)
    options.log_severity_level = 3
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
