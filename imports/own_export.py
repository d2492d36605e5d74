"""Whether an uploaded file is an export of the seller's own listings (csv, xlsx and
text exports carry the listing id first), so the import offers to update them rather
than to create duplicates."""

from collections.abc import Callable, Sequence

from accounts.models import User
from imports.headers import ID
from imports.models import ImportFile
from imports.readers import Spreadsheet
from listings.models import Listing
from marketplace.input import whole_number

# Ids looked at: enough to tell an export from a sheet that happens to have numbers.
SAMPLE_IDS = 200


def _sample_ids(import_file: ImportFile, spreadsheet: Spreadsheet) -> list[str] | None:
    column = import_file.mapping.index(ID)
    ids = []
    for index, cells in enumerate(spreadsheet.rows(import_file.sheet)):
        if index <= import_file.header_row or column >= len(cells):
            continue
        value = cells[column]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value if value is not None else "").strip()
        if text:
            ids.append(text)
        if len(ids) >= SAMPLE_IDS:
            break
    return ids


def names_own_listings(
    owner: User, files: Sequence[ImportFile], spreadsheets: Callable[[ImportFile], Spreadsheet]
) -> bool:
    """Every file maps an id column, and the first ids in it are all listings of ``owner``."""
    wanted: set[int] = set()
    for import_file in files:
        if ID not in import_file.mapping:
            return False
        ids = [whole_number(text) for text in _sample_ids(import_file, spreadsheets(import_file)) or ()]
        if not ids or None in ids:
            return False
        wanted.update(ids)
    return bool(wanted) and Listing.objects.filter(owner=owner, pk__in=wanted).count() == len(wanted)
