"""The one set of rules for a listing's fields.

Every door (admin, API, spreadsheet page, import, OCR conversion) cleans input
through ``clean_listing``: it normalises what sellers type ("$1,299.00",
"used like new", "Yes") and reports every problem at once. Warnings are advice
that never blocks a save.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from listings.categories import all_categories, canonical_category
from listings.fields import (
    BRAND_MAX_LENGTH,
    CATEGORY_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    EBAY_CATEGORY_ID_MAX_LENGTH,
    LISTING_FIELDS,
    NOTES_MAX_LENGTH,
    PRODUCT_LINK_MAX_LENGTH,
    QUANTITY_MAX,
    SKU_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Condition,
    Source,
    Status,
)
from marketplace.errors import REQUIRED, FieldError, InvalidInput
from marketplace.ids import MAX_ID

PRICE_MAX = Decimal("99999999.99")
CENT = Decimal("0.01")

_CONDITION_SYNONYMS = {
    "new": Condition.NEW,
    "brandnew": Condition.NEW,
    "newwithtags": Condition.NEW,
    "usedlikenew": Condition.USED_LIKE_NEW,
    "likenew": Condition.USED_LIKE_NEW,
    "openbox": Condition.USED_LIKE_NEW,
    "usedgood": Condition.USED_GOOD,
    "good": Condition.USED_GOOD,
    "used": Condition.USED_GOOD,
    "usedfair": Condition.USED_FAIR,
    "fair": Condition.USED_FAIR,
}
# What cross-listing tools and spreadsheets call the states ("active", "delisted").
_STATUS_SYNONYMS = {
    "draft": Status.DRAFT,
    "ready": Status.READY,
    "available": Status.READY,
    "instock": Status.READY,
    "listed": Status.LISTED,
    "active": Status.LISTED,
    "live": Status.LISTED,
    "forsale": Status.LISTED,
    "sold": Status.SOLD,
    "soldout": Status.SOLD,
    "archived": Status.ARCHIVED,
    "archive": Status.ARCHIVED,
    "delisted": Status.ARCHIVED,
    "inactive": Status.ARCHIVED,
}
_TRUE_WORDS = {"yes", "y", "true", "t", "1", "on", "x"}
_FALSE_WORDS = {"no", "n", "false", "f", "0", "off", ""}

# Words that often mean an item Facebook's commerce policies forbid.
PROHIBITED_WORDS = (
    "gun",
    "firearm",
    "rifle",
    "pistol",
    "ammo",
    "ammunition",
    "alcohol",
    "liquor",
    "tobacco",
    "cigarette",
    "vape",
    "prescription",
    "cbd",
    "marijuana",
    "puppy",
    "kitten",
    "gift card",
)
_PROHIBITED_RE = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in PROHIBITED_WORDS) + r")s?\b", re.IGNORECASE
)
# The characters outside ASCII that _PROHIBITED_RE takes for a letter of one of the
# words ("İ" and "ı" for "i", the long "ſ" for "s"), which lowering does not make ASCII.
_PROHIBITED_LOOKALIKES = ("\u0130", "\u0131", "\u017f")


def parse_price(value: Any, field: str = "price") -> Decimal:
    """A price from what a seller typed: ``"$1,299.00"``, ``"1.299,00 €"``, ``15``."""
    if isinstance(value, bool) or value is None:
        raise InvalidInput.one(field, "Enter a price.")
    if isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        text = str(value).strip()
        negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
        digits = re.sub(r"[^\d.,]", "", text)
        if not digits or not re.search(r"\d", digits):
            raise InvalidInput.one(field, f"“{text[:40]}” is not a price.")
        amount = Decimal(_decimal_text(digits))
        if negative:
            amount = -amount
    if not amount.is_finite():
        raise InvalidInput.one(field, "Enter a finite price.")
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise InvalidInput.one(field, "The price cannot be negative.")
    if amount > PRICE_MAX:
        raise InvalidInput.one(field, f"The price cannot be more than {PRICE_MAX:,}.")
    return amount


def _decimal_text(digits: str) -> str:
    """Decide which of ``.`` and ``,`` is the decimal separator."""
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
    elif last_comma >= 0:
        # "12,50" is a decimal comma; "1,299" (three digits after) is thousands.
        decimal_sep = "," if len(digits) - last_comma - 1 in (1, 2) and digits.count(",") == 1 else None
    elif digits.count(".") == 1:
        decimal_sep = "."
    else:
        # "1.299.000" has only thousands separators.
        decimal_sep = None
    if decimal_sep is None:
        return digits.replace(",", "").replace(".", "")
    whole, _, fraction = digits.rpartition(decimal_sep)
    whole = whole.replace(",", "").replace(".", "")
    try:
        Decimal(f"{whole or 0}.{fraction}")
    except InvalidOperation as exc:
        raise InvalidInput.one("price", f"“{digits}” is not a price.") from exc
    return f"{whole or 0}.{fraction}"


_CONDITION_VALUES = frozenset(Condition.values)


def parse_condition(value: Any, field: str = "condition") -> str:
    text = "" if value is None else str(value)
    # A frozenset, not Condition.values: that builds a list on every call (imports call this 100,000 times).
    if text in _CONDITION_VALUES:
        return text
    key = re.sub(r"[^a-z]", "", text.lower())
    if key in _CONDITION_SYNONYMS:
        return _CONDITION_SYNONYMS[key].value
    choices = ", ".join(Condition.values)
    raise InvalidInput.one(field, f"“{text[:40]}” is not a condition; use one of: {choices}.")


_STATUS_VALUES = frozenset(Status.values)


def parse_status(value: Any, field: str = "status") -> str:
    text = "" if value is None else str(value)
    if text in _STATUS_VALUES:
        return text
    key = re.sub(r"[^a-z]", "", text.lower())
    if key in _STATUS_SYNONYMS:
        return _STATUS_SYNONYMS[key].value
    choices = ", ".join(Status.values)
    raise InvalidInput.one(field, f"“{text[:40]}” is not a status; use one of: {choices}.")


def parse_quantity(value: Any, field: str = "quantity") -> int:
    """A whole number of items from 0 to ``QUANTITY_MAX``: ``3``, ``"3"``, ``3.0``."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput.one(field, "Enter a quantity: a whole number, 0 or more.")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().replace(",", "")
        # At most 12 characters before Decimal(): a 5,000-digit string is refused, not converted.
        try:
            amount = Decimal(text) if len(text) <= 12 else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount != amount.to_integral_value():
            raise InvalidInput.one(field, f"“{str(value)[:40]}” is not a whole number of items.")
        number = int(amount)
    if number < 0:
        raise InvalidInput.one(field, "The quantity cannot be negative.")
    if number > QUANTITY_MAX:
        raise InvalidInput.one(field, f"The quantity cannot be more than {QUANTITY_MAX:,}.")
    return number


