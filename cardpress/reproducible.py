"""Reproducible builds: the one reader of SOURCE_DATE_EPOCH.

Outputs never take a date from the clock, so the same notes give the same
bytes; a user (or a packager) who wants a date stamps it with
SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/).
"""

from __future__ import annotations

import os


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as whole seconds, or None when unset or not a number."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None
