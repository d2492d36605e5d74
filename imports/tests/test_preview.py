"""The import preview as a seller uses it: invalid rows fixed in place and checked
again, a main button that says what it does (and never fails for a choice the page
offered), an export of one's own listings recognised, a PDF pointed to OCR."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from exports.formats import FORMATS
from exports.services import listings_export
from imports.models import Import
from imports.services import import_create, import_fix_row
from imports.tests.import_files import csv_bytes, upload
from listings.models import Listing
from listings.selectors import listings_for_user
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

HEADER = ["Title", "Price", "Condition"]
ROWS = [HEADER, ["Oak table", "80", "New"], ["Lamp", "free", "New"], ["", "12", "New"], ["Rug", "30", "New"]]


@pytest.fixture
def seller(client, owner):
    client.force_login(owner)
    return client


def detail(client, pk) -> str:
    return client.get(reverse("imports:detail", args=[pk])).content.decode()


def uploaded(client, name="stock.csv", data=None, **fields) -> Import:
    files = upload(name, data or csv_bytes(ROWS))
    response = client.post(reverse("imports:upload"), {"file": files, **fields})
    assert response.status_code == 302, response.content.decode()[:500]
    return Import.objects.latest("id")


def test_invalid_rows_are_fixed_in_the_preview_and_checked_again(seller, owner):
    preview = uploaded(seller)
    page = detail(seller, preview.pk)
    assert "Import 2 valid rows — 2 need fixing" in page
    # The cell in error is an input in the row's own form, filled with what the file says.
    assert '<input name="price" value="free" form="fix-0-3"' in page
    assert '<input name="title" value="" form="fix-0-4"' in page

    fix = reverse("imports:fix", args=[preview.pk])
    response = seller.post(fix, {"file": 0, "row": 3, "price": "still free"}, follow=True)
    assert "Row 3 still needs fixing" in response.content.decode()
    assert "“still free” is not a price." in response.content.decode()
    preview.refresh_from_db()
    assert preview.counts["invalid"] == 2
    assert preview.fixes == {"0:3": {"price": "still free"}}

    response = seller.post(fix, {"file": 0, "row": 3, "price": "15.50"}, follow=True)
    assert "Row 3 fixed." in response.content.decode()
    seller.post(fix, {"file": 0, "row": 4, "title": "Brass candle"})
    preview.refresh_from_db()
    assert (preview.counts["new"], preview.counts["invalid"]) == (4, 0)
    page = detail(seller, preview.pk)
    assert "Import 4 rows" in page and "need fixing" not in page

    seller.post(reverse("imports:commit", args=[preview.pk]))
    preview.refresh_from_db()
    assert preview.status == Import.Status.COMMITTED
    prices = dict(listings_for_user(owner).values_list("title", "price"))
    assert prices == {
        "Oak table": Decimal("80.00"),
        "Lamp": Decimal("15.50"),
        "Brass candle": Decimal("12.00"),
        "Rug": Decimal("30.00"),
    }


def test_a_sale_date_on_an_unsold_row_is_fixed_in_the_preview(seller, owner):
    rows = [["Title", "Price", "Status", "Sold at"], ["Oak table", "80", "ready", "2026-10-03"]]
    preview = uploaded(seller, data=csv_bytes(rows))
    page = detail(seller, preview.pk)
    assert "only a sold listing has a sale&#x27;s date, and this one is Ready" in page
    assert '<input name="sold_at" value="2026-10-03" form="fix-0-2"' in page

    fix = reverse("imports:fix", args=[preview.pk])
    response = seller.post(fix, {"file": 0, "row": 2, "sold_at": ""}, follow=True)
    assert "Row 2 fixed." in response.content.decode()
    seller.post(reverse("imports:commit", args=[preview.pk]))
    assert list(listings_for_user(owner).values_list("title", "status", "sold_at")) == [
        ("Oak table", "ready", None)
    ]


class _PreviewTable(HTMLParser):
    """The preview table's header and, per body row, its cells' text."""

    def __init__(self):
        super().__init__()
        self.header, self.rows, self._cell, self._in_table = [], [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "import-preview" in (dict(attrs).get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif self._in_table and tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_the_preview_heads_each_column_it_shows_and_shows_the_columns_the_file_fills(seller):
    rows = [["Title", "Price", "SKU", "Quantity", "Colour"], ["Oak table", "80", "OT-1", "3", "brown"]]
    preview = uploaded(seller, data=csv_bytes(rows))
    table = _PreviewTable()
    table.feed(detail(seller, preview.pk))
    header, *body = table.rows
    assert header == ["Row", "Outcome", "Title", "Price", "SKU", "Quantity", "Extra"]
    assert body == [["2", "new", "Oak table", "80.00", "OT-1", "3", "Colour: brown"]]


def test_the_main_button_imports_the_valid_rows_and_never_fails(seller, owner):
    preview = uploaded(seller)
    # What the page's button sends: the rows to fix are left out, as it says.
    response = seller.post(reverse("imports:commit", args=[preview.pk]), {"skip_invalid": "on"})
    assert response.status_code == 302
    preview.refresh_from_db()
    assert preview.status == Import.Status.COMMITTED
    assert set(listings_for_user(owner).values_list("title", flat=True)) == {"Oak table", "Rug"}


def test_nothing_valid_means_no_button_to_press(seller):
    preview = uploaded(seller, data=csv_bytes([HEADER, ["", "1", "New"]]))
    assert "Nothing to import yet — 1 row needs fixing" in detail(seller, preview.pk)
    assert 'class="primary" disabled' in detail(seller, preview.pk)


def test_fixing_another_sellers_import_is_404(client, other_user, owner):
    theirs = import_create(owner=owner, files=[upload("stock.csv", csv_bytes(ROWS))])
    client.force_login(other_user)
    fix = reverse("imports:fix", args=[theirs.pk])
    response = client.post(fix, {"file": 0, "row": 3, "price": "1"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.fixes == {}


def test_a_fix_names_only_listing_fields(owner):
    preview = import_create(owner=owner, files=[upload("stock.csv", csv_bytes(ROWS))])
    with pytest.raises(Exception, match="not a listing field"):
        import_fix_row(upload=preview, import_file=preview.files.get(), row=3, values={"owner": "2"})


def test_an_export_of_ones_own_listings_updates_them_by_default(seller, owner, other_user):
    for title, price in (("Oak table", "80.00"), ("Lamp", "12.00")):
        ListingFactory(owner=owner, title=title, price=Decimal(price))
    exported = listings_export(listings=listings_for_user(owner), export_format=FORMATS["csv"], actor=owner)
    data = b"".join(exported.chunks)

    preview = uploaded(seller, "marketplace-listings.csv", data)
    assert preview.mode == Import.Mode.UPDATE_MATCHING
    page = detail(seller, preview.pk)
    assert "This file has the ids of your listings" in page
    assert "Create new listings instead" in page

    seller.post(reverse("imports:mode", args=[preview.pk]), {"mode": "create"})
    preview.refresh_from_db()
    assert (preview.mode, preview.counts["new"]) == (Import.Mode.CREATE, 2)

    # Someone else's export (ids that are not theirs) creates listings for them.
    seller.force_login(other_user)
    theirs = uploaded(seller, "marketplace-listings.csv", data)
    assert theirs.mode == Import.Mode.CREATE


def test_ids_that_are_not_ascii_digits_are_no_export_of_ones_own(seller, owner):
    # "²" passes str.isdigit, and int() refuses it.
    data = csv_bytes([["ID", "Title", "Price"], ["\u00b2", "Oak table", "80"], ["\u0661", "Lamp", "12"]])

    preview = uploaded(seller, "marketplace-listings.csv", data)

    assert preview.mode == Import.Mode.CREATE


def test_a_pdf_offered_as_a_spreadsheet_points_to_the_ocr_page(seller):
    response = seller.post(reverse("imports:upload"), {"file": upload("catalog.pdf", b"%PDF-1.7 ...")})
    page = response.content.decode()
    assert response.status_code == 400
    assert "catalog.pdf is a PDF, not a spreadsheet" in page
    assert f'<a href="{reverse("ocr:scans")}">Read the PDF on the OCR page</a>' in page
    assert not Listing.objects.exists()