def parse_bool(value: Any, field: str = "offer_shipping") -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = "" if value is None else str(value).strip().lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise InvalidInput.one(field, f"“{str(value)[:40]}” is not yes or no.")


# A sale dated after now is a typo; a day's slack covers a seller's time zone.
_SOLD_AT_SLACK = timedelta(days=1)


def parse_sold_at(value: Any, field: str = "sold_at") -> datetime:
    """When an item sold, from a file: the moment our exports write
    (``2026-12-01T18:33:17Z``), any ISO date or moment, or a spreadsheet's own date
    cell. One without a time zone is read in UTC, the zone our files are written in."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = _midnight(value)
    else:
        text = "" if value is None else str(value).strip()
        try:
            # At most 40 characters: a long string is refused, not parsed.
            moment = (parse_datetime(text) or _midnight(parse_date(text))) if len(text) <= 40 else None
        except ValueError:  # well formed, not a date: 2026-13-45
            moment = None
        if moment is None:
            raise InvalidInput.one(
                field, f"“{text[:40]}” is not a date; write it as 2026-12-01 or 2026-12-01T18:33:17Z."
            )
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    if moment > timezone.now() + _SOLD_AT_SLACK:
        raise InvalidInput.one(
            field, f"{moment.date().isoformat()} is in the future; a sale's date has passed."
        )
    return moment


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0))


def check_sold_at(values: Mapping[str, Any]) -> None:
    """A sale's date belongs to a sold listing: refuse one that ``values`` (a whole
    listing) gives beside another status."""
    if values.get("sold_at") is not None and values.get("status") != Status.SOLD:
        status = Status(values["status"]).label
        raise InvalidInput.one(
            "sold_at",
            f"only a sold listing has a sale's date, and this one is {status}: set its status to Sold.",
        )


def _clean_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").strip()


def _at_most(field: str, text: str, limit: int, label: str | None = None) -> str:
    if len(text) > limit:
        raise InvalidInput.one(
            field, f"The {label or field} has {len(text)} characters; the most is {limit}."
        )
    return text


def _clean_title(value: Any) -> str:
    title = " ".join(_clean_text(value).split())
    if not title:
        raise InvalidInput.one("title", "A title is required.")
    return _at_most("title", title, TITLE_MAX_LENGTH)


def _clean_description(value: Any) -> str:
    return _at_most("description", _clean_text(value), DESCRIPTION_MAX_LENGTH)


def _clean_category(value: Any) -> str:
    text = _at_most("category", _clean_text(value), CATEGORY_MAX_LENGTH)
    return canonical_category(text) or text


def _clean_sku(value: Any) -> str:
    sku = _clean_text(value)
    if not sku.isprintable():
        raise InvalidInput.one("sku", "A SKU is one line of printable characters.")
    return _at_most("sku", sku, SKU_MAX_LENGTH, "SKU")


def _clean_sold_price(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_price(value, "sold_price")


def _clean_notes(value: Any) -> str:
    return _at_most("notes", _clean_text(value), NOTES_MAX_LENGTH, "notes field")


def _clean_brand(value: Any) -> str:
    brand = " ".join(_clean_text(value).split())
    return _at_most("brand", brand, BRAND_MAX_LENGTH)


def _clean_ebay_category_id(value: Any) -> str:
    """eBay's category id: a whole number (``"37908"``; ``37908.0`` as a spreadsheet reads it)."""
    text = _clean_text(value)
    if text and not (text.isascii() and text.isdigit()):
        raise InvalidInput.one(
            "ebay_category_id", f"“{text[:40]}” is not an eBay category id: a whole number, e.g. 37908."
        )
    if len(text) > EBAY_CATEGORY_ID_MAX_LENGTH:
        raise InvalidInput.one(
            "ebay_category_id", f"An eBay category id has at most {EBAY_CATEGORY_ID_MAX_LENGTH} digits."
        )
    return text


