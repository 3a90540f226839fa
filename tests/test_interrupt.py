"""Interrupted builds lose nothing: a build killed at a random moment (SIGINT,
SIGTERM, SIGKILL) leaves every output either as the last good build wrote
it or as the new build would write it, never half written, and each one
opens (the .apkg's zip and SQLite, the PDF, the site's index). The next
build then completes as if nothing had happened.

Covers every format in `cardpress.writers.WRITERS` (the builds use the
default, all formats). Real subprocesses, real signals; a few kills per
signal at seeded random moments (CARDPRESS_KILL_SEED to replay one).

Every test that builds (the `states` fixture alone takes ~7 s) is `slow`;
the sweep of leftovers is plain file handling and stays in the fast lane.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from cardpress.writers import WRITERS
from conftest import REPO, SOURCE

KILLS_PER_SIGNAL = 3
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}  # deterministic outputs: byte comparisons hold

# Where each format's output shows up: every format in WRITERS must have
# an entry (test_every_format_is_covered), so a new writer is killed
# mid-write here too.
EVIDENCE = {"apkg": "*.apkg", "pdf": "*.pdf", "html": "html/index.html"}


def _png(width: int, height: int, seed: int) -> bytes:
    """A real (noisy, so large) PNG: big enough that writing it takes time."""
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def make_sources(src: Path, version: int) -> None:
    src.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOURCE / "ai-dev-knowledge.md", src / "ai-dev-knowledge.md")
    (src / "img").mkdir(exist_ok=True)
    (src / "img" / "noise.png").write_bytes(_png(400, 300, 1))
    cards = "".join(f"## Question {i} (v{version})?\nAnswer {i}, version {version}. ![noise](img/noise.png)\n\n"
                    for i in range(120))
    (src / "big.md").write_text(f"# Big deck\n\n{cards}", "utf-8")
    if version == 2:
        with (src / "ai-dev-knowledge.md").open("a", encoding="utf-8") as f:
            f.write("\n\n## 새 질문?\n새 답.\n")


def build_cmd(src: Path, out: Path) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "build", str(src), "-o", str(out)]


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file (hidden entries, i.e. caches and temp files, aside)."""
    found = {}
    for p in sorted(out.rglob("*")):
        rel = p.relative_to(out)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            found[rel.as_posix()] = p.read_bytes()
    return found


def temporaries(out: Path) -> list[str]:
    """What a build has in progress: its staging folder's entries (see
    cardpress/outdir.py), and any `.tmp`/`.old` next to the outputs."""
    staging = out / ".cardpress" / "tmp"
    found = [p.name for p in staging.iterdir()] if staging.is_dir() else []
    return found + [p.name for p in out.iterdir() if p.name.endswith((".tmp", ".old"))]


