"""Header mapping: a marketplace's bulk file is recognised by its header and its
columns mapped to the fields they carry; other files by synonyms."""

import pytest

from imports.headers import EXTRA, ID, IGNORE, guess_mapping, marketplace_of, value_readers
from listings.marketplaces import MARKETPLACE_FILES


def test_each_marketplace_file_is_recognised_by_its_own_header():
    for name, marketplace_file in MARKETPLACE_FILES.items():
        assert marketplace_of(marketplace_file.headers) is marketplace_file, name


def test_a_plain_sheet_is_no_marketplaces_file():
    assert marketplace_of(["Title", "Price", "Condition", "Description"]) is None
    assert marketplace_of(["ID", "TITLE", "PRICE", "CONDITION", "DESCRIPTION", "CATEGORY"]) is None


def test_ebay_columns_map_to_the_fields_they_carry():
    headers = MARKETPLACE_FILES["ebay"].headers
    mapping = dict(zip(headers, guess_mapping(headers), strict=True))
    assert mapping["*Title"] == "title"
    assert mapping["*StartPrice"] == "price"
    assert mapping["*ConditionID"] == "condition"
    assert mapping["*Description"] == "description"
    # Written the same for every listing: nothing to read back.
    assert mapping["*Format"] == mapping["*Duration"] == mapping[headers[0]] == IGNORE
    assert (mapping["*Category"], mapping["CustomLabel"]) == ("ebay_category_id", "sku")
    # The photo links are kept as extra columns (a photo is not fetched from a URL).
    assert mapping["PicURL"] == EXTRA


@pytest.mark.parametrize(
    ("format_name", "columns"),
    [
        ("shopify", ["Image Src"]),
        ("woocommerce", ["Images"]),
        ("meta-catalog", ["image_link", "additional_image_link"]),
    ],
)
def test_image_columns_are_kept_as_extra_columns(format_name, columns):
    headers = MARKETPLACE_FILES[format_name].headers
    mapping = dict(zip(headers, guess_mapping(headers), strict=True))
    assert [mapping[column] for column in columns] == [EXTRA] * len(columns)


def test_meta_ids_are_listing_ids_and_a_stranger_column_is_kept():
    headers = [*MARKETPLACE_FILES["meta-catalog"].headers, "custom_label_0"]
    mapping = dict(zip(headers, guess_mapping(headers), strict=True))
    assert mapping["id"] == ID
    assert mapping["custom_label_0"] == EXTRA


def test_values_read_back_as_ours():
    headers = MARKETPLACE_FILES["ebay"].headers
    read = value_readers(headers)[headers.index("*ConditionID")]
    assert [read(code) for code in ("1000", 3000.0, "2750", "6000", "7000")] == [
        "New",
        "Used - Good",
        "Used - Like New",
        "Used - Fair",
        "Used - Fair",
    ]
    # An id eBay does not define is left for the listing rules to refuse.
    assert read("9999") == "9999"
    woo = MARKETPLACE_FILES["woocommerce"].headers
    categories = value_readers(woo)[woo.index("Categories")]
    assert categories("Furniture > Beds\\, Frames, Sale") == "Furniture//Beds, Frames"
