"""Turning an engine's words (text, box, confidence, engine line) into candidate
listings. Pure functions: no I/O, no ORM.

The page is read as a person reads it, from the geometry of the words:

1. **Segments**: the words of one engine line, split wherever there is a wide gap
   or a dotted leader; then split again around every price, so a segment is either
   a price (with its label: ``Price:``, ``from``) or text.
2. **Rows**: segments at the same height, after taking out the page's skew.
3. **Tables**: a row naming a title column (Item, Name, Product, Description) and a
   price column (Price, Cost) is a header; the rows under it are read by column
   (SKU or Code kept).
4. **Columns**: vertical gutters split the rest of the page; a column without
   prices (the names of a price list, the details of a table) joins the priced
   column beside it, so each group holds one stream of items.
5. **Items**: in a group, a price with text on its own row takes that text as its
   title (left of it, or right of it when the price comes first) and the lines
   under it, up to the next item, as description. A price alone on its row (a
   card's ``Price: $45``) belongs to its card: the rows between two wide vertical
   gaps; the card's first text line (or a clearly larger one) is the title, the
   others its description.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import pairwise
from statistics import mean, median

from listings.fields import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from listings.validation import parse_price
from marketplace.errors import InvalidInput

# Words the engine could not read well enough to trust without a look.
LOW_CONFIDENCE = 60.0
# Gap between words, in multiples of the line's tallest word, that starts a new segment.
SEGMENT_GAP = 1.8
# A vertical gap wider than this many text heights ends a card or an item.
CARD_GAP = 0.8
# Most description lines an item takes below (or above) its title.
MAX_DESCRIPTION_LINES = 3
# A box at least this share inside a taller one on its line is on that row.
ROW_OVERLAP = 0.8
# A card line this much taller than the card's others is its title.
TITLE_HEIGHT_RATIO = 1.15

_CURRENCY_SYMBOLS = "$€£¥₹"
_CURRENCY_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "MXN", "INR")
_AMOUNT = r"\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CODE = "|".join(_CURRENCY_CODES)
_PRICE_RE = re.compile(
    rf"""
    (?<![\w.,])
    (?:
        (?P<pre>[{_CURRENCY_SYMBOLS}]|\b(?:{_CODE})(?![A-Za-z]))\s?(?P<pre_amount>{_AMOUNT})
      | (?P<post_amount>{_AMOUNT})\s?(?P<post>[{_CURRENCY_SYMBOLS}]|(?<![A-Za-z])(?:{_CODE})\b)
      | (?P<bare>\d{{1,3}}(?:[.,]\d{{3}})*[.,]\d{{2}})
    )
    (?![\w]|[.,]\d)
    """,
    re.VERBOSE,
)
# Words beside a price that are not part of any title.
PRICE_LABEL_RE = re.compile(
    r"^\s*(?:(?:our|sale|unit|list|special)\s+)?"
    r"(?:price|cost|only|now|each|ea\.?|per\s+unit|from|starting\s+at|just)\s*[:=-]?\s*$",
    re.IGNORECASE,
)
_LABEL_PREFIX_RE = re.compile(r"^\s*(?:(?:our|sale|unit|list)\s+)?(?:price|cost)\s*[:=-]\s*", re.IGNORECASE)
# Dotted leaders, and what an engine makes of them ("2.0...", "eee", "ccc").
_LEADER_WORD_RE = re.compile(r"^(?:[\W\d_]*(?:\.\.|…|··)[\W\d_]*|[.·_…\-–—]{2,}|[.·…])$")
_LEADER_IN_WORD_RE = re.compile(r"\.{3,}|…+|·{2,}|_{3,}")
_MISREAD_LEADER_RE = re.compile(r"^[ce]{2,4}s?$")
_NAME_WORD_RE = re.compile(r"^[A-Z][a-z]{3,}$")
MISREAD_LEADER_CONFIDENCE = 50.0
# Words at least this sure give a line's text height.
SURE_CONFIDENCE = 60.0
# Ruling lines and table borders read as characters.
_RULE_RE = re.compile(r"^[|!\[\](){}_\-–—=~:;,.'\"`]+$")
_SKU_RE = re.compile(r"^(?=.*\d)(?=.*[A-Z])[A-Z0-9]{1,6}(?:[-/.][A-Z0-9]{1,8})+$|^[A-Z]{1,4}\d{3,}$")
_SKU_LABEL_RE = re.compile(
    r"^(?:sku|code|item\s*#|item\s+no\.?|art\.?\s*no\.?|ref\.?)\s*[:#]?\s*", re.IGNORECASE
)

# What borders, leaders and specks leave at the ends of a cell: never a title's own.
_STRAY_MARKS = " \t-–—_:|*•·,;.“”‘’\"'`„«»"

_HEADER_TITLE = {"item", "name", "product", "title", "article", "description"}
_HEADER_DESCRIPTION = {"description", "details", "notes", "specification"}
_HEADER_SKU = {"sku", "code", "ref", "item#", "art.no", "part", "model"}
_HEADER_PRICE = {"price", "cost", "amount"}


@dataclass(frozen=True)
class Word:
    text: str
    conf: float = 100.0
    left: int = 0
    top: int = 0
    width: int = 0
    height: int = 0
    # The engine's line: (block, paragraph, line) for Tesseract.
    line: tuple = ()

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


@dataclass(frozen=True)
class Price:
    amount: Decimal
    start: int
    end: int
    has_currency: bool


@dataclass
class Segment:
    """Words side by side on one line: a price (with its label) or text."""

    words: list[Word]
    price: Price | None = None
    leader: bool = False
    row: int = -1
    # The vertical centre with the page's skew taken out.
    level: float = 0.0

    @property
    def left(self) -> int:
        return min(word.left for word in self.words)

    @property
    def right(self) -> int:
        return max(word.right for word in self.words)

    @property
    def top(self) -> int:
        return min(word.top for word in self.words)

    @property
    def bottom(self) -> int:
        return max(word.bottom for word in self.words)

    @property
    def height(self) -> int:
        return max(word.height for word in self.words)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass
class Candidate:
    title: str
    price: Decimal | None
    description: str = ""
    sku: str = ""
    confidence: float = 0.0
    # Mean confidence of each field's words, for marking doubtful cells.
    field_confidence: dict[str, float] = field(default_factory=dict)
    # Where it was found, for reading order: (group, row).
    order: tuple[int, int] = (0, 0)
    layout: str = "line"
    words: list[Word] = field(default_factory=list, repr=False)


def find_prices(text: str) -> list[Price]:
    """Every price in ``text``: ``$12``, ``12.99``, ``1.299,00 €``, ``USD 15``.

    A number counts as a price only with a currency or with exactly two
    decimals, so "Pack of 3" or "Model 2000" is not one."""
    prices = []
    for match in _PRICE_RE.finditer(text):
        number = match.group("pre_amount") or match.group("post_amount") or match.group("bare")
        try:
            amount = parse_price(_amount_text(number))
        except InvalidInput:
            continue
        has_currency = match.group("bare") is None
        prices.append(Price(amount, match.start(), match.end(), has_currency))
    return prices


def _amount_text(number: str) -> str:
    """A price's digits for ``parse_price``. ``2,329,99`` is an engine's comma for
    the decimal point: groups of thousands have three digits, so a last group of
    two after the same separator is the cents."""
    number = number.replace("'", "").replace(" ", "")
    match = re.fullmatch(r"(.*\d)([.,])(\d{2})", number)
    if match and match.group(2) in match.group(1):
        return re.sub(r"[.,]", "", match.group(1)) + "." + match.group(3)
    return number


def clean_title(text: str) -> str:
    text = _LABEL_PREFIX_RE.sub("", text)
    return " ".join(text.split()).strip(_STRAY_MARKS).strip()


def _has_letters(text: str) -> bool:
    return sum(character.isalpha() for character in text) >= 2


def _confidence(words: Iterable[Word]) -> float:
    confidences = [word.conf for word in words if word.conf >= 0]
    return round(mean(confidences), 1) if confidences else 0.0


# --- 1. segments -------------------------------------------------------------------


def _is_leader(word: Word, reference: float) -> bool:
    """Dots, or what an unsure engine made of them: "eee", or a "word" far shorter
    (the dots alone) or taller (dots and specks) than the line's sure words."""
    if _LEADER_WORD_RE.match(word.text):
        return True
    if word.conf >= MISREAD_LEADER_CONFIDENCE or find_prices(word.text):
        return False
    if _NAME_WORD_RE.match(word.text) and not _MISREAD_LEADER_RE.match(word.text.lower()):
        # "Blanket", unsure and boxed tall by a speck: a word, not dots.
        return False
    return bool(_MISREAD_LEADER_RE.match(word.text)) or not 0.5 * reference <= word.height <= 1.3 * reference


