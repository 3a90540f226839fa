"""cardpress against its peers, in one run (issue 15): `make bench`.

    python bench/peers.py                 # the full run (about 30 minutes on 2 cores)
    python bench/peers.py --quick         # 1k and 10k cards, one run each, handout PDF only (~7 min)
    python bench/peers.py --runs 5 --no-100k --no-pdf
    python bench/peers.py --render-only   # RESULTS.md and the plot again from results.json

What it does:
- writes the mixed Korean/English corpus (`corpus.py`) in each tool's input
  format under `bench/out/` (git-ignored), the same cards for every tool;
- creates each peer's own virtual environment under `bench/.peers/`
  (git-ignored) from PyPI on first use: ankdown, markdown-anki-decks
  (`mdankideck`, with click<8.2) and md2anki (needs Python >= 3.12; skipped
  with a note when none is found; set BENCH_PYTHON312 to point at one);
- warms every tool up once on a small corpus (imports, bytecode, disk
  cache), then runs the tools of a scenario in turn, A B C A B C ..., each
  round starting with the next tool, and takes the median of --runs runs;
- times each run as the whole process from outside (start-up included, as
  a user waits for it), started through `launch.py`: wall seconds, CPU
  seconds (user + system of the process and its children), peak RSS of the
  largest single process in the tree (the kernel's ru_maxrss from wait4,
  children included) and, sampled every 50 ms from /proc, the largest sum
  of RSS over the whole process tree (what matters when a build forks
  helpers, as the PDF handout does);
- checks every output: each .apkg is opened (zip -> collection.anki2 ->
  sqlite) and must hold exactly the expected number of notes, with distinct
  GUIDs and non-empty front and back; the HTML site and the PDFs must
  contain every question. A run that fails its check marks the row FAILED:
  a fast wrong answer cannot win;
- writes bench/RESULTS.md (machine, versions, the table with medians,
  min-max, peak memory and the ratio cardpress / peer, the issue's targets),
  bench/results.json, and the log-log plot bench/scaling.svg (matplotlib, in
  its own venv under bench/.peers/).

cardpress is run as a user runs it: `PYTHON -m cardpress build SRC -o OUT -f
apkg` from the repository root, PYTHON being --python (default: the Python
running this script). A cold run gets a fresh, empty OUT.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402

PEERS_DIR = BENCH / ".peers"
OUT_DIR = BENCH / "out"

# Pinned, so a later run measures the same code. Bump deliberately.
PEER_SPECS = {
    "ankdown": {"requirements": ["ankdown==0.7.1"], "dist": "ankdown", "exe": "ankdown", "min_python": (3, 8)},
    "mdankideck": {"requirements": ["markdown-anki-decks==1.1.1", "click<8.2"], "dist": "markdown-anki-decks",
                   "exe": "mdankideck", "min_python": (3, 8)},
    "md2anki": {"requirements": ["md2anki==3.1.0"], "dist": "md2anki", "exe": "md2anki", "min_python": (3, 12)},
}
PLOT_REQUIREMENTS = ["matplotlib>=3.8,<4"]

# The targets of issue 15 (whole process, this kind of 2-core machine).
TARGETS = {
    "apkg_vs_ankdown": 1.0, "apkg_html_vs_ankdown": 1.3, "apkg_peak_mb": 300,
    "noop_s": 0.3, "one_card_s": 0.6, "scale_100k": 10.0, "peak_100k_mb": 1536,
    "pdf_handout_s": 15, "pdf_cards_s": 20, "pdf_quiz_s": 20, "pdf_peak_mb": 700,
}


def log(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# Measuring one process tree


@dataclass
class Measurement:
    wall: float
    cpu: float
    peak_mb: float  # ru_maxrss of the largest process (wait4, children included)
    tree_mb: float  # largest sampled sum of RSS over the process group
    rc: int
    timed_out: bool
    floor_mb: float  # the launcher's own peak: no peak_mb reads below it


def measure(cmd: list[str], cwd: Path, logfile: Path, timeout: float, env: dict[str, str]) -> Measurement:
    """Run `cmd` once through `launch.py` (see there why), its output going
    to `logfile` (a file, not a pipe, so a chatty tool pays no pipe cost)."""
    proc = subprocess.run([sys.executable, "-S", "-E", str(BENCH / "launch.py"), str(timeout), str(logfile), "--", *cmd],
                          cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"launch.py failed: {proc.stderr.strip()}")
    data = json.loads(proc.stdout)
    return Measurement(data["wall"], data["cpu"], data["peak_mb"], data["tree_mb"], data["rc"], data["timed_out"],
                       data["floor_mb"])


# ---------------------------------------------------------------------------
# Checking outputs


def apkg_notes(out: Path) -> tuple[int, int, int, int]:
    """(packages, notes, distinct GUIDs, notes with an empty front or back)
    over every .apkg under `out`."""
    packages = notes = empty = 0
    guids: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="bench-apkg-") as tmp:
        for pkg in sorted(out.rglob("*.apkg")):
            packages += 1
            with zipfile.ZipFile(pkg) as z:
                names = z.namelist()
                member = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
                db = Path(tmp) / f"{packages}.anki2"
                db.write_bytes(z.read(member))
            con = sqlite3.connect(db)
            try:
                for guid, flds in con.execute("SELECT guid, flds FROM notes"):
                    notes += 1
                    guids.add(guid)
                    parts = flds.split("\x1f")
                    if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
                        empty += 1
            finally:
                con.close()
    return packages, notes, len(guids), empty


def check_apkg(out: Path, expected: int) -> tuple[bool, str]:
    packages, notes, distinct, empty = apkg_notes(out)
    ok = notes == expected and distinct == expected and empty == 0 and packages > 0
    text = f"{notes} notes in {packages} .apkg"
    if distinct != notes:
        text += f", {distinct} distinct GUIDs"
    if empty:
        text += f", {empty} with an empty side"
    return ok, text + ("" if ok else f" (expected {expected})")


_QNUM = re.compile(r"Q(\d+)\.")


def _question_numbers(text: str) -> set[int]:
    return {int(n) for n in _QNUM.findall(text)}


def check_html(out: Path, expected: int, files: int) -> tuple[bool, str]:
    site = out / "html"
    pages = sorted((site / "decks").glob("*.html")) if site.is_dir() else []
    seen: set[int] = set()
    for page in pages:
        seen |= _question_numbers(page.read_text("utf-8", "replace"))
    ok = (site / "index.html").is_file() and len(pages) == files and seen == set(range(1, expected + 1))
    return ok, f"site: {len(pages)} deck pages, {len(seen)} questions"


def check_pdf(out: Path, expected: int) -> tuple[bool, str]:
    pdfs = sorted(out.rglob("*.pdf"))
    if not pdfs:
        return False, "no PDF"
    seen: set[int] = set()
    pages = 0
    for pdf in pdfs:
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout
            pages += text.count("\f")
        else:
            from pypdf import PdfReader
            reader = PdfReader(pdf)
            pages += len(reader.pages)
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        seen |= _question_numbers(text)
    ok = seen == set(range(1, expected + 1))
    return ok, f"{pages} pages, {len(seen)} questions"


# ---------------------------------------------------------------------------
# Tools


@dataclass
class Tool:
    name: str
    fmt: str  # corpus format: "headed" or "ankdown"
    argv: Callable[[Path, list[Path], Path], list[str]]  # (source dir, files, out) -> command
    cwd: Path
    version: str = ""
    rewrites_input: bool = False  # gets a fresh copy of its input before every run


def find_python(minimum: tuple[int, int]) -> str | None:
    """The oldest Python >= `minimum` found: $BENCH_PYTHON312, python3.N on
    PATH (pyenv shims that cannot run are skipped), then pyenv's versions."""
    if sys.version_info >= minimum:
        return sys.executable
    candidates = [os.environ.get("BENCH_PYTHON312")]
    candidates += [shutil.which(f"python3.{m}") for m in range(minimum[1], 16)]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        def key(p: Path) -> tuple[int, ...]:
            return tuple(int(x) for x in re.findall(r"\d+", p.name)[:3])
        candidates += [str(p / "bin" / "python3") for p in sorted(pyenv.iterdir(), key=key)]
    for cand in candidates:
        if not cand or not Path(cand).exists():
            continue
        probe = subprocess.run([cand, "-c", f"import sys; print(sys.version_info >= {minimum!r})"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return cand
    return None


def ensure_venv(name: str, requirements: list[str], python: str) -> tuple[Path | None, str]:
    """bench/.peers/<name>: a venv with `requirements`, made on first use.
    Returns (its python, a note); (None, why) when it cannot be made."""
    venv = PEERS_DIR / name
    marker = venv / ".bench-installed"
    wanted = "\n".join([python, *requirements])
    vpy = venv / "bin" / "python"
    if marker.is_file() and marker.read_text() == wanted and vpy.exists():
        return vpy, ""
    log(f"setting up {venv.relative_to(REPO)} ({' '.join(requirements)}) ...")
    shutil.rmtree(venv, ignore_errors=True)
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    install_log = PEERS_DIR / f"{name}-install.log"
    with open(install_log, "w") as out:
        steps = [[python, "-m", "venv", str(venv)],
                 [str(vpy), "-m", "pip", "install", "--disable-pip-version-check", "-q", *requirements]]
        for step in steps:
            if subprocess.run(step, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                return None, f"could not install {' '.join(requirements)} (see {install_log.relative_to(REPO)})"
    marker.write_text(wanted)
    return vpy, ""


def dist_version(python: Path | str, dist: str) -> str:
    proc = subprocess.run([str(python), "-c", "import importlib.metadata as m, platform, sys; "
                           f"print(m.version({dist!r}), platform.python_version())"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return "?"
    version, pyver = proc.stdout.split()
    return f"{version} (Python {pyver})"


def cardpress_version(python: str) -> str:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""
    rev = git("rev-parse", "--short", "HEAD") or "?"
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--", "cardpress", "templates", "assets") else ""
    pyver = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                           capture_output=True, text=True).stdout.strip()
    return f"git {rev}{dirty} (Python {pyver})"


def make_tools(args: argparse.Namespace, notes: list[str]) -> dict[str, Tool]:
    py = args.python
    tools: dict[str, Tool] = {}

    def cardpress_argv(*formats: str, extra: tuple[str, ...] = ()) -> Callable[[Path, list[Path], Path], list[str]]:
        flags = [a for f in formats for a in ("-f", f)]
        return lambda src, files, out: [py, "-m", "cardpress", "build", str(src), "-o", str(out), *flags, *extra]

    tools["cardpress"] = Tool("cardpress", "headed", cardpress_argv("apkg"), REPO, cardpress_version(py))
    tools["cardpress apkg+html"] = Tool("cardpress apkg+html", "headed", cardpress_argv("apkg", "html"), REPO)
    for layout in ("handout", "cards", "quiz"):
        tools[f"cardpress pdf {layout}"] = Tool(f"cardpress pdf {layout}", "headed",
                                                cardpress_argv("pdf", extra=("--layout", layout)), REPO)
    if args.no_peers:
        return tools
    for name, spec in PEER_SPECS.items():
        if name not in args.peers:
            continue
        python = find_python(spec["min_python"])
        if python is None:
            notes.append(f"{name} skipped: it needs Python >= {'.'.join(map(str, spec['min_python']))}, "
                         "none found (set BENCH_PYTHON312)")
            continue
        vpy, why = ensure_venv(name, spec["requirements"], python)
        if vpy is None:
            notes.append(f"{name} skipped: {why}")
            continue
        exe = str(vpy.parent / spec["exe"])
        version = dist_version(vpy, spec["dist"])
        work = OUT_DIR
        if name == "ankdown":
            tools["ankdown"] = Tool("ankdown", "ankdown",
                                    lambda src, files, out, exe=exe: [exe, "-r", str(src), "-p", str(out / "deck.apkg")],
                                    work, version)
            tools["ankdown --highlight"] = Tool(
                "ankdown --highlight", "ankdown",
                lambda src, files, out, exe=exe: [exe, "-r", str(src), "-p", str(out / "deck.apkg"), "--highlight"],
                work, version)
        elif name == "mdankideck":
            tools["mdankideck"] = Tool("mdankideck", "headed",
                                       lambda src, files, out, exe=exe: [exe, str(src), str(out)], work, version)
        elif name == "md2anki":
            # md2anki writes ids into the Markdown it reads (its default -o-md is
            # the input files): a user's first run, so every run gets a fresh copy.
            tools["md2anki"] = Tool("md2anki", "headed",
                                    lambda src, files, out, exe=exe: [exe, *map(str, files), "-o-anki", str(out / "deck.apkg")],
                                    work, version, rewrites_input=True)
    return tools


# ---------------------------------------------------------------------------
# Corpora


class Corpora:
    """The mixed corpus in each format, written once per (format, cards, files)."""

    def __init__(self, root: Path):
        self.root = root
        self.cards: list[corpus.MixedCard] = []
        self.written: dict[tuple[str, int, int], tuple[Path, list[Path]]] = {}

    def get(self, fmt: str, cards: int, files: int) -> tuple[Path, list[Path]]:
        key = (fmt, cards, files)
        if key not in self.written:
            if len(self.cards) < cards:
                self.cards = corpus.make_cards(cards)
            src = self.root / f"{fmt}-{cards}-{files}"
            shutil.rmtree(src, ignore_errors=True)
            paths = corpus.write_for(fmt, src, self.cards[:cards], files)
            self.written[key] = (src, paths)
        return self.written[key]

    def for_run(self, tool: Tool, cards: int, files: int) -> tuple[Path, list[Path]]:
        """The input of one run: the shared corpus, or a fresh private copy
        for a tool that rewrites its input."""
        src, paths = self.get(tool.fmt, cards, files)
        if not tool.rewrites_input:
            return src, paths
        copy = self.root / f"copy-{tool.fmt}-{cards}-{files}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(src, copy)
        return copy, [copy / p.relative_to(src) for p in paths]

    @staticmethod
    def fingerprint(paths: list[Path]) -> list[tuple[int, int]]:
        return [(p.stat().st_size, p.stat().st_mtime_ns) for p in paths]

    def size_mb(self, fmt: str, cards: int, files: int) -> float:
        _, paths = self.get(fmt, cards, files)
        return sum(p.stat().st_size for p in paths) / 1e6


# ---------------------------------------------------------------------------
# Scenarios


@dataclass
class Row:
    scenario: str
    tool: str
    cards: int
    files: int
    runs: list[dict] = field(default_factory=list)  # Measurement dicts
    status: str = "ok"  # ok | FAILED: ... | TIMEOUT ... | skipped: ...
    check: str = ""
    ratio: float | None = None  # cardpress / this tool, median of paired runs
    cpu_ratio: float | None = None  # the same with CPU seconds

    def walls(self) -> list[float]:
        return [r["wall"] for r in self.runs]

    def median(self) -> float | None:
        return statistics.median(self.walls()) if self.runs and self.status == "ok" else None

    def peak(self) -> float | None:
        return max(r["peak_mb"] for r in self.runs) if self.runs else None

    def tree(self) -> float | None:
        return max(r["tree_mb"] for r in self.runs) if self.runs else None


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.notes: list[str] = []
        self.work = OUT_DIR / "peers"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.corpora = Corpora(self.work / "corpus")
        self.env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
        self.env.pop("PYTHONPATH", None)
        self.tools = make_tools(args, self.notes)
        self.rows: list[Row] = []
        self.logfile = self.work / "runs.log"
        self.slow: dict[str, float] = {}  # tool -> seconds per card seen so far

    # -- one run ----------------------------------------------------------

    def out_dir(self, tag: str) -> Path:
        out = self.work / "outputs" / re.sub(r"[^\w.-]+", "_", tag)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        return out

    def run(self, tool: Tool, src: Path, files: list[Path], out: Path, timeout: float) -> Measurement:
        return measure(tool.argv(src, files, out), tool.cwd, self.logfile, timeout, self.env)

    def warm_up(self) -> None:
        log("warm-up: every tool once on 40 cards (imports, bytecode, disk cache) ...")
        for tool in self.tools.values():
            if tool.name in ("cardpress apkg+html", "cardpress pdf cards", "cardpress pdf quiz"):
                continue  # "cardpress" and "cardpress pdf handout" load the same code
            src, files = self.corpora.get(tool.fmt, 40, 2)
            out = self.out_dir("warm-up")
            m = self.run(tool, src, files, out, self.args.timeout)
            if m.rc != 0:
                self.notes.append(f"{tool.name}: the warm-up run failed (exit {m.rc}); see {self.logfile}")

    # -- a cold-build scenario ----------------------------------------------

    def cold(self, scenario: str, names: list[str], cards: int, files: int, runs: int,
             check: Callable[[Path, int, int], tuple[bool, str]], reference: str = "cardpress") -> list[Row]:
        tools = [self.tools[n] for n in names if n in self.tools]
        rows = {t.name: Row(scenario, t.name, cards, files) for t in tools}
        for t in tools:  # skip a tool whose last size predicts more than the time limit
            per_card = self.slow.get(t.name)
            if per_card and per_card * cards > self.args.timeout:
                rows[t.name].status = (f"skipped: {per_card * cards:.0f} s expected from the smaller size "
                                       f"(> --timeout {self.args.timeout:.0f} s)")
        size = self.corpora.size_mb("headed", cards, files)
        log(f"\n== {scenario}: {cards:,} cards in {files} file(s) ({size:.1f} MB), {runs} run(s), alternating "
            f"{', '.join(t.name for t in tools)}")
        for i in range(runs):
            order = tools[i % len(tools):] + tools[:i % len(tools)]
            for t in order:
                row = rows[t.name]
                if row.status != "ok":
                    continue
                src, paths = self.corpora.for_run(t, cards, files)
                before = self.corpora.fingerprint(paths)
                out = self.out_dir(f"{scenario}-{t.name}")
                m = self.run(t, src, paths, out, self.args.timeout)
                row.runs.append(asdict(m))
                if not t.rewrites_input and self.corpora.fingerprint(paths) != before:
                    # Never measure the next tool on altered input.
                    del self.corpora.written[(t.fmt, cards, files)]
                    row.status = "FAILED: it changed its input files"
                if m.wall > self.args.slow_peer and not t.name.startswith("cardpress") and i + 1 < runs:
                    row.check = f"run once: over {self.args.slow_peer:.0f} s"
                    row.status = "once"
                if row.status.startswith("FAILED"):
                    pass
                elif m.timed_out:
                    row.status = f"TIMEOUT (> {self.args.timeout:.0f} s)"
                elif m.rc != 0:
                    row.status = f"FAILED: exit {m.rc} (see bench/out/peers/runs.log)"
                else:
                    ok, text = check(out, cards, files)
                    row.check = text + (f" (run once: over {self.args.slow_peer:.0f} s)" if row.status == "once" else "")
                    if not ok:
                        row.status = "FAILED: " + text
                log(f"  {t.name:<22} run {i + 1}: {m.wall:7.2f} s  peak {m.peak_mb:6.0f} MB  {row.check}"
                    + ("" if row.status in ("ok", "once") else f"  [{row.status}]"))
                shutil.rmtree(out, ignore_errors=True)
        for row in rows.values():
            if row.status == "once":
                row.status = "ok"
            if row.status == "ok" and row.runs:
                self.slow[row.tool] = row.median() / cards
            elif row.status.startswith("TIMEOUT"):
                self.slow[row.tool] = self.args.timeout / cards
        ref = rows.get(reference)
        for row in rows.values():
            if ref is None or row is ref or ref.status != "ok" or row.status != "ok":
                continue
            pairs = [a / b for a, b in zip(ref.walls(), row.walls())]
            row.ratio = statistics.median(pairs)
            cpus = [a["cpu"] / b["cpu"] for a, b in zip(ref.runs, row.runs) if b["cpu"] > 0]
            row.cpu_ratio = statistics.median(cpus) if cpus else None
        self.rows += rows.values()
        return list(rows.values())

    # -- the edit loop ------------------------------------------------------

    def incremental(self, cards: int, files: int, runs: int) -> None:
        t = self.tools["cardpress"]
        src, paths = self.corpora.get("headed", cards, files)
        # A private copy: the edits must not leak into the other scenarios.
        src_copy = self.work / "corpus" / f"edit-{cards}-{files}"
        shutil.rmtree(src_copy, ignore_errors=True)
        shutil.copytree(src, src_copy)
        paths = [src_copy / p.name for p in paths]
        out = self.out_dir("incremental")
        log(f"\n== no-op and one-card rebuilds: {cards:,} cards in {files} files, cardpress, {runs} run(s) each")
        first = self.run(t, src_copy, paths, out, self.args.timeout)
        ok, text = check_apkg(out, cards)
        log(f"  cold build first: {first.wall:.2f} s  {text}")
        noop = Row("no-op rebuild", "cardpress", cards, files)
        one = Row("one card changed", "cardpress", cards, files)
        self.rows += [noop, one]
        if first.rc != 0 or not ok:
            noop.status = one.status = "FAILED: the cold build before them failed: " + text
            return

        def snapshot() -> dict[str, tuple[int, str]]:
            return {p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
                    for p in sorted(out.rglob("*.apkg"))}

        before = snapshot()
        self.run(t, src_copy, paths, out, self.args.timeout)  # warm-up (not counted)
        for i in range(runs):
            m = self.run(t, src_copy, paths, out, self.args.timeout)
            noop.runs.append(asdict(m))
            after = snapshot()
            changed = [n for n in after if after[n][1] != before.get(n, (0, ""))[1]]
            touched = [n for n in after if after[n][0] != before.get(n, (0, ""))[0]]
            ok, text = check_apkg(out, cards)
            noop.check = text + (", no output rewritten" if not touched else f", {len(touched)} .apkg rewritten")
            if m.rc != 0 or m.timed_out or not ok or changed:
                noop.status = "FAILED: " + (f"{len(changed)} .apkg changed" if changed else f"exit {m.rc}, {text}")
                break
            log(f"  no-op run {i + 1}: {m.wall:6.3f} s  peak {m.peak_mb:4.0f} MB  {noop.check}")

        target = paths[len(paths) // 2]
        for i in range(runs + 1):  # the first edit is the warm-up
            marker = f"BENCH-EDIT-{i + 1}"
            text_md = target.read_text("utf-8")
            at = text_md.index("\n\n## ", len(text_md) // 2)  # the end of a card's answer mid-file
            target.write_text(text_md[:at] + f"\n\n{marker}." + text_md[at:], "utf-8")
            st = target.stat()
            os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))  # mod times are whole seconds
            before = snapshot()
            m = self.run(t, src_copy, paths, out, self.args.timeout)
            after = snapshot()
            changed = sorted(n for n in after if after[n][1] != before.get(n, (0, ""))[1])
            ok, text = check_apkg(out, cards)
            has_edit = _apkg_contains(out / (target.stem + ".apkg"), marker)
            if m.rc != 0 or m.timed_out or not ok or not has_edit:
                one.status = f"FAILED: exit {m.rc}, {text}, edit {'found' if has_edit else 'missing'} in the deck"
                break
            if i == 0:
                continue
            one.runs.append(asdict(m))
            one.check = f"{text}; the edit is in {target.stem}.apkg; {len(changed)} .apkg changed"
            log(f"  one-card run {i}: {m.wall:6.3f} s  peak {m.peak_mb:4.0f} MB  {one.check}")
        shutil.rmtree(src_copy, ignore_errors=True)


def _apkg_contains(pkg: Path, needle: str) -> bool:
    if not pkg.is_file():
        return False
    with tempfile.TemporaryDirectory(prefix="bench-apkg-") as tmp, zipfile.ZipFile(pkg) as z:
        db = Path(tmp) / "c.anki2"
        db.write_bytes(z.read("collection.anki2"))
        con = sqlite3.connect(db)
        try:
            return con.execute("SELECT count(*) FROM notes WHERE flds LIKE ?", (f"%{needle}%",)).fetchone()[0] == 1
        finally:
            con.close()


# ---------------------------------------------------------------------------
# Machine and report


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "?"
    ram = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 2**20:.1f} GiB"
    except (OSError, AttributeError):
        pass
    osname = platform.platform()
    try:
        osname = re.search(r'PRETTY_NAME="([^"]+)"', Path("/etc/os-release").read_text()).group(1) + \
            f" (kernel {platform.release()})"
    except (OSError, AttributeError):
        pass
    return {"cpu": cpu, "cores": str(os.cpu_count()), "ram": ram, "os": osname,
            "load": "%.2f %.2f %.2f" % os.getloadavg(), "pressure": cpu_pressure()}


def cpu_pressure() -> str:
    """Linux's CPU pressure: the share of time some runnable task waited
    for a CPU (10 s, 60 s, 300 s averages); '' where not available."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return ""
    vals = dict(kv.split("=") for kv in line.split()[1:])
    return f"{vals['avg10']}% {vals['avg60']}% {vals['avg300']}%"


def short(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"


def fmt_s(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}"


def table(rows: list[dict]) -> list[str]:
    lines = ["| scenario | tool | cards (files) | median s | min–max s | CPU s | peak MB | tree MB | check | "
             "cardpress ÷ tool: wall (CPU) |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    for r in rows:
        walls = [m["wall"] for m in r["runs"]]
        ok = r["status"] == "ok" and walls
        med = fmt_s(statistics.median(walls)) if ok else r["status"]
        span = f"{fmt_s(min(walls))}–{fmt_s(max(walls))}" if ok and len(walls) > 1 else ""
        peak = f"{max(m['peak_mb'] for m in r['runs']):.0f}" if r["runs"] else "–"
        tree = f"{max(m['tree_mb'] for m in r['runs']):.0f}" if r["runs"] else "–"
        cpu = fmt_s(statistics.median(m["cpu"] for m in r["runs"])) if ok else ""
        ratio = f"**{r['ratio']:.2f}**" if r.get("ratio") is not None else ""
        if r.get("cpu_ratio") is not None:
            ratio += f" ({r['cpu_ratio']:.2f})"
        check = r["check"] if r["status"] == "ok" else r["check"] or ""
        lines.append(f"| {r['scenario']} | {r['tool']} | {r['cards']:,} ({r['files']}) | {med} | {span} | {cpu} | "
                     f"{peak} | {tree} | {check} | {ratio} |")
    return lines


def find(rows: list[dict], scenario: str, tool: str, cards: int | None = None) -> dict | None:
    for r in rows:
        if r["scenario"] == scenario and r["tool"] == tool and (cards is None or r["cards"] == cards):
            return r
    return None


def med(r: dict | None) -> float | None:
    if not r or r["status"] != "ok" or not r["runs"]:
        return None
    return statistics.median(m["wall"] for m in r["runs"])


def peak(r: dict | None, key: str = "peak_mb") -> float | None:
    return max(m[key] for m in r["runs"]) if r and r["runs"] else None


def med_cpu(r: dict | None) -> float | None:
    if not r or r["status"] != "ok" or not r["runs"]:
        return None
    return statistics.median(m["cpu"] for m in r["runs"])


def targets(rows: list[dict], n: int = 10000) -> list[str]:
    """The issue's targets, judged on wall time (as a user waits) and, for
    the time targets, on CPU seconds too: on a busy machine wall time is
    inflated by other work, CPU time much less."""
    fill_cpu_ratios(rows)
    out = ["| target (issue 15) | figure (wall) | met? | on CPU seconds | met? |", "| --- | --- | --- | --- | --- |"]

    def show(x: float, unit: str) -> str:
        return (f"{x:.2f}" if unit == "×" else fmt_s(x) if unit == "s" else f"{x:.0f}") + f" {unit}"

    def line(what: str, figure: float | None, limit: float, unit: str, detail: str = "",
             cpu: float | None = None, cpu_detail: str = "") -> None:
        if figure is None:
            out.append(f"| {what} | not measured | – | | |")
            return
        cells = [show(figure, unit) + detail, "yes" if figure <= limit else "**no**"]
        cells += [show(cpu, unit) + cpu_detail, "yes" if cpu <= limit else "**no**"] if cpu is not None else ["", ""]
        out.append(f"| {what} | " + " | ".join(cells) + " |")

    k, k10 = short(n), short(n * 10)
    cp10, ank10 = find(rows, ".apkg", "cardpress", n), find(rows, ".apkg", "ankdown", n)
    line(f"{k} cards cold .apkg ≤ 1.0 × ankdown", ank10 and ank10.get("ratio"), TARGETS["apkg_vs_ankdown"], "×",
         f" ({fmt_s(med(cp10))} s vs {fmt_s(med(ank10))} s)", ank10 and ank10.get("cpu_ratio"),
         f" ({fmt_s(med_cpu(cp10))} s vs {fmt_s(med_cpu(ank10))} s)")
    cph, ankh = find(rows, ".apkg + HTML", "cardpress apkg+html", n), find(rows, ".apkg + HTML", "ankdown", n)
    line(f"{k} cards .apkg + HTML ≤ 1.3 × ankdown", ankh and ankh.get("ratio"), TARGETS["apkg_html_vs_ankdown"], "×",
         f" ({fmt_s(med(cph))} s vs {fmt_s(med(ankh))} s)", ankh and ankh.get("cpu_ratio"),
         f" ({fmt_s(med_cpu(cph))} s vs {fmt_s(med_cpu(ankh))} s)")
    line(f"{k} cards .apkg peak memory ≤ 300 MB", peak(cp10), TARGETS["apkg_peak_mb"], "MB")
    noop, one = find(rows, "no-op rebuild", "cardpress"), find(rows, "one card changed", "cardpress")
    line(f"no-op rebuild, {k} cards in 50 files ≤ 0.3 s", med(noop), TARGETS["noop_s"], "s", cpu=med_cpu(noop))
    line("one card changed ≤ 0.6 s", med(one), TARGETS["one_card_s"], "s", cpu=med_cpu(one))
    cp100 = find(rows, ".apkg", "cardpress", n * 10)
    t10, t100, c10, c100 = med(cp10), med(cp100), med_cpu(cp10), med_cpu(cp100)
    line(f"{k10} cards cold ≤ 10 × the {k} time", t100 / t10 if t10 and t100 else None, TARGETS["scale_100k"], "×",
         f" ({fmt_s(t100)} s)" if t100 else "", c100 / c10 if c10 and c100 else None,
         f" ({fmt_s(c100)} s)" if c100 else "")
    line(f"{k10} cards peak memory ≤ 1.5 GB", peak(cp100), TARGETS["peak_100k_mb"], "MB")
    for layout, key in (("handout", "pdf_handout_s"), ("cards", "pdf_cards_s"), ("quiz", "pdf_quiz_s")):
        r = find(rows, "PDF", f"cardpress pdf {layout}")
        line(f"PDF {layout}, {r['cards'] if r else 1000:,} cards ≤ {TARGETS[key]} s", med(r), TARGETS[key], "s",
             cpu=med_cpu(r))
    pdf_rows = [r for r in rows if r["scenario"] == "PDF" and r["runs"]]
    line("PDF peak memory ≤ 700 MB (sum over the process tree)",
         max((peak(r, "tree_mb") for r in pdf_rows), default=None), TARGETS["pdf_peak_mb"], "MB")
    return out


def fill_cpu_ratios(rows: list[dict]) -> None:
    """CPU ratios for results written before they were computed in the run."""
    for r in rows:
        if r.get("ratio") is None or r.get("cpu_ratio") is not None:
            continue
        ref = next((x for x in rows if x["scenario"] == r["scenario"] and x["cards"] == r["cards"]
                    and x["files"] == r["files"] and x["tool"].startswith("cardpress")), None)
        if ref:
            cpus = [a["cpu"] / b["cpu"] for a, b in zip(ref["runs"], r["runs"]) if b["cpu"] > 0]
            r["cpu_ratio"] = statistics.median(cpus) if cpus else None


def render(data: dict) -> str:
    fill_cpu_ratios(data["rows"])
    m = data["machine"]
    lines = [
        "# Benchmark: cardpress and its peers",
        "",
        f"Written by `make bench` (`bench/peers.py {' '.join(data['argv'])}`) on {data['date']}; "
        f"the whole run took {data['elapsed'] / 60:.0f} min. "
        "Re-run it after any change that could move these figures; do not edit this file by hand.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram']}",
        f"- OS: {m['os']}",
        f"- load average (1, 5, 15 min) when the run started: {m['load']}; when it ended: {data.get('load_end', '?')} "
        "(the machine is shared: other work running at the same time slows every tool alike, which is why the "
        "tools alternate and the ratios are taken run by run)"
        + (f"; CPU pressure (share of time a runnable task waited for a core, 10 s / 60 s / 300 s): "
           f"{m['pressure']} at the start, {data.get('pressure_end', '?')} at the end" if m.get("pressure") else ""),
        "",
        "## Versions",
        "",
    ]
    lines += [f"- {name}: {version}" for name, version in data["versions"].items()]
    lines += [
        "",
        "## How",
        "",
        f"- Corpus: `bench/corpus.py`, the same generated cards for every tool (seed 15): mixed Korean and "
        "English ML answers of 2–5 paragraphs with lists, inline code, fenced code in 8 languages (~30% of "
        "cards), math (`$…$`, `$$…$$`), cloze deletions (~10%) and a few tables; about "
        f"{data['corpus_mb']:.1f} MB of Markdown per {data['cards']:,} cards. Each tool reads its own input format "
        "(cardpress, markdown-anki-decks and md2anki: `# Deck` / `## Question` / answer; ankdown: front, `%`, "
        "back, cards separated by `---`, one folder per deck).",
        f"- Every figure is one whole process timed from outside, start-up included, as a user waits for it. "
        f"Tools of a scenario run in turn (A B C, B C A, …) after one warm-up of each tool on 40 cards; "
        f"**median** of {data['runs']} run(s) ({data['slow_runs']} for the PDFs and 100k cards); cold builds get "
        "an empty output folder.",
        "- `peak MB`: the largest single process's peak RSS (the kernel's `ru_maxrss`, children included); "
        "each command is started by a small launcher (`bench/launch.py`) whose own ~11 MB is the floor. "
        "`CPU s`: user + system seconds of the process and the children it waited for (less sensitive than "
        "wall time to other work on the machine). `tree MB`: the largest sum of RSS over the whole process tree, sampled every 50 ms (counts shared "
        "pages twice; misses peaks shorter than 50 ms).",
        "- `cardpress ÷ tool`: cardpress's time over the peer's, the median of the run-by-run ratios (below 1: "
        "cardpress is faster); in brackets the same with CPU seconds.",
        "- Check: every `.apkg` is opened (zip → collection.anki2 → sqlite); it must hold exactly one note per "
        "card, with distinct GUIDs and a non-empty front and back. The HTML site and the PDFs must contain "
        "every question number. A failed check marks the row FAILED.",
        "- ankdown runs in its defaults (no syntax highlighting) and with `--highlight` (Pygments, like "
        "cardpress); markdown-anki-decks uses Python-Markdown's codehilite, which highlights nothing without "
        "Pygments (not among its dependencies); md2anki highlights with Pygments. md2anki also writes ids "
        "into the Markdown files it reads (its default): each of its runs gets a fresh copy of the corpus, as "
        "on a user's first run.",
        "",
        "## Results",
        "",
    ]
    lines += table(data["rows"])
    lines += ["", "## Targets", ""] + targets(data["rows"], data["cards"])
    if data["notes"]:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in data["notes"]]
    lines += ["", "## Scaling", "", "Cold build to `.apkg`, 50 files, median wall seconds (log-log):", "",
              "![cards → seconds](scaling.svg)", ""]
    return "\n".join(lines)


def plot(data_path: Path, svg: Path, notes: list[str]) -> None:
    vpy, why = ensure_venv("plot", PLOT_REQUIREMENTS, sys.executable)
    if vpy is None:
        notes.append(f"no plot: {why}")
        return
    proc = subprocess.run([str(vpy), str(BENCH / "plot.py"), str(data_path), str(svg)], capture_output=True, text=True)
    if proc.returncode != 0:
        notes.append(f"no plot: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")


# ---------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description="cardpress against its peers (issue 15).",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per tool and scenario (median) [3]")
    ap.add_argument("--slow-runs", type=int, default=1, help="runs for the PDFs and 100k cards [1]")
    ap.add_argument("--quick", action="store_true",
                    help="1k and 10k cards only, 1 run, the handout PDF only, runs killed after 120 s")
    ap.add_argument("--no-100k", action="store_true", help="skip 100,000 cards")
    ap.add_argument("--no-pdf", action="store_true", help="skip the PDF layouts")
    ap.add_argument("--no-peers", action="store_true", help="cardpress alone")
    ap.add_argument("--peers", default=",".join(PEER_SPECS), help="peers to run, comma-separated [all]")
    ap.add_argument("--timeout", type=float, help="seconds before one run is killed [600; 120 with --quick]")
    ap.add_argument("--slow-peer", type=float, default=60,
                    help="a peer whose run takes longer than this is run once at that size [60]")
    ap.add_argument("--python", default=sys.executable, help="the Python that runs cardpress [this one]")
    ap.add_argument("--cards", type=int, default=10000,
                    help="the middle size [10000]; the scaling sizes are a tenth and ten times it")
    ap.add_argument("--pdf-cards", type=int, default=1000, help="cards in the PDF deck [1000]")
    ap.add_argument("--keep", action="store_true", help="keep the corpora and the run log in bench/out/peers/")
    ap.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--render-only", action="store_true", help="rewrite RESULTS.md and the plot from results.json")
    args = ap.parse_args()
    args.peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    data_path = args.results.with_name("results.json")
    svg = args.results.with_name("scaling.svg")
    if args.render_only:
        data = json.loads(data_path.read_text("utf-8"))
        plot(data_path, svg, data["notes"])
        args.results.write_text(render(data), "utf-8")
        return
    if args.quick:
        args.runs, args.slow_runs, args.no_100k = 1, 1, True
    if args.timeout is None:
        args.timeout = 120 if args.quick else 600

    started = time.perf_counter()
    date = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mach = machine()
    bench = Bench(args)
    peers = [n for n in ("ankdown", "ankdown --highlight", "mdankideck", "md2anki") if n in bench.tools]
    bench.warm_up()

    apkg = lambda out, cards, files: check_apkg(out, cards)  # noqa: E731

    def both(out: Path, cards: int, files: int) -> tuple[bool, str]:
        ok1, t1 = check_apkg(out, cards)
        if not (out / "html").is_dir():  # a peer: its .apkg only
            return ok1, t1
        ok2, t2 = check_html(out, cards, files)
        return ok1 and ok2, f"{t1}; {t2}"

    n = args.cards
    bench.cold(".apkg", ["cardpress", *peers], n // 10, 50, args.runs, apkg)
    bench.cold(".apkg", ["cardpress", *peers], n, 50, args.runs, apkg)
    bench.cold(".apkg, one file", ["cardpress", "ankdown", "ankdown --highlight"], n, 1, args.runs, apkg)
    bench.cold(".apkg + HTML", ["cardpress apkg+html", "ankdown", "ankdown --highlight"], n, 50, args.runs,
               both, reference="cardpress apkg+html")
    bench.incremental(n, 50, args.runs)
    if not args.no_pdf:
        layouts = ["handout"] if args.quick else ["handout", "cards", "quiz"]
        for layout in layouts:
            bench.cold("PDF", [f"cardpress pdf {layout}"], args.pdf_cards, 1, args.slow_runs,
                       lambda out, cards, files: check_pdf(out, cards))
    if not args.no_100k:
        bench.cold(".apkg", ["cardpress", "ankdown", "ankdown --highlight"], n * 10, 50, args.slow_runs, apkg)

    versions = {"cardpress": bench.tools["cardpress"].version}
    for name in ("ankdown", "mdankideck", "md2anki"):
        if name in bench.tools:
            versions[name] = bench.tools[name].version
    data = {
        "date": date, "argv": sys.argv[1:], "elapsed": time.perf_counter() - started, "machine": mach,
        "versions": versions, "runs": args.runs, "slow_runs": args.slow_runs,
        "cards": n, "corpus_mb": bench.corpora.size_mb("headed", n, 50),
        "rows": [asdict(r) for r in bench.rows], "notes": bench.notes, "load_end": "%.2f %.2f %.2f" % os.getloadavg(),
        "pressure_end": cpu_pressure(),
    }
    print("\n" + "\n".join(table(data["rows"])))
    print("\n" + "\n".join(targets(data["rows"], n)))
    for n in bench.notes:
        print("note:", n)
    data_path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    plot(data_path, svg, data["notes"])
    args.results.write_text(render(data), "utf-8")
    print(f"\nwrote {args.results.relative_to(REPO) if args.results.is_relative_to(REPO) else args.results}, "
          f"{data_path.name}, {svg.name} in {data['elapsed'] / 60:.1f} min")
    if not args.keep:
        shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
