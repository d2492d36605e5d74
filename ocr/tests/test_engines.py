"""The engines on real pages: Tesseract, PP-OCR (its models from the wheel, with no
network), and the two merged line by line by confidence."""

import socket

import pytest

from ocr import engines, parsing
from ocr.tests import corpus, record_fixtures


@pytest.fixture(scope="module")
def cards_page(tmp_path_factory):
    page = corpus.page("cards-3col", "clean-300")
    path = tmp_path_factory.mktemp("pages") / "cards.png"
    page.image.crop((0, 0, 2550, 1200)).save(path)
    return page, path


def _pairs(words) -> set:
    return {(candidate.title, candidate.price) for candidate in parsing.parse_page(words)}


def _first_row_items(page) -> set:
    # The crop keeps the first card of each of the three columns.
    per_column = len(page.items) // 3
    return {(item.title, item.price) for item in page.items[::per_column][:3]}


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
    words = engines.words_from_tesseract(data)
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
    assert parsing.mean_confidence(words) == 89.8
    assert parsing.mean_confidence([]) is None


def test_tesseract_reads_the_cards(cards_page):
    page, path = cards_page
    assert _first_row_items(page) <= _pairs(engines.read_words(path, engines.TESSERACT))


def test_ppocr_reads_the_cards_with_word_boxes_and_no_network(cards_page, monkeypatch):
    page, path = cards_page

    def no_network(*args, **kwargs):
        raise AssertionError("PP-OCR tried to open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    engines.ppocr_engine.cache_clear()
    words = engines.read_words(path, engines.PPOCR)
    assert _first_row_items(page) <= _pairs(words)
    # Each word its own box, inside its line's, with a confidence out of 100.
    [heavy] = [word for word in words if word["text"] == page.items[0].title.split()[0]][:1]
    assert 0 < heavy["width"] < 400 and 50 < heavy["conf"] <= 100
    # Loaded once per process, whatever the number of pages.
    engines.read_words(path, engines.PPOCR)
    assert engines.ppocr_engine.cache_info().misses == 1


def test_both_engines_merged_keep_the_surer_reading_of_each_line(cards_page):
    page, path = cards_page
    tesseract = engines.read_words(path, engines.TESSERACT)
    ppocr = engines.read_words(path, engines.PPOCR)
    merged = engines.merge_words(tesseract, ppocr)
    assert _first_row_items(page) <= _pairs(merged)
    assert any(word in merged for word in tesseract) or any(word in merged for word in ppocr)


def _word(text, conf, left, top, line):
    return {"text": text, "conf": conf, "left": left, "top": top, "width": 100, "height": 40, "line": line}


def test_merge_takes_each_line_from_the_surer_engine_and_keeps_what_one_missed():
    tesseract = [
        _word("Widgel", 40.0, 100, 100, [1, 1, 1]),
        _word("$4.50", 90.0, 600, 100, [1, 1, 2]),
        _word("Gadget", 95.0, 100, 300, [2, 1, 1]),
    ]
    ppocr = [
        _word("Widget", 97.0, 102, 98, [0, 0, 0]),
        _word("$4.5O", 60.0, 601, 101, [0, 0, 1]),
    ]
    merged = engines.merge_words(tesseract, ppocr)
    assert sorted(word["text"] for word in merged) == ["$4.50", "Gadget", "Widget"]


def test_merge_keeps_tesseracts_spaces_where_both_read_the_same_letters():
    tesseract = [_word("Ceramic", 80.0, 100, 100, [1, 1, 1]), _word("Router", 82.0, 210, 100, [1, 1, 1])]
    ppocr = [{**_word("CeramicRouter", 99.0, 100, 100, [0, 0, 0]), "width": 210}]
    assert [word["text"] for word in engines.merge_words(tesseract, ppocr)] == ["Ceramic", "Router"]


def test_merge_keeps_tesseracts_line_where_it_is_sure_whatever_ppocr_says():
    # PP-OCR reads the pound sign as an f, and is surer of it than Tesseract of its £.
    tesseract = [{**_word("£1,181.50", 92.0, 150, 950, [5, 1, 1]), "width": 190}]
    ppocr = [{**_word("f1,181.50", 94.6, 151, 953, [0, 0, 28]), "width": 186}]
    assert [word["text"] for word in engines.merge_words(tesseract, ppocr)] == ["£1,181.50"]


@pytest.mark.parametrize(("layout", "condition"), record_fixtures.RECORDED_FOR_MERGE)
def test_both_engines_merged_pair_as_many_items_as_the_better_engine(layout, condition):
    tesseract = record_fixtures.load(layout, condition, "tesseract")
    ppocr = record_fixtures.load(layout, condition, "ppocr")
    truth = {(item.title, item.price) for item in corpus.items_of(layout)}
    tesseract_right = len(_pairs(tesseract) & truth)
    ppocr_right = len(_pairs(ppocr) & truth)
    # The pages were recorded where the engines differ: the test would say little otherwise.
    assert ppocr_right < tesseract_right
    assert len(_pairs(engines.merge_words(tesseract, ppocr)) & truth) >= tesseract_right


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("CeramicRouter", ["Ceramic", "Router"]),
        ("Gently used", ["Gently", "used"]),
        ("iPhone McKinley USD50", ["iPhone", "McKinley", "USD50"]),
        ("CottonHammerXL", ["Cotton", "HammerXL"]),
    ],
)
def test_ppocr_words_run_together_are_cut_at_a_new_capitalised_word(text, words):
    runs = engines._word_runs(list(text))
    assert ["".join(text[i] for i in run) for run in runs] == words


def test_an_unknown_engine_is_refused(cards_page):
    with pytest.raises(ValueError, match="Unknown OCR engine"):
        engines.read_words(cards_page[1], "abbyy")
