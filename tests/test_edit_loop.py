"""The edit loop: reworded questions (warning, --keep-ids, in real Anki),
the changelog and `cardpress diff`, and incremental builds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from anki_helpers import import_apkg, notes_by_question, open_collection, review
from cardpress.build import build
from cardpress.cache import ParseCache
from cardpress.read import read_library
from conftest import NOTES, REPO

DECK = "AI 개발관련 지식"
RELU = "ReLU의 문제점은?"  # line 14 of the shipped notes
RELU_LINE = 14
REWORDED = "ReLU 함수의 약점은 무엇인가?"


def _reword(notes: Path, old: str, new: str) -> None:
    text = notes.read_text("utf-8")
    assert f"## {old}\n" in text
    notes.write_text(text.replace(f"## {old}\n", f"## {new}\n"), "utf-8")
    st = notes.stat()
    os.utime(notes, (st.st_atime, st.st_mtime + 5))  # editors set "now"; tests are faster than whole seconds


def _build(src: Path, out: Path, **kw):
    result = build([str(src)], out, ["apkg"], **kw)
    assert result.ok, result.diagnostics
    return result


@pytest.fixture
def col(tmp_path):
    c = open_collection(tmp_path / "collection.anki2")
    yield c
    c.close()


def _studied_relu(col, out: Path, src: Path):
    """Import, then study the ReLU card; returns its card id and (reps, ivl)."""
    import_apkg(col, _build(src, out).outputs[0])
    (cid,) = col.find_cards(f'"Question:{RELU}"')
    col.sched.set_due_date([cid], "0")
    assert cid in review(col, 19, "good", deck=DECK)
    card = col.get_card(cid)
    assert card.reps == 1
    return cid, (card.reps, card.ivl)


# -- rewording ------------------------------------------------------------------

def test_reword_without_pin_warns_at_the_question_line(notes_copy, tmp_path):
    out = tmp_path / "dist"
    _build(notes_copy, out)
    notes = notes_copy / NOTES.name
    _reword(notes, RELU, REWORDED)
    result = _build(notes_copy, out)
    assert [str(d) for d in result.diagnostics] == [
        f'{notes_copy}/{NOTES.name}:{RELU_LINE}: warning: question reworded from "{RELU}" (Anki will treat it as a '
        "new card and its review history stays with the old one); run cardpress pin before editing questions"]
    (ch,) = result.changes
    assert (ch.new, ch.changed, ch.removed, ch.unchanged) == ([REWORDED], [], [RELU], 18)
    # Warned once: the next build compares with this one.
    assert not _build(notes_copy, out).diagnostics


def test_reword_without_pin_makes_a_new_note_in_anki(notes_copy, tmp_path, col):
    """What the warning is about, checked in real Anki."""
    out = tmp_path / "dist"
    cid, _ = _studied_relu(col, out, notes_copy)
    _reword(notes_copy / NOTES.name, RELU, REWORDED)
    log = import_apkg(col, _build(notes_copy, out).outputs[0])
    assert len(log.new) == 1 and col.note_count() == 20
    assert col.get_card(cid).note()["Question"] == RELU  # the studied note is left behind


def test_keep_ids_updates_the_same_note_in_anki(notes_copy, tmp_path, col):
    out = tmp_path / "dist"
    cid, history = _studied_relu(col, out, notes_copy)
    notes = notes_copy / NOTES.name
    _reword(notes, RELU, REWORDED)

    result = _build(notes_copy, out, keep_ids=True)
    assert not result.diagnostics
    (ch,) = result.changes
    assert (ch.new, ch.changed, ch.removed, ch.kept) == ([], [REWORDED], [], [(RELU, REWORDED)])
    log = import_apkg(col, result.outputs[0])
    assert len(log.updated) == 1 and not log.new and not log.conflicting
    assert col.note_count() == 19
    card = col.get_card(cid)
    assert card.note()["Question"] == REWORDED and (card.reps, card.ivl) == history

    # Remembered: later builds, without the flag, keep that id.
    result = _build(notes_copy, out)
    assert not result.diagnostics and not result.written and result.changes[0].unchanged == 19
    text = notes.read_text("utf-8")
    notes.write_text(text.replace("LeakyReLU라는", "Leaky ReLU라는"), "utf-8")
    _touch(notes)
    log = import_apkg(col, _build(notes_copy, out).outputs[0])
    assert len(log.updated) == 1 and not log.new and col.note_count() == 19
    assert "Leaky ReLU라는" in col.get_card(cid).note()["Answer"]

    # And `pin` writes the kept id, so the manifest is no longer needed.
    from cardpress.pin import pin
    pin([str(notes_copy)], out)
    assert f"## {REWORDED} {{#relu의-문제점은}}\n" in notes.read_text("utf-8")
    shutil.rmtree(out)
    log = import_apkg(col, _build(notes_copy, out).outputs[0])
    assert not log.new and col.note_count() == 19


def test_keep_ids_after_a_warned_build_claims_the_old_note(notes_copy, tmp_path, col):
    """build (warning), import, then build --keep-ids: the reword is still
    known, the old note gets the question back, the copy is listed for
    deletion."""
    out = tmp_path / "dist"
    cid, history = _studied_relu(col, out, notes_copy)
    _reword(notes_copy / NOTES.name, RELU, REWORDED)
    result = _build(notes_copy, out)
    assert len(result.diagnostics) == 1
    import_apkg(col, result.outputs[0])
    assert col.note_count() == 20

    result = _build(notes_copy, out, keep_ids=True)
    (ch,) = result.changes
    assert ch.kept == [(RELU, REWORDED)] and ch.removed == [f"{REWORDED} (the copy without review history)"]
    log = import_apkg(col, result.outputs[0])
    # The studied note gets the question back; the copy is tagged for deletion (safe removal, issue 13).
    assert len(log.updated) == 2 and not log.new
    card = col.get_card(cid)
    assert card.note()["Question"] == REWORDED and (card.reps, card.ivl) == history
    assert "cardpress::removed" not in card.note().tags
    (copy,) = [col.get_note(n) for n in col.find_notes("tag:cardpress::removed")]
    assert copy["Question"] == REWORDED and copy.id != card.nid


def test_ambiguous_reword_is_warned_not_guessed(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    notes = src / "d.md"
    notes.write_text("# D\n\n## One\nSame answer.\n\n## Two\nSame answer.\n\n## Three\nOther.\n", "utf-8")
    out = tmp_path / "dist"
    first = {c.question_text: c.key for c in _build(src, out).library.decks[0].cards}
    # "Two" is deleted and "One" reworded: its answer matches both.
    notes.write_text("# D\n\n## Uno\nSame answer.\n\n## Three\nOther.\n", "utf-8")
    result = _build(src, out, keep_ids=True)
    (d,) = result.diagnostics
    assert d.location.line == 3 and 'may be reworded from "One" {#one} or "Two" {#two}' in d.message
    assert result.library.decks[0].cards[0].key == "uno" != first["One"]


def test_reworded_with_a_new_pin_is_warned(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    notes = src / "d.md"
    notes.write_text("# D\n\n## One\nA1\n\n## Two\nA2\n", "utf-8")
    out = tmp_path / "dist"
    _build(src, out)
    notes.write_text("# D\n\n## One, reworded {#first}\nA1\n\n## Two\nA2\n", "utf-8")
    (d,) = _build(src, out).diagnostics
    assert d.location.line == 3 and "pin it as {#one} to keep its history" in d.message


def test_strict_fails_on_a_reword_and_writes_nothing(notes_copy, tmp_path):
    out = tmp_path / "dist"
    apkg = _build(notes_copy, out).outputs[0]
    before = apkg.read_bytes()
    _reword(notes_copy / NOTES.name, RELU, REWORDED)
    result = build([str(notes_copy)], out, ["apkg"], strict=True)
    assert result.diagnostics and not result.outputs and apkg.read_bytes() == before


# -- changelog and diff ------------------------------------------------------------

def _cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "cardpress", *args], cwd=cwd, capture_output=True, text=True)


def test_changelog_and_diff(notes_copy, tmp_path):
    out = tmp_path / "dist"
    proc = _cli("build", str(notes_copy), "-o", str(out), "-f", "apkg")
    assert proc.returncode == 0, proc.stderr
    assert f"{DECK}: +19 new, ~0 changed, -0 removed, 0 unchanged" in proc.stdout

    notes = notes_copy / NOTES.name
    text = notes.read_text("utf-8")
    text = text.replace("## Bias는 뭘까?\n", "## Bias는 뭘까?\n편향. ")  # changed
    text = text.replace("## Dropout이란?\n", "## 새 질문?\n새 답.\n\n## Dropout이란?\n")  # new
    start = text.index("## Localization이란?")
    text = text[:start] + text[text.index("## Attention이란?"):]  # removed
    notes.write_text(text, "utf-8")

    manifest = (out / ".cardpress" / "manifest.json").read_bytes()
    diff = _cli("diff", str(notes_copy), "-o", str(out))
    assert diff.returncode == 0, diff.stderr
    expected = (f"{DECK}: +1 new, ~1 changed, -1 removed, 17 unchanged\n"
                "  removed: the package tags their notes cardpress::removed; in Anki, search "
                "tag:cardpress::removed, delete them, then run cardpress forget:\n"
                '  - "Localization이란?"\n')
    assert diff.stdout == expected
    assert (out / ".cardpress" / "manifest.json").read_bytes() == manifest  # diff writes nothing

    verbose = _cli("diff", str(notes_copy), "-o", str(out), "-v")
    assert '  + "새 질문?"' in verbose.stdout and '  ~ "Bias는 뭘까?"' in verbose.stdout

    proc = _cli("build", str(notes_copy), "-o", str(out), "-f", "apkg")
    assert proc.stdout.startswith(expected)
    assert _cli("diff", str(notes_copy), "-o", str(out)).stdout == f"{DECK}: +0 new, ~0 changed, -0 removed, 19 unchanged\n"


def test_deleted_and_renamed_decks_are_reported(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text("# A\n\n## A1\nx\n", "utf-8")
    (src / "b.md").write_text("# B\n\n## B1\ny\n\n## B2\nz\n", "utf-8")
    out = tmp_path / "dist"
    _build(src, out)
    (src / "b.md").unlink()
    (src / "a.md").write_text("# A renamed\n\n## A1\nx\n", "utf-8")
    result = _build(src, out)
    gone = {c.title: c.removed for c in result.changes if c.gone}
    assert gone == {"B": ["B1", "B2"]}
    # A's file under its new title continues its deck: its card keeps its note.
    (renamed,) = [c for c in result.changes if c.title == "A renamed"]
    assert renamed.renamed_from == "A" and renamed.unchanged == 1 and not renamed.new
    (warning,) = result.diagnostics
    assert 'deck renamed from "A": its 1 card(s) keep their review history' in warning.message
    assert warning.location.line == 1


def test_quiet_and_verbose(notes_copy, tmp_path):
    out = tmp_path / "dist"
    quiet = _cli("build", str(notes_copy), "-o", str(out), "-f", "apkg", "-q")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    loud = _cli("build", str(notes_copy), "-o", str(out), "-f", "apkg", "-v")
    assert "up to date:" in loud.stdout and "(0 written, 1 up to date)" in loud.stdout
    assert "[1/1] writing" not in loud.stderr  # nothing was written, so no progress
    (notes_copy / NOTES.name).write_text((notes_copy / NOTES.name).read_text("utf-8") + "\n", "utf-8")
    plain = _cli("build", str(notes_copy), "-o", str(out), "-f", "apkg")
    # Not a terminal: plain progress lines, no bar.
    assert plain.stderr == f"[1/1] writing apkg {NOTES.name}\n"


# -- incremental builds ---------------------------------------------------------------

def _three_decks(root: Path) -> Path:
    src = root / "src"
    src.mkdir()
    for name in ("a", "b", "c"):
        (src / f"{name}.md").write_text(f"# Deck {name}\n\n## {name} one?\nAnswer.\n\n## {name} two?\nMore.\n", "utf-8")
    return src


def _touch(path: Path) -> None:
    st = path.stat()
    os.utime(path, (st.st_atime, st.st_mtime + 5))


def _mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.glob("*.apkg")}


def test_noop_and_one_deck_changed(tmp_path):
    src, out = _three_decks(tmp_path), tmp_path / "dist"
    first = _build(src, out)
    assert len(first.written) == 3
    before = _mtimes(out)

    again = _build(src, out)
    assert again.written == [] and sorted(again.outputs) == sorted(first.outputs) and _mtimes(out) == before

    b = src / "b.md"
    b.write_text(b.read_text("utf-8").replace("More.", "More, edited."), "utf-8")
    _touch(b)
    result = _build(src, out)
    assert [p.name for p in result.written] == ["b.apkg"]
    after = _mtimes(out)
    assert after["a.apkg"] == before["a.apkg"] and after["c.apkg"] == before["c.apkg"] and after["b.apkg"] != before["b.apkg"]
    # The package is what a full build gives.
    full = build([str(src)], tmp_path / "full", ["apkg"], incremental=False)
    manifest = json.loads((out / ".cardpress" / "manifest.json").read_text("utf-8"))
    assert manifest["decks"]["Deck b"]["notes"]  # mod times kept by the Anki writer
    assert (out / "a.apkg").read_bytes() == (tmp_path / "full" / "a.apkg").read_bytes()
    assert full.ok


def test_a_deleted_or_edited_output_is_rewritten(tmp_path):
    src, out = _three_decks(tmp_path), tmp_path / "dist"
    _build(src, out)
    good = (out / "a.apkg").read_bytes()
    (out / "a.apkg").unlink()
    (out / "b.apkg").write_bytes(b"not a package")
    result = _build(src, out)
    assert sorted(p.name for p in result.written) == ["a.apkg", "b.apkg"]
    assert (out / "a.apkg").read_bytes() == good and (out / "b.apkg").read_bytes() != b"not a package"


@pytest.mark.parametrize("damage", ["garbage", "wrong shapes", "deleted"])
def test_a_corrupt_cache_means_a_full_rebuild(tmp_path, damage):
    src, out = _three_decks(tmp_path), tmp_path / "dist"
    _build(src, out)
    expected = {p.name: p.read_bytes() for p in out.glob("*.apkg")}
    for p in out.glob("*.apkg"):  # stale outputs the damaged cache must not vouch for
        p.write_bytes(b"stale")
        os.utime(p, ns=(0, 0))
    cache = out / ".cardpress"
    files = [cache / "outputs.json", cache / "manifest.json", *sorted((cache / "parsed").glob("*.pickle"))]
    for f in files:
        if damage == "garbage":
            f.write_bytes(b"\x00{not json")
        elif damage == "wrong shapes":
            f.write_text(json.dumps({"version": 1, "formats": {"apkg": {"decks": [1]}}, "decks": {"x": 3},
                                     "location": 5, "cards": "no"}), "utf-8")
        else:
            f.unlink()
    result = _build(src, out)
    assert len(result.written) == 3
    assert {p.name: p.read_bytes() for p in out.glob("*.apkg")} == expected


def test_cached_parse_equals_a_fresh_parse(notes_copy, tmp_path):
    (notes_copy / "broken.md").write_text("# B\n\n## Q\n\n## Q2\n![x](missing.png)\n", "utf-8")
    (notes_copy / "dup.md").write_text(NOTES.read_text("utf-8"), "utf-8")  # same title: an error
    fresh = read_library([str(notes_copy)])
    cache = ParseCache(tmp_path / "dist")
    assert read_library([str(notes_copy)], cache=cache) == fresh
    cache.flush()
    assert list((tmp_path / "dist" / ".cardpress" / "parsed").glob("*.pickle"))
    again = ParseCache(tmp_path / "dist")
    assert read_library([str(notes_copy)], cache=again) == fresh
    assert again.used and not again.pending  # served from the cache, nothing re-parsed but the broken file


def test_a_failed_build_still_records_the_mod_times_it_wrote(notes_copy, tmp_path, col, monkeypatch):
    """A package written before another format failed carries new mod times;
    the next build must count up from them or Anki drops its update. With a
    fixed SOURCE_DATE_EPOCH only the manifest can tell."""
    from cardpress.errors import CardpressError
    from cardpress.writers import WRITERS, WriterSpec

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (tmp_path / "boom_writer.py").write_text("def write(ctx):\n    raise OSError(28, 'No space left on device')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(WRITERS, "boom", WriterSpec("boom_writer"))
    out, notes = tmp_path / "dist", notes_copy / NOTES.name
    import_apkg(col, _build(notes_copy, out).outputs[0])

    notes.write_text(notes.read_text("utf-8").replace("LeakyReLU라는", "Leaky ReLU라는"), "utf-8")
    with pytest.raises(CardpressError):
        build([str(notes_copy)], out, ["apkg", "boom"])
    log = import_apkg(col, out / "ai-dev-knowledge.apkg")
    assert len(log.updated) == 1

    notes.write_text(notes.read_text("utf-8").replace("Leaky ReLU라는", "Leaky-ReLU라는"), "utf-8")
    log = import_apkg(col, _build(notes_copy, out).outputs[0])
    assert len(log.updated) == 1
    assert "Leaky-ReLU라는" in notes_by_question(col)[RELU]["Answer"]


@pytest.mark.parametrize("incremental", [True, False])
def test_writer_warnings_are_repeated_when_the_output_is_up_to_date(tmp_path, monkeypatch, incremental):
    """A skipped output still reports what its writer said, or `--strict`
    would pass on the second build and fail on the first."""
    from cardpress.model import SourceLocation
    from cardpress.writers import WRITERS, WriterSpec

    (tmp_path / "warning_writer.py").write_text(
        "from cardpress import atomic\n"
        "from cardpress.context import WriteResult\n"
        "from cardpress.model import Diagnostic\n"
        "def write(ctx):\n"
        "    result = WriteResult()\n"
        "    for deck in ctx.decks:\n"
        "        result.diagnostics.append(Diagnostic.warning(deck.cards[0].location, 'this writer cannot show that'))\n"
        "        path = ctx.out_dir / (ctx.output_stem(deck) + '.txt')\n"
        "        atomic.write_text(path, deck.title)\n"
        "        result.paths.append(path)\n"
        "    return result\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(WRITERS, "txt", WriterSpec("warning_writer", incremental=incremental))
    src, out = _three_decks(tmp_path), tmp_path / "dist"
    first = build([str(src)], out, ["txt"])
    second = build([str(src)], out, ["txt"])
    assert len(first.written) == 3 and second.written == []
    assert [str(d) for d in second.diagnostics] == [str(d) for d in first.diagnostics]
    assert len(first.diagnostics) == 3 and first.diagnostics[0].location == SourceLocation(f"{src}/a.md", 3)
