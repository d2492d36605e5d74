"""Finding the header row and naming what each column holds.

Headers match case- and spacing-insensitively, ignoring punctuation and units, so
"Price ($)", "PRICE" and "price" are one header; synonyms cover what other tools
call the same thing. Columns that match nothing are kept in ``extra``.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from listings.fields import FIELD_LABELS, STORED_FIELDS
from listings.marketplaces import MarketplaceFile, recognise

ID = "id"
EXTRA = "extra"
IGNORE = "ignore"
# What a column can be mapped to, in the order a mapping form lists them.
TARGETS = (*STORED_FIELDS, ID, EXTRA, IGNORE)
TARGET_LABELS = {
    **{name: FIELD_LABELS[name] for name in STORED_FIELDS},
    ID: "Listing id (update matching)",
    EXTRA: "Keep as extra column",
    IGNORE: "Ignore",
}
# How many rows from the top a header row is looked for in (Facebook's template
# has three instruction rows above its header).
HEADER_SEARCH_ROWS = 20

_SYNONYMS = {
    "title": ("title", "name", "item", "itemname", "itemtitle", "product", "productname", "listingtitle"),
    "price": ("price", "cost", "amount", "askingprice", "saleprice", "priceusd", "listprice", "sellingprice"),
    "condition": ("condition", "itemcondition", "productcondition"),
    "description": ("description", "desc", "details", "itemdescription", "productdescription", "body"),
    "category": ("category", "categories", "categorypath", "productcategory", "facebookcategory"),
    "offer_shipping": (
        "offershipping",
        "shipping",
        "ships",
        "canship",
        "shippingavailable",
        "shipsavailable",
    ),
    "status": ("status", "state", "listingstatus", "itemstatus"),
    "sku": ("sku", "customlabel", "customlabelsku", "itemsku", "stockcode", "itemnumber", "partnumber"),
    "quantity": ("quantity", "qty", "stock", "instock", "quantityavailable", "availablequantity"),
    "sold_price": ("soldprice", "soldfor", "saleamount"),
    "notes": ("notes", "note", "privatenotes", "internalnotes"),
    "brand": ("brand", "brandname", "make", "manufacturer", "vendor", "brands"),
    "ebay_category_id": (
        "ebaycategoryid",
        "ebaycategory",
        "categoryid",
        "ebaycategorynumber",
        "primarycategoryid",
    ),
    "sold_at": ("soldat", "solddate", "datesold", "saledate", "soldon", "dateofsale"),
    "product_link": ("productlink", "link", "productpageurl", "producturl", "url", "itemurl", "websiteurl"),
    ID: ("id", "listingid"),
}
_FIELD_BY_KEY = {key: name for name, keys in _SYNONYMS.items() for key in keys}


def header_key(text: Any) -> str:
    """``"Price ($)"`` -> ``"price"``: lower case, letters and digits only, units dropped."""
    text = re.sub(r"\(.*?\)|\[.*?\]", "", str(text or "").lower())
    return re.sub(r"[^a-z0-9]", "", text)


def field_for_header(text: Any) -> str | None:
    return _FIELD_BY_KEY.get(header_key(text))


def marketplace_of(headers: Sequence[Any]) -> MarketplaceFile | None:
    """The marketplace whose bulk file has these headers (eBay, Shopify, …), if any."""
    return recognise([header_key(header) for header in headers])


def _marketplace_target(marketplace_file: MarketplaceFile, header: Any) -> str:
    column = marketplace_file.column(header_key, str(header))
    if column is None:
        return EXTRA if str(header).strip() else IGNORE
    if column.images:
        # Photo links: kept, as the file wrote them, in the listing's extra columns.
        return EXTRA
    if column.field is None:
        # Written from other fields or the same for every listing ("FixedPrice").
        return IGNORE
    return column.field if column.field in TARGETS else EXTRA


def value_readers(headers: Sequence[Any]) -> dict[int, Callable[[Any], Any]]:
    """Column index -> how a marketplace's value in it reads as ours ("1000" as New)."""
    marketplace_file = marketplace_of(headers)
    if marketplace_file is None:
        return {}
    columns = (marketplace_file.column(header_key, str(header)) for header in headers)
    return {index: column.read for index, column in enumerate(columns) if column and column.read}


def guess_mapping(headers: Sequence[Any]) -> list[str]:
    """A target per column: in a marketplace's file the field its column carries,
    else the field its header names (first column wins), else extra. Blank headers
    are ignored: they hold nothing anyone named."""
    if marketplace_file := marketplace_of(headers):
        return [_marketplace_target(marketplace_file, header) for header in headers]
    mapping, taken = [], set()
    for header in headers:
        name = field_for_header(header)
        if name and name not in taken:
            taken.add(name)
            mapping.append(name)
        else:
            mapping.append(EXTRA if str(header).strip() else IGNORE)
    return mapping


def find_header_row(rows: Iterable[Sequence[Any]]) -> tuple[int, list[str]] | None:
    """(index, headers) of the first row, among the top ones, that names a title
    column and at least one other known field; ``None`` when there is none."""
    best = None
    for index, row in enumerate(rows):
        if index >= HEADER_SEARCH_ROWS:
            break
        names = [field_for_header(cell) for cell in row]
        known = {name for name in names if name}
        if "title" in known and len(known) >= 2:
            return index, [_header_text(cell) for cell in row]
        if "title" in known and best is None:
            best = index, [_header_text(cell) for cell in row]
    return best


def _header_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return " ".join(str(cell).split())
