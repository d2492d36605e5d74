"""Other marketplaces' bulk files: their columns, and how each carries a listing.

One declaration per marketplace (eBay, Shopify, WooCommerce, Meta's catalog): a
column list, each column saying which listing field it carries, how our value is
written there and how their value reads back. ``exports`` writes the files from it,
``imports`` recognises the files by their header and maps them back with it, and
``listings.readiness`` holds each marketplace's own refusals. The sources and the
mapping are in ``docs/formats.md``.

A listing is read as a mapping of field name to value (``id`` and the listing
fields, plus ``images``: the photo links the seller published, possibly none).

Each column also says how PostgreSQL writes it (``Sql``: an expression over the
listing's columns by field name, and over its photo links where the seller has
published them), so every file of stored listings is written by ``COPY``
(``exports.postgres.copy_marketplace``), the same bytes as the Python writer's (a
test holds them equal).
"""

import html
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from listings.fields import STORED_FIELDS, Condition
from marketplace.formulas import is_formula_like

Listing = Mapping[str, Any]


@dataclass(frozen=True)
class FileContext:
    """What a file needs besides the listing: the seller's currency."""

    currency: str = "USD"


@dataclass(frozen=True)
class Sql:
    """A column's value in SQL over the listing's columns (``{currency}``: the
    seller's currency, as a literal). ``as_is``: written as it is (a number, or text
    that can be neither empty nor formula-like, such as our own words), not guarded
    as text: the guard is a third of a wide file's time in PostgreSQL."""

    expression: str
    as_is: bool = False


@dataclass(frozen=True)
class Column:
    header: str
    # The listing field the column carries back on import; None: written only.
    field: str | None
    write: Callable[[Listing, FileContext], Any]
    # Their value as ours, on import (the cell as the spreadsheet gave it).
    read: Callable[[Any], Any] | None = None
    # The value in SQL when the seller has no photo links (a column of photo links
    # is then empty).
    sql: Sql | None = None
    # The photo links: an import keeps them in the listing's extra columns (a photo
    # is not fetched from a URL; the seller adds photos to the listing).
    images: bool = False
    # The value in SQL when the seller has published photo links, over ``images``
    # (the listing's links in order, a text array); None: ``sql`` either way.
    linked_sql: Sql | None = None


@dataclass(frozen=True)
class MarketplaceFile:
    name: str
    label: str
    marketplace: str  # what the seller reads: "eBay"
    columns: tuple[Column, ...]
    # A file names the marketplace when its header has all of these (header_key spelling).
    signature: frozenset[str]
    # Shopify: one more row per further image, only the handle and the image filled.
    image_rows: Callable[[Listing, str, int], dict[str, Any]] | None = None
    # The column of those rows' image (an import adds it to the product's row).
    image_row_column: str | None = None
    # ``image_rows`` in SQL: a column's value in those rows over ``images`` and
    # ``place`` (the image's position, from 2), None for the product row's value;
    # the columns not named are empty.
    image_row_sql: Mapping[str, str | None] | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)

    def rows(self, listing: Listing, context: FileContext) -> Iterator[list[Any]]:
        yield [column.write(listing, context) for column in self.columns]
        if self.image_rows is not None:
            for position, url in enumerate(listing.get("images", ())[1:], start=2):
                cells = self.image_rows(listing, url, position)
                yield [cells.get(header, "") for header in self.headers]

    def column(self, header_key: Callable[[str], str], header: str) -> Column | None:
        """The column a file's ``header`` is, compared as ``header_key`` spells both."""
        key = header_key(header)
        return next((column for column in self.columns if header_key(column.header) == key), None)


def _get(name: str, default: Any = "") -> Callable[[Listing, FileContext], Any]:
    return lambda listing, context: listing.get(name, default)


def _constant(value: str) -> Callable[[Listing, FileContext], str]:
    return lambda listing, context: value


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _field(header: str, name: str, read: Callable[[Any], Any] | None = None) -> Column:
    """A column that carries the listing field ``name`` as it is ('' until the listing has it)."""
    return Column(header, name, _get(name), read, Sql(name if name in STORED_FIELDS else "''"))


