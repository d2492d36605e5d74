"""Turning the rows of an import's files into listing values, row by row.

Every value goes through ``listings.validation.clean_listing``; this module only
decides which cell feeds which field, what a spreadsheet cell means as text, and
which rows create, update or leave a listing unchanged.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings

from audit.services import field_changes, json_value
from imports.headers import EXTRA, ID, IGNORE, header_key, marketplace_of, value_readers
from imports.models import Import, ImportFile
from imports.readers import FileRejected, Spreadsheet, column_letter, open_spreadsheet
from listings.fields import DESCRIPTION_MAX_LENGTH, LISTING_FIELDS, STORED_FIELDS
from listings.marketplaces import MarketplaceFile
from listings.models import Listing
from listings.skus import sku_holders, sku_key, sku_repeated_message, sku_taken_message
from listings.validation import check_sold_at, clean_listing, clean_listing_and_sale_date, listing_warnings
from marketplace.errors import REQUIRED, FieldError, InvalidInput
from marketplace.input import unstorable_reason
from marketplace.memory import cycle_collection_paused

PREVIEW_ROWS = 50
# Invalid rows past the first PREVIEW_ROWS also kept in the preview, so the seller can
# fix them there.
FIXABLE_ROWS = 200
# Rows are checked in chunks so that, when updating, the matching listings are
# fetched with one query per chunk.
CHUNK_ROWS = 2000
PROGRESS_EVERY = 1000
# Columns kept in ``extra`` hold at most what a description may.
EXTRA_MAX_LENGTH = DESCRIPTION_MAX_LENGTH
NEW, UPDATED, UNCHANGED, INVALID = "new", "updated", "unchanged", "invalid"
_TEMPORAL = (datetime, date, time, timedelta)


@dataclass
class RowError:
    file: str
    row: int | None
    column: str | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.message}"


@dataclass
class RowResult:
    file: str
    row: int
    status: str
    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    listing_id: int | None = None
    errors: list[RowError] = field(default_factory=list)
    # What the row's cells say, as text, for the fields it maps: an invalid row's
    # cells are offered for correction with these.
    typed: dict[str, str] = field(default_factory=dict)
    file_position: int = 0

    def as_preview(self) -> dict[str, Any]:
        preview = {
            "file": self.file,
            "file_position": self.file_position,
            "row": self.row,
            "status": self.status,
            "id": self.listing_id,
            "values": {name: json_value(value) for name, value in self.values.items()},
            "extra": self.extra,
            "errors": [error.as_dict() for error in self.errors],
        }
        if self.status == INVALID:
            preview["typed"] = self.typed
        return preview


@dataclass
class Checked:
    """What validating an import found; ``creates`` and ``updates`` only when kept."""

    counts: dict[str, int]
    errors: list[RowError]
    preview: list[dict[str, Any]]
    # (*LISTING_FIELDS, extra, warnings, sold_at): ``imports.writing.new_listings``
    creates: Iterable[tuple] = field(default_factory=list)
    # listing id -> the full new field values
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)


def load(import_file: ImportFile) -> Spreadsheet:
    with import_file.file.open("rb") as stream:
        data = stream.read()
    return open_spreadsheet(import_file.original_name, data)


@cycle_collection_paused()
def check_import(
    upload: Import,
    *,
    files: Sequence[ImportFile] | None = None,
    spreadsheets: Callable[[ImportFile], Spreadsheet] = load,
    keep_rows: bool = False,
    creates: Any = None,
    on_progress: Callable[[int], None] | None = None,
) -> Checked:
    """Validate every row of every file of ``upload`` (or of ``files``, not yet saved);
    raise ``FileRejected`` for a problem with a whole file (over the row limit, no rows).

    With ``keep_rows`` the rows to write are kept: new ones appended to ``creates``
    (a list unless given, e.g. a file that stages them), updates in ``updates``."""
    files = list(upload.files.all()) if files is None else list(files)
    opened = {id(f): spreadsheets(f) for f in files}
    _check_row_limit(files, opened)
    template_defaults = _template_defaults(upload)
    counts = {"rows": 0, NEW: 0, UPDATED: 0, UNCHANGED: 0, INVALID: 0}
    result = Checked(counts=counts, errors=[], preview=[], creates=[] if creates is None else creates)
    seen_ids: set[int] = set()
    seen_skus: dict[str, str] = {}
    fixable = 0
    for import_file in files:
        rows_in_file = 0
        fixes = fixes_of_file(upload, import_file)
        for chunk in _chunks(_sheet_rows(import_file, opened[id(import_file)], fixes)):
            for row in _resolve(upload, chunk, template_defaults, seen_ids, seen_skus):
                rows_in_file += 1
                counts["rows"] += 1
                counts[row.status] += 1
                result.errors.extend(row.errors)
                if counts["rows"] <= PREVIEW_ROWS:
                    result.preview.append(row.as_preview())
                elif row.status == INVALID and fixable < FIXABLE_ROWS:
                    fixable += 1
                    result.preview.append(row.as_preview())
                if keep_rows:
                    _keep(result, row)
                if on_progress and counts["rows"] % PROGRESS_EVERY == 0:
                    on_progress(counts["rows"])
        if not rows_in_file:
            raise FileRejected(
                f"{import_file.original_name}: sheet “{import_file.sheet}” has no rows under its header "
                f"(row {import_file.header_row + 1})."
            )
    return result


def _keep(result: Checked, row: RowResult) -> None:
    if row.status == NEW:
        values = row.values
        result.creates.append(
            (
                *(values[name] for name in LISTING_FIELDS),
                row.extra,
                listing_warnings(values),
                values.get("sold_at"),
            )
        )
    elif row.status == UPDATED:
        result.updates[row.listing_id] = row.values


def _check_row_limit(files: Sequence[ImportFile], opened: Mapping[int, Spreadsheet]) -> None:
    limit = settings.IMPORT_MAX_ROWS
    total = 0
    for import_file in files:
        total += max(0, opened[id(import_file)].height(import_file.sheet) - import_file.header_row - 1)
        if total > limit:
            raise FileRejected(
                f"{import_file.original_name} brings the import to {total:,} rows; "
                f"the most one import takes is {limit:,}."
            )


def _template_defaults(upload: Import) -> dict[str, Any]:
    if upload.template is None:
        return {}
    return clean_listing(upload.template.defaults, partial=True)


@dataclass
class _RawRow:
    file: ImportFile
    number: int
    data: dict[str, Any]
    extra: dict[str, Any]
    listing_id: Any
    errors: list[RowError]


def fix_key(import_file: ImportFile, row: int) -> str:
    return f"{import_file.position}:{row}"


def fixes_of_file(upload: Import, import_file: ImportFile) -> dict[int, dict[str, str]]:
    """The corrections typed in the preview for this file's rows: row -> field -> text."""
    prefix = f"{import_file.position}:"
    return {
        int(key.removeprefix(prefix)): values
        for key, values in (upload.fixes or {}).items()
        if key.startswith(prefix)
    }


