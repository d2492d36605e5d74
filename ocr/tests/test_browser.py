"""The review page in Chromium: upload, watch progress while a real worker reads
the file, correct a price, convert to listings."""

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from listings.fields import Source
from listings.models import Listing
from ocr.models import Scan
from ocr.tests import corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class BackgroundWorker:
    """``manage.py db_worker`` in a thread, stopped when the test ends."""

    def __init__(self) -> None:
        self.worker = Worker(
            queue_names=["default"],
            interval=0.2,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-test",
            excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.worker.run()
        finally:
            connection.close()

    def __enter__(self) -> "BackgroundWorker":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.worker.running = False
        self.thread.join(timeout=120)


def test_upload_watch_progress_correct_and_convert(owner_page, owner, items, artifacts_dir):
    page = owner_page
    catalog = corpus.pdf_bytes([corpus.table_page(items[:4]), corpus.two_column_page(items[4:8])])
    page.goto("/ocr/")
    page.set_input_files(
        "input[type=file]", files=[{"name": "supplier.pdf", "mimeType": "application/pdf", "buffer": catalog}]
    )
    page.get_by_role("button", name="Upload and read").click()

    expect(page).to_have_url(re.compile(r"/ocr/\d+/$"))
    progress = page.locator("#scan-progress")
    expect(progress).to_contain_text("Pending")
    expect(progress).to_contain_text("waiting for a worker")

    with BackgroundWorker():
        # Polling shows the worker's progress, then the page reloads with the results.
        expect(page.locator("#candidates")).to_be_visible(timeout=120_000)
    expect(progress).to_contain_text("8 items found on 2 pages")
    scan = Scan.objects.get(owner=owner)
    assert scan.status == Scan.Status.COMPLETED
    expect(page.locator("figure.ocr-page svg rect.word").first).to_be_attached()

    row = page.locator(f'tr[data-candidate-id="{scan.candidates.first().pk}"]')
    row.locator('td[data-field="price"]').click()
    row.locator('td[data-field="price"] input[name="value"]').fill("not a price")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("alert")).to_have_text("“not a price” is not a price.")
    row.locator('td[data-field="price"] input[name="value"]').fill("$1,234.50")
    row.get_by_role("button", name="Save").click()
    expect(row.locator('td[data-field="price"]')).to_have_text("1234.50")

    page.screenshot(path=str(artifacts_dir / "ocr-review.png"), full_page=True)

    page.get_by_role("button", name="Convert selected to listings").click()
    expect(page.locator(".messages")).to_contain_text("Created 8 draft listings from this scan.")
    expect(page.locator("#scan-progress")).to_contain_text("Corrected")
    listings = Listing.objects.filter(owner=owner)
    assert listings.count() == 8
    assert all(listing.source == Source.OCR and listing.ocr_scan_id == scan.pk for listing in listings)
    assert listings.filter(price=Decimal("1234.50")).count() == 1


def test_review_links_each_row_to_its_words_on_the_page_and_back(owner_page, owner):
    from ocr.tests.factories import read_scan

    scan = read_scan(owner, prices=("4.50", "12.99"))
    first, second = scan.candidates.order_by("position")
    long_title = "Cordless Drill with Two Batteries, Charger and a Hard Case"
    first.title, first.boxes = long_title, [[100, 100, 200, 40], [700, 100, 120, 40]]
    first.field_confidence = {"title": 95.0, "price": 31.0}
    first.save()
    second.boxes = [[100, 300, 200, 40]]
    second.save()
    page = owner_page
    page.goto(f"/ocr/{scan.pk}/")
    first_row = page.locator(f'tr[data-candidate-id="{first.pk}"]')
    # The whole title shows, not a few letters of it.
    title_cell = first_row.locator('td[data-field="title"]')
    expect(title_cell).to_have_text(long_title)
    assert title_cell.evaluate("cell => cell.scrollWidth <= cell.clientWidth")
    expect(first_row.locator('td[data-field="price"]')).to_have_class(re.compile(r"\bunsure\b"))

    first_row.hover()
    highlight = page.locator("#page-1 svg g.highlight rect")
    expect(highlight).to_have_count(2)
    assert highlight.first.get_attribute("x") == "100" and highlight.first.get_attribute("y") == "100"
    expect(first_row).to_have_class(re.compile(r"\blinked\b"))

    # A word on the image points back at the row read from it.
    page.locator('#page-1 rect.word[x="700"]').hover(force=True)
    expect(first_row).to_have_class(re.compile(r"\blinked\b"))
    expect(page.locator(f'tr[data-candidate-id="{second.pk}"]')).not_to_have_class(re.compile(r"\blinked\b"))
    expect(highlight).to_have_count(2)
