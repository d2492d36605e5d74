"""Other marketplaces' files (eBay, Shopify, WooCommerce, Meta's catalog) as export
formats: one csv writer over each marketplace's declaration in
``listings.marketplaces`` (its columns and how each carries a listing).

Every text cell goes through ``marketplace.formulas.neutralise_formula``: these
files are opened in spreadsheets before they are uploaded.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from exports.columns import EXPORT_FIELDS
from exports.writers import ExportOptions, Row, batches
from listings.fields import PRIVATE_FIELDS
from listings.marketplaces import FileContext, MarketplaceFile
from marketplace.formulas import neutralise_formula

# What a marketplace's columns may read of a row: never the seller's private fields.
_SHARED = tuple((index, name) for index, name in enumerate(EXPORT_FIELDS) if name not in PRIVATE_FIELDS)


def shared_listing(row: Row) -> dict:
    """A row as the mapping ``listings.marketplaces`` reads, less the private fields."""
    return {name: row[index] for index, name in _SHARED}


def _cell(value) -> object:
    return neutralise_formula(value) if isinstance(value, str) else value


def marketplace_header(marketplace_file: MarketplaceFile, options: ExportOptions) -> bytes:
    """The file's header line (after the byte-order mark if asked for)."""
    buffer = io.StringIO()
    csv.writer(buffer, dialect="excel").writerow(marketplace_file.headers)
    return (("\ufeff" if options.bom else "") + buffer.getvalue()).encode()


def marketplace_writer(
    marketplace_file: MarketplaceFile,
) -> Callable[[Iterable[Row], ExportOptions], Iterator[bytes]]:
    def write(rows: Iterable[Row], options: ExportOptions) -> Iterator[bytes]:
        context = FileContext(currency=options.currency)
        buffer = io.StringIO()
        writer = csv.writer(buffer, dialect="excel")
        writer.writerow(marketplace_file.headers)
        prefix = "\ufeff" if options.bom else ""
        for batch in batches(rows):
            images = options.images([row[0] for row in batch]) if options.images else {}
            for row in batch:
                listing = shared_listing(row)
                listing["images"] = images.get(row[0], ())
                writer.writerows(
                    [_cell(value) for value in cells] for cells in marketplace_file.rows(listing, context)
                )
            yield (prefix + buffer.getvalue()).encode()
            prefix = ""
            buffer.seek(0)
            buffer.truncate()
        if prefix or buffer.tell():
            yield (prefix + buffer.getvalue()).encode()

    write.__doc__ = f"{marketplace_file.label}: its header, then a row per listing."
    return write
