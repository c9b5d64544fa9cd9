"""Geometry for the dashboard's server-rendered SVG charts (no JavaScript).

Functions return plain numbers and labels; templates/sessions_audit/charts/
draws them with presentation attributes only (the CSP forbids inline styles).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP = 40, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    # (x, y, text, SVG text-anchor)
    labels: list[tuple[float, float, str, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0


def _days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def daily_bars(
    series: list[tuple[str, str, dict[date, int]]], *, since: date, until: date
) -> Chart:
    """Grouped bars per day: ``series`` is [(name, fill colour, {day: count})]."""
    days = _days(since, until)
    chart = Chart(WIDTH, HEIGHT, legend=[(name, fill) for name, fill, _ in series])
    peak = max([1, *(n for _, _, counts in series for n in counts.values())])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / len(days)
    bar_w = max(slot * 0.8 / len(series), 0.5)
    for d, day in enumerate(days):
        for s, (name, fill, counts) in enumerate(series):
            value = counts.get(day, 0)
            chart.total += value
            h = plot_h * value / peak
            chart.bars.append(
                Bar(
                    x=round(LEFT + d * slot + slot * 0.1 + s * bar_w, 2),
                    y=round(TOP + plot_h - h, 2),
                    width=round(bar_w, 2),
                    height=round(h, 2),
                    fill=fill,
                    title=f"{day:%Y-%m-%d}: {value} {name}",
                )
            )
    # First, middle and last day; the outer two anchored inwards so that
    # neither is cut off at the chart's edge.
    ticks = {0: "start", len(days) // 2: "middle", len(days) - 1: "end"}
    for index, anchor in ticks.items():
        x = {"start": LEFT, "middle": LEFT + index * slot + slot / 2}.get(
            anchor, WIDTH - 8
        )
        chart.labels.append((round(x, 2), HEIGHT - 8, f"{days[index]:%m-%d}", anchor))
    chart.labels.append((4, TOP + 10, str(peak), "start"))
    chart.labels.append((4, TOP + plot_h, "0", "start"))
    chart.labels.sort()
    return chart


def horizontal_bars(rows: list[tuple[str, int]], *, fill: str) -> Chart:
    """One bar per (label, count), longest for the largest count."""
    row_h = 26
    chart = Chart(WIDTH, max(len(rows), 1) * row_h + 8)
    label_w = 170
    peak = max([1, *(count for _, count in rows)])
    for i, (label, count) in enumerate(rows):
        chart.total += count
        w = (WIDTH - label_w - 60) * count / peak
        y = 4 + i * row_h
        chart.bars.append(
            Bar(label_w, y, round(w, 2), row_h - 8, fill, f"{label}: {count}")
        )
        chart.labels.append((4, y + 14, label, "start"))
        chart.labels.append((round(label_w + w + 6, 2), y + 14, str(count), "start"))
    if not rows:
        chart.labels.append((4, 18, "None in this range.", "start"))
    return chart
