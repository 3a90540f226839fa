"""Parsing on both cores: the files to parse are split in two halves of
about equal size, the second half parsed in a forked process (cardpress/
fork.py); results are put back in file order, so the build is the same
either way. Small builds (a few hundred kilobytes) stay in one process:
the fork and the trip back cost more than they save."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .. import highlight
from ..errors import InternalError
from ..fork import Partner, can_fork
from ..model import Deck, Diagnostic
from .deck import DeckReader

MIN_BYTES = 256 * 1024  # below this, one process


@dataclass
class Job:
    reader: DeckReader
    data: bytes


@dataclass
class Parsed:
    deck: Deck | None
    diagnostics: list[Diagnostic]
    media_files: dict[str, str]
    bug: str = ""  # the traceback of an unexpected exception while reading
    searched: bool = False  # a file was looked for across the source folder (`![[x.png]]`): not cacheable


def parse_all(jobs: Sequence[Job], parallel: bool = True) -> list[Parsed]:
    """Each job's deck, in the jobs' order. Raises InternalError (naming the
    file) when reading one hits a bug."""
    if parallel and len(jobs) >= 2 and sum(len(j.data) for j in jobs) >= MIN_BYTES and can_fork():
        results = _both_cores(jobs)
    else:
        results = [_parse(job) for job in jobs]
    for job, result in zip(jobs, results):
        if result.bug:
            raise InternalError(f"reading {job.reader.sink.display}", RuntimeError(result.bug))
    return results


def _parse(job: Job) -> Parsed:
    import traceback

    try:
        deck = job.reader.read(job.data)
    except Exception:  # noqa: BLE001 - a bug, reported naming the file that shows it
        return Parsed(None, [], {}, bug=traceback.format_exc())
    return Parsed(deck, list(job.reader.diagnostics), dict(job.reader.media_files),
                  searched=job.reader.approved.searched)


def _halves(jobs: Sequence[Job]) -> tuple[list[int], list[int]]:
    """Job indexes split in two of about equal size, each in file order."""
    sizes = [0, 0]
    halves: tuple[list[int], list[int]] = ([], [])
    for i in sorted(range(len(jobs)), key=lambda i: (-len(jobs[i].data), i)):
        side = 0 if sizes[0] <= sizes[1] else 1
        halves[side].append(i)
        sizes[side] += len(jobs[i].data)
    return sorted(halves[0]), sorted(halves[1])


_FENCE_LANG_RE = re.compile(rb"^[ \t]{0,3}(?:`{3,}|~{3,})[ \t]*([A-Za-z0-9_+#.-]+)", re.M)


def _both_cores(jobs: Sequence[Job]) -> list[Parsed]:
    # Both processes highlight code: make its lexers once, before the fork.
    highlight.warm({m.group(1).decode("ascii") for job in jobs for m in _FENCE_LANG_RE.finditer(job.data)})
    mine, theirs = _halves(jobs)
    results: list[Parsed | None] = [None] * len(jobs)
    partner = Partner(lambda conn: conn.send(("parsed", [(i, _parse(jobs[i])) for i in theirs])),
                      "second reading process")
    done = False
    try:
        for i in mine:
            results[i] = _parse(jobs[i])
        for i, parsed in partner.expect("parsed"):
            results[i] = parsed
        done = True
    finally:
        partner.close(kill=not done)
    return results  # type: ignore[return-value] - every index is filled