def _sheet_rows(
    import_file: ImportFile, spreadsheet: Spreadsheet, fixes: Mapping[int, Mapping[str, str]]
) -> Iterator[_RawRow]:
    """The data rows under the header, blank rows skipped, cells sorted by target;
    a field corrected in the preview (``fixes``) reads as corrected."""
    columns = [
        (column, target, _column_label(import_file.headers, column))
        for column, target in enumerate(import_file.mapping)
        if target != IGNORE
    ]
    formulas = spreadsheet.uncached_formulas.get(import_file.sheet, {})
    formula_rows = {row for row, _ in formulas}
    # A marketplace's file: its values read as ours, and (Shopify) the further-image
    # rows under a product, which have no title, belong to the row above.
    readers = value_readers(import_file.headers)
    marketplace_file = marketplace_of(import_file.headers)
    title_column = import_file.mapping.index("title") if "title" in import_file.mapping else None
    if marketplace_file is None or marketplace_file.image_rows is None:
        title_column = None
    # Those rows' image URL joins the product's, in its extra column ("Image Src").
    image_column = _image_row_column(import_file, marketplace_file)
    product: _RawRow | None = None
    name = import_file.original_name
    header_row = import_file.header_row
    for index, cells in enumerate(spreadsheet.rows(import_file.sheet)):
        if index <= header_row:
            continue
        number = index + 1
        # A row of unsaved formulas reads as blank, but is not.
        if not (any(cells) and any(map(_is_filled, cells))) and number not in formula_rows:
            continue
        width = len(cells)
        if title_column is not None and not _is_filled(cells[title_column] if title_column < width else ""):
            if product is not None and image_column is not None and image_column < width:
                _add_image(product, import_file, image_column, cells[image_column])
            continue
        if product is not None:
            yield product
            product = None
        raw = _RawRow(import_file, number, {}, {}, None, [])
        for column, target, label in columns:
            value = cells[column] if column < width else ""
            if column in readers and _is_filled(value):
                value = readers[column](value)
            # Refused here, at preview: the database would refuse it at commit.
            if isinstance(value, str) and (reason := unstorable_reason(value)):
                field_name = None if target in (ID, EXTRA) else target
                raw.errors.append(RowError(name, number, label, field_name, reason))
            elif number in formula_rows and (number, column) in formulas and not _is_filled(value):
                raw.errors.append(
                    RowError(name, number, label, target, _formula_message(formulas[(number, column)]))
                )
            elif target == ID:
                raw.listing_id = value
            elif target == EXTRA:
                if _is_filled(value):
                    text = _cell_text(value)
                    if len(text) > EXTRA_MAX_LENGTH:
                        message = (
                            f"the cell has {len(text):,} characters; the most kept is {EXTRA_MAX_LENGTH:,}."
                        )
                        raw.errors.append(RowError(name, number, label, None, message))
                    else:
                        raw.extra[label] = text
            elif target == "price" and isinstance(value, _TEMPORAL):
                message = f"“{value}” is a date or time, not a price."
                raw.errors.append(RowError(name, number, label, target, message))
            elif target == "offer_shipping":
                raw.data[target] = value
            elif _is_filled(value):
                raw.data[target] = value if target == "price" or type(value) is str else _cell_text(value)
        if number in fixes:
            corrected = fixes[number]
            raw.data.update(corrected)
            raw.errors = [error for error in raw.errors if error.field not in corrected]
        if image_column is None:
            yield raw
        else:
            # Held until the next product: the image rows below it are its own.
            product = raw
    if product is not None:
        yield product


