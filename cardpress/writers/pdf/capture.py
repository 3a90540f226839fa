"""The process-wide state one render touches, set and restored around it:
environment variables (fontconfig's file, SOURCE_DATE_EPOCH) and
WeasyPrint's logger, whose warnings become the build's diagnostics."""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

from ...logs import LogCatcher, catch_logs as catch

WEASYPRINT = "weasyprint"


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


@contextlib.contextmanager
def catch_logs() -> Iterator[LogCatcher]:
    """WeasyPrint's warnings during one render."""
    with catch(WEASYPRINT) as catcher:
        yield catcher
