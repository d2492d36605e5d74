from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ocr.parsing import PRICE_LABEL_RE, find_prices, parse_page, parse_text
from ocr.tests import corpus, record_fixtures


def _found(text):
    return [(c.title, c.price, c.description) for c in parse_text(text)]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$12", "12.00"),
        ("$ 12", "12.00"),
        ("12.99", "12.99"),
        ("1.299,00 €", "1299.00"),
        ("1,299.00", "1299.00"),
        ("$1,299", "1299.00"),
        ("€4,50", "4.50"),
        ("USD 15", "15.00"),
        ("15 EUR", "15.00"),
        ("£7.5", "7.50"),
        ("CHF 1'250.00", "1250.00"),
        ("only 0.99", "0.99"),
        # An engine's comma for the decimal point: a last group of two is the cents.
        ("£2,329,99", "2329.99"),
        # PP-OCR leaves the space out.
        ("USD50", "50.00"),
        ("45.00USD", "45.00"),
        ("1.299.00", "1299.00"),
    ],
)
def test_find_prices_reads_each_format(text, amount):
    [price] = find_prices(text)
    assert price.amount == Decimal(amount)


@pytest.mark.parametrize(
    "text", ["Pack of 3", "1.00.00", "Model 2000", "Call 555-1234", "size 12.5", "v1.2.3", "2024"]
)
def test_numbers_without_currency_or_cents_are_not_prices(text):
    assert find_prices(text) == []


def test_prices_remember_whether_they_had_a_currency():
    dollar, bare = find_prices("$4.50 and 4.50")
    assert dollar.has_currency and not bare.has_currency


def test_one_item_per_line():
    assert _found("Widget $4.50\nGadget 12.99\nSprocket USD 15") == [
        ("Widget", Decimal("4.50"), ""),
        ("Gadget", Decimal("12.99"), ""),
        ("Sprocket", Decimal("15.00"), ""),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Widget ........ $4.50",
        "Widget . . . . . . . $4.50",
        "Widget …… $4.50",
        "Widget________$4.50",
        "Widget ··········· 4.50",
    ],
)
def test_dotted_leaders(line):
    [candidate] = parse_text(line)
    assert (candidate.title, candidate.price, candidate.layout) == ("Widget", Decimal("4.50"), "leaders")


def test_european_price_with_leaders():
    assert _found("Kaffeemühle ....... 1.299,00 €") == [("Kaffeemühle", Decimal("1299.00"), "")]


def test_table_rows_give_title_description_and_price_and_skip_the_header():
    text = "Item | Details | Price\nWidget | Red, metal | $4.50\nGadget\tBlue plastic\t12.99"
    assert _found(text) == [
        ("Widget", Decimal("4.50"), "Red, metal"),
        ("Gadget", Decimal("12.99"), "Blue plastic"),
    ]


def test_title_then_description_lines_then_price_line():
    text = "Oak Chair\nSolid oak, seats one\nSmall scratch\nPrice: $45\n\nPine Table\nSeats six\n$120.00"
    assert _found(text) == [
        ("Oak Chair", Decimal("45.00"), "Solid oak, seats one\nSmall scratch"),
        ("Pine Table", Decimal("120.00"), "Seats six"),
    ]


def test_block_keeps_only_the_last_lines_before_the_price():
    text = "Spring catalog\nPage one\nOak Chair\nSolid oak\nSeats one\nSmall scratch\nPrice: $45"
    [candidate] = parse_text(text)
    assert candidate.title == "Oak Chair"
    assert candidate.description == "Solid oak\nSeats one\nSmall scratch"


def test_a_heading_before_item_lines_is_not_an_item():
    assert _found("Spring Price List\n\nWidget $4.50") == [("Widget", Decimal("4.50"), "")]


def test_two_columns_on_one_line_give_two_items():
    assert _found("Widget  $4.50     Gadget  $5.00") == [
        ("Widget", Decimal("4.50"), ""),
        ("Gadget", Decimal("5.00"), ""),
    ]