_LINK_VALIDATOR = URLValidator(schemes=["http", "https"])


def _clean_product_link(value: Any) -> str:
    """The item's page on the seller's own site: an http or https address, or nothing."""
    link = _clean_text(value)
    if not link:
        return ""
    _at_most("product_link", link, PRODUCT_LINK_MAX_LENGTH, "product link")
    try:
        _LINK_VALIDATOR(link)
    except ValidationError:
        raise InvalidInput.one(
            "product_link", f"“{link[:40]}” is not a web address: give one starting http:// or https://."
        ) from None
    return link


_CLEANERS = {
    "title": _clean_title,
    "price": parse_price,
    "condition": parse_condition,
    "description": _clean_description,
    "category": _clean_category,
    "offer_shipping": parse_bool,
    "status": parse_status,
    "sku": _clean_sku,
    "quantity": parse_quantity,
    "sold_price": _clean_sold_price,
    "notes": _clean_notes,
    "brand": _clean_brand,
    "ebay_category_id": _clean_ebay_category_id,
    "product_link": _clean_product_link,
}
_DEFAULTS = {
    "condition": Condition.NEW.value,
    "description": "",
    "category": "",
    "offer_shipping": False,
    "status": Status.READY.value,
    "sku": "",
    "quantity": 1,
    "sold_price": None,
    "notes": "",
    "brand": "",
    "ebay_category_id": "",
    "product_link": "",
}


