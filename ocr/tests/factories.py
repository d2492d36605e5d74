"""Scans already read, for tests of what happens after OCR (no Tesseract run)."""

from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from accounts.tests.factories import UserFactory
from ocr.models import Candidate, Scan, ScanPage


class ScanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scan

    owner = factory.SubFactory(UserFactory)
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 stand-in", name="catalog.pdf"))
    original_name = "catalog.pdf"
    status = Scan.Status.COMPLETED
    page_count = 1
    pages_done = 1
    items_found = 3
    mean_confidence = 88.0
    duration_seconds = 2.5


class ScanPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScanPage

    scan = factory.SubFactory(ScanFactory)
    number = 1
    width = 1000
    height = 1400
    mean_confidence = 88.0
    thumbnail = factory.django.ImageField(width=100, height=140, format="PNG")
    words = factory.LazyFunction(
        lambda: [
            {
                "text": "Widget",
                "conf": 95.0,
                "left": 100,
                "top": 100,
                "width": 200,
                "height": 40,
                "line": [1, 1, 1],
            },
            {
                "text": "$4.5O",
                "conf": 31.0,
                "left": 700,
                "top": 100,
                "width": 120,
                "height": 40,
                "line": [1, 1, 1],
            },
        ]
    )
    text = "Widget  $4.5O"


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    page = factory.SubFactory(ScanPageFactory)
    scan = factory.SelfAttribute("page.scan")
    position = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Widget {n}")
    price = Decimal("4.50")
    description = "Red, metal"
    confidence = 90.0
    layout = "line"


def read_scan(owner, *, prices=("4.50", "12.99", None)) -> Scan:
    """A completed scan of one page with a candidate per price (None: no price read)."""
    page = ScanPageFactory(scan=ScanFactory(owner=owner))
    for price in prices:
        CandidateFactory(page=page, price=Decimal(price) if price else None)
    return page.scan
