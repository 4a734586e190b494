"""The PySide6 desktop app. Qt (and pyqtgraph) are imported here and nowhere else."""
