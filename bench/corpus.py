"""Generated corpora for the benchmarks, deterministic (seeded).

Two generators:

- `write_corpus(root, cards, files, chars, seed)`: Korean prose answers
  (~450 characters each, a few lists and one code snippet), used by
  `run.py`, `incremental_bench.py` and `pdf_bench.py`.
- `make_cards(n)` + `write_for(tool, root, cards, files)`: the mixed corpus of
  issue 15, used by `peers.py`: Korean, English and mixed ML-style
  answers of 2-5 paragraphs with lists, inline code, fenced code in several
  languages (python, javascript, sql, bash, yaml, json, cpp, go), some math
  (`$...$`, `$$...$$`), some cloze deletions (`{{c1::...}}`) and a few
  tables, written in cardpress's format and in each peer's input format.

Card `i` depends only on (seed, i): the 1,000-card corpus is the first
1,000 cards of the 10,000-card one, and the same cards go to every tool.
Every question is unique (it starts with `Q<number>.`), so note counts can be
checked, and the text avoids what one of the formats would read as
structure: no line that is only `%` or `---` (ankdown's separators), no
heading inside an answer (md2anki and markdown-anki-decks split on `##`),
no question ending in `)` (md2anki reads `(id)` there).

    python bench/corpus.py OUT --cards 1000 --files 50 --tool cardpress
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

# ---------------------------------------------------------------------------
# The original prose corpus (kept as it was: other bench scripts use it)

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


# ---------------------------------------------------------------------------
# The mixed corpus of issue 15

# (Korean, English) pairs of ML terms.
TERMS = [
    ("과적합", "overfitting"), ("정규화", "regularization"), ("드롭아웃", "dropout"),
    ("배치 정규화", "batch normalization"), ("층 정규화", "layer normalization"),
    ("경사 하강법", "gradient descent"), ("확률적 경사 하강법", "stochastic gradient descent"),
    ("학습률", "learning rate"), ("모멘텀", "momentum"), ("역전파", "backpropagation"),
    ("기울기 소실", "vanishing gradients"), ("기울기 폭발", "exploding gradients"),
    ("활성화 함수", "activation function"), ("손실 함수", "loss function"),
    ("교차 엔트로피", "cross-entropy"), ("합성곱 신경망", "convolutional network"),
    ("순환 신경망", "recurrent network"), ("어텐션", "attention"), ("셀프 어텐션", "self-attention"),
    ("트랜스포머", "transformer"), ("임베딩", "embedding"), ("토크나이저", "tokenizer"),
    ("위치 인코딩", "positional encoding"), ("전이 학습", "transfer learning"),
    ("미세 조정", "fine-tuning"), ("데이터 증강", "data augmentation"), ("편향-분산 트레이드오프", "bias-variance trade-off"),
    ("정밀도", "precision"), ("재현율", "recall"), ("교차 검증", "cross-validation"),
    ("주성분 분석", "principal component analysis"), ("군집화", "clustering"),
    ("결정 트리", "decision tree"), ("랜덤 포레스트", "random forest"), ("그래디언트 부스팅", "gradient boosting"),
    ("서포트 벡터 머신", "support vector machine"), ("커널 트릭", "kernel trick"),
    ("강화 학습", "reinforcement learning"), ("정책 경사", "policy gradient"), ("가치 함수", "value function"),
    ("오토인코더", "autoencoder"), ("변분 오토인코더", "variational autoencoder"),
    ("생성적 적대 신경망", "generative adversarial network"), ("확산 모델", "diffusion model"),
    ("지식 증류", "knowledge distillation"), ("양자화", "quantization"), ("가지치기", "pruning"),
    ("조기 종료", "early stopping"), ("가중치 감쇠", "weight decay"), ("혼합 정밀도", "mixed precision"),
    ("특성 스케일링", "feature scaling"), ("원-핫 인코딩", "one-hot encoding"), ("소프트맥스", "softmax"),
    ("잔차 연결", "residual connection"), ("빔 서치", "beam search"), ("온도 샘플링", "temperature sampling"),
]

INLINE_CODE = [
    "model.train()", "model.eval()", "torch.no_grad()", "optimizer.zero_grad()", "loss.backward()",
    "optimizer.step()", "nn.Dropout(p=0.1)", "nn.LayerNorm(d_model)", "F.softmax(logits, dim=-1)",
    "np.mean(x, axis=0)", "x.view(B, T, C)", "torch.cuda.amp.autocast()", "sklearn.model_selection.KFold",
    "df.groupby('user_id')", "pd.read_csv(path)", "SELECT COUNT(*)", "tokenizer.encode(text)",
    "lr_scheduler.StepLR", "clip_grad_norm_(params, 1.0)", "requires_grad=False", "batch_size=32",
    "git bisect", "pip install -U transformers", "CUDA_VISIBLE_DEVICES=0", "<pad>", "a < b && c > d",
]

INLINE_MATH = [
    r"$\sigma(x) = 1 / (1 + e^{-x})$", r"$\mathcal{L} = -\sum_i y_i \log \hat{y}_i$", r"$O(n^2 d)$",
    r"$\nabla_\theta J(\theta)$", r"$\theta \leftarrow \theta - \eta \nabla L$", r"$\lambda \lVert w \rVert_2^2$",
    r"$p(y \mid x)$", r"$\mathbb{E}[X] = \mu$", r"$\text{ReLU}(x) = \max(0, x)$", r"$d_k = 64$",
]

DISPLAY_MATH = [
    r"$$\text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V$$",
    r"$$\hat{x}_i = \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}$$",
    r"$$D_{KL}(P \parallel Q) = \sum_x P(x) \log \frac{P(x)}{Q(x)}$$",
    r"$$F_1 = 2 \cdot \frac{\text{precision} \cdot \text{recall}}{\text{precision} + \text{recall}}$$",
    r"$$m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t$$",
]

# Code snippets; {n}, {m}, {name} vary per card so a cache keyed on the code
# text cannot answer every block from one entry.
CODE = {
    "python": [
        "import torch\nimport torch.nn as nn\n\nclass {Name}(nn.Module):\n    def __init__(self, d={n}):\n"
        "        super().__init__()\n        self.fc = nn.Linear(d, {m})\n        self.drop = nn.Dropout(0.{k})\n\n"
        "    def forward(self, x):\n        # 드롭아웃은 학습 중에만 동작한다\n        return self.drop(torch.relu(self.fc(x)))\n",
        "for epoch in range({n}):\n    model.train()\n    for x, y in loader:\n        optimizer.zero_grad()\n"
        "        loss = criterion(model(x), y)  # {name} 손실\n        loss.backward()\n        optimizer.step()\n"
        "    print(f\"epoch {{epoch}}: {{loss.item():.4f}}\")\n",
        "def {name}(xs: list[float], k: int = {k}) -> list[float]:\n    \"\"\"Moving average over k items.\"\"\"\n"
        "    out = []\n    for i in range(len(xs) - k + 1):\n        out.append(sum(xs[i:i + k]) / k)\n    return out\n",
    ],
    "javascript": [
        "const {name} = (logits) => {{\n  const max = Math.max(...logits);\n  const exps = logits.map((z) => Math.exp(z - max));\n"
        "  const sum = exps.reduce((a, b) => a + b, 0);\n  return exps.map((e) => e / sum); // {n} classes\n}};\n",
        "async function fetch{Name}(id) {{\n  const res = await fetch(`/api/models/${{id}}?limit={n}`);\n"
        "  if (!res.ok) throw new Error(`HTTP ${{res.status}}`);\n  return res.json();\n}}\n",
    ],
    "sql": [
        "SELECT user_id, COUNT(*) AS n_{name}, AVG(score) AS mean_score\nFROM predictions\n"
        "WHERE created_at >= DATE '2024-0{k}-01'\nGROUP BY user_id\nHAVING COUNT(*) > {n}\nORDER BY mean_score DESC;\n",
        "-- 라벨 분포 확인\nSELECT label, COUNT(*) FROM train_{name}\nGROUP BY label ORDER BY 2 DESC LIMIT {m};\n",
    ],
    "bash": [
        "python -m venv .venv && . .venv/bin/activate\npip install torch=={k}.{n} transformers\n"
        "CUDA_VISIBLE_DEVICES=0 python train.py --epochs {m} --lr 3e-4  # {name}\n",
        "for seed in 1 2 {k}; do\n  python train.py --seed \"$seed\" --out runs/{name}-$seed\ndone\ngrep -h 'val_acc' runs/*/log.txt | sort -t= -k2 -n | tail -n {n}\n",
    ],
    "yaml": [
        "model:\n  name: {name}\n  hidden_size: {n}\n  num_layers: {k}\ntraining:\n  lr: 3.0e-4\n  batch_size: {m}\n  warmup_steps: 500\n",
    ],
    "json": [
        "{{\n  \"model\": \"{name}\",\n  \"layers\": {k},\n  \"dropout\": 0.{k},\n  \"vocab_size\": {n}{m},\n  \"tie_embeddings\": true\n}}\n",
    ],
    "cpp": [
        "#include <vector>\n#include <cmath>\n\nfloat {name}(const std::vector<float>& x) {{\n  float s = 0.f;\n"
        "  for (float v : x) s += v * v;  // L2 norm, {n} dims\n  return std::sqrt(s);\n}}\n",
    ],
    "go": [
        "func {Name}(xs []float64) float64 {{\n\tsum := 0.0\n\tfor _, x := range xs {{\n\t\tsum += x\n\t}}\n"
        "\treturn sum / float64(len(xs)) // mean of {n} values\n}}\n",
    ],
}
_LANGS = sorted(CODE)
_NAMES = ["encoder", "scorer", "head", "probe", "baseline", "ranker", "tagger", "pooler", "gate", "mixer"]

KO_SENTENCES = [
    "{ko}은(는) {ko2}와(과) 함께 자주 쓰이며, 실무에서는 둘의 상호작용을 먼저 확인하는 것이 좋다.",
    "{ko}의 핵심 아이디어는 모델이 학습 데이터에만 지나치게 맞춰지지 않도록 하는 것이다.",
    "실험에서는 {ko}을(를) 적용한 뒤 검증 손실이 더 이상 줄지 않는 지점을 기록한다.",
    "{ko2}을(를) 바꾸면 {ko}의 효과가 달라지므로 한 번에 하나의 변수만 조정해야 한다.",
    "직관적으로 말하면 {ko}은(는) 파라미터 공간에서 더 평탄한 해를 찾도록 돕는다.",
    "대규모 모델에서는 {ko}이(가) 메모리와 계산 비용에 직접적인 영향을 준다.",
    "면접에서는 {ko}을(를) 수식과 함께 설명하고, 언제 쓰지 말아야 하는지도 말할 수 있어야 한다.",
    "데이터가 적을수록 {ko}의 중요성이 커지고, 데이터가 많으면 그 효과는 줄어드는 경향이 있다.",
    "{ko}을(를) 구현할 때 흔한 실수는 학습 모드와 평가 모드를 구분하지 않는 것이다.",
    "논문마다 {ko}의 정의가 조금씩 다르니 하이퍼파라미터 이름보다 계산식을 확인하자.",
]
EN_SENTENCES = [
    "{en} is usually paired with {en2}, and the two interact more than people expect.",
    "The key idea behind {en} is to keep the model from memorising the training set.",
    "In practice you tune {en} on a held-out validation set, never on the test set.",
    "Changing {en2} shifts the effect of {en}, so change one knob at a time.",
    "Intuitively, {en} nudges the optimiser towards flatter minima that generalise better.",
    "For large models, {en} has a direct cost in memory bandwidth and compute.",
    "A common bug is to forget that {en} behaves differently at training and inference time.",
    "The smaller the data set, the more {en} matters; with enough data its effect fades.",
]
MIXED_SENTENCES = [
    "{ko}({en})은(는) `{code}` 한 줄로 켤 수 있지만, 기본값이 항상 좋은 것은 아니다.",
    "PyTorch에서는 `{code}`를 호출해 {ko}을(를) 적용하고, 추론 전에는 꼭 `model.eval()`을 부른다.",
    "{en} 관점에서 보면 {ko2}은(는) 일종의 prior를 주는 것과 같다.",
    "loss curve를 보면 {ko}의 효과가 바로 보인다: validation loss가 train loss보다 먼저 꺾인다.",
    "{ko}을(를) 쓸 때 learning rate를 함께 조정하지 않으면 수렴이 느려질 수 있다.",
]

QUESTIONS = [
    "{ko}이란 무엇이며 왜 필요한가?", "{ko}와 {ko2}의 차이는 무엇인가?", "{ko}을 언제 쓰면 안 되는가?",
    "What is {en}, and why does it help?", "How does {en} differ from {en2}?",
    "When would you avoid {en}?", "{en}을 한 문장으로 설명하면?", "{ko}이 {ko2}에 주는 영향은?",
    "Explain {en} to a new engineer in two minutes.", "{ko} 구현 시 흔한 실수는?",
]


@dataclass(frozen=True)
class MixedCard:
    question: str  # plain text, no Markdown structure
    answer: str  # Markdown (paragraphs, lists, code, math, cloze, tables)


def _fill(template: str, rng: random.Random) -> str:
    (ko, en), (ko2, en2) = rng.sample(TERMS, 2)
    return template.format(ko=ko, en=en, ko2=ko2, en2=en2, code=rng.choice(INLINE_CODE))


def _paragraph(rng: random.Random, style: str) -> str:
    pool = {"ko": KO_SENTENCES + MIXED_SENTENCES, "en": EN_SENTENCES, "mixed": KO_SENTENCES + EN_SENTENCES + MIXED_SENTENCES}[style]
    sentences = [_fill(rng.choice(pool), rng) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
    if rng.random() < 0.35:
        i = rng.randrange(len(sentences))
        sentences[i] = sentences[i][:-1] + f" (`{rng.choice(INLINE_CODE)}`)" + sentences[i][-1]
    if rng.random() < 0.12:
        sentences.append(("예를 들어 " if style != "en" else "For example, ") + rng.choice(INLINE_MATH) + ".")
    return " ".join(sentences)


def _code_block(rng: random.Random) -> str:
    lang = rng.choice(_LANGS)
    name = rng.choice(_NAMES)
    body = rng.choice(CODE[lang]).format(
        name=name, Name=name.capitalize(), n=rng.randint(2, 999), m=rng.randint(2, 512), k=rng.randint(1, 9))
    return f"```{lang}\n{body}```"


def _list(rng: random.Random, style: str) -> str:
    ordered = rng.random() < 0.3
    items = []
    for i in range(rng.randint(2, 5)):
        (ko, en), _ = rng.sample(TERMS, 2)
        text = {"ko": f"{ko}: " + rng.choice(("학습이 안정된다", "메모리를 더 쓴다", "추론이 빨라진다", "튜닝할 값이 늘어난다")),
                "en": f"{en}: " + rng.choice(("training is more stable", "uses more memory", "inference gets faster", "one more knob to tune")),
                "mixed": f"**{ko}** ({en}): `{rng.choice(INLINE_CODE)}`"}[style]
        items.append(f"{i + 1}. {text}" if ordered else f"- {text}")
    return "\n".join(items)


def _table(rng: random.Random) -> str:
    rows = ["| 기법 | technique | 효과 |", "| --- | --- | --- |"]
    for (ko, en) in rng.sample(TERMS, rng.randint(2, 4)):
        rows.append(f"| {ko} | {en} | {rng.choice(('좋음', '보통', 'depends', '비쌈'))} |")
    return "\n".join(rows)


def mixed_card(i: int, seed: int = 15) -> MixedCard:
    """Card number `i` (0-based) of the mixed corpus: depends on (seed, i) only."""
    rng = random.Random(f"cardpress-bench:{seed}:{i}")
    style = rng.choices(("ko", "en", "mixed"), weights=(5, 2, 3))[0]
    (ko, en), (ko2, en2) = rng.sample(TERMS, 2)
    question = f"Q{i + 1}. " + rng.choice(QUESTIONS).format(ko=ko, en=en, ko2=ko2, en2=en2)
    blocks = [_paragraph(rng, style) for _ in range(rng.randint(2, 5))]
    if rng.random() < 0.10:  # a cloze deletion in the first paragraph
        word = ko if style != "en" else en
        blocks[0] = f"핵심 용어: {{{{c1::{word}}}}}. " + blocks[0] if style != "en" else f"Key term: {{{{c1::{word}}}}}. " + blocks[0]
    extras = []
    if rng.random() < 0.35:
        extras.append(_list(rng, style))
    if rng.random() < 0.30:
        extras.append(_code_block(rng))
        if rng.random() < 0.2:
            extras.append(_code_block(rng))
    if rng.random() < 0.08:
        extras.append(rng.choice(DISPLAY_MATH))
    if rng.random() < 0.05:
        extras.append(_table(rng))
    for block in extras:  # somewhere after the first paragraph
        blocks.insert(rng.randint(1, len(blocks)), block)
    return MixedCard(question, "\n\n".join(blocks))


def make_cards(n: int, seed: int = 15) -> list[MixedCard]:
    return [mixed_card(i, seed) for i in range(n)]


def split(cards: list[MixedCard], files: int) -> list[list[MixedCard]]:
    """Contiguous chunks of nearly equal size, one per file (deck)."""
    files = max(1, min(files, len(cards)))
    return [cards[len(cards) * f // files: len(cards) * (f + 1) // files] for f in range(files)]


def deck_title(f: int, files: int) -> str:
    return "ML 인터뷰 노트" if files == 1 else f"ML 인터뷰 노트 {f + 1:03d}"


def _headed(title: str, chunk: list[MixedCard]) -> str:
    """`# Deck`, a description, then `## Question` + answer: cardpress,
    markdown-anki-decks and md2anki all read this."""
    parts = [f"# {title}", "생성된 벤치마크 노트 (mixed Korean/English)."]
    for card in chunk:
        parts += [f"## {card.question}", card.answer]
    return "\n\n".join(parts) + "\n"


def _ankdown(chunk: list[MixedCard]) -> str:
    """ankdown: front, a line `%`, back; cards separated by a line `---`."""
    return "\n---\n\n".join(f"{card.question}\n\n%\n\n{card.answer}\n" for card in chunk)


TOOLS_FORMAT = {"cardpress": "headed", "mdankideck": "headed", "md2anki": "headed", "ankdown": "ankdown"}


def write_for(fmt: str, root: Path, cards: list[MixedCard], files: int) -> list[Path]:
    """Write `cards` in format `fmt` ("headed" or "ankdown") as `files`
    files under `root`; return the Markdown files in deck order. ankdown
    names a deck after the folder holding the file, so each of its files
    gets its own folder."""
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    chunks = split(cards, files)
    for f, chunk in enumerate(chunks):
        name = f"deck-{f + 1:03d}"
        if fmt == "ankdown":
            path = root / name / f"{name}.md"
            path.parent.mkdir(exist_ok=True)
            text = _ankdown(chunk)
        elif fmt == "headed":
            path = root / f"{name}.md"
            text = _headed(deck_title(f, len(chunks)), chunk)
        else:
            raise ValueError(f"unknown format {fmt!r}")
        path.write_text(text, "utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description="Write the mixed benchmark corpus.")
    ap.add_argument("out", type=Path)
    ap.add_argument("--cards", type=int, default=1000)
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--format", choices=["headed", "ankdown"], default="headed",
                    help="headed: cardpress, markdown-anki-decks, md2anki; ankdown: ankdown")
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    paths = write_for(args.format, args.out, make_cards(args.cards, args.seed), args.files)
    size = sum(p.stat().st_size for p in paths)
    print(f"{args.cards} cards in {len(paths)} files under {args.out}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