def test_a_price_without_any_title_is_not_an_item():
    assert _found("$4.50\n12.99") == []


def test_lines_without_prices_are_not_items():
    assert _found("Welcome to our store\nCall us on weekdays") == []


def test_long_titles_are_cut_to_the_listing_limit():
    [candidate] = parse_text(("Very long title " * 20) + " $5")
    assert len(candidate.title) == 150


def _word(text, conf, left, top=100, height=40, line=(1, 1, 1)):
    return {
        "text": text,
        "conf": conf,
        "left": left,
        "top": top,
        "width": 20 * len(text),
        "height": height,
        "line": list(line),
    }


def test_an_unsure_word_boxed_tall_by_a_speck_is_still_a_word():
    words = [_word("Ceramic", 96, 200), _word("Blanket", 13, 360, top=90, height=60), _word("$5.00", 95, 600)]
    assert parse_page(words)[0].title == "Ceramic Blanket"


def test_a_price_boxed_tall_by_a_speck_stays_on_its_row():
    words = [
        _word("Marble", 95, 200, top=100, line=(1, 1, 1)),
        _word("Tent", 95, 360, top=200, line=(1, 2, 1)),
        _word("$9.50", 95, 900, top=100, line=(2, 1, 1)),
        # A speck above the price stretched its box upwards.
        _word("$7.25", 90, 900, top=140, height=100, line=(2, 1, 2)),
    ]
    assert [(c.title, c.price) for c in parse_page(words)] == [
        ("Marble", Decimal("9.50")),
        ("Tent", Decimal("7.25")),
    ]


def test_short_ce_words_are_leader_only_when_tesseract_is_unsure():
    sure = [_word("Walnut", 95, 200), _word("ee", 90, 345), _word("$5.00", 95, 600)]
    unsure = [_word("Walnut", 95, 200), _word("ee", 20, 345), _word("$5.00", 95, 600)]
    assert parse_page(sure)[0].title == "Walnut ee"
    assert parse_page(unsure)[0].title == "Walnut"


def test_ocr_leader_garbage_is_dropped_from_the_title():
    # What Tesseract really returned for "Walnut Kettle . . . . . $506.95".
    words = [
        _word("Walnut", 95, 200),
        _word("Kettle", 12, 345),
        _word("2.0...", 0, 595),
        _word("eee", 18, 1773),
        _word("ee", 33, 2025),
        _word("$506.95", 94, 2147),
    ]
    [candidate] = parse_page(words)
    assert (candidate.title, candidate.price, candidate.description) == (
        "Walnut Kettle",
        Decimal("506.95"),
        "",
    )


def test_digits_in_leader_garbage_are_not_taken_for_the_price():
    # Tesseract's reading of a leader, with "0.00.00" in it, before the real price.
    [candidate] = parse_text("Wireless Shelf 2... 0.00.00 000 0c  ee  eee $34.00")
    assert (candidate.title, candidate.price) == ("Wireless Shelf", Decimal("34.00"))


def test_unsure_short_word_before_a_leader_is_dropped():
    words = [
        _word("Vintage", 93, 200),
        _word("Vase", 78, 370),
        _word("6k", 0, 470),
        _word("eee", 19, 560),
        _word("$504.00", 95, 2147),
    ]
    [candidate] = parse_page(words)
    assert candidate.title == "Vintage Vase"


_title_word = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10
)


@given(
    title=st.lists(_title_word, min_size=1, max_size=4).map(" ".join),
    cents=st.integers(min_value=0, max_value=99_999_999),
    dots=st.integers(min_value=2, max_value=30),
)
def test_any_title_and_price_with_leaders_round_trips(title, cents, dots):
    # "Price ..... $5" on its own is a label and a price, not an item.
    assume(not PRICE_LABEL_RE.match(title))
    price = Decimal(cents) / 100
    [candidate] = parse_text(f"{title} {'.' * dots} ${price:,.2f}")
    assert (candidate.title, candidate.price) == (title, price)