def groups(files: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    """Outputs by top-level entry: a file alone, or a whole folder (the
    site), which must change all at once."""
    out: dict[str, dict[str, bytes]] = {}
    for rel, data in files.items():
        out.setdefault(rel.split("/", 1)[0], {})[rel] = data
    return out


def note_count(apkg: bytes, tmp: Path) -> int:
    with zipfile.ZipFile(io.BytesIO(apkg)) as z:
        assert z.testzip() is None
        db = tmp / "check.anki2"
        db.write_bytes(z.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return conn.execute("SELECT count(*) FROM notes").fetchone()[0]
    finally:
        conn.close()


def check_readable(rel: str, data: bytes, tmp: Path) -> None:
    if rel.endswith(".apkg"):
        assert note_count(data, tmp) > 0
    elif rel.endswith(".pdf"):
        assert len(PdfReader(io.BytesIO(data)).pages) > 0
    elif rel.endswith(".html"):
        parser = HTMLParser()
        parser.feed(data.decode("utf-8"))
        parser.close()
        assert b"</html>" in data.lower()


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """Sources v1 and v2, the outputs of v1 (the last good build) and the
    outputs v2 gives when built on top of them, and how long that takes."""
    base = tmp_path_factory.mktemp("interrupt")
    v1, v2 = base / "v1", base / "v2"
    make_sources(v1, 1)
    make_sources(v2, 2)
    good = base / "good"
    proc = subprocess.run(build_cmd(v1, good), env=ENV, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    new = base / "new"
    shutil.copytree(good, new, symlinks=True)
    start = time.monotonic()
    proc = subprocess.run(build_cmd(v2, new), env=ENV, capture_output=True, text=True, timeout=300)
    duration = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr
    return {"base": base, "v2": v2, "good": good, "old": outputs(good), "new": outputs(new), "duration": duration}


@pytest.mark.slow
def test_every_format_is_covered(states):
    old = states["old"]
    assert set(WRITERS) == set(EVIDENCE), "add each new format's output pattern to EVIDENCE"
    for fmt, pattern in EVIDENCE.items():
        assert any(Path(rel).match(pattern) for rel in old), f"no {fmt} output in {sorted(old)}"
    # v2 changed every output, so each kill can land between the two states.
    for name, files in groups(old).items():
        assert groups(states["new"])[name] != files, name


@pytest.mark.slow
@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_killed_build_leaves_old_or_new_outputs_intact(states, sig, tmp_path):
    seed = int(os.environ.get("CARDPRESS_KILL_SEED", "5")) * 100 + int(sig)
    rng = random.Random(seed)
    old_groups, new_groups = groups(states["old"]), groups(states["new"])
    seen = {"old": 0, "new": 0, "mixed": 0}
    for attempt in range(KILLS_PER_SIGNAL):
        out = tmp_path / f"out{attempt}"
        shutil.copytree(states["good"], out, symlinks=True)
        # Spread the kills over the whole build, startup to last write.
        delay = rng.uniform(0.05, states["duration"] * 1.05)
        proc = subprocess.Popen(build_cmd(states["v2"], out), env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=300)
        context = f"seed={seed} attempt={attempt} delay={delay:.2f}s rc={proc.returncode}\n{stderr}"

        now = groups(outputs(out))
        assert set(now) == set(old_groups), context  # nothing missing (a site mid-swap), nothing extra
        for name, files in now.items():
            assert files in (old_groups[name], new_groups[name]), f"{name} is half written: {context}"
            which = "old" if files == old_groups[name] else "new"
            seen[which] += 1
            for rel, data in files.items():
                check_readable(rel, data, tmp_path)
        if sig != signal.SIGKILL:
            # A catchable signal lets the atomic writes remove their temp files.
            assert temporaries(out) == [], context
        # Only hidden temporaries may be left over (SIGKILL): never a visible stray file.
        stray = [p for p in out.rglob("*") if p.relative_to(out).as_posix() not in states["old"]
                 and not any(part.startswith(".") for part in p.relative_to(out).parts) and p.is_file()]
        assert stray == [], context

        # The next build completes and gives exactly what an uninterrupted one gives.
        done = subprocess.run(build_cmd(states["v2"], out), env=ENV, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert outputs(out) == states["new"], context
    # Not an assertion on luck, just a record in the test log.
    print(f"{sig.name}: {seen}")


@pytest.mark.slow
@pytest.mark.parametrize("sig", (signal.SIGINT, signal.SIGTERM), ids=["SIGINT", "SIGTERM"])
def test_signal_mid_write_is_one_line_and_a_clean_exit(states, sig, tmp_path):
    """Caught while a temporary output exists (so surely mid-write): exit
    128+signal, one line, no traceback, no temporary left behind."""
    out = tmp_path / "out"
    shutil.copytree(states["good"], out, symlinks=True)
    proc = subprocess.Popen(build_cmd(states["v2"], out), env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if temporaries(out):
            proc.send_signal(sig)
            break
        time.sleep(0.002)
    _, stderr = proc.communicate(timeout=300)
    if proc.returncode == 0:
        pytest.skip("the build finished before a temporary file was seen")
    assert proc.returncode == 128 + sig, stderr
    assert stderr.splitlines()[-1] == "interrupted: earlier outputs are left as they were"
    assert "Traceback" not in stderr
    assert temporaries(out) == []
    now = groups(outputs(out))
    for name, files in now.items():
        assert files in (groups(states["old"])[name], groups(states["new"])[name]), name


@pytest.mark.slow  # the 7 s build fixture
def test_leftovers_of_a_killed_build_are_swept_once_old(states, tmp_path):
    """SIGKILL leaves temporaries in the staging folder `.cardpress/tmp/`; a
    later build removes those older than an hour (never a running build's
    fresh ones). Files elsewhere are never swept, whatever their names."""
    from cardpress import outdir

    out = tmp_path / "out"
    shutil.copytree(states["good"], out, symlinks=True)
    staging = out / ".cardpress" / "tmp"
    staging.mkdir(exist_ok=True)
    old_file, old_dir, fresh = staging / "abcd1234abcd1234.tmp", staging / "x1y2z3w4x1y2z3w4.tmp", staging / "q9.tmp"
    old_file.write_bytes(b"half")
    old_dir.mkdir()
    (old_dir / "index.html").write_text("<p>half", "utf-8")
    fresh.write_bytes(b"in progress")
    users = [out / ".big.apkg.abcd1234.tmp", out / ".html.0123456789abcdef.old"]  # the old sweep's pattern
    for p in users:
        p.write_bytes(b"not ours")
    hour_ago = time.time() - 3700
    for p in (old_file, old_dir, *users):
        os.utime(p, (hour_ago, hour_ago))
    assert outdir.prepare(out) == []
    assert sorted(p.name for p in staging.iterdir()) == [fresh.name]
    assert all(p.read_bytes() == b"not ours" for p in users)
    assert outputs(out) == states["old"]
