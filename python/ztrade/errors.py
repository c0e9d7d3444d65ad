"""Errors a user of ``ztrade`` sees as one line (the CLI prints them without a traceback)."""
from __future__ import annotations


class EngineError(RuntimeError):
    """The engine could not be started or failed while running."""