def clean_listing(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Clean the listing fields in ``data``; raise ``InvalidInput`` with every error.

    With ``partial`` only the fields present are cleaned (an edit); otherwise
    title and price are required and the other fields get their defaults.
    """
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for name in LISTING_FIELDS:
        if name not in data:
            if partial:
                continue
            if name in _DEFAULTS:
                cleaned[name] = _DEFAULTS[name]
                continue
            errors.append(FieldError(name, "This field is required.", code=REQUIRED))
            continue
        try:
            cleaned[name] = _CLEANERS[name](data[name])
        except InvalidInput as exc:
            errors += [FieldError(name, error.message, code=error.code) for error in exc.errors]
    if errors:
        raise InvalidInput(errors)
    return cleaned


def clean_listing_and_sale_date(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """``clean_listing``, and the sale's date ``data`` gives, for the doors that bring a
    listing back from a file (an import, a backup's restore): the grid and the API
    never take one. A whole listing's date is checked against its status here; a
    partial one's (an update) by ``check_sold_at`` once merged with the listing."""
    errors: list[FieldError] = []
    try:
        values = clean_listing(data, partial=partial)
    except InvalidInput as exc:
        errors, values = list(exc.errors), {}
    sold_at = data.get("sold_at")
    if sold_at is not None and not (isinstance(sold_at, str) and not sold_at.strip()):
        try:
            values["sold_at"] = parse_sold_at(sold_at)
        except InvalidInput as exc:
            errors += exc.errors
    if not errors and not partial:
        try:
            check_sold_at(values)
        except InvalidInput as exc:
            errors += exc.errors
    if errors:
        raise InvalidInput(errors)
    return values


def clean_extra(value: Any) -> dict[str, Any]:
    """Columns we do not model, kept as sent: an object, or nothing."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput([FieldError("extra", "Extra columns must be an object of name: value.")])
    return dict(value)


def clean_source(value: Any) -> str:
    if value not in Source.values:
        raise InvalidInput([FieldError("source", f"Use one of: {', '.join(Source.values)}.")])
    return value


def clean_template_defaults(defaults: Any) -> dict[str, Any]:
    """A template's defaults: only listing fields, each valid; JSON-ready."""
    if not isinstance(defaults, Mapping):
        raise InvalidInput([FieldError("defaults", "Defaults must be an object of listing fields.")])
    unknown = sorted(set(defaults) - set(LISTING_FIELDS))
    errors = [FieldError(name, "Not a listing field.") for name in unknown]
    if defaults.get("sku") not in (None, ""):
        # Every listing made from the template would carry it, and a SKU is one listing's.
        errors.append(FieldError("sku", "A SKU names one listing; a template cannot give one."))
    if defaults.get("product_link") not in (None, ""):
        # A product link is one item's page on the seller's site, as a SKU is one listing's.
        errors.append(
            FieldError("product_link", "A product link is one listing's page; a template cannot give one.")
        )
    try:
        cleaned = clean_listing({k: v for k, v in defaults.items() if k in LISTING_FIELDS}, partial=True)
    except InvalidInput as exc:
        errors.extend(exc.errors)
        cleaned = {}
    if errors:
        raise InvalidInput(errors)
    for name in ("price", "sold_price"):
        if cleaned.get(name) is not None:
            cleaned[name] = str(cleaned[name])
    return cleaned


# --- Warnings: advice on a listing that never blocks saving it ------------------

NO_STOCK_WARNING = "Listed with a quantity of 0."


@dataclass(frozen=True)
class WarningKind:
    """One kind of warning ``listing_warnings`` gives, and the SQL ``LIKE`` pattern
    its message matches (the stored warnings are messages): insights count each kind
    and the grid filters by it with this one pattern."""

    name: str
    label: str
    pattern: str


WARNING_KINDS = (
    WarningKind("unknown_category", "Not a Facebook category", "%” is not a Facebook Marketplace category."),
    WarningKind("no_category", "No category", "No category: Facebook needs one."),
    WarningKind("zero_price", "Price is 0", "The price is 0."),
    WarningKind("capitals", "Title in capitals", "The title is in capitals."),
    WarningKind("prohibited", "Possibly prohibited item", "Possibly prohibited item: %"),
    WarningKind("no_stock", "Listed with none in stock", NO_STOCK_WARNING),
)
_KIND = {kind.name: kind for kind in WARNING_KINDS}

# The SQL twins below read the columns through ``Columns``: {field: SQL expression
# of its value}; each returns ``(expression, params)``, the message as text or NULL.
Columns = Mapping[str, str]
Sql = tuple[str, list]
# What Python's ``str.strip()`` takes off a category that ``btrim`` must take too.
_SPACE = " \t\n\r\x0b\x0c"
# ``_PROHIBITED_RE`` as a PostgreSQL ARE (``\m``/``\M``: start and end of a word).
_PROHIBITED_SQL = r"\m(" + "|".join(re.escape(w) for w in PROHIBITED_WORDS) + r")s?\M"
_CAPITALS = "The title is in capitals."


def _unknown_category(values: Mapping[str, Any]) -> str | None:
    category = values.get("category") or ""
    if category and canonical_category(category) is None:
        return f"“{category}” is not a Facebook Marketplace category."
    return None


def _unknown_category_sql(c: Columns) -> Sql:
    known = sorted({category.lower() for category in all_categories()})
    return (
        f"CASE WHEN {c['category']} <> '' AND lower(btrim({c['category']}, %s)) <> ALL(%s::text[]) "
        f"THEN '“' || {c['category']} || '” is not a Facebook Marketplace category.' END",
        [_SPACE, known],
    )


def _no_category(values: Mapping[str, Any]) -> str | None:
    return None if values.get("category") else "No category: Facebook needs one."


def _no_category_sql(c: Columns) -> Sql:
    return f"CASE WHEN coalesce({c['category']}, '') = '' THEN 'No category: Facebook needs one.' END", []


def _zero_price(values: Mapping[str, Any]) -> str | None:
    price = values.get("price")
    return "The price is 0." if price is not None and Decimal(price) == 0 else None


def _zero_price_sql(c: Columns) -> Sql:
    return f"CASE WHEN {c['price']} = 0 THEN 'The price is 0.' END", []


def _capitals(values: Mapping[str, Any]) -> str | None:
    title = values.get("title") or ""
    # ``isupper`` first: a title whose letters are all capitals is one (a cheap test
    # that most titles fail, 100,000 times in an import).
    letters = [c for c in title if c.isalpha()] if title.isupper() else ()
    return _CAPITALS if len(letters) >= 4 and all(c.isupper() for c in letters) else None


def _capitals_sql(c: Columns) -> Sql:
    letters = f"regexp_replace(coalesce({c['title']}, ''), '[^[:alpha:]]', '', 'g')"
    return f"CASE WHEN length({letters}) >= 4 AND {letters} !~ '[^[:upper:]]' THEN %s END", [_CAPITALS]


def _prohibited(values: Mapping[str, Any]) -> str | None:
    text = f"{values.get('title') or ''} {values.get('description') or ''}"
    # Most listings name no such word, and a plain search for each in the lowered text
    # is ten times quicker than the pattern (100,000 times in an import). The pattern
    # decides where a word appears, or a character it takes for one of its letters.
    lowered = text.lower()
    if not any(word in lowered for word in PROHIBITED_WORDS) and not any(
        character in text for character in _PROHIBITED_LOOKALIKES
    ):
        return None
    found = sorted({m.group(1).lower() for m in _PROHIBITED_RE.finditer(text)})
    return f"Possibly prohibited item: {', '.join(found)}." if found else None


def _prohibited_sql(c: Columns) -> Sql:
    text = f"coalesce({c['title']}, '') || ' ' || coalesce({c['description']}, '')"
    return (
        "(SELECT 'Possibly prohibited item: ' || string_agg(word, ', ' ORDER BY word) || '.' FROM "  # noqa: S608
        '(SELECT DISTINCT lower(found[1]) COLLATE "C" AS word '
        f"FROM regexp_matches({text}, %s, 'gi') AS found) AS words)",
        [_PROHIBITED_SQL],
    )


def _no_stock(values: Mapping[str, Any]) -> str | None:
    return NO_STOCK_WARNING if values.get("status") == Status.LISTED and values.get("quantity") == 0 else None


def _no_stock_sql(c: Columns) -> Sql:
    sql = f"CASE WHEN {c['status']} = %s AND {c['quantity']} = 0 THEN %s END"
    return sql, [Status.LISTED, NO_STOCK_WARNING]


@dataclass(frozen=True)
class WarningRule:
    """One warning: the fields it reads, the rule in Python and its SQL twin (for the
    set-based writes on PostgreSQL; ``listings/tests/test_warnings_sql.py`` checks
    that the two agree on a table of cases)."""

    kind: WarningKind
    fields: frozenset[str]
    check: Callable[[Mapping[str, Any]], str | None]
    sql: Callable[[Columns], Sql]


# In the order ``listing_warnings`` lists them.
WARNING_RULES = (
    WarningRule(_KIND["unknown_category"], frozenset({"category"}), _unknown_category, _unknown_category_sql),
    WarningRule(_KIND["no_category"], frozenset({"category"}), _no_category, _no_category_sql),
    WarningRule(_KIND["zero_price"], frozenset({"price"}), _zero_price, _zero_price_sql),
    WarningRule(_KIND["capitals"], frozenset({"title"}), _capitals, _capitals_sql),
    WarningRule(_KIND["prohibited"], frozenset({"title", "description"}), _prohibited, _prohibited_sql),
    WarningRule(_KIND["no_stock"], frozenset({"status", "quantity"}), _no_stock, _no_stock_sql),
)
# The fields listing_warnings reads: a change to none of them keeps the warnings.
WARNING_FIELDS = frozenset().union(*(rule.fields for rule in WARNING_RULES))


def listing_warnings(values: Mapping[str, Any]) -> list[str]:
    """Advice on a listing that does not block saving it."""
    return [message for rule in WARNING_RULES if (message := rule.check(values)) is not None]


def warnings_sql(columns: Columns, *, changed: Iterable[str], stored: str) -> Sql:
    """SQL of a listing's warnings (a jsonb array of the messages, as
    ``listing_warnings`` lists them) after a change of the fields ``changed``:
    ``columns`` gives each field's new value. A rule none of whose fields changed
    keeps its message from ``stored`` (the jsonb of the warnings before)."""
    changed = set(changed)
    parts, params = [], []
    for rule in WARNING_RULES:
        if rule.fields.isdisjoint(changed):
            # ``stored`` is the caller's column name; the pattern travels as a parameter.
            kept = f"(SELECT w FROM jsonb_array_elements_text({stored}) AS w WHERE w LIKE %s LIMIT 1)"  # noqa: S608
            parts.append(kept)
            params.append(rule.kind.pattern)
        else:
            sql, rule_params = rule.sql(columns)
            parts.append(sql)
            params += rule_params
    return f"to_jsonb(array_remove(ARRAY[{', '.join(parts)}]::text[], NULL))", params


# --- Price adjust: one rule for the grid, the API, the admin and commands -------

# A cut of 100 % or more would make every price 0; a rise past ×11 is a typo.
PERCENT_MIN = Decimal("-99.99")
PERCENT_MAX = Decimal("1000")
PRICE_ADJUST_KINDS = ("percent", "amount")


def _change_number(name: str, value: Any, low: Decimal, high: Decimal, unit: str) -> Decimal:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput.one(name, f"Enter the {unit} as a number.")
    try:
        # A JSON float arrives as a float: its shortest text (1.005), not its binary value.
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput.one(name, f"“{str(value)[:40]}” is not a number.") from None
    if not number.is_finite() or not low <= number <= high:
        raise InvalidInput.one(name, f"The {unit} must be from {low:,} to {high:,}.")
    if number != number.quantize(CENT):
        raise InvalidInput.one(name, f"The {unit} can have at most 2 decimals.")
    # As typed ("-10", "12.50"), but "1E+2" written out as 100.00.
    return number.quantize(CENT) if number.as_tuple().exponent > 0 else number


def clean_price_change(*, percent: Any = None, amount: Any = None) -> dict[str, Decimal]:
    """``{"percent": p}`` or ``{"amount": a}``: a percent from -99.99 to 1,000 or an
    amount of at most ±PRICE_MAX, each with at most 2 decimals. Raises ``InvalidInput``
    naming the field (``percent``, ``amount``, or ``price_adjust`` for neither/both)."""
    given = {name: value for name, value in (("percent", percent), ("amount", amount)) if value is not None}
    if len(given) != 1:
        raise InvalidInput.one("price_adjust", "Give either a percent or an amount.")
    if "percent" in given:
        return {"percent": _change_number("percent", percent, PERCENT_MIN, PERCENT_MAX, "percentage")}
    return {"amount": _change_number("amount", amount, -PRICE_MAX, PRICE_MAX, "amount")}


# --- Selections: listings named by id ------------------------------------------


def clean_listing_ids(value: Any, field: str = "ids") -> list[int]:
    """Listing ids from a list (of ints or digit strings), at most
    ``settings.SELECTION_MAX_IDS`` of them: the one cap of the grid, the API and
    exports. Whose they are is the selector's business (others' match nothing)."""
    if not isinstance(value, (list, tuple)):
        raise InvalidInput.one(field, "A list of listing ids.")
    ids = []
    for item in value:
        text = item.strip() if isinstance(item, str) else item
        # At most 19 digits before int(): a 5,000-digit string is refused, not converted.
        digits = isinstance(text, str) and 0 < len(text) <= 19 and text.isascii() and text.isdigit()
        number = text if type(text) is int else int(text) if digits else -1
        if not 0 <= number <= MAX_ID:
            raise InvalidInput.one(field, f"“{str(item)[:40]}” is not a listing id.")
        ids.append(number)
    cap = settings.SELECTION_MAX_IDS
    if len(ids) > cap:
        raise InvalidInput.one(
            field, f"Select at most {cap:,} listings one by one ({len(ids):,} sent); use a filter for more."
        )
    return ids