def _split_at_leader(word: Word) -> list[Word | bool]:
    """``Widget.....$4`` is the word ``Widget``, a leader and ``$4``, each part
    with its share of the box."""
    parts: list[Word | bool] = []
    position = 0
    for match in _LEADER_IN_WORD_RE.finditer(word.text):
        if match.start() > position:
            parts.append(_part(word, position, match.start()))
        parts.append(True)
        position = match.end()
    if position < len(word.text):
        parts.append(_part(word, position, len(word.text)))
    return parts or [True]


def _part(word: Word, start: int, end: int) -> Word:
    share = word.width / max(1, len(word.text))
    return replace(
        word,
        text=word.text[start:end],
        left=word.left + round(start * share),
        width=round((end - start) * share),
    )


def _runs(line_words: list[Word]) -> list[tuple[list[Word], bool]]:
    """A line's words split at wide gaps, leaders and ruling lines; each run says
    whether a leader stands before or after it. ``Widget.....`` is the word
    ``Widget`` followed by a leader, ``.....$4`` a leader before ``$4``."""
    sure = [word.height for word in line_words if word.conf >= SURE_CONFIDENCE]
    reference = median(sure) if sure else median(word.height for word in line_words)
    gap_limit = SEGMENT_GAP * reference
    tokens: list[Word | bool] = []  # a word, or a break (True: a leader)
    previous: Word | None = None
    for word in line_words:
        if _is_leader(word, reference) or _RULE_RE.match(word.text):
            tokens.append(_is_leader(word, reference))
            previous = None
            continue
        if previous is not None and word.left - previous.right > gap_limit:
            tokens.append(False)
        parts = _split_at_leader(word)
        tokens += parts
        previous = parts[-1] if isinstance(parts[-1], Word) else None
    runs: list[tuple[list[Word], bool]] = []
    current: list[Word] = []
    leader_before = False
    for token in [*tokens, False]:
        if isinstance(token, Word):
            current.append(token)
            continue
        if current:
            while token and len(current) > 1 and current[-1].conf < 10 and len(current[-1].text) <= 3:
                # The first dots of a leader, read as a short, unsure word.
                current.pop()
            runs.append((current, leader_before or token))
            current, leader_before = [], token
        else:
            leader_before = leader_before or token
    return runs