def _words_sql(expression: str, words: Sequence[str]) -> Sql:
    """``expression``, which gives only ``words`` (our own), written as it is: an
    empty word as NULL, which COPY leaves unquoted as Python's csv does."""
    if any(is_formula_like(word) for word in words):
        raise ValueError(f"{words}: a formula-like word would need the guard")
    return Sql("NULL" if tuple(words) == ("",) else expression, as_is=True)


def _fixed(header: str, value: str) -> Column:
    """A column with the same text in every row."""
    return Column(header, None, _constant(value), sql=_words_sql(_sql_text(value), [value]))


def _mapped_sql(name: str, mapping: Mapping[Any, str]) -> Sql:
    cases = " ".join(
        f"WHEN {_sql_text(str(ours))} THEN {_sql_text(theirs)}" for ours, theirs in mapping.items()
    )
    return _words_sql(f"(CASE {name} {cases} END)", list(mapping.values()))


# Digits and a point: never empty, never formula-like (prices are never negative).
_PRICE_SQL = Sql("price::text", as_is=True)
_QUANTITY_SQL = Sql("quantity", as_is=True)
# No photo links: the image columns are empty.
_NO_IMAGES_SQL = _words_sql("''", [""])


def _links_sql(expression: str) -> Sql:
    """Photo links in SQL over ``images``: our own URLs (never formula-like), an empty
    text as NULL, which COPY leaves unquoted as Python's csv does."""
    return Sql(f"NULLIF({expression}, '')", as_is=True)


_FIRST_LINK_SQL = _links_sql("images[1]")


def _price(listing: Listing, context: FileContext) -> str:
    return f"{Decimal(listing['price']):.2f}"


def _quantity(listing: Listing) -> int:
    return int(listing.get("quantity", 1))


def _first_image(listing: Listing, context: FileContext) -> str:
    images = listing.get("images", ())
    return images[0] if images else ""


def _category_path(listing: Listing) -> list[str]:
    return [part.strip() for part in listing.get("category", "").split("//") if part.strip()]


# --- eBay: File Exchange / Seller Hub Reports listing template -----------------------

EBAY_TITLE_MAX_LENGTH = 80
EBAY_ACTION = "*Action(SiteID=US|Country=US|Currency=USD|Version=1193)"
# Our conditions as eBay's condition ids (eBay's "Item condition ID and name values").
EBAY_CONDITION_IDS = {
    Condition.NEW: "1000",
    Condition.USED_LIKE_NEW: "2750",
    Condition.USED_GOOD: "3000",
    Condition.USED_FAIR: "6000",
}
# Every id eBay defines for a whole item, read back as the nearest of ours.
_EBAY_CONDITIONS_READ = {
    **{code: condition.value for condition, code in EBAY_CONDITION_IDS.items()},
    "1500": Condition.NEW.value,
    "1750": Condition.NEW.value,
    "2000": Condition.USED_LIKE_NEW.value,
    "2010": Condition.USED_LIKE_NEW.value,
    "2020": Condition.USED_LIKE_NEW.value,
    "2030": Condition.USED_LIKE_NEW.value,
    "2500": Condition.USED_LIKE_NEW.value,
    "4000": Condition.USED_GOOD.value,
    "5000": Condition.USED_GOOD.value,
    "7000": Condition.USED_FAIR.value,
}


def _ebay_condition_read(value: Any) -> Any:
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    return _EBAY_CONDITIONS_READ.get(text, value)


EBAY = MarketplaceFile(
    name="ebay",
    label="eBay listings (File Exchange)",
    marketplace="eBay",
    columns=(
        _fixed(EBAY_ACTION, "Add"),
        _field("CustomLabel", "sku"),
        _field("*Category", "ebay_category_id"),
        _field("*Title", "title"),
        Column(
            "*ConditionID",
            "condition",
            lambda listing, context: EBAY_CONDITION_IDS[Condition(listing["condition"])],
            _ebay_condition_read,
            _mapped_sql("condition", EBAY_CONDITION_IDS),
        ),
        Column("*StartPrice", "price", _price, sql=_PRICE_SQL),
        Column("*Quantity", "quantity", lambda listing, context: _quantity(listing), sql=_QUANTITY_SQL),
        _fixed("*Format", "FixedPrice"),
        _fixed("*Duration", "GTC"),
        _field("*Description", "description"),
        Column(
            "PicURL",
            None,
            lambda listing, context: "|".join(listing.get("images", ())),
            sql=_NO_IMAGES_SQL,
            images=True,
            linked_sql=_links_sql("array_to_string(images, '|')"),
        ),
    ),
    signature=frozenset({"action", "customlabel", "conditionid", "startprice"}),
)


