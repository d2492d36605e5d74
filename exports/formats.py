"""The export formats by name: what each file is called and which writer makes it."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from exports.facebook import LISTINGS_PER_FILE, write_facebook
from exports.marketplaces import marketplace_writer
from exports.postgres import copy_csv, copy_facebook, copy_marketplace, copy_text, copy_xlsx
from exports.writers import ExportOptions, Row, write_csv, write_json, write_sql, write_text, write_xlsx
from listings.marketplaces import MARKETPLACE_FILES
from listings.readiness import FACEBOOK, MARKETPLACES

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    extension: str
    content_type: str
    write: Callable[[Iterable[Row], ExportOptions], Iterator[bytes]]
    # At most this many listings per file; more give a zip of files.
    listings_per_file: int | None = None
    # The same file written by PostgreSQL from the listings' query, used there
    # instead of ``write`` for stored listings.
    write_listings: Callable[[QuerySet, ExportOptions], Iterator[bytes]] | None = None

    @property
    def marketplace(self) -> str | None:
        """The marketplace whose readiness rules the file's listings must pass."""
        return self.name if self.name in MARKETPLACES else None

    def is_zipped(self, count: int) -> bool:
        return self.listings_per_file is not None and count > self.listings_per_file

    def file_type(self, count: int) -> tuple[str, str]:
        """``(extension, content type)`` of the download for ``count`` listings."""
        if self.is_zipped(count):
            return "zip", "application/zip"
        return self.extension, self.content_type


FORMATS: dict[str, ExportFormat] = {
    export_format.name: export_format
    for export_format in (
        ExportFormat(
            FACEBOOK,
            "Facebook bulk upload (xlsx)",
            "xlsx",
            XLSX_CONTENT_TYPE,
            write_facebook,
            listings_per_file=LISTINGS_PER_FILE,
            write_listings=copy_facebook,
        ),
        ExportFormat("csv", "CSV", "csv", "text/csv; charset=utf-8", write_csv, write_listings=copy_csv),
        ExportFormat("xlsx", "Excel (xlsx)", "xlsx", XLSX_CONTENT_TYPE, write_xlsx, write_listings=copy_xlsx),
        ExportFormat("json", "JSON", "json", "application/json", write_json),
        ExportFormat(
            "text",
            "Text (tab-separated)",
            "txt",
            "text/plain; charset=utf-8",
            write_text,
            write_listings=copy_text,
        ),
        ExportFormat("sql", "SQL (PostgreSQL script)", "sql", "application/sql; charset=utf-8", write_sql),
        *(
            ExportFormat(
                name,
                spec.label,
                "csv",
                "text/csv; charset=utf-8",
                marketplace_writer(spec),
                write_listings=copy_marketplace(spec),
            )
            for name, spec in MARKETPLACE_FILES.items()
        ),
    )
}
