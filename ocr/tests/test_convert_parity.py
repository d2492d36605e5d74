"""Converting a scan takes the same selection at both doors: without ids the review
page and the API convert the ticked candidates not converted yet, and refuse alike."""

import time

import pytest
from django.test import Client

from listings.models import Listing
from ocr import worker
from ocr.tests import corpus, record_fixtures
from ocr.tests.factories import ScanFactory, read_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def convert(owner, api):
    page = Client()
    page.force_login(owner)

    def through(door: str, scan) -> tuple[bool, str]:
        if door == "page":
            response = page.post(f"/ocr/{scan.pk}/convert/", {"template": ""}, follow=True)
            html = response.content.decode()
            return "draft listings from this scan" in html, html
        response = api.post(f"/api/ocr/scans/{scan.pk}/convert/", {}, format="json")
        messages = " ".join(error["message"] for error in response.json().get("errors", []))
        return response.status_code == 201, messages

    return through


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_ticked_candidates_are_converted_by_default(convert, owner, door):
    scan = read_scan(owner, prices=("4.50", "12.99", None))
    first, second, third = scan.candidates.all()
    # The third has no price: unticked, it stays out and the rest convert.
    third.selected = False
    third.save()

    converted, _ = convert(door, scan)

    assert converted
    assert set(Listing.objects.values_list("title", flat=True)) == {first.title, second.title}
    # Read by OCR, not yet looked over: drafts.
    assert set(Listing.objects.values_list("status", flat=True)) == {"draft"}
    # Converted candidates are unticked, so a second convert has nothing left.
    again, text = convert(door, scan)
    assert not again
    assert "No ticked candidates left to convert." in text
    assert Listing.objects.count() == 2


@pytest.mark.parametrize("door", ["page", "api"])
def test_a_ticked_candidate_without_a_price_stops_the_conversion(convert, owner, door):
    scan = read_scan(owner, prices=("4.50", None))

    converted, text = convert(door, scan)

    assert not converted
    assert "This field is required." in text
    assert not Listing.objects.exists()


@pytest.mark.parametrize("door", ["page", "api"])
def test_a_table_pages_skus_end_on_the_listings(convert, owner, door):
    # The words Tesseract read on a table page Name | Code | Description | Cost,
    # stored as the worker stores a page.
    scan = ScanFactory(owner=owner)
    worker._page_store(
        scan,
        1,
        words=record_fixtures.load("table-plain-sku", "clean-300", "tesseract"),
        image=None,
        started=time.perf_counter(),
    )
    read = {c.title: c.sku for c in scan.candidates.all()}
    truth = {item.title: item.sku for item in corpus.items_of("table-plain-sku") if read.get(item.title)}
    assert len(truth) >= 12

    converted, _ = convert(door, scan)

    assert converted
    listings = dict(Listing.objects.filter(title__in=truth).values_list("title", "sku"))
    assert listings == truth
