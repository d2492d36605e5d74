"""Facebook's bulk-upload export with photos: a zip of the files, a photos/ folder
with each row's photos named <file>-row<N>-<k>.jpg, and manifest.csv."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from PIL import Image
from rest_framework.test import APIClient

from audit.models import AuditEntry
from listings.tests.factories import ListingFactory
from photos.services import photos_add
from photos.tests.pictures import jpeg, upload
from photos.worker import photo_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def _with_photos(listing, owner, widths):
    photos = photos_add(
        listing=listing, uploads=[upload(jpeg(width, 20), f"{width}.jpg") for width in widths], actor=owner
    )
    for photo in photos:
        photo_process(photo_id=photo.pk)


def _bundle(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_bundle_names_each_rows_photos_and_lists_them(api, owner, other_user):
    listings = [ListingFactory(owner=owner, title=f"Chair {n}", price=Decimal("10")) for n in range(52)]
    _with_photos(listings[0], owner, [30, 40])
    _with_photos(listings[51], owner, [50])
    ListingFactory(owner=other_user)
    bundle = _bundle(api.post("/api/export/facebook/", {"photos": True, "ordering": "id"}, format="json"))
    names = bundle.namelist()
    stem = re.match(r"(marketplace-listings-\d{8}-\d{6})-001\.xlsx", names[0]).group(1)
    assert f"{stem}-002.xlsx" in names
    assert [name for name in names if name.startswith("photos/")] == [
        f"photos/{stem}-001-row5-1.jpg",
        f"photos/{stem}-001-row5-2.jpg",
        f"photos/{stem}-002-row6-1.jpg",
    ]
    # Each photo is the display-size JPEG, in the listing's order.
    assert Image.open(io.BytesIO(bundle.read(f"photos/{stem}-001-row5-2.jpg"))).size == (40, 20)
    manifest = list(csv.reader(io.StringIO(bundle.read("manifest.csv").decode())))
    assert manifest[0] == ["file", "row", "title", "photos"]
    assert manifest[1] == [f"{stem}-001.xlsx", "5", "Chair 0", f"{stem}-001-row5-1.jpg {stem}-001-row5-2.jpg"]
    assert manifest[2] == [f"{stem}-001.xlsx", "6", "Chair 1", ""]
    assert manifest[-1] == [f"{stem}-002.xlsx", "6", "Chair 51", f"{stem}-002-row6-1.jpg"]
    assert len(manifest) == 53
    # The row the manifest names is the row of the sheet that holds the listing.
    sheet = openpyxl.load_workbook(io.BytesIO(bundle.read(f"{stem}-002.xlsx"))).worksheets[0]
    assert sheet["A6"].value == "Chair 51"
    assert AuditEntry.objects.filter(action="listing.export", changes__photos=True).exists()


def test_one_listing_with_photos_is_still_a_zip(owner_client, owner):
    listing = ListingFactory(owner=owner, title="=HYPERLINK(1)")
    _with_photos(listing, owner, [30])
    response = owner_client.post("/exports/", {"export_format": "facebook", "photos": "on", "scope": "all"})
    bundle = _bundle(response)
    manifest = list(csv.reader(io.StringIO(bundle.read("manifest.csv").decode())))
    # A title that would run as a formula in a spreadsheet is shown as text.
    assert manifest[1][2] == "'=HYPERLINK(1)"


def test_photos_only_go_with_facebooks_file(api, owner):
    ListingFactory(owner=owner)
    response = api.post("/api/export/csv/", {"photos": True}, format="json")
    assert response.status_code == 400
    assert "Facebook" in str(response.json())