# Engine output recorded from the corpus pages (ocr/tests/record_fixtures.py): the
# parser must pair every item whose title the engine read right; what the engine
# misread is the engine's loss, which bench/ocr_accuracy.py measures.
def _engine_lines(words) -> list[str]:
    """The engine's lines, without the marks a ruling line leaves beside a word
    (``_Marble``, ``“Compact``), which the parser strips too."""
    lines: dict[tuple, list[str]] = {}
    for word in words:
        text = word["text"].strip("“”‘’\"'`_|")
        if text:
            lines.setdefault(tuple(word["line"]), []).append(text)
    return [f" {' '.join(line)} " for line in lines.values()]


def _readable(text: str, lines: list[str]) -> bool:
    """Whether the engine read ``text`` as it is, on one of its lines."""
    return any(f" {text} " in line for line in lines)


@pytest.mark.parametrize(("layout", "condition", "engine"), record_fixtures.RECORDED)
def test_recorded_page_pairs_every_title_the_engine_read_with_its_price(layout, condition, engine):
    words = record_fixtures.load(layout, condition, engine)
    items = corpus.items_of(layout)
    found = {candidate.title: candidate for candidate in parse_page(words)}
    lines = _engine_lines(words)
    readable = [item for item in items if _readable(item.title, lines)]
    # The engine reads most titles: the test would say little otherwise.
    assert len(readable) >= 0.7 * len(items)
    assert [(item.title, found[item.title].price if item.title in found else None) for item in readable] == [
        (item.title, item.price) for item in readable
    ]
    assert len(found) <= len(items) + 1


@pytest.mark.parametrize(
    "layout",
    [
        "cards-2col",
        "cards-3col",
        "cards-desc-then-price",
        "cards-price-first",
        "leaders-described",
        "table-plain-sku",
    ],
)
def test_recorded_page_gives_each_item_its_description(layout):
    found = {c.title: c for c in parse_page(record_fixtures.load(layout, "clean-300", "tesseract"))}
    items = corpus.items_of(layout)
    separator = "; " if layout.startswith("table") else "\n"
    assert {item.title: found[item.title].description for item in items if item.title in found} == {
        item.title: item.description.replace("\n", separator) for item in items if item.title in found
    }


@pytest.mark.parametrize(
    ("layout", "engine"),
    [("table-ruled-sku", "tesseract"), ("table-plain-sku", "tesseract"), ("table-plain-sku", "ppocr")],
)
def test_recorded_table_keeps_each_items_sku(layout, engine):
    words = record_fixtures.load(layout, "clean-300", engine)
    found = parse_page(words)
    lines = _engine_lines(words)
    readable = [item for item in corpus.items_of(layout) if _readable(item.sku, lines)]
    assert len(readable) >= 0.75 * len(found)
    skus = {c.title: c.sku for c in found}
    assert {item.title: skus.get(item.title) for item in readable} == {
        item.title: item.sku for item in readable
    }
    assert {c.layout for c in found} == {"table"}


def test_recorded_price_forms_are_all_read():
    found = parse_page(record_fixtures.load("price-forms", "clean-300", "tesseract"))
    assert [c.price for c in found] == [item.price for item in corpus.items_of("price-forms")]


def test_recorded_cards_come_in_reading_order_column_by_column():
    found = parse_page(record_fixtures.load("cards-3col", "clean-300", "tesseract"))
    assert [c.title for c in found] == [item.title for item in corpus.items_of("cards-3col")]
    assert {c.layout for c in found} == {"card"}


def test_recorded_candidate_words_are_its_title_price_and_description():
    words = record_fixtures.load("cards-2col", "clean-300", "tesseract")
    first = parse_page(words)[0]
    assert (
        " ".join(w.text for w in first.words) == f"{first.title} Price: ${first.price:,} {first.description}"
    )
    assert set(first.field_confidence) == {"title", "price", "description"}