def _word_spans(words: Sequence[Word]) -> list[tuple[int, int]]:
    spans, position = [], 0
    for word in words:
        spans.append((position, position + len(word.text)))
        position += len(word.text) + 1
    return spans


def _split_at_prices(words: list[Word], leader: bool) -> list[Segment]:
    """Price segments (a price's words and the label before it) and text segments."""
    text = " ".join(word.text for word in words)
    spans = _word_spans(words)
    segments: list[Segment] = []
    used = 0
    for price in find_prices(text):
        inside = [i for i, (start, end) in enumerate(spans) if end > price.start and start < price.end]
        if not inside or inside[0] < used:
            continue
        before = words[used : inside[0]]
        # The label ("Price:", "from") goes with the price.
        label_from = len(before)
        for cut in range(len(before)):
            if PRICE_LABEL_RE.match(" ".join(w.text for w in before[cut:])):
                label_from = cut
                break
        if before[:label_from]:
            segments.append(Segment(before[:label_from], leader=leader))
        first = inside[0] - (len(before) - label_from)
        local = Price(
            price.amount, price.start - spans[first][0], price.end - spans[first][0], price.has_currency
        )
        segments.append(Segment(words[first : inside[-1] + 1], price=local, leader=leader))
        used = inside[-1] + 1
    if words[used:]:
        segments.append(Segment(words[used:], leader=leader))
    return segments


