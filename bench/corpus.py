"""Generated Korean corpora for the benchmarks: deterministic (seeded), shaped
like real study notes (paragraphs, some lists and code), ~450 characters of
Korean per answer by default."""

from __future__ import annotations

import random
from pathlib import Path

_WORDS = (
    "모델 학습 데이터 파라미터 기울기 손실 함수 최적화 정규화 과적합 배치 신경망 가중치 편향 "
    "활성화 역전파 경사 하강법 차원 분포 특징 추출 합성곱 풀링 어텐션 트랜스포머 임베딩 "
    "토큰 시퀀스 인코더 디코더 확률 샘플링 검증 평가 정확도 재현율 정밀도 교차 엔트로피"
).split()
_ENDINGS = ("이다.", "한다.", "된다.", "할 수 있다.", "때문이다.", "라고 한다.")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) + rng.choice(("은", "는", "이", "가", "을", "를", "의", "에", "")) for _ in range(rng.randint(5, 10))]
    return " ".join(words) + " " + rng.choice(_ENDINGS)


def answer(rng: random.Random, chars: int) -> str:
    parts: list[str] = []
    size = 0
    while size < chars:
        s = sentence(rng)
        parts.append(s)
        size += len(s)
    text = " ".join(parts)
    roll = rng.random()
    if roll < 0.1:
        text += "\n\n- " + sentence(rng) + "\n- " + sentence(rng)
    elif roll < 0.15:
        text += "\n\n```python\nloss = criterion(model(x), y)  # 손실 계산\nloss.backward()\n```"
    return text


def write_corpus(root: Path, cards: int, files: int = 10, chars: int = 450, seed: int = 1) -> Path:
    """`cards` cards spread over `files` Markdown files under `root`."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    per_file = -(-cards // files)
    made = 0
    for f in range(files):
        lines = [f"# 벤치마크 덱 {f + 1:03d}", "", "생성된 한국어 학습 노트입니다.", ""]
        for n in range(min(per_file, cards - made)):
            lines += [f"## 질문 {f + 1}-{n + 1}: {sentence(rng)[:-1]}?", answer(rng, chars), ""]
            made += 1
        (root / f"deck-{f + 1:03d}.md").write_text("\n".join(lines), "utf-8")
    return root
