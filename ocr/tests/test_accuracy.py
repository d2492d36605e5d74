"""Real Tesseract on catalogs drawn in the test: at least 95% of the items on the
clean layouts must come out with their exact price."""

from difflib import SequenceMatcher

import pytest

from ocr import services, worker
from ocr.models import Scan
from ocr.tests import corpus
from ocr.tests.conftest import upload

REQUIRED = 0.95


def _found_share(items, candidates) -> float:
    """Share of ``items`` with a candidate of the exact price and a similar title
    (leaders and photos cost a letter here and there; the price must be exact)."""
    found = 0
    for item in items:
        if any(
            candidate.price == item.price
            and SequenceMatcher(None, candidate.title.lower(), item.title.lower()).ratio() >= 0.6
            for candidate in candidates
        ):
            found += 1
    return found / len(items)


def _read(owner, name: str, data: bytes) -> Scan:
    scan = services.scan_create(owner=owner, upload=upload(name, data))
    assert worker.scan_process(scan_id=scan.pk) == "completed"
    scan.refresh_from_db()
    return scan


@pytest.mark.django_db
def test_pdf_catalog_with_list_table_and_two_column_pages(owner, items):
    layouts = {
        1: ("list", items[:25], corpus.list_page(items[:25])),
        2: ("table", items[25:45], corpus.table_page(items[25:45])),
        3: ("two columns", items[45:59], corpus.two_column_page(items[45:59])),
    }
    scan = _read(owner, "catalog.pdf", corpus.pdf_bytes([page for _, _, page in layouts.values()]))

    assert (scan.status, scan.page_count, scan.pages_done) == (Scan.Status.COMPLETED, 3, 3)
    assert scan.items_found == scan.candidates.count() >= REQUIRED * 59
    assert scan.mean_confidence > 60 and scan.duration_seconds > 0
    for page in scan.pages.all():
        name, expected, _ = layouts[page.number]
        share = _found_share(expected, list(page.candidates.all()))
        assert share >= REQUIRED, f"{name}: {share:.0%} of items found with the exact price"
        # 300 dpi US Letter, rendered one page at a time, with words boxed and scored.
        assert (page.width, page.height) == corpus.PAGE_SIZE
        assert page.thumbnail and page.words and page.text
        assert all({"text", "conf", "left", "top", "width", "height"} <= set(word) for word in page.words)
    table_candidate = scan.candidates.get(price=items[25].price)
    assert table_candidate.description == items[25].description
    assert table_candidate.boxes


@pytest.mark.django_db
def test_png_table(owner, items):
    scan = _read(owner, "prices.png", corpus.png_bytes(corpus.table_page(items[:20])))
    assert scan.page_count == 1
    assert _found_share(items[:20], list(scan.candidates.all())) >= REQUIRED


@pytest.mark.django_db
def test_rotated_noisy_photo_still_gives_most_prices(owner, items):
    photo = corpus.photo_of(corpus.list_page(items[:20]))
    scan = _read(owner, "photo.jpg", corpus.image_bytes([photo], "JPEG"))
    prices = {candidate.price for candidate in scan.candidates.all()}
    share = sum(item.price in prices for item in items[:20]) / 20
    # A photo is not a clean layout: titles suffer, but the prices should mostly survive.
    assert share >= 0.8, f"{share:.0%} of prices read from the photo"
    # Turned level before reading: the words' boxes lie on the page as shown.
    assert all(0 <= word["top"] < scan.pages.get().height for word in scan.pages.get().words)


@pytest.mark.django_db
def test_multi_page_tiff_reads_every_frame(owner, items):
    frames = [corpus.table_page(items[:3]), corpus.table_page(items[3:6])]
    scan = _read(owner, "fax.tiff", corpus.image_bytes(frames, "TIFF"))
    assert (scan.page_count, scan.pages_done) == (2, 2)
    by_page = {page.number: {c.price for c in page.candidates.all()} for page in scan.pages.all()}
    assert by_page == {1: {item.price for item in items[:3]}, 2: {item.price for item in items[3:6]}}
