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
# Facebook's columns: a listing as its bulk file sees it, and the whole listing of
# the Flask system (its adapter keeps to these).
FACEBOOK_FIELDS = ("title", "price", "condition", "description", "category", "offer_shipping")
# The fields a seller edits; everything else is bookkeeping.
LISTING_FIELDS = (
    *FACEBOOK_FIELDS,
    "status",
    "sku",
    "quantity",
    "sold_price",
    "notes",
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
    "sold_at": "Sold at",
}
# Kept by the write path, never typed: ``sold_at`` is set when the status becomes
# sold and cleared when it leaves sold (undo and revert restore it as it was).
DERIVED_FIELDS = ("sold_at",)
# What the write path reads, writes, audits and restores.
STORED_FIELDS = (*LISTING_FIELDS, *DERIVED_FIELDS)
# The seller's own: in backups and the seller's own exports, never in a marketplace's file.
PRIVATE_FIELDS = ("notes",)
