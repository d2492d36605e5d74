"""Turning recognised text into candidate listings. Pure functions: no I/O, no ORM.

A page arrives as lines; a line is a row of cells (runs of words separated by a
wide gap, as in a table or a dotted-leader price list); a cell is words with
Tesseract's confidence. The parser recognises:

- one item per line with its price (``Widget  $4.50``), including table rows
  (``Widget | Red, metal | $4.50``: first cell the title, middle cells the
  description) and dotted leaders (``Widget ........ $4.50``);
- a block: a title line, description lines, then a line holding only the price
  (``Price: $4.50``).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from statistics import mean

from listings.fields import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from listings.validation import parse_price
from marketplace.errors import InvalidInput

# Words Tesseract could not read well enough to trust without a look.
LOW_CONFIDENCE = 60.0
# A block is a title and at most this many description lines before its price.
MAX_DESCRIPTION_LINES = 3
# Gap between words, in multiples of the line's tallest word, that starts a new cell.
CELL_GAP = 1.8

_CURRENCY_SYMBOLS = "$€£¥₹"
_CURRENCY_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "MXN", "INR")
_AMOUNT = r"\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CODE = "|".join(_CURRENCY_CODES)
_PRICE_RE = re.compile(
    rf"""
    (?<![\w.,])
    (?:
        (?P<pre>[{_CURRENCY_SYMBOLS}]|\b(?:{_CODE})\b)\s?(?P<pre_amount>{_AMOUNT})
      | (?P<post_amount>{_AMOUNT})\s?(?P<post>[{_CURRENCY_SYMBOLS}]|\b(?:{_CODE})\b)
      | (?P<bare>\d{{1,3}}(?:[.,]\d{{3}})*[.,]\d{{2}})
    )
    (?![\w]|[.,]\d)
    """,
    re.VERBOSE,
)
# Words around a price that are not part of the item's title.
PRICE_LABEL_RE = re.compile(
    r"^\s*(?:(?:our|sale|unit|list)\s+)?(?:price|cost|only|now|each|ea\.?|per\s+unit)\s*[:=-]?\s*$",
    re.IGNORECASE,
)
_LABEL_PREFIX_RE = re.compile(r"^\s*(?:(?:our|sale|unit|list)\s+)?(?:price|cost)\s*[:=-]\s*", re.IGNORECASE)
# Dotted leaders, and what Tesseract makes of them ("2.0...", "eee", "ccc").
_LEADER_IN_TEXT_RE = re.compile(r"\s*(?:\.{2,}|…|·{2,}|_{3,}|(?:\s?\.){3,}).*$")
_LEADER_WORD_RE = re.compile(r"^(?:[\W\d_]*(?:\.\.|…|··)[\W\d_]*|[.·_…]+)$")
# Runs of dots Tesseract misreads as letters; it is unsure of them, real words are not.
_MISREAD_LEADER_RE = re.compile(r"^[ce]{2,4}s?$")
MISREAD_LEADER_CONFIDENCE = 50.0


@dataclass(frozen=True)
class Word:
    text: str
    conf: float = 100.0
    left: int = 0
    top: int = 0
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Line:
    cells: tuple[tuple[Word, ...], ...]

    @property
    def words(self) -> list[Word]:
        return [word for cell in self.cells for word in cell]

    @property
    def text(self) -> str:
        return "  ".join(_cell_text(cell) for cell in self.cells)


@dataclass(frozen=True)
class Price:
    amount: Decimal
    start: int
    end: int
    has_currency: bool


@dataclass
class Candidate:
    title: str
    price: Decimal | None
    description: str = ""
    confidence: float = 0.0
    # Index of the first line the candidate came from, for ordering and review.
    line: int = 0
    layout: str = "line"
    words: list[Word] = field(default_factory=list, repr=False)


def _cell_text(cell: Sequence[Word]) -> str:
    return " ".join(word.text for word in cell)


def find_prices(text: str) -> list[Price]:
    """Every price in ``text``: ``$12``, ``12.99``, ``1.299,00 €``, ``USD 15``.

    A number counts as a price only with a currency or with exactly two
    decimals, so "Pack of 3" or "Model 2000" is not one."""
    prices = []
    for match in _PRICE_RE.finditer(text):
        number = match.group("pre_amount") or match.group("post_amount") or match.group("bare")
        try:
            amount = parse_price(number.replace("'", "").replace(" ", ""))
        except InvalidInput:
            continue
        has_currency = match.group("bare") is None
        prices.append(Price(amount, match.start(), match.end(), has_currency))
    return prices


def _clean_title(text: str) -> str:
    text = _LEADER_IN_TEXT_RE.sub("", text)
    text = _LABEL_PREFIX_RE.sub("", text)
    return text.strip(" \t-–—:|*•·,;").strip()


def _has_letters(text: str) -> bool:
    return sum(character.isalpha() for character in text) >= 2


def _confidence(words: Iterable[Word], factor: float = 1.0) -> float:
    confidences = [word.conf for word in words if word.conf >= 0]
    return round(min(100.0, (mean(confidences) if confidences else 0.0) * factor), 1)


def _strip_leader_words(words: Sequence[Word]) -> tuple[list[Word], bool]:
    """The words before a dotted leader, and whether there was one."""
    for position, word in enumerate(words):
        if _LEADER_WORD_RE.match(word.text) or (
            word.conf < MISREAD_LEADER_CONFIDENCE and _MISREAD_LEADER_RE.match(word.text)
        ):
            kept = list(words[:position])
            # Tesseract often reads the first dots of a leader as a short, unsure word.
            while len(kept) > 1 and kept[-1].conf < 10 and len(kept[-1].text) <= 3:
                kept.pop()
            return kept, True
    return list(words), False


def _words_before(cell: Sequence[Word], text_end: int) -> list[Word]:
    """The words of ``cell`` that lie before character ``text_end`` of its text."""
    words, position = [], 0
    for word in cell:
        if position >= text_end:
            break
        words.append(word)
        position += len(word.text) + 1
    return words


def _price_words(cell: Sequence[Word], price: Price) -> list[Word]:
    words, position = [], 0
    for word in cell:
        end = position + len(word.text)
        if end > price.start and position < price.end:
            words.append(word)
        position = end + 1
    return words


def _line_items(line: Line, index: int) -> list[Candidate]:
    """Items written on one line: text cells followed by a price."""
    items: list[Candidate] = []
    text_cells: list[list[Word]] = []
    leader = False
    for cell in line.cells:
        prices = find_prices(_cell_text(cell))
        if not prices:
            # Everything between a dotted leader and its price is leader.
            if not leader:
                words, leader = _strip_leader_words(cell)
                if _has_letters(_cell_text(words)):
                    text_cells.append(words)
            continue
        price = prices[0]
        before_words, found_leader = _strip_leader_words(_words_before(cell, price.start))
        found_leader = found_leader or bool(_LEADER_IN_TEXT_RE.search(_cell_text(before_words)))
        before_text = _clean_title(_cell_text(before_words))
        if _has_letters(before_text) and not PRICE_LABEL_RE.match(before_text) and not leader:
            text_cells.append(before_words)
        if not text_cells:
            continue
        title_words = text_cells[0]
        title = _clean_title(_cell_text(title_words))
        if not _has_letters(title):
            text_cells = []
            continue
        description = "" if leader or found_leader else " ".join(_cell_text(c) for c in text_cells[1:])
        used = title_words + _price_words(cell, price)
        items.append(
            Candidate(
                title=title[:TITLE_MAX_LENGTH],
                price=price.amount,
                description=description.strip(),
                confidence=_confidence(used, 1.0 if price.has_currency else 0.9),
                line=index,
                layout="leaders" if leader or found_leader else ("table" if len(line.cells) > 2 else "line"),
                words=used,
            )
        )
        text_cells, leader = [], False
    return items


def _price_only(line: Line) -> tuple[Price, list[Word]] | None:
    """The price of a line that holds nothing else (``$4.50``, ``Price: 4.50 €``)."""
    text = " ".join(word.text for word in line.words)
    prices = find_prices(text)
    if len(prices) != 1:
        return None
    rest = (text[: prices[0].start] + " " + text[prices[0].end :]).strip()
    if _has_letters(rest) and not PRICE_LABEL_RE.match(rest):
        return None
    return prices[0], _price_words(line.words, prices[0])


def parse_lines(lines: Sequence[Line]) -> list[Candidate]:
    """Candidate listings in reading order."""
    candidates: list[Candidate] = []
    pending: list[tuple[int, Line]] = []
    for index, line in enumerate(lines):
        if not line.words:
            continue
        price_only = _price_only(line)
        if price_only is not None:
            price, price_words = price_only
            block = pending[-(MAX_DESCRIPTION_LINES + 1) :]
            if block:
                (first, title_line), *description_lines = block
                title = _clean_title(title_line.text)
                description = "\n".join(_clean_title(desc.text) for _, desc in description_lines)
                used = title_line.words + price_words
                candidates.append(
                    Candidate(
                        title=" ".join(title.split())[:TITLE_MAX_LENGTH],
                        price=price.amount,
                        description=description[:DESCRIPTION_MAX_LENGTH],
                        confidence=_confidence(used, 0.95 if price.has_currency else 0.85),
                        line=first,
                        layout="block",
                        words=used,
                    )
                )
            pending = []
            continue
        items = _line_items(line, index)
        if items:
            candidates.extend(items)
            pending = []
        elif _has_letters(line.text) and not PRICE_LABEL_RE.match(line.text):
            pending.append((index, line))
    return candidates


def lines_from_text(text: str) -> list[Line]:
    """Lines of plain text; tabs, ``|`` and runs of 2+ spaces separate cells."""
    lines = []
    for raw in text.splitlines():
        cells = tuple(
            tuple(Word(token) for token in cell.split())
            for cell in re.split(r"\t|\s*\|\s*|\s{2,}", raw.strip())
            if cell.strip()
        )
        lines.append(Line(cells))
    return lines


def parse_text(text: str) -> list[Candidate]:
    return parse_lines(lines_from_text(text))


def words_from_tesseract(data: Mapping[str, Sequence]) -> list[dict]:
    """Tesseract's ``image_to_data`` dict as a list of recognised words, each with
    its box, confidence and the (block, paragraph, line) it belongs to."""
    words = []
    for position, text in enumerate(data["text"]):
        text = str(text).strip()
        if not text:
            continue
        words.append(
            {
                "text": text,
                "conf": round(float(data["conf"][position]), 1),
                "left": int(data["left"][position]),
                "top": int(data["top"][position]),
                "width": int(data["width"][position]),
                "height": int(data["height"][position]),
                "line": [
                    int(data["block_num"][position]),
                    int(data["par_num"][position]),
                    int(data["line_num"][position]),
                ],
            }
        )
    return words


def lines_from_words(words: Sequence[Mapping]) -> list[Line]:
    """Group stored words into Tesseract's lines, split into cells at wide gaps."""
    grouped: dict[tuple, list[Word]] = {}
    for item in words:
        word = Word(
            text=item["text"],
            conf=float(item["conf"]),
            left=int(item["left"]),
            top=int(item["top"]),
            width=int(item["width"]),
            height=int(item["height"]),
        )
        grouped.setdefault(tuple(item["line"]), []).append(word)
    lines = []
    for line_words in grouped.values():
        line_words.sort(key=lambda word: word.left)
        # The tallest word, not the median: leader dots are short and would make
        # every space between words look like a column gap.
        gap_limit = CELL_GAP * max(word.height for word in line_words)
        cells: list[list[Word]] = [[line_words[0]]]
        for previous, word in pairwise(line_words):
            if word.left - (previous.left + previous.width) > gap_limit:
                cells.append([])
            cells[-1].append(word)
        lines.append(Line(tuple(tuple(cell) for cell in cells)))
    return _join_table_rows(lines)