# --- Shopify: product CSV ------------------------------------------------------------


def shopify_handle(listing: Listing) -> str:
    """Letters, digits and dashes (Shopify's rule), ending in the listing id so two
    listings of one title stay two products."""
    slug = re.sub(r"[^a-z0-9]+", "-", listing["title"].lower()).strip("-")[:60].strip("-")
    return f"{slug}-{listing['id']}" if slug else f"listing-{listing['id']}"


def _html_body(listing: Listing, context: FileContext) -> str:
    return html.escape(listing["description"], quote=False).replace("\n", "<br>\n")


def _html_body_read(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return html.unescape(re.sub(r"<br\s*/?>\n?", "\n", value, flags=re.IGNORECASE))


def _true_false(flag: bool) -> str:
    return "TRUE" if flag else "FALSE"


def _shopify_status(listing: Listing, context: FileContext) -> str:
    return "draft" if listing.get("status") == "draft" else "active"


# shopify_handle in SQL: the title lowered, runs of anything else than a-z and 0-9 as
# one dash, trimmed of dashes, cut at 60 and trimmed again, then the id. Only ASCII
# letters need lowering (the C collation's lower(), a third of the locale's time):
# every other character becomes a dash, except the two whose Python lowercase holds
# an ASCII letter, "İ" ("i" and a combining dot) and the Kelvin sign ("k").
_SHOPIFY_LOWER_SQL = "lower(replace(replace(title, '\u0130', 'i-'), '\u212a', 'k') COLLATE \"C\")"
_SHOPIFY_SLUG_SQL = (
    f"btrim(left(btrim(regexp_replace({_SHOPIFY_LOWER_SQL}, '[^a-z0-9]+', '-', 'g'), '-'), 60), '-')"
)
# Letters, digits and dashes: written as it is.
_SHOPIFY_HANDLE_SQL = Sql(
    f"coalesce(NULLIF({_SHOPIFY_SLUG_SQL}, '') || '-' || id, 'listing-' || id)", as_is=True
)
# _html_body in SQL: html.escape without quotes (& first), then <br> before line breaks.
_HTML_BODY_SQL = Sql(
    "replace(replace(replace(replace(description, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),"
    " chr(10), '<br>' || chr(10))"
)


def _shopify_image_row(listing: Listing, url: str, position: int) -> dict[str, Any]:
    return {"Handle": shopify_handle(listing), "Image Src": url, "Image Position": position}


SHOPIFY = MarketplaceFile(
    name="shopify",
    label="Shopify products",
    marketplace="Shopify",
    columns=(
        Column("Handle", None, lambda listing, context: shopify_handle(listing), sql=_SHOPIFY_HANDLE_SQL),
        _field("Title", "title"),
        Column("Body (HTML)", "description", _html_body, _html_body_read, _HTML_BODY_SQL),
        _field("Vendor", "brand"),
        # Shopify's Type is the seller's own word for the kind of product: our category.
        _field("Type", "category"),
        _fixed("Tags", ""),
        _fixed("Published", "TRUE"),
        _fixed("Option1 Name", "Title"),
        _fixed("Option1 Value", "Default Title"),
        _field("Variant SKU", "sku"),
        _fixed("Variant Inventory Tracker", "shopify"),
        Column(
            "Variant Inventory Qty",
            "quantity",
            lambda listing, context: _quantity(listing),
            sql=_QUANTITY_SQL,
        ),
        _fixed("Variant Inventory Policy", "deny"),
        _fixed("Variant Fulfillment Service", "manual"),
        Column("Variant Price", "price", _price, sql=_PRICE_SQL),
        Column(
            "Variant Requires Shipping",
            "offer_shipping",
            lambda listing, context: _true_false(listing["offer_shipping"]),
            sql=_words_sql("(CASE WHEN offer_shipping THEN 'TRUE' ELSE 'FALSE' END)", ["TRUE", "FALSE"]),
        ),
        Column("Image Src", None, _first_image, sql=_NO_IMAGES_SQL, images=True, linked_sql=_FIRST_LINK_SQL),
        Column(
            "Image Position",
            None,
            lambda listing, context: 1 if listing.get("images") else "",
            sql=_NO_IMAGES_SQL,
            linked_sql=Sql("(CASE WHEN cardinality(images) > 0 THEN 1 END)", as_is=True),
        ),
        Column(
            "Status",
            None,
            _shopify_status,
            sql=_words_sql(
                "(CASE WHEN status = 'draft' THEN 'draft' ELSE 'active' END)", ["draft", "active"]
            ),
        ),
    ),
    signature=frozenset({"handle", "body", "variantprice"}),
    image_rows=_shopify_image_row,
    image_row_column="Image Src",
    image_row_sql={"Handle": None, "Image Src": "images[place]", "Image Position": "place"},
)


# --- WooCommerce: product CSV importer -----------------------------------------------


def _woo_categories(listing: Listing, context: FileContext) -> str:
    # WooCommerce nests with ">" and separates several categories with ",": a comma
    # inside a name is escaped with a backslash.
    return " > ".join(part.replace(",", "\\,") for part in _category_path(listing))


# _woo_categories in SQL: the path's parts in order, trimmed of what Python's strip()
# trims (every character str.isspace() names), empty ones left out.
# (A literal of the characters themselves: none of them is a quote or a backslash.)
_SPACES = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
_SPACES_SQL = f"'{_SPACES}'"
# A part needs trimming only where a space touches a "//" or an end of the path, and
# a part is empty only where a "//" starts or ends the path or follows another. Paths
# with neither (nearly all) need only their "//" replaced: 0.1 s less for 100,000
# than splitting and joining them, a tenth of the time of trimming each part in a
# subquery.
_WOO_PLAIN_SQL = f"category !~ '(^|//)([{_SPACES}]|//|$)|[{_SPACES}]($|//)'"
_WOO_CATEGORIES_SQL = Sql(
    f"(CASE WHEN {_WOO_PLAIN_SQL}"  # noqa: S608 - our own SQL, no value of a listing
    " THEN replace(replace(category, ',', '\\,'), '//', ' > ')"
    f" ELSE array_to_string(ARRAY(SELECT replace(btrim(part, {_SPACES_SQL}), ',', '\\,') FROM"
    " unnest(string_to_array(category, '//')) WITH ORDINALITY AS path(part, place)"
    f" WHERE btrim(part, {_SPACES_SQL}) <> '' ORDER BY place), ' > ') END)"
)


def _woo_categories_read(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    first = re.split(r"(?<!\\),", value)[0]
    return "//".join(part.strip().replace("\\,", ",") for part in first.split(">") if part.strip())


WOOCOMMERCE = MarketplaceFile(
    name="woocommerce",
    label="WooCommerce products",
    marketplace="WooCommerce",
    columns=(
        # WooCommerce's own product id: empty, so an import creates products (a number
        # here would overwrite that WooCommerce product).
        _fixed("ID", ""),
        _fixed("Type", "simple"),
        _field("SKU", "sku"),
        _field("Name", "title"),
        Column(
            "Published",
            None,
            lambda listing, context: -1 if listing.get("status") == "draft" else 1,
            sql=Sql("(CASE WHEN status = 'draft' THEN -1 ELSE 1 END)", as_is=True),
        ),
        _fixed("Is featured?", "0"),
        _fixed("Visibility in catalog", "visible"),
        _fixed("Short description", ""),
        _field("Description", "description"),
        Column(
            "In stock?",
            None,
            lambda listing, context: 1 if _quantity(listing) > 0 else 0,
            sql=Sql("(CASE WHEN quantity > 0 THEN 1 ELSE 0 END)", as_is=True),
        ),
        Column("Stock", "quantity", lambda listing, context: _quantity(listing), sql=_QUANTITY_SQL),
        Column("Regular price", "price", _price, sql=_PRICE_SQL),
        Column("Categories", "category", _woo_categories, _woo_categories_read, _WOO_CATEGORIES_SQL),
        _field("Brands", "brand"),
        Column(
            "Images",
            None,
            lambda listing, context: ", ".join(listing.get("images", ())),
            sql=_NO_IMAGES_SQL,
            images=True,
            linked_sql=_links_sql("array_to_string(images, ', ')"),
        ),
    ),
    signature=frozenset({"type", "sku", "name", "regularprice"}),
)


# --- Meta: Commerce Manager catalog data feed ----------------------------------------

META_CONDITIONS = {
    Condition.NEW: "new",
    Condition.USED_LIKE_NEW: "used",
    Condition.USED_GOOD: "used",
    Condition.USED_FAIR: "used",
}
_META_CONDITIONS_READ = {"new": Condition.NEW.value, "used": Condition.USED_GOOD.value}
_META_CONDITIONS_READ["refurbished"] = Condition.USED_LIKE_NEW.value


def _meta_condition_read(value: Any) -> Any:
    return _META_CONDITIONS_READ.get(str(value).strip().lower(), value)


def _meta_availability(listing: Listing, context: FileContext) -> str:
    sold = listing.get("status") in ("sold", "archived")
    return "out of stock" if sold or _quantity(listing) == 0 else "in stock"


META_CATALOG = MarketplaceFile(
    name="meta-catalog",
    label="Meta catalog",
    marketplace="Meta's catalog",
    columns=(
        # The listing id: stable across feeds, as Meta asks, and an import of the file
        # updates the listings it came from.
        Column("id", "id", lambda listing, context: listing["id"], sql=Sql("id", as_is=True)),
        _field("title", "title"),
        _field("description", "description"),
        Column(
            "availability",
            None,
            _meta_availability,
            sql=_words_sql(
                "(CASE WHEN status IN ('sold', 'archived') OR quantity = 0"
                " THEN 'out of stock' ELSE 'in stock' END)",
                ["out of stock", "in stock"],
            ),
        ),
        Column(
            "condition",
            "condition",
            lambda listing, context: META_CONDITIONS[Condition(listing["condition"])],
            _meta_condition_read,
            _mapped_sql("condition", META_CONDITIONS),
        ),
        Column(
            "price",
            "price",
            lambda listing, context: f"{_price(listing, context)} {context.currency}",
            # Digits first: written as it is.
            sql=Sql("price::text || ' ' || {currency}", as_is=True),
        ),
        _field("link", "product_link"),
        Column("image_link", None, _first_image, sql=_NO_IMAGES_SQL, images=True, linked_sql=_FIRST_LINK_SQL),
        Column(
            "additional_image_link",
            None,
            lambda listing, context: ",".join(listing.get("images", ())[1:]),
            sql=_NO_IMAGES_SQL,
            images=True,
            linked_sql=_links_sql("array_to_string(images[2:], ',')"),
        ),
        _field("brand", "brand"),
        Column(
            "quantity_to_sell_on_facebook",
            "quantity",
            lambda listing, context: _quantity(listing),
            sql=_QUANTITY_SQL,
        ),
    ),
    signature=frozenset({"id", "availability", "imagelink", "price"}),
)


MARKETPLACE_FILES: dict[str, MarketplaceFile] = {
    marketplace_file.name: marketplace_file for marketplace_file in (EBAY, SHOPIFY, WOOCOMMERCE, META_CATALOG)
}


def recognise(header_keys: Sequence[str]) -> MarketplaceFile | None:
    """The marketplace whose file has this header (keys as ``imports.headers.header_key``
    spells them), if any."""
    keys = set(header_keys)
    for marketplace_file in MARKETPLACE_FILES.values():
        if marketplace_file.signature <= keys:
            return marketplace_file
    return None
