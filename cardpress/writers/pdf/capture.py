"""The process-wide state one render touches, set and restored around it:
environment variables (fontconfig's file, SOURCE_DATE_EPOCH) and
WeasyPrint's logger, whose warnings become the build's diagnostics."""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Iterator


@contextlib.contextmanager
def environ(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class LogCatcher(logging.Handler):
    """Collects WeasyPrint's warnings during one render."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def catch_logs() -> Iterator[LogCatcher]:
    catcher = LogCatcher()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(catcher)
    try:
        yield catcher
    finally:
        logger.removeHandler(catcher)
