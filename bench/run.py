"""Build-speed benchmark: the Anki path at 10,000 cards, against its parts.

    .venv/bin/python bench/run.py [--cards 10000]

Prints seconds (best of N) and peak memory for: markdown-it-py alone on the
same text, genanki alone on the same notes, and the full `cardpress build -f
apkg`. A benchmark, not a test: figures go in notes, not assertions.
"""

from __future__ import annotations

import argparse
import gc
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus  # noqa: E402


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cards", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        src = write_corpus(Path(tmp) / "src", args.cards)
        texts = [p.read_text("utf-8") for p in sorted(src.glob("*.md"))]

        from markdown_it import MarkdownIt
        md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
        t_md = best_of(args.runs, lambda: [md.render(t) for t in texts])

        import genanki
        model = genanki.Model(1, "m", fields=[{"name": "Q"}, {"name": "A"}],
                              templates=[{"name": "c", "qfmt": "{{Q}}", "afmt": "{{A}}"}])
        pairs = [(f"q{i}", t[:450]) for i, t in enumerate(texts * (args.cards // len(texts)))]

        def genanki_alone():
            deck = genanki.Deck(2, "d")
            for q, a in pairs:
                deck.add_note(genanki.Note(model=model, fields=[q, a], guid=q))
            genanki.Package(deck).write_to_file(str(Path(tmp) / "g.apkg"), timestamp=1)

        t_genanki = best_of(args.runs, genanki_alone)

        def cardpress_full():
            out = Path(tmp) / "dist"
            subprocess.run(["rm", "-rf", str(out)], check=True)
            subprocess.run([sys.executable, "build.py", "build", str(src), "-o", str(out), "-f", "apkg"],
                           check=True, cwd=Path(__file__).resolve().parent.parent, capture_output=True)

        t_full = best_of(args.runs, cardpress_full)
        peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(f"cards: {args.cards} in 10 files, best of {args.runs}")
    print(f"markdown-it-py alone:        {t_md:6.2f} s")
    print(f"genanki alone:               {t_genanki:6.2f} s")
    print(f"cardpress build -f apkg:     {t_full:6.2f} s  (whole process, peak RSS {peak_child:.0f} MB)")


if __name__ == "__main__":
    main()