def segments_from_words(words: Sequence[Word]) -> list[Segment]:
    lines: dict[tuple, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    segments: list[Segment] = []
    for line_words in lines.values():
        line_words.sort(key=lambda word: word.left)
        for run, leader in _runs(line_words):
            segments.extend(_split_at_prices(run, leader))
    return [segment for segment in segments if segment.price or _has_letters(segment.text)]


# --- 2. rows -----------------------------------------------------------------------


def _skew(words: Sequence[Word]) -> float:
    """The page's slope (dy/dx), from the engine's lines of several words."""
    slopes = []
    lines: dict[tuple, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    for line_words in lines.values():
        if len(line_words) < 3:
            continue
        xs = [w.left + w.width / 2 for w in line_words]
        # Tops: capitals and ascenders line up there, descenders do not.
        ys = [w.top for w in line_words]
        spread = max(xs) - min(xs)
        if spread < 30 * median(w.height for w in line_words):
            continue
        x_mean, y_mean = mean(xs), mean(ys)
        denominator = sum((x - x_mean) ** 2 for x in xs)
        if denominator:
            slopes.append(sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / denominator)
    # One or two lines may be noise (a page edge read as text): trust a few together.
    return median(slopes) if len(slopes) >= 3 else 0.0


def _assign_rows(segments: list[Segment], slope: float) -> None:
    for segment in segments:
        centre_x = (segment.left + segment.right) / 2
        segment.level = (segment.top + segment.bottom) / 2 - slope * centre_x
    row_levels: list[tuple[float, float]] = []  # (level, height) of each row
    for segment in sorted(segments, key=lambda s: s.level):
        if row_levels and _same_row(segment.level, segment.height, *row_levels[-1]):
            segment.row = len(row_levels) - 1
            if segment.height < row_levels[-1][1]:
                # The row is where its plainest words are: a box stretched by a speck
                # above a price must not pull the row off its line.
                row_levels[-1] = (segment.level, segment.height)
        else:
            row_levels.append((segment.level, segment.height))
            segment.row = len(row_levels) - 1


def _same_row(level: float, height: float, row_level: float, row_height: float) -> bool:
    """Centres closer than half the smaller height, or the smaller box mostly inside
    the taller one (a word whose box a speck or a stray mark stretched)."""
    smaller = min(height, row_height)
    if abs(level - row_level) < 0.5 * smaller:
        return True
    overlap = min(level + height / 2, row_level + row_height / 2) - max(
        level - height / 2, row_level - row_height / 2
    )
    return overlap >= ROW_OVERLAP * smaller


# --- 3. tables ---------------------------------------------------------------------


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z#.]", "", text.lower()).rstrip(".")


def _header_columns(row: list[Segment]) -> list[tuple[str, Word]] | None:
    """The columns a header row names, left to right, or None if it is no header."""
    words = sorted((word for segment in row for word in segment.words), key=lambda w: w.left)
    columns: list[tuple[str, Word]] = []
    for word in words:
        key = _header_key(word.text)
        if key in _HEADER_PRICE:
            kind = "price"
        elif key in _HEADER_SKU:
            kind = "sku"
        elif key in _HEADER_DESCRIPTION:
            kind = "description"
        elif key in _HEADER_TITLE:
            kind = "title"
        elif key in ("unit", "each", "no.", "no", "#"):
            continue
        else:
            return None
        columns.append((kind, word))
    kinds = [kind for kind, _ in columns]
    if "price" not in kinds or not ({"title", "description"} & set(kinds)):
        return None
    if "title" not in kinds:
        columns = [("title" if kind == "description" else kind, word) for kind, word in columns]
    return columns


def _table_items(header: list[tuple[str, Word]], rows: list[list[Segment]], group: int) -> list[Candidate]:
    starts = [word.left for _, word in header]
    height = median(word.height for _, word in header)
    items: list[Candidate] = []
    last_bottom = max(word.bottom for _, word in header)
    for row in rows:
        top = min(segment.top for segment in row)
        if top - last_bottom > 4 * height:
            break
        last_bottom = max(segment.bottom for segment in row)
        cells: dict[str, list[Segment]] = {}
        for segment in sorted(row, key=lambda s: s.left):
            # The column whose header starts nearest to the left of the segment;
            # right-aligned figures may start a little left of their header.
            reach = (
                segment.left + (segment.right - segment.left) * 0.5
                if segment.price
                else segment.left + height
            )
            index = max([i for i, start in enumerate(starts) if start <= reach] or [0])
            cells.setdefault(header[index][0], []).append(segment)
        prices = [segment for segment in cells.get("price", []) if segment.price]
        titles = [segment for segment in cells.get("title", []) if _has_letters(segment.text)]
        descriptions = cells.get("description", [])
        if not prices:
            if items and (titles or descriptions) and not cells.get("sku"):
                # A wrapped cell: its text continues the row above.
                _extend_description(items[-1], [*titles, *descriptions])
            continue
        if not titles:
            continue
        sku_words = [word for segment in cells.get("sku", []) for word in segment.words]
        items.append(
            _candidate(
                titles,
                prices[0],
                descriptions,
                sku_words=sku_words,
                order=(group, row[0].row),
                layout="table",
            )
        )
    return items


# --- 4. columns --------------------------------------------------------------------


def _gutters(segments: list[Segment]) -> list[float]:
    """x positions of the vertical white gaps that split the page into columns."""
    if len(segments) < 4:
        return []
    left = min(segment.left for segment in segments)
    right = max(segment.right for segment in segments)
    step = max(1, (right - left) // 500)
    coverage = [0] * ((right - left) // step + 2)
    for segment in segments:
        for position in range((segment.left - left) // step, (segment.right - left) // step + 1):
            coverage[position] += 1
    # A heading across the columns does not close the gutter under it.
    allowed = max(1, len(segments) // 40)
    minimum = 2.5 * median(segment.height for segment in segments) / step
    gutters, start = [], None
    for position, count in enumerate(coverage):
        if count <= allowed and start is None:
            start = position
        elif count > allowed and start is not None:
            if position - start >= minimum and start > 0:
                gutters.append(left + step * (start + position) / 2)
            start = None
    return gutters


def _groups(segments: list[Segment]) -> list[list[Segment]]:
    """Columns, each unpriced one joined to the priced column to its right (or left)."""
    gutters = _gutters(segments)
    columns: list[list[Segment]] = [[] for _ in range(len(gutters) + 1)]
    for segment in segments:
        index = sum(segment.left + min(segment.height, segment.right - segment.left) / 2 > g for g in gutters)
        columns[index].append(segment)
    priced = [i for i, column in enumerate(columns) if any(segment.price for segment in column)]
    if not priced:
        return []
    owner = {}
    for index in range(len(columns)):
        right = [p for p in priced if p >= index]
        owner[index] = right[0] if right else priced[-1]
    groups: dict[int, list[Segment]] = {}
    for index, column in enumerate(columns):
        groups.setdefault(owner[index], []).extend(column)
    return [groups[key] for key in sorted(groups)]


# --- 5. items ----------------------------------------------------------------------


def _text_segments(segments: Iterable[Segment]) -> list[Segment]:
    return [
        s for s in segments if s.price is None and _has_letters(s.text) and not PRICE_LABEL_RE.match(s.text)
    ]


def _sku_of(segment: Segment) -> str | None:
    text = segment.text.strip(_STRAY_MARKS)
    labelled = _SKU_LABEL_RE.match(text)
    value = text[labelled.end() :].strip() if labelled else text
    if _SKU_RE.match(value) and (labelled or " " not in value):
        return value
    return None


def _extend_description(candidate: Candidate, segments: list[Segment]) -> None:
    text = " ".join(segment.text for segment in segments).strip()
    if not text:
        return
    lines = [*filter(None, candidate.description.split("\n")), text]
    candidate.description = "\n".join(lines)[:DESCRIPTION_MAX_LENGTH]
    candidate.words.extend(word for segment in segments for word in segment.words)
    description_words = [w for s in segments for w in s.words]
    previous = candidate.field_confidence.get("description")
    joined = _confidence(description_words)
    candidate.field_confidence["description"] = (
        joined if previous is None else round((previous + joined) / 2, 1)
    )


def _candidate(
    titles: list[Segment],
    price: Segment,
    descriptions: list[Segment],
    *,
    order: tuple[int, int],
    layout: str,
    sku_words: Sequence[Word] = (),
) -> Candidate:
    title_words = [word for segment in titles for word in segment.words]
    price_words = price.words
    description_lines: list[str] = []
    description_words: list[Word] = []
    skus = [s for s in descriptions if _sku_of(s)]
    for segment in descriptions:
        if segment in skus:
            continue
        description_lines.append(segment.text)
        description_words += segment.words
    sku = " ".join(word.text for word in sku_words).strip(_STRAY_MARKS) or (_sku_of(skus[0]) if skus else "")
    sku_words = list(sku_words) or [w for s in skus for w in s.words]
    assert price.price is not None
    confidences = {
        "title": _confidence(title_words),
        "price": _confidence(price_words),
    }
    if description_words:
        confidences["description"] = _confidence(description_words)
    if sku_words:
        confidences["sku"] = _confidence(sku_words)
    return Candidate(
        title=clean_title(" ".join(segment.text for segment in titles))[:TITLE_MAX_LENGTH],
        price=price.price.amount,
        description="\n".join(description_lines)[:DESCRIPTION_MAX_LENGTH],
        sku=sku,
        confidence=round(
            _confidence([*title_words, *price_words]) * (1 if price.price.has_currency else 0.9), 1
        ),
        field_confidence=confidences,
        order=order,
        layout=layout,
        words=[*title_words, *price_words, *description_words, *sku_words],
    )


def _rows(segments: list[Segment]) -> list[list[Segment]]:
    rows: dict[int, list[Segment]] = {}
    for segment in segments:
        rows.setdefault(segment.row, []).append(segment)
    return [sorted(rows[key], key=lambda s: s.left) for key in sorted(rows)]


def _blocks(rows: list[list[Segment]]) -> list[list[list[Segment]]]:
    """Rows split where the white space between two rows is wide, for the rows'
    size and for the page's usual line spacing: cards, or items."""
    if not rows:
        return []
    gaps = [min(s.top for s in row) - max(s.bottom for s in previous) for previous, row in pairwise(rows)]
    usual = median(gaps) if gaps else 0
    blocks = [[rows[0]]]
    for gap, (previous, row) in zip(gaps, pairwise(rows), strict=True):
        height = max(s.height for s in (*previous, *row))
        if gap > max(CARD_GAP * height, 1.6 * usual):
            blocks.append([])
        blocks[-1].append(row)
    return blocks


def _inline_items(row: list[Segment]) -> list[tuple[Segment, list[Segment], list[Segment]]]:
    """The items written on one row: each price with its title (the text between
    the previous price and it, or after it when the price comes first) and the
    rest of that text (its description)."""
    texts = [segment for segment in _text_segments(row) if not _sku_of(segment)]
    prices = [segment for segment in row if segment.price]
    items = []
    for number, price in enumerate(prices):
        after_previous = prices[number - 1].right if number else -1
        before_next = prices[number + 1].left if number + 1 < len(prices) else 10**9
        own = [s for s in texts if after_previous <= s.left and s.right <= price.left]
        if not own:
            own = [s for s in texts if price.right <= s.left and s.right <= before_next]
        if not own:
            continue
        title = own[0]
        texts = [s for s in texts if s not in own]
        skus = [s for s in _text_segments(row) if _sku_of(s) and after_previous <= s.left <= before_next]
        items.append((price, [title], [*own[1:], *skus]))
    return items


def _card_items(block: list[list[Segment]], group: int) -> list[Candidate]:
    """A card (or a run of cards with no gap between them) whose prices stand alone."""
    price_rows = [i for i, row in enumerate(block) if any(s.price for s in row)]
    text_rows = [i for i, row in enumerate(block) if i not in price_rows and _text_segments(row)]
    if not price_rows or not text_rows:
        return []
    heights = {i: max(s.height for s in _text_segments(block[i])) for i in text_rows}
    typical = median(heights.values())
    tall = [i for i in text_rows if heights[i] >= TITLE_HEIGHT_RATIO * typical]
    if len(price_rows) == 1:
        # Headings above a card with no gap: the title is at most a few lines
        # above its price.
        window = [i for i in text_rows if i > price_rows[0] - MAX_DESCRIPTION_LINES - 2]
        tall = [i for i in tall if i in window]
        titles = [tall[0] if tall else window[0]]
    elif len(tall) == len(price_rows):
        titles = tall
    else:
        # No size to go by: each price takes the nearest text line above it (below
        # it for a price before the first text line).
        titles = []
        for position in price_rows:
            above = [i for i in text_rows if i < position and i not in titles]
            below = [i for i in text_rows if i > position and i not in titles]
            if above and (not titles or above[-1] > titles[-1]):
                titles.append(above[-1])
            elif below:
                titles.append(below[0])
    titles = sorted(set(titles))
    items = []
    for number, title_row in enumerate(titles):
        end = titles[number + 1] if number + 1 < len(titles) else len(block)
        # A price may stand above its title; text above the title is not the item's.
        start = 0 if number == 0 else title_row
        prices = [s for i in range(start, end) if i in price_rows for s in block[i] if s.price]
        if not prices:
            continue
        descriptions = [
            s for i in range(title_row + 1, end) if i in text_rows for s in _text_segments(block[i])
        ]
        items.append(
            _candidate(
                _text_segments(block[title_row]),
                prices[0],
                descriptions[: MAX_DESCRIPTION_LINES * 2],
                order=(group, block[title_row][0].row),
                layout="card",
            )
        )
    return items


def _group_items(segments: list[Segment], group: int) -> list[Candidate]:
    items: list[Candidate] = []
    for block in _blocks(_rows(segments)):
        inline: list[tuple[int, Candidate]] = []
        for index, row in enumerate(block):
            for price, title, rest in _inline_items(row):
                leader = price.leader or any(s.leader for s in title)
                if leader:
                    # Between a leader's title and its price there is only leader.
                    rest = [s for s in rest if _sku_of(s)]
                candidate = _candidate(
                    title, price, rest, order=(group, row[0].row), layout="leaders" if leader else "line"
                )
                inline.append((index, candidate))
        if not inline:
            items += _card_items(block, group)
            continue
        # Lines under an item, up to the next one, describe it.
        for number, (index, candidate) in enumerate(inline):
            end = inline[number + 1][0] if number + 1 < len(inline) else len(block)
            for row in block[index + 1 : min(end, index + 1 + MAX_DESCRIPTION_LINES)]:
                if any(s.price for s in row):
                    continue
                _extend_description(candidate, _text_segments(row))
            items.append(candidate)
    return items


def parse_words(words: Sequence[Word]) -> list[Candidate]:
    """Candidate listings on one page, in reading order."""
    segments = segments_from_words([word for word in words if word.text.strip()])
    if not segments:
        return []
    _assign_rows(segments, _skew(words))
    rows = _rows(segments)
    items: list[Candidate] = []
    rest = segments
    for position, row in enumerate(rows):
        header = _header_columns(row)
        if header is None:
            continue
        table = _table_items(header, rows[position + 1 :], group=0)
        if table:
            items += table
            covered = {s.row for row in rows[: position + 1] for s in row}
            covered |= {candidate.order[1] for candidate in table}
            last = max(candidate.order[1] for candidate in table)
            rest = [s for s in segments if s.row > last]
            break
    for number, group in enumerate(_groups(rest), start=1):
        items += _group_items(group, number)
    return sorted(items, key=lambda candidate: candidate.order)


# --- the stored words ----------------------------------------------------------------


def words_from_dicts(words: Sequence[Mapping]) -> list[Word]:
    return [
        Word(
            text=str(item["text"]),
            conf=float(item["conf"]),
            left=int(item["left"]),
            top=int(item["top"]),
            width=int(item["width"]),
            height=int(item["height"]),
            line=tuple(item.get("line") or ()),
        )
        for item in words
    ]


def parse_page(words: Sequence[Mapping]) -> list[Candidate]:
    """Candidates from a page's stored words."""
    return parse_words(words_from_dicts(words))


def page_text(words: Sequence[Mapping]) -> str:
    """The page's text, an engine line a line."""
    lines: dict[tuple, list[str]] = {}
    for word in sorted(words_from_dicts(words), key=lambda w: w.left):
        lines.setdefault(word.line, []).append(word.text)
    return "\n".join(" ".join(line) for line in lines.values())


def words_from_text(text: str) -> list[Word]:
    """Plain text as words with boxes, for tests: a line is 50 px high, a character
    20 px wide; ``|``, tabs and runs of 2+ spaces leave a wide gap."""
    words = []
    for number, raw in enumerate(text.splitlines()):
        x = 0
        for cell in re.split(r"\t|\s*\|\s*|\s{2,}", raw.strip()):
            for token in cell.split():
                words.append(Word(token, 95.0, x, number * 50, 20 * len(token), 40, (number,)))
                x += 20 * (len(token) + 1)
            x += 200
    return words


def parse_text(text: str) -> list[Candidate]:
    return parse_words(words_from_text(text))


def mean_confidence(words: Sequence[Mapping]) -> float | None:
    confidences = [float(word["conf"]) for word in words if float(word["conf"]) >= 0]
    return round(mean(confidences), 1) if confidences else None
