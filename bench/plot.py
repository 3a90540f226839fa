"""Draw bench/scaling.svg from bench/results.json: cards -> median seconds of
a cold build to .apkg (50 files), log-log, one line per tool.

    <venv with matplotlib>/bin/python bench/plot.py bench/results.json bench/scaling.svg

`peers.py` runs it with the venv it makes under bench/.peers/plot/; the
SVG is deterministic for the same results (fixed hash salt, no date).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

STYLE = {  # tool -> (colour, marker)
    "cardpress": ("#d62728", "o"),
    "ankdown": ("#1f77b4", "s"),
    "ankdown --highlight": ("#17becf", "D"),
    "mdankideck": ("#2ca02c", "^"),
    "md2anki": ("#9467bd", "v"),
}


def main() -> None:
    data = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    svg = Path(sys.argv[2])
    series: dict[str, list[tuple[int, float]]] = {}
    for row in data["rows"]:
        if row["scenario"] != ".apkg" or row["status"] != "ok" or not row["runs"]:
            continue
        series.setdefault(row["tool"], []).append((row["cards"], statistics.median(r["wall"] for r in row["runs"])))

    plt.rcParams["svg.hashsalt"] = "cardpress-bench"
    plt.rcParams["font.family"] = "DejaVu Sans"
    fig, ax = plt.subplots(figsize=(7, 4.6))
    for tool in sorted(series, key=lambda t: list(STYLE).index(t) if t in STYLE else 99):
        points = sorted(series[tool])
        colour, marker = STYLE.get(tool, ("#7f7f7f", "x"))
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        ax.plot(xs, ys, marker=marker, color=colour, label=tool, linewidth=2 if tool == "cardpress" else 1.4)
        for x, y in points:
            ax.annotate(f"{y:.1f} s" if y < 100 else f"{y:.0f} s", (x, y), textcoords="offset points",
                        xytext=(6, -4), fontsize=7, color=colour)
    all_x = sorted({x for pts in series.values() for x, _ in pts})
    middle = dict(series.get("cardpress", [])).get(data.get("cards"))
    if all_x and middle:  # a dotted guide: linear growth through cardpress's middle point
        n = data["cards"]
        ax.plot(all_x, [middle * x / n for x in all_x], ":", color="#999999", linewidth=1,
                label=f"linear growth through cardpress at {n:,} cards")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(all_x)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:g}k" if x >= 1000 else f"{x:g}"))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda x, _: ""))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
    ax.set_xlabel("cards (50 files)")
    ax.set_ylabel("cold build to .apkg, median wall seconds")
    ax.set_title(f"Cold build to .apkg: cardpress and its peers ({data['machine']['cores']} cores, {data['date'][:10]})",
                 fontsize=10)
    ax.grid(True, which="both", linewidth=0.3, alpha=0.6)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})


if __name__ == "__main__":
    main()
