"""`cardpress push` against an AnkiConnect-protocol server on 127.0.0.1
backed by a real Anki collection (tests/ankiconnect_server.py). The CLI runs
as a user runs it: a subprocess, real exit codes, stdout and stderr."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ankiconnect_server import AnkiConnectServer
from anki_helpers import review
from conftest import REPO

from cardpress.identity import note_guid

DECK = "AI 개발관련 지식"
NOTETYPE = "cardpress Basic"


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANKICONNECT_")}
    # A proxy that does not exist: push must never send through one.
    base.update({"HTTP_PROXY": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9", "NO_PROXY": ""})
    base.update(env or {})
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=base, stdin=subprocess.DEVNULL)


@pytest.fixture
def anki(tmp_path):
    (tmp_path / "anki").mkdir()
    server = AnkiConnectServer(tmp_path / "anki" / "collection.anki2").start()
    yield server
    server.stop()


def push(server: AnkiConnectServer, cwd: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return run("push", "source", "-f", "apkg", "--url", server.url, *args, cwd=cwd, env=env)


def our_notes(server: AnkiConnectServer, deck: str = DECK) -> dict[str, object]:
    """CardId -> note, for our note type in `deck`."""
    col = server.col
    with server.lock:
        nids = col.find_notes(f'"note:{NOTETYPE}" "deck:{deck}"')
        return {col.get_note(n)["CardId"]: col.get_note(n) for n in nids}


def card_reps(server: AnkiConnectServer, note) -> list[tuple[int, int, int]]:
    with server.lock:
        return [(c.id, c.reps, c.ivl) for c in note.cards()]


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The problem as the user sees it: one line on stderr, no traceback."""
    lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("[")]  # progress lines
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_push_review_edit_push_updates_in_place_and_keeps_reviews(anki, notes_copy, tmp_path):
    cwd = tmp_path
    proc = push(anki, cwd)
    assert proc.returncode == 0, proc.stderr
    assert f"{DECK}: +19 new, ~0 updated, 0 unchanged in Anki" in proc.stdout
    notes = our_notes(anki)
    assert len(notes) == 19
    # Identity is the file's: the GUIDs are cardpress's, as after File > Import.
    assert all(n.guid == note_guid(DECK, key) for key, n in notes.items())

    with anki.lock:
        reviewed = review(anki.col, 3, deck=DECK)
    assert len(reviewed) == 3
    with anki.lock:
        before = {key: (n.id, card_reps(anki, n)) for key, n in notes.items()}
    assert sum(reps for _, cards in before.values() for _, reps, _ in cards) == 3

    # Edit the answer of a reviewed card and add a question.
    with anki.lock:
        edited_key = next(k for k, n in notes.items() if n.cards()[0].id == reviewed[0])
        old_answer = notes[edited_key]["Answer"]
        question = notes[edited_key]["Question"]
    md = notes_copy / "ai-dev-knowledge.md"
    text = md.read_text("utf-8")
    q_line = next(ln for ln in text.splitlines() if ln.startswith("## ") and ln[3:].strip() in question)
    text = text.replace(q_line + "\n", q_line + "\n추가된 첫 문장.\n\n", 1)
    text += "\n\n## 새로 추가된 질문은?\n새 답.\n"
    md.write_text(text, "utf-8")

    proc = push(anki, cwd)
    assert proc.returncode == 0, proc.stderr
    assert f"{DECK}: +1 new, ~1 updated, 18 unchanged in Anki" in proc.stdout
    notes = our_notes(anki)
    assert len(notes) == 20
    assert "추가된 첫 문장" in notes[edited_key]["Answer"] and notes[edited_key]["Answer"] != old_answer
    with anki.lock:
        for key, (nid, cards) in before.items():  # same notes, same cards, reviews kept
            assert notes[key].id == nid
            assert card_reps(anki, notes[key]) == cards

    imports = anki.requests.count("importPackage")
    proc = push(anki, cwd)
    assert proc.returncode == 0, proc.stderr
    assert f"{DECK}: up to date in Anki (20 card(s))" in proc.stdout
    assert anki.requests.count("importPackage") == imports  # nothing to send
    assert "addNote" not in anki.requests and "addNotes" not in anki.requests