def _vertical_band(line: Line) -> tuple[float, float]:
    return min(w.top for w in line.words), max(w.top + w.height for w in line.words)


def _join_table_rows(lines: list[Line]) -> list[Line]:
    """Tesseract sometimes reads a small table column by column, so one row comes
    out as several lines ("Widget", "Red, metal", "$4.50"). Put such fragments
    back together when they sit side by side on one row and only the rightmost
    holds a price; two priced fragments on a row are two columns of items."""
    bands = [_vertical_band(line) for line in lines]
    rows: list[list[int]] = []
    for index, (top, bottom) in enumerate(bands):
        middle = (top + bottom) / 2
        for row in rows:
            row_top, row_bottom = bands[row[0]]
            if row_top <= middle <= row_bottom and top <= (row_top + row_bottom) / 2 <= bottom:
                row.append(index)
                break
        else:
            rows.append([index])
    joined: dict[int, Line] = {}
    absorbed: set[int] = set()
    for row in rows:
        if len(row) < 2:
            continue
        fragments = sorted(row, key=lambda i: min(w.left for w in lines[i].words))
        priced = [i for i in fragments if find_prices(lines[i].text)]
        if priced != fragments[-1:]:
            continue
        edges = [
            (min(w.left for w in lines[i].words), max(w.left + w.width for w in lines[i].words))
            for i in fragments
        ]
        if any(right > next_left for (_, right), (next_left, _) in pairwise(edges)):
            continue
        joined[min(row)] = Line(tuple(cell for i in fragments for cell in lines[i].cells))
        absorbed.update(row)
    return [
        joined.get(index, line)
        for index, line in enumerate(lines)
        if index not in absorbed or index in joined
    ]


def mean_confidence(words: Sequence[Mapping]) -> float | None:
    confidences = [float(word["conf"]) for word in words if float(word["conf"]) >= 0]
    return round(mean(confidences), 1) if confidences else None
