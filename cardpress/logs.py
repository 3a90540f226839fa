"""What a library logs during one call, kept instead of printed.

WeasyPrint's warnings become the build's diagnostics (writers/pdf/capture.py);
ziamath and ziafont log through the root logger, whose first message would
otherwise install a handler that prints every later library warning to the
user's terminal (mathtex/draw.py)."""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator


class LogCatcher(logging.Handler):
    """Collects the messages of one logger during one call."""

    def __init__(self, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def catch_logs(name: str, level: int = logging.WARNING) -> Iterator[LogCatcher]:
    """Collect what the logger `name` ("" for the root) logs at `level` or above."""
    catcher = LogCatcher(level)
    logger = logging.getLogger(name)
    logger.addHandler(catcher)
    try:
        yield catcher
    finally:
        logger.removeHandler(catcher)
