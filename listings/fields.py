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


TITLE_MAX_LENGTH = 150
DESCRIPTION_MAX_LENGTH = 5000
CATEGORY_MAX_LENGTH = 255
# The fields a seller edits; everything else is bookkeeping.
LISTING_FIELDS = ("title", "price", "condition", "description", "category", "offer_shipping")
