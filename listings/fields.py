"""The listing's field names, sizes and choices: what every other module of the app
agrees a listing is. Models, validation, imports and exports all read them here."""

from django.db import models


class Condition(models.TextChoices):
    NEW = "New", "New"
    USED_LIKE_NEW = "Used - Like New", "Used - Like New"
    USED_GOOD = "Used - Good", "Used - Good"
    USED_FAIR = "Used - Fair", "Used - Fair"


class Source(models.TextChoices):
    MANUAL = "manual", "Manual"
    IMPORT = "import", "Import"
    OCR = "ocr", "OCR"
    API = "api", "API"


class Status(models.TextChoices):
    """Where an item stands. Sold and archived listings keep their record (no delete)."""

    DRAFT = "draft", "Draft"
    READY = "ready", "Ready"
    LISTED = "listed", "Listed"
    SOLD = "sold", "Sold"
    ARCHIVED = "archived", "Archived"


TITLE_MAX_LENGTH = 150
DESCRIPTION_MAX_LENGTH = 5000
CATEGORY_MAX_LENGTH = 255
SKU_MAX_LENGTH = 64
NOTES_MAX_LENGTH = 5000
QUANTITY_MAX = 1_000_000
# Meta's catalog takes a brand of at most 100 characters (docs/formats.md).
BRAND_MAX_LENGTH = 100
# eBay's category ids are whole numbers (CategoryID: at most 10 digits).
EBAY_CATEGORY_ID_MAX_LENGTH = 10
# The link to the item on the seller's own site (Meta's ``link``): http or https only.
PRODUCT_LINK_MAX_LENGTH = 2000
# Facebook's columns: a listing as its bulk file sees it, and the whole listing of
# the Flask system (its adapter keeps to these).
FACEBOOK_FIELDS = ("title", "price", "condition", "description", "category", "offer_shipping")
# Fields other marketplaces need and Facebook does not: Shopify's Vendor, Meta's brand
# and link, eBay's *Category. Optional grid columns (hidden until shown).
MARKETPLACE_FIELDS = ("brand", "ebay_category_id", "product_link")
# The fields a seller edits; everything else is bookkeeping.
LISTING_FIELDS = (
    *FACEBOOK_FIELDS,
    "status",
    "sku",
    "quantity",
    "sold_price",
    "notes",
    # What other marketplaces' files need (docs/formats.md): optional, blank by default.
    *MARKETPLACE_FIELDS,
)
# How each field is named to a seller: column headers, history, import mapping.
FIELD_LABELS = {
    "title": "Title",
    "price": "Price",
    "condition": "Condition",
    "description": "Description",
    "category": "Category",
    "offer_shipping": "Offer shipping",
    "status": "Status",
    "sku": "SKU",
    "quantity": "Quantity",
    "sold_price": "Sold price",
    "notes": "Notes",
    "brand": "Brand",
    "ebay_category_id": "eBay category id",
    "product_link": "Product link",
    "sold_at": "Sold at",
}
# Kept by the write path, never typed in the grid or the API: ``sold_at`` is set when
# the status becomes sold and cleared when it leaves sold (undo and revert restore it
# as it was; an import of a file that dates the sale keeps that date).
DERIVED_FIELDS = ("sold_at",)
# What the write path reads, writes, audits and restores, and what an import reads
# back (the sale's date too, so exporting and importing again loses nothing): the
# sale's date beside the sale, then the other marketplaces' fields (the order of the
# API's and exports' columns, and of an import's mapping and preview).
STORED_FIELDS = (
    *(name for name in LISTING_FIELDS if name not in MARKETPLACE_FIELDS),
    *DERIVED_FIELDS,
    *MARKETPLACE_FIELDS,
)
# The seller's own: in backups and the seller's own exports, never in a marketplace's file.
PRIVATE_FIELDS = ("notes",)
