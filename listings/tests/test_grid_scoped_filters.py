"""The grid's filters by source, by import (``?import=ID``) and by OCR scan
(``?scan=ID``), always within the user's own listings."""

import pytest
from django.urls import reverse

from imports.services import import_commit, import_create
from imports.tests.import_files import csv_bytes, upload
from listings.fields import Source
from listings.selectors import FilterError, listings_filtered
from listings.tests.factories import ListingFactory
from ocr.tests.factories import ScanFactory

pytestmark = pytest.mark.django_db

HEADER = ["Title", "Price", "Condition"]


def committed_import(owner, rows, *, mode="create"):
    created = import_create(owner=owner, files=[upload("stock.csv", csv_bytes(rows))], mode=mode)
    return import_commit(upload=created, actor=owner)


def titles(user, params) -> set[str]:
    return set(listings_filtered(user, params).values_list("title", flat=True))


def test_import_filter_shows_what_the_import_created_and_changed(owner):
    ListingFactory(owner=owner, title="Made by hand", source=Source.MANUAL)
    earlier = committed_import(owner, [HEADER, ["Old lamp", 5, "New"]])
    changed = ListingFactory(owner=owner, title="Bike helmet", price=30)
    untouched = ListingFactory(owner=owner, title="Left alone", price=12)
    later = committed_import(
        owner,
        [
            ["id", *HEADER],
            [changed.pk, "Bike helmet", 27, "Used - Good"],
            [untouched.pk, "Left alone", 12, untouched.condition],
        ],
        mode="update_matching",
    )
    newest = committed_import(owner, [HEADER, ["Oak table", 80, "New"], ["Brass lamp", 20, "New"]])

    assert titles(owner, {"import": str(newest.pk)}) == {"Oak table", "Brass lamp"}
    assert titles(owner, {"import": str(later.pk)}) == {"Bike helmet"}
    assert titles(owner, {"import": str(earlier.pk)}) == {"Old lamp"}
    assert titles(owner, {"source": "import"}) == {"Old lamp", "Oak table", "Brass lamp"}


def test_another_users_import_shows_nothing(owner, other_user):
    theirs = committed_import(other_user, [HEADER, ["Their lamp", 5, "New"]])
    ListingFactory(owner=owner, title="Mine")
    assert titles(owner, {"import": str(theirs.pk)}) == set()
    assert titles(other_user, {"import": str(theirs.pk)}) == {"Their lamp"}


def test_scan_filter_is_the_scans_listings(owner, other_user):
    scan = ScanFactory(owner=owner)
    ListingFactory(owner=owner, title="From the catalog", source=Source.OCR, ocr_scan=scan)
    ListingFactory(owner=owner, title="Typed in")
    ListingFactory(owner=other_user, title="Someone else's", ocr_scan=scan)
    assert titles(owner, {"scan": str(scan.pk)}) == {"From the catalog"}


@pytest.mark.parametrize(("name", "value"), [("import", "abc"), ("scan", "-1"), ("source", "fax")])
def test_bad_values_are_filter_errors(owner, name, value):
    with pytest.raises(FilterError) as caught:
        listings_filtered(owner, {name: value})
    assert caught.value.field == name


def test_see_the_listings_link_opens_the_grid_narrowed_to_the_import(client, owner):
    ListingFactory(owner=owner, title="Not imported")
    upload_done = committed_import(owner, [HEADER, ["Oak table", 80, "New"]])
    client.force_login(owner)

    page = client.get(reverse("imports:detail", args=[upload_done.pk])).content.decode()
    link = f"{reverse('listings:grid')}?import={upload_done.pk}"
    assert link in page

    grid = client.get(link).content.decode()
    assert "Oak table" in grid
    assert "Not imported" not in grid
    assert f"Listings from import {upload_done.pk} (stock.csv)" in grid
    # The filter stays when the seller filters further (it rides in the filter form).
    assert f'<input type="hidden" name="import" value="{upload_done.pk}">' in grid
