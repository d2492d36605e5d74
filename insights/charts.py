"""The page's charts as server-side SVG: each bar's place worked out here, drawn by
the template (``insights/insights.html#bar_chart``) with classes only, so the CSS
colours them for light and dark mode and the page needs no script."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 640
# Bars laid across (rows): the label, then the bar, then its value.
ROW_HEIGHT = 26
ROW_BAR = 18
LABEL_WIDTH = 230
VALUE_WIDTH = 90
# Bars standing up (columns): the values above, the labels below.
COLUMNS_HEIGHT = 220
COLUMNS_TOP = 20
COLUMNS_BOTTOM = 180
LABEL_CHARACTERS = 32


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: str  # what the bar's end says
    description: str  # the link's accessible name: "New: 12 listings"
    url: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    # The whole row or column: a click anywhere on it follows the link.
    hit: tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True)
class Chart:
    layout: str  # "rows" or "columns"
    width: int
    height: int
    bars: list[Bar]


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1] + "…"


def _listings(count: int) -> str:
    return f"{count:,} listing{'' if count == 1 else 's'}"


def row_chart(figures: Sequence[dict[str, Any]], *, grid_url: str) -> Chart:
    """One row per figure: its label, a bar as long as its count, the count."""
    most = max((figure["count"] for figure in figures), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, figure in enumerate(figures):
        top = index * ROW_HEIGHT
        length = room * figure["count"] / most
        bars.append(
            Bar(
                label=figure["label"],
                short_label=_short(figure["label"]),
                value=f"{figure['count']:,}",
                description=f"{figure['label']}: {_listings(figure['count'])}",
                url=f"{grid_url}?{figure['query']}",
                x=LABEL_WIDTH,
                y=top + (ROW_HEIGHT - ROW_BAR) / 2,
                width=round(max(length, 2 if figure["count"] else 0), 1),
                height=ROW_BAR,
                label_x=LABEL_WIDTH - 8,
                label_y=top + ROW_HEIGHT / 2,
                value_x=round(LABEL_WIDTH + length + 6, 1),
                value_y=top + ROW_HEIGHT / 2,
                hit=(0, top, WIDTH, ROW_HEIGHT),
            )
        )
    return Chart(layout="rows", width=WIDTH, height=max(len(bars), 1) * ROW_HEIGHT, bars=bars)


def column_chart(
    figures: Sequence[dict[str, Any]],
    *,
    grid_url: str,
    measure: Callable[[dict[str, Any]], float] = lambda figure: figure["count"],
    value: Callable[[dict[str, Any]], str] = lambda figure: f"{figure['count']:,}",
    short_label: Callable[[dict[str, Any]], str] = lambda figure: figure["label"],
) -> Chart:
    """One column per figure, as tall as ``measure`` of it, ``value`` above it."""
    most = max((measure(figure) for figure in figures), default=0) or 1
    slot = WIDTH / max(len(figures), 1)
    room = COLUMNS_BOTTOM - COLUMNS_TOP
    bars = []
    for index, figure in enumerate(figures):
        height = room * measure(figure) / most
        height = max(height, 2) if measure(figure) else 0
        left = index * slot
        bars.append(
            Bar(
                label=figure["label"],
                short_label=short_label(figure),
                value=value(figure),
                description=f"{figure['label']}: {_listings(figure['count'])}",
                url=f"{grid_url}?{figure['query']}",
                x=round(left + slot * 0.15, 1),
                y=round(COLUMNS_BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label_x=round(left + slot / 2, 1),
                label_y=COLUMNS_BOTTOM + 18,
                value_x=round(left + slot / 2, 1),
                value_y=round(COLUMNS_BOTTOM - height - 6, 1),
                hit=(round(left, 1), 0, round(slot, 1), COLUMNS_HEIGHT),
            )
        )
    return Chart(layout="columns", width=WIDTH, height=COLUMNS_HEIGHT, bars=bars)
