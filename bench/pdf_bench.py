"""PDF benchmark: the handout (with its table of contents) of one generated
1,000-card Korean deck, ~450 characters per answer.

    .venv/bin/python bench/pdf_bench.py [--cards 1000] [--runs 1] [--layout handout]

Each run is a whole `cardpress build -f pdf --force` process (imports,
parsing, layout, PDF writing), timed from outside. The handout of a large
deck is laid out in two processes: peak memory is their sum (sampled), CPU
is both processes' user+system time. Goal (issue 3): <= 15 s and <= 700 MB for the handout on a
2-core machine. A benchmark, not a test: figures go in notes, not assertions.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus  # noqa: E402


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children now (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if stat.parent.name == str(pid) or int(fields[1]) == pid:  # fields[1] is the parent pid
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # fields[21] is rss in pages
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20


def run_build(src: Path, out: Path, layout: str, paper: str, parallel: bool = True) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, CPU seconds) of one build in a fresh process.
    Peak RSS is sampled every 50 ms as the sum over the build process and
    its forked helper (pages they share are counted twice: an upper bound)."""
    shutil.rmtree(out, ignore_errors=True)  # a fresh build, not an up-to-date check
    cmd = [sys.executable, str(REPO / "build.py"), "build", str(src), "-o", str(out), "-f", "pdf",
           "--layout", layout, "--paper", paper, "--force"]
    start = time.perf_counter()
    env = {**os.environ, "CARDPRESS_PDF_PARALLEL": "1" if parallel else "0"}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _tree_rss_mb(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"build failed ({proc.returncode}):\n{stderr}")
    # ru_maxrss covers the process and its waited-for helper, one at a time.
    return seconds, max(peak, usage.ru_maxrss / 1024), usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cards", type=int, default=1000)
    ap.add_argument("--chars", type=int, default=450, help="Korean characters per answer (about)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--layout", choices=["handout", "cards", "quiz"], default="handout")
    ap.add_argument("--paper", choices=["a4", "letter"], default="a4")
    ap.add_argument("--keep", type=Path, help="copy the PDF here to look at it")
    ap.add_argument("--sequential", action="store_true", help="one process (CARDPRESS_PDF_PARALLEL=0)")
    args = ap.parse_args()

    load = os.getloadavg()  # other work on the machine slows every figure below
    with tempfile.TemporaryDirectory(prefix="cardpress-bench-") as tmp:
        src = write_corpus(Path(tmp) / "src", args.cards, files=1, chars=args.chars)
        out = Path(tmp) / "dist"
        results = [run_build(src, out, args.layout, args.paper, not args.sequential) for _ in range(args.runs)]
        pdf = next(out.rglob("*.pdf"))
        pages = _page_count(pdf)
        if args.keep:
            args.keep.write_bytes(pdf.read_bytes())

    best = min(s for s, _, _ in results)
    peak = max(m for _, m, _ in results)
    mode = "one process" if args.sequential else "parallel where the deck is large"
    print(f"{args.layout} ({args.paper}, {mode}): {args.cards} cards, ~{args.chars} chars per answer, {pages} pages")
    print(f"  machine: {os.cpu_count()} cores, load average before: {load[0]:.2f}")
    print(f"  wall:  best {best:.2f} s of {args.runs} run(s): {', '.join(f'{s:.2f}' for s, _, _ in results)}")
    print(f"  CPU (user+sys, all processes): {', '.join(f'{c:.2f}' for _, _, c in results)} s")
    print(f"  peak RSS: {peak:.0f} MB")
    if args.layout == "handout":
        print(f"  goal: <= 15 s, <= 700 MB: {'met' if best <= 15 and peak <= 700 else 'NOT met'}")


def _page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


if __name__ == "__main__":
    main()
