"""The PDF's own words, in the deck's language (`Deck.lang`, which the
reader sets from the frontmatter or the script of the notes): Korean decks
get Korean chrome, every other deck English. One table, like the site's
(`writers/html_ui.py`); the templates and the print preparation read it.

Values are plain text, except `too_long`, which is trusted HTML (ours).
`{n}`, `{first}`, `{last}` are filled in where they are used; `key_1` is
the form of `key` for one thing.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "ko": {
        "kicker": "문답 노트 · 인쇄본",
        "contents": "차례",
        "cards": "문답",  # the running header over the cards
        "section": "문답 {first}–{last}",
        "count": "문답 {n}개",
        "count_1": "문답 1개",
        "long": "긴 답",
        "too_long": "답이 길어 카드에 다 싣지 못했습니다.<br>맨 뒤 <b>긴 답</b>의 <b>{n}번</b>을 보세요.",
        "quiz": "퀴즈",
        "questions": "문제",
        "quiz_count": "문제 {n}개 · 정답은 맨 뒤에 있습니다.",
        "quiz_count_1": "문제 1개 · 정답은 맨 뒤에 있습니다.",
        "answers": "정답",
        "name": "이름",
        "date": "날짜",
        "image": "그림",
        "remote_note": "인터넷 그림 · 인쇄본에는 싣지 않음",
        "audio": "오디오",  # the mark sound prints as (media.py)
        "video": "동영상",
    },
    "en": {
        "kicker": "Q&A notes · print edition",
        "contents": "Contents",
        "cards": "Questions",
        "section": "Questions {first}–{last}",
        "count": "{n} questions",
        "count_1": "1 question",
        "long": "Long answers",
        "too_long": "This answer is too long for a card.<br>See <b>no. {n}</b> under <b>Long answers</b> at the end.",
        "quiz": "Quiz",
        "questions": "Questions",
        "quiz_count": "{n} questions · the answers are at the end.",
        "quiz_count_1": "1 question · the answer is at the end.",
        "answers": "Answers",
        "name": "Name",
        "date": "Date",
        "image": "image",
        "remote_note": "web image · not included in print",
        "audio": "audio",
        "video": "video",
    },
}


def language(lang: str) -> str:
    """The table for a language tag: "ko", "ko-KR" -> "ko"; anything else "en"."""
    primary = lang.split("-")[0].lower()
    return primary if primary in WORDS else "en"


def words_for(lang: str) -> dict[str, str]:
    return WORDS[language(lang)]


def counted(words: dict[str, str], key: str, n: int) -> str:
    """`words[key]` for `n` things (`key + "_1"` for one)."""
    return words[f"{key}_1"] if n == 1 else words[key].format(n=n)