def test_dry_run_changes_nothing_in_anki(anki, notes_copy, tmp_path):
    proc = push(anki, tmp_path, "--dry-run", "--delete-removed")
    assert proc.returncode == 0, proc.stderr
    assert f"{DECK}: would be +19 new, ~0 updated, 0 unchanged in Anki" in proc.stdout
    assert our_notes(anki) == {}
    assert "importPackage" not in anki.requests


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def test_delete_removed_deletes_exactly_the_removed_notes(anki, tmp_path):
    odd = 'Odd "deck"_name*'  # quotes and search wildcards in the title: the searches must escape them
    src = tmp_path / "source"
    _write(src / "a.md", f"# {odd}\n\n" + "".join(f"## Question {i}?\nAnswer {i}.\n\n" for i in range(1, 6)))
    _write(src / "b.md", "# Other deck\n\n## Question 1?\nOther answer.\n\n## Question 2?\nOther answer 2.\n")
    proc = push(anki, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"{odd}: +5 new" in proc.stdout and "Other deck: +2 new" in proc.stdout
    # A note of another note type, in the same deck: never ours to delete.
    with anki.lock:
        col = anki.col
        basic = col.new_note(col.models.by_name("Basic"))
        basic["Front"], basic["Back"] = "Question 2?", "kept"
        col.add_note(basic, col.decks.id_for_name(odd))
    before = our_notes(anki, odd.replace('"', '\\"').replace("_", "\\_").replace("*", "\\*"))
    assert len(before) == 5

    # Remove questions 2 and 4 from a.md; push only a.md's folder state.
    _write(src / "a.md", f"# {odd}\n\n" + "".join(f"## Question {i}?\nAnswer {i}.\n\n" for i in (1, 3, 5)))
    proc = push(anki, tmp_path, "--delete-removed", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert f"{odd}: 2 note(s) in Anki are no longer in the notes:" in proc.stdout
    assert '"Question 2?" (CardId question-2)' in proc.stdout and '"Question 4?" (CardId question-4)' in proc.stdout
    assert "2 note(s) would be deleted" in proc.stdout
    assert "deleteNotes" not in anki.requests

    proc = push(anki, tmp_path, "--delete-removed")  # no --yes, nobody to ask (stdin is not a terminal)
    assert proc.returncode == 0, proc.stderr
    assert "not deleting 2 note(s): run again with --yes" in proc.stderr
    assert "deleteNotes" not in anki.requests
    tagged = our_notes(anki, odd.replace('"', '\\"').replace("_", "\\_").replace("*", "\\*"))
    assert sorted(k for k, n in tagged.items() if "cardpress::removed" in n.tags) == ["question-2", "question-4"]

    proc = push(anki, tmp_path, "--delete-removed", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "2 note(s) deleted" in proc.stdout
    after = our_notes(anki, odd.replace('"', '\\"').replace("_", "\\_").replace("*", "\\*"))
    assert sorted(after) == ["question-1", "question-3", "question-5"]
    assert {k: n.id for k, n in after.items()} == {k: before[k].id for k in after}
    assert sorted(our_notes(anki, "Other deck")) == ["question-1", "question-2"]  # same keys, other deck: kept
    with anki.lock:
        assert anki.col.get_note(basic.id)["Back"] == "kept"

    # The package carried the removed notes tagged (so Anki users find them); once
    # deleted they are forgotten: the next import does not bring them back.
    _write(src / "a.md", f"# {odd}\n\n" + "".join(f"## Question {i}?\nAnswer {i}, edited.\n\n" for i in (1, 3, 5)))
    proc = push(anki, tmp_path, "--delete-removed", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert sorted(our_notes(anki, odd.replace('"', '\\"').replace("_", "\\_").replace("*", "\\*"))) == \
        ["question-1", "question-3", "question-5"]
    assert "no removed notes to delete" in proc.stdout


def test_upload_sends_the_package_and_removes_it_from_the_media_folder(anki, notes_copy, tmp_path):
    proc = push(anki, tmp_path, "--upload")
    assert proc.returncode == 0, proc.stderr
    assert "uploading the packages" in proc.stdout
    assert f"{DECK}: +19 new" in proc.stdout
    assert anki.requests[-6:-2] == ["storeMediaFile", "getMediaDirPath", "importPackage", "deleteMediaFile"]
    media = Path(anki.col.media.dir())
    assert not any(p.name.startswith("_cardpress-push-") for p in media.iterdir())
    assert len(our_notes(anki)) == 19


def test_api_key(anki, notes_copy, tmp_path):
    anki.api_key = "s3cret"
    line = one_error_line(push(anki, tmp_path))
    assert line.startswith("push: error: AnkiConnect at ") and "requires an API key: pass --api-key" in line
    line = one_error_line(push(anki, tmp_path, "--api-key", "wrong"))
    assert "refused the API key" in line
    proc = push(anki, tmp_path, env={"ANKICONNECT_API_KEY": "s3cret"})
    assert proc.returncode == 0, proc.stderr
    assert f"{DECK}: +19 new" in proc.stdout


def test_anki_not_running(notes_copy, tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = run("push", "source", "-f", "apkg", cwd=tmp_path, env={"ANKICONNECT_URL": f"http://127.0.0.1:{port}"})
    line = one_error_line(proc)
    assert line == (f"push: error: cannot reach Anki at http://127.0.0.1:{port} (connection refused): start Anki "
                    "with the AnkiConnect add-on (code 2055492159), or check --url")
    assert (tmp_path / "dist" / "ai-dev-knowledge.apkg").is_file()  # the build itself was done


@pytest.mark.parametrize("mode, expected", [
    ("not-found", "answered HTTP 404, not as AnkiConnect: install the AnkiConnect add-on"),
    ("not-json", "but not as AnkiConnect (protocol version 6) does: install the AnkiConnect add-on"),
    ("hang-up", "closed the connection without an answer"),
])
def test_something_else_listening(anki, notes_copy, tmp_path, mode, expected):
    anki.mode = mode
    line = one_error_line(push(anki, tmp_path))
    assert expected in line and "2055492159" in line


def test_old_ankiconnect(anki, notes_copy, tmp_path):
    anki.version = 5
    line = one_error_line(push(anki, tmp_path))
    assert "speaks protocol version 5; cardpress needs 6: update the AnkiConnect add-on" in line


def test_slow_anki_times_out(anki, notes_copy, tmp_path):
    anki.delay = 5
    started = time.monotonic()
    line = one_error_line(push(anki, tmp_path, "--timeout", "0.5"))
    elapsed = time.monotonic() - started
    assert f"push: error: Anki at {anki.url} did not answer within 0.5 s" in line
    assert elapsed < 5, elapsed  # build included; the wait itself is 0.5 s


def test_a_deck_that_fails_to_import(anki, notes_copy, tmp_path):
    anki.import_error = "database is locked"
    line = one_error_line(push(anki, tmp_path))
    assert line == "dist/ai-dev-knowledge.apkg: error: Anki could not import this deck: database is locked"


def test_only_loopback_unless_allowed(notes_copy, tmp_path):
    # 192.0.2.1 is TEST-NET-1: refused before any connection is tried.
    line = one_error_line(run("push", "source", "-f", "apkg", "--url", "http://192.0.2.1:8765", cwd=tmp_path))
    assert line == ("push: error: http://192.0.2.1:8765 is not on this machine; cardpress sends your decks to it, "
                    "so pass --allow-remote if that is what you want")
    line = one_error_line(run("push", "source", "-f", "apkg", "--url", "ftp://127.0.0.1:8765", cwd=tmp_path))
    assert "bad AnkiConnect URL 'ftp://127.0.0.1:8765'" in line


def test_url_checks():
    from cardpress.ankiconnect import is_loopback

    assert is_loopback("http://127.0.0.1:8765") and is_loopback("http://localhost:8765")
    assert is_loopback("http://[::1]:8765") and is_loopback("http://127.1.2.3")
    assert not is_loopback("http://192.168.1.5:8765") and not is_loopback("http://anki.example:8765")


def test_delete_removed_asks_first(anki, tmp_path):
    from cardpress.options import BuildOptions
    from cardpress.push import PushSettings, build_for_push, push as push_decks

    src = tmp_path / "source"
    _write(src / "a.md", "# Asked\n\n## One?\n1\n\n## Two?\n2\n\n## Three?\n3\n")
    assert push(anki, tmp_path).returncode == 0
    _write(src / "a.md", "# Asked\n\n## One?\n1\n\n## Three?\n3\n")
    result = build_for_push([str(src)], tmp_path / "dist", ["apkg"], BuildOptions())
    printed: list[str] = []
    prompts: list[str] = []

    def echo(message, err=False, always=False):
        printed.append(message)

    def answer(reply):
        return lambda prompt: prompts.append(prompt) or reply

    settings = PushSettings(url=anki.url, delete_removed=True)
    assert push_decks(result, settings, echo, answer(False)) == 0
    assert prompts == ["Delete these 1 note(s) and their review history from Anki?"]
    assert '  - "Two?" (CardId two)' in printed and "nothing deleted" in printed
    assert sorted(our_notes(anki, "Asked")) == ["one", "three", "two"]
    assert push_decks(result, settings, echo, answer(True)) == 0
    assert sorted(our_notes(anki, "Asked")) == ["one", "three"]
    assert printed[-1] == "pushed 0 deck(s), 1 up to date, 1 note(s) deleted"


def test_open_hands_each_package_to_the_system_opener(notes_copy, tmp_path):
    """No desktop here: CARDPRESS_OPENER stands in for xdg-open / open and
    records what it was given."""
    log = tmp_path / "opened.txt"
    recorder = tmp_path / "recorder.py"
    recorder.write_text("import sys\nopen(sys.argv[1], 'a').write(' '.join(sys.argv[2:]) + '\\n')\n", "utf-8")
    opener = f"{shlex.quote(sys.executable)} {shlex.quote(str(recorder))} {shlex.quote(str(log))}"
    proc = run("open", "source", cwd=tmp_path, env={"CARDPRESS_OPENER": opener})
    assert proc.returncode == 0, proc.stderr
    package = (tmp_path / "dist" / "ai-dev-knowledge.apkg").resolve()
    assert log.read_text("utf-8").splitlines() == [str(package)]
    assert f"opened {package}" in proc.stdout
    assert not (tmp_path / "dist" / "ai-dev-knowledge.pdf").exists()  # open builds the packages only

    line = one_error_line(run("open", "source", cwd=tmp_path, env={"CARDPRESS_OPENER": "false"}))
    assert line == "dist/ai-dev-knowledge.apkg: error: false could not open it (exit 1): is Anki installed? " \
                   "Open it in Anki with File > Import"
    line = one_error_line(run("open", "source", cwd=tmp_path, env={"CARDPRESS_OPENER": "/nonexistent/opener"}))
    assert "cannot open it: /nonexistent/opener not found (set CARDPRESS_OPENER" in line


def test_the_opener_of_each_platform():
    from cardpress.opener import opener_command

    assert opener_command({}, "linux") == ["xdg-open"]
    assert opener_command({}, "darwin") == ["open"]
    assert opener_command({}, "win32") is None  # os.startfile
    assert opener_command({"CARDPRESS_OPENER": "flatpak run net.ankiweb.Anki"}, "linux") == \
        ["flatpak", "run", "net.ankiweb.Anki"]


def test_cards_edited_or_moved_in_anki(anki, tmp_path):
    """Anki's side wins where Anki says so: a note edited in Anki after the
    build keeps Anki's version (as a file import does), and a card moved to
    another deck in Anki stays there; push says so instead of failing."""
    src = tmp_path / "source"
    _write(src / "a.md", "# Mine\n\n## Edited in Anki?\nold\n\n## Moved in Anki?\nold\n\n## Plain?\nold\n")
    old = {"SOURCE_DATE_EPOCH": "1000000000"}  # package mod times well before the edits below
    assert push(anki, tmp_path, env=old).returncode == 0
    notes = our_notes(anki, "Mine")
    with anki.lock:
        col = anki.col
        edited = notes["edited-in-anki"]
        edited["Answer"] = "changed in Anki"
        col.update_note(edited)
        col.set_deck([c.id for c in notes["moved-in-anki"].cards()], col.decks.id("Elsewhere"))
    _write(src / "a.md", "# Mine\n\n## Edited in Anki?\nnew\n\n## Moved in Anki?\nnew\n\n## Plain?\nnew\n")
    proc = push(anki, tmp_path, env={"SOURCE_DATE_EPOCH": "1000000100"})
    assert proc.returncode == 0, proc.stderr
    assert "Mine: +0 new, ~1 updated, 1 unchanged in Anki" in proc.stdout
    assert ('dist/a.apkg: warning: 1 card(s) were edited in Anki after this build, so Anki keeps its version: '
            '"Edited in Anki?"') in proc.stderr
    assert "dist/a.apkg: warning: 1 card(s) are in another deck in Anki (moved there)" in proc.stderr
    with anki.lock:
        assert col.get_note(edited.id)["Answer"] == "changed in Anki"
        moved = col.get_note(notes["moved-in-anki"].id)
        assert "new" in moved["Answer"] and moved.cards()[0].did == col.decks.id_for_name("Elsewhere")
        assert "new" in col.get_note(notes["plain"].id)["Answer"]
