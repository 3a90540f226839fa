"""Incremental-build benchmark: full build, no-op rebuild and one-card-changed
rebuild of a generated corpus (10,000 cards in 10 files by default).

    .venv/bin/python bench/incremental_bench.py [--cards 10000] [--files 10] [--format apkg,html] [--runs 3]

Each figure is the whole `cardpress build` process (start-up included, as a
user waits for it), best of --runs, plus the in-process time of `build()`
for the no-op case. The goal in issue 6: no-op <= 0.5 s at 10,000 cards.
A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from corpus import write_corpus  # noqa: E402


def cli(src: Path, out: Path, formats: list[str]) -> float:
    t = time.perf_counter()
    flags = [arg for fmt in formats for arg in ("-f", fmt)]
    proc = subprocess.run([sys.executable, "-m", "cardpress", "build", str(src), "-o", str(out), *flags, "-q"],
                          cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{proc.stderr}")
    return elapsed


def edit_one_card(src: Path, n: int) -> None:
    """Change one answer in the middle file, as a user fixing a typo would."""
    files = sorted(src.glob("*.md"))
    path = files[len(files) // 2]
    text = path.read_text("utf-8")
    marker = "\n## "
    i = text.index(marker, len(text) // 2)
    j = text.index("\n", i + len(marker))
    path.write_text(text[: j + 1] + f"고친 문장 {n}. " + text[j + 1:], "utf-8")
    st = path.stat()
    os.utime(path, (st.st_atime, st.st_mtime + 2 * n + 2))  # mod times are whole seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cards", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--format", default="apkg", help="comma-separated formats (the PDF at 10,000 cards takes minutes)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    formats = args.format.split(",")

    with tempfile.TemporaryDirectory() as tmp:
        src = write_corpus(Path(tmp) / "src", args.cards, files=args.files)
        out = Path(tmp) / "dist"

        full = []
        for _ in range(args.runs):
            shutil.rmtree(out, ignore_errors=True)
            full.append(cli(src, out, formats))
        noop = [cli(src, out, formats) for _ in range(args.runs)]
        one = []
        for n in range(args.runs):
            edit_one_card(src, n)
            one.append(cli(src, out, formats))

        # The same no-op in process: what the build itself costs, without
        # Python's start-up and imports.
        from cardpress.build import build
        build([str(src)], out, formats)  # warm imports
        t = time.perf_counter()
        result = build([str(src)], out, formats)
        inproc = time.perf_counter() - t
        assert not result.written

    print(f"cards: {args.cards} in {args.files} files, format {args.format}, best of {args.runs} "
          f"(whole `cardpress build` process)")
    print(f"full build (empty output dir): {min(full):6.2f} s")
    print(f"no-op rebuild:                 {min(noop):6.2f} s   (in process: {inproc:.3f} s)")
    print(f"one card changed:              {min(one):6.2f} s")


if __name__ == "__main__":
    main()
