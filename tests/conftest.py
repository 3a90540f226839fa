"""Shared fixtures. Tests use the real parts (Anki's backend, WeasyPrint,
Chromium); these only find paths and make scratch copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "source"
NOTES = SOURCE / "ai-dev-knowledge.md"


@pytest.fixture
def notes_copy(tmp_path: Path) -> Path:
    """A scratch copy of the shipped notes: tests edit it, never `source/`."""
    src = tmp_path / "source"
    shutil.copytree(SOURCE, src)
    return src