def _image_row_column(import_file: ImportFile, marketplace_file: MarketplaceFile | None) -> int | None:
    """The column index of a Shopify file's image, when it is kept as an extra column."""
    if marketplace_file is None or marketplace_file.image_row_column is None:
        return None
    for column, header in enumerate(import_file.headers):
        if header_key(header) == header_key(marketplace_file.image_row_column):
            return column if import_file.mapping[column] == EXTRA else None
    return None


def _add_image(product: _RawRow, import_file: ImportFile, column: int, value: Any) -> None:
    """A further image of the product above: its URL after the product's, space-separated."""
    url = _cell_text(value).strip() if _is_filled(value) else ""
    if not url or unstorable_reason(url):
        return
    label = _column_label(import_file.headers, column)
    joined = " ".join(filter(None, (product.extra.get(label, ""), url)))
    if len(joined) <= EXTRA_MAX_LENGTH:
        product.extra[label] = joined


def _formula_message(formula: str) -> str:
    return (
        f"the formula ={formula[:60]} has no saved result; open the file in Excel or LibreOffice, save it, "
        "and upload it again (formulas are not calculated on import)."
    )


def _column_label(headers: Sequence[str], column: int) -> str:
    header = headers[column] if column < len(headers) else ""
    return header or f"column {column_letter(column)}"


def _is_filled(value: Any) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip()))


