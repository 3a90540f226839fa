"""Importing packages into a real Anki collection (the `anki` package: the
same Rust backend as the desktop app)."""

from __future__ import annotations

from pathlib import Path

import anki.import_export_pb2 as ie
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.scheduler_pb2 import CardAnswer

IF_NEWER = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER


def open_collection(path: Path) -> Collection:
    return Collection(str(path))  # the path must end in .anki2


def import_apkg(col: Collection, apkg: Path):
    """Import as the desktop app does by default (update notes and note types
    if newer) and return the import log (new/updated/duplicate/conflicting)."""
    options = ImportAnkiPackageOptions(
        merge_notetypes=False,
        update_notes=IF_NEWER,
        update_notetypes=IF_NEWER,
        with_scheduling=False,
        with_deck_configs=False,
    )
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options)).log


def notes_by_question(col: Collection) -> dict[str, object]:
    return {col.get_note(nid)["Question"]: col.get_note(nid) for nid in col.find_notes("")}


def review(col: Collection, count: int, rating: str = "good", deck: str = "AI 개발관련 지식") -> list[int]:
    """Answer `count` cards of `deck` through Anki's scheduler, as a user
    studying it would; returns their card ids."""
    col.decks.select(col.decks.id_for_name(deck))
    answered = []
    for _ in range(count):
        queued = col.sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        qc = queued.cards[0]
        card = col.get_card(qc.card.id)
        card.start_timer()
        states = qc.states
        chosen = {"again": CardAnswer.AGAIN, "hard": CardAnswer.HARD, "good": CardAnswer.GOOD, "easy": CardAnswer.EASY}[rating]
        answer = col.sched.build_answer(card=card, states=states, rating=chosen)
        col.sched.answer_card(answer)
        answered.append(card.id)
    return answered
