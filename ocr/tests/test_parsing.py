from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ocr.parsing import (
    PRICE_LABEL_RE,
    Line,
    Word,
    find_prices,
    lines_from_words,
    mean_confidence,
    parse_lines,
    parse_text,
    words_from_tesseract,
)


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


def test_confidence_comes_from_the_words_and_the_price_format():
    line = Line(((Word("Widget", 90), Word("$4.50", 80)),))
    bare = Line(((Word("Widget", 90), Word("4.50", 80)),))
    [with_currency] = parse_lines([line])
    [without] = parse_lines([bare])
    assert with_currency.confidence == 85.0
    assert without.confidence == pytest.approx(76.5)


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


def test_short_ce_words_are_leader_only_when_tesseract_is_unsure():
    sure = [_word("Walnut", 95, 200), _word("ee", 90, 345), _word("$5.00", 95, 600)]
    unsure = [_word("Walnut", 95, 200), _word("ee", 20, 345), _word("$5.00", 95, 600)]
    assert parse_lines(lines_from_words(sure))[0].title == "Walnut ee"
    assert parse_lines(lines_from_words(unsure))[0].title == "Walnut"


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
    [candidate] = parse_lines(lines_from_words(words))
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
    [candidate] = parse_lines(lines_from_words(words))
    assert candidate.title == "Vintage Vase"


def test_words_far_apart_on_a_line_are_separate_cells():
    words = [
        _word("Walnut", 95, 150),
        _word("Kettle", 95, 300),
        _word("Includes", 95, 900),
        _word("parts", 95, 1090),
        _word("$506.95", 95, 1950),
    ]
    [line] = lines_from_words(words)
    assert [" ".join(w.text for w in cell) for cell in line.cells] == [
        "Walnut Kettle",
        "Includes parts",
        "$506.95",
    ]
    [candidate] = parse_lines([line])
    assert (candidate.title, candidate.description, candidate.layout) == (
        "Walnut Kettle",
        "Includes parts",
        "table",
    )


def test_a_table_row_read_column_by_column_is_joined_again():
    # Tesseract's order for a small table: each column's cells as separate lines.
    words = [
        _word("Item", 96, 154, top=259, line=(1, 1, 1)),
        _word("Walnut", 96, 152, top=368, line=(1, 1, 2)),
        _word("Kettle", 96, 300, top=368, line=(1, 1, 2)),
        _word("Details", 96, 904, top=258, line=(2, 1, 1)),
        _word("Includes", 96, 904, top=368, line=(2, 1, 2)),
        _word("parts", 96, 1090, top=368, line=(2, 1, 2)),
        _word("Price", 96, 1954, top=258, line=(3, 1, 1)),
        _word("$506.95", 96, 1954, top=368, line=(3, 1, 2)),
    ]
    assert [(c.title, c.price, c.description) for c in parse_lines(lines_from_words(words))] == [
        ("Walnut Kettle", Decimal("506.95"), "Includes parts")
    ]


def test_two_priced_columns_on_one_row_stay_two_items():
    words = [
        _word("Price:", 96, 150, top=500, line=(1, 1, 1)),
        _word("$4.50", 96, 300, top=500, line=(1, 1, 1)),
        _word("Price:", 96, 1400, top=500, line=(2, 1, 1)),
        _word("$5.00", 96, 1550, top=500, line=(2, 1, 1)),
    ]
    assert len(lines_from_words(words)) == 2


def test_words_are_grouped_by_tesseract_line():
    words = [
        _word("Oak", 90, 100, line=(1, 1, 1)),
        _word("Chair", 90, 200, line=(1, 1, 1)),
        _word("$45", 90, 100, line=(1, 1, 2)),
    ]
    lines = lines_from_words(words)
    assert [line.text for line in lines] == ["Oak Chair", "$45"]
    assert [(c.title, c.price) for c in parse_lines(lines)] == [("Oak Chair", Decimal("45.00"))]


def test_words_from_tesseract_keeps_recognised_words_with_boxes():
    data = {
        "text": ["", "Widget", " ", "$4.50"],
        "conf": [-1, 91.5, -1, 88],
        "left": [0, 10, 0, 200],
        "top": [0, 20, 0, 20],
        "width": [0, 100, 0, 80],
        "height": [0, 30, 0, 30],
        "block_num": [1, 1, 1, 1],
        "par_num": [1, 1, 1, 1],
        "line_num": [0, 1, 1, 1],
    }
    words = words_from_tesseract(data)
    assert words == [
        {
            "text": "Widget",
            "conf": 91.5,
            "left": 10,
            "top": 20,
            "width": 100,
            "height": 30,
            "line": [1, 1, 1],
        },
        {"text": "$4.50", "conf": 88.0, "left": 200, "top": 20, "width": 80, "height": 30, "line": [1, 1, 1]},
    ]
    assert mean_confidence(words) == 89.8
    assert mean_confidence([]) is None


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