def _cell_text(value: Any) -> str:
    """A cell as text: spreadsheets turn "1984" into 1984.0 and "Jan 5" into a date."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _chunks(rows: Iterator[_RawRow]) -> Iterator[list[_RawRow]]:
    chunk: list[_RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _listing_id(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        value = int(value)
    number = int(str(value).strip())
    if number < 1:
        raise ValueError
    return number


def _resolve(
    upload: Import,
    chunk: list[_RawRow],
    template_defaults: Mapping[str, Any],
    seen_ids: set[int],
    seen_skus: dict[str, str],
) -> list[RowResult]:
    """Clean each row of ``chunk`` and decide whether it creates, updates or changes
    nothing. When updating, a row without a listing id updates the listing whose SKU
    it gives (``seen_ids``: listings an earlier row updates; ``seen_skus``: the SKUs
    of earlier rows, and where)."""
    updating = upload.mode == Import.Mode.UPDATE_MATCHING
    by_sku = _listings_by_sku(upload, chunk) if updating else {}
    results: list[RowResult] = []
    wanted: dict[int, tuple[RowResult, str, _RawRow]] = {}
    for raw in chunk:
        result = RowResult(
            raw.file.original_name,
            raw.number,
            NEW,
            extra=raw.extra,
            errors=list(raw.errors),
            file_position=raw.file.position,
        )
        # Only an update names a listing (a create never reports an id).
        id_label = _label_for(raw.file, ID) if updating else ID
        listing_id = None
        if updating and _is_filled(raw.listing_id):
            try:
                listing_id = _listing_id(raw.listing_id)
            except (TypeError, ValueError):
                message = f"“{str(raw.listing_id)[:40]}” is not a listing id."
                result.errors.append(RowError(result.file, raw.number, id_label, ID, message))
        elif id(raw) in by_sku:
            listing_id = by_sku[id(raw)]
            id_label = _label_for(raw.file, "sku")
        data = dict(raw.data)
        if listing_id is None:
            for name, default in template_defaults.items():
                if not _is_filled(data.get(name)):
                    data[name] = default
            data = {k: v for k, v in data.items() if k != "offer_shipping" or _is_filled(v)}
        else:
            # Updating: an empty cell leaves the listing's value as it is.
            data = {k: v for k, v in data.items() if _is_filled(v)}
        try:
            result.values = clean_listing_and_sale_date(data, partial=listing_id is not None)
        except InvalidInput as exc:
            # A field already reported (a date as a price) is not also "required".
            reported = {error.field for error in raw.errors}
            result.errors += [_row_error(raw, error) for error in exc.errors if error.field not in reported]
        if listing_id is not None:
            result.listing_id = listing_id
            if listing_id in seen_ids:
                message = f"listing {listing_id} is already updated by an earlier row of this import."
                result.errors.append(RowError(result.file, raw.number, id_label, ID, message))
            else:
                seen_ids.add(listing_id)
                wanted[listing_id] = (result, id_label, raw)
        results.append(result)
    existing = _existing_values(upload, list(wanted))
    for listing_id, (result, id_label, raw) in wanted.items():
        current = existing.get(listing_id)
        if current is None:
            message = f"you have no listing with id {listing_id}."
            result.errors.append(RowError(result.file, result.row, id_label, ID, message))
        elif not result.errors:
            values = _with_sold_at_of(current, result.values)
            try:
                check_sold_at(values)
            except InvalidInput as exc:
                result.errors += [_row_error(raw, error) for error in exc.errors]
                continue
            changed = field_changes(current, values)
            result.values = values
            result.status = UPDATED if changed else UNCHANGED
    _check_skus(upload, list(zip(chunk, results, strict=True)), seen_skus)
    for raw, result in zip(chunk, results, strict=True):
        if result.errors:
            result.status = INVALID
            # Offered for correction in the preview; valid rows never show them.
            result.typed = {name: _cell_text(value) for name, value in raw.data.items() if _is_filled(value)}
    return results


def _with_sold_at_of(current: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The listing as an update leaves it. A sale's date the row does not give is left
    to the write path (kept, set or cleared by the status); one it gives to the second,
    as our files write it, that the listing already has changes nothing."""
    merged = {**current, **values}
    given = values.get("sold_at")
    if given is None:
        del merged["sold_at"]
    elif current["sold_at"] is not None and current["sold_at"].replace(microsecond=0) == given:
        merged["sold_at"] = current["sold_at"]
    return merged


def _listings_by_sku(upload: Import, chunk: list[_RawRow]) -> dict[int, int]:
    """``{id(raw row): listing id}`` for the rows without a listing id whose SKU is one
    of the owner's listings'."""
    skus = {
        id(raw): _cell_text(raw.data["sku"]).strip()
        for raw in chunk
        if not _is_filled(raw.listing_id) and _is_filled(raw.data.get("sku"))
    }
    holders = sku_holders(upload.owner_id, skus.values())
    return {key: holders[sku_key(sku)][0] for key, sku in skus.items() if sku_key(sku) in holders}


def _check_skus(upload: Import, rows: list[tuple[_RawRow, RowResult]], seen_skus: dict[str, str]) -> None:
    """A row error for a SKU an earlier row gives, or another listing of the owner holds."""
    valid = [(raw, result) for raw, result in rows if not result.errors and result.values.get("sku")]
    holders = sku_holders(upload.owner_id, (result.values["sku"] for _, result in valid))
    for raw, result in valid:
        sku = result.values["sku"]
        key = sku_key(sku)
        holder = holders.get(key)
        where = f"row {result.row} of {result.file}"
        if key in seen_skus:
            message = sku_repeated_message(sku, seen_skus[key])
        elif holder is not None and holder[0] != result.listing_id:
            message = sku_taken_message(sku, holder)
        else:
            seen_skus[key] = where
            continue
        result.errors.append(RowError(result.file, result.row, _label_for(raw.file, "sku"), "sku", message))


def _label_for(import_file: ImportFile, target: str) -> str:
    for column, mapped in enumerate(import_file.mapping):
        if mapped == target:
            return _column_label(import_file.headers, column)
    return target


def _row_error(raw: _RawRow, error: FieldError) -> RowError:
    message = error.message
    if error.code == REQUIRED:
        # Say which of the two it is: an empty cell, or no column for the field at all.
        field_name = error.field.replace("_", " ")
        if error.field in raw.file.mapping:
            message = f"the cell is empty; every listing needs a {field_name}."
        else:
            message = f"no column holds the {field_name}; map one in the preview."
    return RowError(
        raw.file.original_name, raw.number, _label_for(raw.file, error.field), error.field, message
    )


def _existing_values(upload: Import, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = Listing.objects.filter(owner_id=upload.owner_id, pk__in=ids).values("id", *STORED_FIELDS)
    return {row.pop("id"): row for row in rows}
