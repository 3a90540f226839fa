"""The site's interface words, in the notes' language.

Korean notes get a Korean interface (and `<html lang="ko">`, which screen
readers and line breaking use); anything else gets English. Each deck's
language is `Deck.lang` (the frontmatter's, else the script of all its
text: the reader decides, so the PDF speaks the same language); the index
page, which lists every deck, speaks the language most decks are in, and
marks each deck's own text with its `lang`. Placeholders in braces are
filled in by the templates or by site.js.
"""

from __future__ import annotations

from collections import Counter

from ..model import Deck, Library
from ..text import script_language

UI: dict[str, dict[str, str]] = {
    "en": {
        "site_title": "Flashcards",
        "all_decks": "All decks",
        "cards_n": "{n} cards",
        "cards_1": "1 card",
        "mode": "View",
        "study": "Study",
        "list": "List",
        "theme_dark": "Dark theme",
        "help": "Keyboard shortcuts",
        "close": "Close",
        "progress": "Progress",
        "show_answer": "Show answer",
        "show_question": "Show question",
        "prev": "Previous",
        "next": "Next",
        "again": "Again",
        "good": "Got it",
        "shuffle": "Shuffle",
        "reset": "Reset",
        "reset_confirm": "Clear this deck's progress (order and grades)?",
        "search": "Search",
        "search_placeholder": "Search questions and answers",
        "matches": "{n} of {total} cards",
        "no_match": "No cards match.",
        "no_cards": "This deck has no cards yet: questions are '## ' headings.",
        "expand_all": "Expand all",
        "collapse_all": "Collapse all",
        "card_of": "Card {i} of {n}: {q}",
        "answer_said": "Answer: {a}",
        "shuffled": "Cards shuffled.",
        "reset_done": "Progress cleared.",
        "done_title": "You reached the end!",
        "done_text": "Got it {good} · Again {again} · Not graded {none}",
        "review_again": "Review the {n} “again” cards",
        "start_over": "Start over",
        "reviewing": "Reviewing “again” cards",
        "known": "Got it {good} of {total}",
        "image_offline": "image not available offline",
        "task_done": "done",
        "task_open": "not done",
        "key_flip": "Flip the card (or click / tap it)",
        "key_move": "Previous / next card (swipe on a phone)",
        "key_grade": "Again / Got it",
        "key_shuffle": "Shuffle",
        "key_mode": "Switch between study and list",
        "key_search": "Search the list",
        "key_help": "This help",
        "blank": "blank",
        "type_label": "Type the answer",
        "type_check": "Check",
        "type_right": "✓ Right",
        "type_wrong": "✗ Not quite: the answer is “{a}”",
        "tags": "Tags",
        "all_tags": "All cards",
        "tag_chosen": "{n} cards tagged {tag}.",
        "tag_cleared": "All {n} cards.",
    },
    "ko": {
        "site_title": "플래시카드",
        "all_decks": "모든 덱",
        "cards_n": "카드 {n}장",
        "cards_1": "카드 1장",
        "mode": "보기",
        "study": "학습",
        "list": "목록",
        "theme_dark": "어두운 테마",
        "help": "단축키",
        "close": "닫기",
        "progress": "진행",
        "show_answer": "정답 보기",
        "show_question": "질문 보기",
        "prev": "이전",
        "next": "다음",
        "again": "다시",
        "good": "알았음",
        "shuffle": "섞기",
        "reset": "초기화",
        "reset_confirm": "이 덱의 진행 상황(순서와 채점)을 지울까요?",
        "search": "검색",
        "search_placeholder": "질문과 답에서 찾기",
        "matches": "{total}장 중 {n}장",
        "no_match": "찾는 카드가 없습니다.",
        "no_cards": "이 덱에는 아직 카드가 없습니다. 질문은 '## ' 제목으로 씁니다.",
        "expand_all": "모두 펼치기",
        "collapse_all": "모두 접기",
        "card_of": "{n}장 중 {i}번째 카드: {q}",
        "answer_said": "정답: {a}",
        "shuffled": "카드를 섞었습니다.",
        "reset_done": "진행 상황을 지웠습니다.",
        "done_title": "끝까지 다 봤어요!",
        "done_text": "알았음 {good} · 다시 {again} · 채점 안 함 {none}",
        "review_again": "‘다시’ 카드 {n}장 복습",
        "start_over": "처음부터",
        "reviewing": "‘다시’ 카드 복습 중",
        "known": "알았음 {good} / {total}",
        "image_offline": "오프라인에서는 이미지를 볼 수 없음",
        "task_done": "완료",
        "task_open": "미완료",
        "key_flip": "카드 뒤집기 (클릭·탭도 가능)",
        "key_move": "이전 / 다음 카드 (휴대폰에서는 밀기)",
        "key_grade": "다시 / 알았음",
        "key_shuffle": "섞기",
        "key_mode": "학습 ↔ 목록 전환",
        "key_search": "목록에서 검색",
        "key_help": "이 도움말",
        "blank": "빈칸",
        "type_label": "답을 입력하세요",
        "type_check": "확인",
        "type_right": "✓ 정답",
        "type_wrong": "✗ 아쉬워요. 정답은 “{a}”",
        "tags": "태그",
        "all_tags": "모든 카드",
        "tag_chosen": "‘{tag}’ 태그 카드 {n}장.",
        "tag_cleared": "모든 카드 {n}장.",
    },
}


def deck_language(deck: Deck) -> str:
    """The interface language for one deck's page: its `lang` when we have
    words for it, else English. (A deck kept from an older build may have no
    `lang`: the script of its title and questions then decides.)"""
    lang = deck.lang or script_language(" ".join([deck.title, *(c.question_text for c in deck.cards)]))
    primary = lang.split("-")[0].lower()
    return primary if primary in UI else "en"


def site_language(library: Library) -> str:
    """The index page's language: the one most decks are in; between two
    with as many decks, the one with more cards; then English."""
    decks: Counter[str] = Counter()
    cards: Counter[str] = Counter()
    for deck in library.decks:
        lang = deck_language(deck)
        decks[lang] += 1
        cards[lang] += len(deck.cards)
    return max(sorted(UI), key=lambda lang: (decks[lang], cards[lang], lang == "en"))


def cards_label(strings: dict[str, str], n: int) -> str:
    return strings["cards_1"] if n == 1 else strings["cards_n"].format(n=n)
