"""eBay, Shopify, WooCommerce and Meta catalog files: the header row against each
marketplace's published columns, re-import into the same listings (what the file
carries), formula neutralisation, and ready-only exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exports.formats import FORMATS
from exports.services import listings_export
from exports.tests.conftest import download
from imports.services import import_commit, import_create
from listings.marketplaces import EBAY_CONDITION_IDS, META_CONDITIONS, shopify_handle
from listings.selectors import listings_for_user
from listings.services.changes import listing_create
from listings.tests.factories import ListingFactory
from photos.links import published_photo_urls
from photos.models import ListingPhoto
from photos.services import photo_links_publish
from photos.tests.factories import photographed

pytestmark = pytest.mark.django_db

# The columns each marketplace publishes (docs/formats.md names the pages, read
# 2026-12-01): every header we write must be one of them, and the ones each marks
# required must all be there.
PUBLISHED = {
    "ebay": {
        "required": [
            "*Action(SiteID=US|Country=US|Currency=USD|Version=1193)",
            "*Category",
            "*ConditionID",
            "*Description",
            "*Duration",
            "*Format",
            "*Quantity",
            "*StartPrice",
            "*Title",
        ],
        "optional": ["CustomLabel", "PicURL"],
    },
    "shopify": {
        "required": ["Handle", "Title"],
        "optional": [
            "Body (HTML)",
            "Vendor",
            "Type",
            "Tags",
            "Published",
            "Option1 Name",
            "Option1 Value",
            "Variant SKU",
            "Variant Inventory Tracker",
            "Variant Inventory Qty",
            "Variant Inventory Policy",
            "Variant Fulfillment Service",
            "Variant Price",
            "Variant Requires Shipping",
            "Image Src",
            "Image Position",
            "Status",
        ],
    },
    "woocommerce": {
        "required": ["Type", "SKU", "Name"],
        "optional": [
            "ID",
            "Published",
            "Is featured?",
            "Visibility in catalog",
            "Short description",
            "Description",
            "In stock?",
            "Stock",
            "Regular price",
            "Categories",
            "Brands",
            "Images",
        ],
    },
    "meta-catalog": {
        "required": [
            "id",
            "title",
            "description",
            "availability",
            "condition",
            "price",
            "link",
            "image_link",
            "brand",
        ],
        "optional": ["additional_image_link", "quantity_to_sell_on_facebook"],
    },
}
MARKETPLACE_FORMATS = tuple(PUBLISHED)

SOURCE_ROWS = [
    {
        "title": "O'Brien's \"quoted\" chair",
        "price": "45.50",
        "condition": "Used - Good",
        "description": "line one\nline two, with a comma & <b>markup</b>\n\nafter a blank line",
        "category": "Furniture//Dining Room Furniture//Dining Chairs",
        "offer_shipping": True,
        "sku": "CH-1",
        "brand": "O'Brien & Sons",
        "ebay_category_id": "37908",
        "product_link": "https://shop.example.com/chairs/obrien?colour=oak&size=2",
    },
    {
        "title": "naïve café — 日本語 emoji 😀👍🏽",
        "price": "1299",
        "condition": "New",
        "description": "tab\tinside; semicolon; back\\slash",
        "category": "Cell Phones & Accessories//Cell Phone Accessories//Chargers & Cradles",
        "offer_shipping": False,
        "sku": "café-2",
        "brand": "日本 Denki",
        "ebay_category_id": "123417",
        "product_link": "http://shop.example.com/café",
    },
    {
        "title": "Plain lamp",
        "price": "12",
        "condition": "Used - Like New",
        "description": "",
        "category": "",
        "offer_shipping": False,
    },
]
# What each file carries back (eBay's category is eBay's own id, not ours).
CARRIED = {
    "ebay": ("title", "price", "condition", "description", "sku", "ebay_category_id"),
    "shopify": ("title", "price", "description", "category", "offer_shipping", "sku", "brand"),
    "woocommerce": ("title", "price", "description", "category", "sku", "brand"),
    "meta-catalog": ("title", "price", "condition", "description", "brand", "product_link"),
}


def _export(owner, format_name: str, **options) -> tuple[str, bytes]:
    export = listings_export(
        listings=listings_for_user(owner).order_by("id"),
        export_format=FORMATS[format_name],
        actor=owner,
        **options,
    )
    return export.filename, b"".join(export.chunks)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("format_name", MARKETPLACE_FORMATS)
def test_header_is_the_marketplaces_published_columns(format_name, owner):
    header = _rows(_export(owner, format_name)[1])[0]
    published = PUBLISHED[format_name]
    assert set(published["required"]) <= set(header)
    assert set(header) <= set(published["required"]) | set(published["optional"])
    assert len(header) == len(set(header))


def _carried(user, fields: tuple[str, ...]) -> list[tuple]:
    return sorted(listings_for_user(user).values_list(*fields))


@pytest.mark.parametrize("format_name", MARKETPLACE_FORMATS)
def test_export_reimports_into_the_same_listings(format_name, owner, other_user):
    for row in SOURCE_ROWS:
        listing_create(owner=owner, data=row)
    name, data = _export(owner, format_name, include_all=True)
    upload = import_create(owner=other_user, files=[SimpleUploadedFile(name, data)])
    assert upload.counts["invalid"] == 0, upload.errors
    assert upload.counts["new"] == len(SOURCE_ROWS)
    import_commit(upload=upload, actor=other_user)
    fields = CARRIED[format_name]
    theirs, ours = _carried(other_user, fields), _carried(owner, fields)
    if format_name == "meta-catalog":
        # Meta knows new and used only: every used condition comes back as Used - Good.
        condition = fields.index("condition")
        ours = sorted(
            tuple(
                "Used - Good" if i == condition and META_CONDITIONS[v] == "used" else v
                for i, v in enumerate(row)
            )
            for row in ours
        )
    assert theirs == ours


def test_ebay_row_spells_each_value_as_ebay_asks(owner):
    listing = ListingFactory(owner=owner, title="Lamp", price=Decimal("19.5"), condition="Used - Fair")
    header, row = _rows(_export(owner, "ebay", include_all=True)[1])
    cells = dict(zip(header, row, strict=True))
    assert cells["*Action(SiteID=US|Country=US|Currency=USD|Version=1193)"] == "Add"
    assert cells["*ConditionID"] == EBAY_CONDITION_IDS["Used - Fair"] == "6000"
    assert (cells["*StartPrice"], cells["*Format"], cells["*Duration"]) == ("19.50", "FixedPrice", "GTC")
    assert cells["*Title"] == listing.title


def test_meta_price_names_the_sellers_currency(owner):
    owner.currency = "CAD"
    owner.save(update_fields=["currency"])
    ListingFactory(owner=owner, price=Decimal("129.99"))
    header, row = _rows(_export(owner, "meta-catalog", include_all=True)[1])
    cells = dict(zip(header, row, strict=True))
    assert cells["price"] == "129.99 CAD"
    assert cells["availability"] == "in stock"


def test_shopify_handle_is_unique_and_well_formed(owner):
    first = ListingFactory(owner=owner, title="Oak chair!")
    second = ListingFactory(owner=owner, title="Oak chair!")
    handles = {shopify_handle({"id": listing.id, "title": listing.title}) for listing in (first, second)}
    assert handles == {f"oak-chair-{first.id}", f"oak-chair-{second.id}"}


@pytest.mark.parametrize("format_name", MARKETPLACE_FORMATS)
def test_formulas_are_neutralised_in_every_cell(format_name, owner):
    ListingFactory(
        owner=owner,
        title='=HYPERLINK("http://evil.example","x")',
        description="+1 then -2 @SUM(A1)",
        category="=cmd|' /C calc'!A0",
        price=Decimal("5"),
    )
    _header, row = _rows(_export(owner, format_name, include_all=True)[1])
    assert row, "the listing is in the file"
    for value in row:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (format_name, value)
    assert any(value.startswith("'=HYPERLINK") for value in row)


def test_marketplace_file_leaves_out_listings_not_ready_unless_asked(owner_client, owner):
    category = {"ebay_category_id": "37908"}
    photographed(
        ListingFactory(owner=owner, title="Described", description="Solid oak.", **category),
        ListingFactory(owner=owner, title="Bare", description="", **category),
        ListingFactory(owner=owner, title="x" * 81, description="Too long a title for eBay.", **category),
    )
    response = owner_client.get("/api/export/ebay/")
    titles = [row[3] for row in _rows(download(response))[1:]]
    assert titles == ["Described"]
    assert response["X-Export-Count"] == "1"
    assert response["X-Export-Left-Out"] == "2"
    assert response["X-Export-Left-Out-Reasons"] == "1 a title over eBay's 80 characters; 1 no description"

    response = owner_client.get("/api/export/ebay/", {"include": "all"})
    assert len(_rows(download(response))) == 4
    assert "X-Export-Left-Out" not in response


def _photos(listing, count: int) -> None:
    """``count`` ready photos of the listing, in order (rows only: the file's links are
    what the export writes)."""
    for position in range(1, count + 1):
        ListingPhoto.objects.create(
            owner=listing.owner,
            listing=listing,
            position=position,
            file=f"photos/{listing.owner_id}/{listing.pk}-{position}.jpg",
            original_name=f"{position}.jpg",
            content_type="image/jpeg",
            size=1,
            status=ListingPhoto.Status.READY,
        )


def test_shopify_round_trip_keeps_each_products_photo_links(owner, other_user):
    chair = listing_create(owner=owner, data=SOURCE_ROWS[0])
    lamp = listing_create(owner=owner, data=SOURCE_ROWS[2])
    _photos(chair, 3)
    _photos(lamp, 1)
    photo_links_publish(owner=owner)
    urls = published_photo_urls(owner, [chair.pk, lamp.pk], base_url="http://shop.example/")
    assert [len(urls[chair.pk]), len(urls[lamp.pk])] == [3, 1]

    name, data = _export(owner, "shopify", include_all=True, base_url="http://shop.example/")
    header, *rows = _rows(data)
    images = [(row[header.index("Handle")], row[header.index("Image Src")]) for row in rows]
    assert images == [
        *((shopify_handle({"title": chair.title, "id": chair.pk}), url) for url in urls[chair.pk]),
        (shopify_handle({"title": lamp.title, "id": lamp.pk}), urls[lamp.pk][0]),
    ]

    upload = import_create(owner=other_user, files=[SimpleUploadedFile(name, data)])
    assert (upload.counts["new"], upload.counts["invalid"]) == (2, 0), upload.errors
    import_commit(upload=upload, actor=other_user)

    fields = CARRIED["shopify"]
    assert _carried(other_user, fields) == _carried(owner, fields)
    # The image rows under a product are its own: every link, in order, in one extra
    # column (photos are not fetched from URLs: the seller adds them to the listing).
    extras = dict(listings_for_user(other_user).values_list("title", "extra"))
    assert extras == {
        chair.title: {"Image Src": " ".join(urls[chair.pk])},
        lamp.title: {"Image Src": urls[lamp.pk][0]},
    }
