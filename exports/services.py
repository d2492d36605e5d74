"""Exporting listings: count, audit, and hand back the file as a stream of bytes."""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from exports.formats import ExportFormat
from exports.selectors import export_rows
from exports.writers import ExportOptions, Row
from listings.models import Listing
from listings.readiness import Readiness, not_ready_q, readiness
from photos.links import PhotoLinksSql, published_photo_links, published_photo_urls
from photos.selectors import display_photos

FILENAME_PREFIX = "marketplace-listings"
# An export is not stored, so its audit entries have a type of their own and no id.
EXPORT_TYPE = "exports.export"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    count: int
    # Lazy: the listings are read and written while the response is sent.
    chunks: Iterator[bytes]
    # A marketplace's file of ready listings only: the ones it left out, and why.
    left_out: Readiness | None = None


def export_stem() -> str:
    """``marketplace-listings-YYYYMMDD-HHMMSS``, in the site's time zone."""
    return f"{FILENAME_PREFIX}-{timezone.localtime():%Y%m%d-%H%M%S}"


@transaction.atomic
def listings_export(
    *,
    listings: QuerySet[Listing],
    export_format: ExportFormat,
    actor: User,
    bom: bool = False,
    include_all: bool = False,
    photos: bool = False,
    base_url: str = "",
) -> ExportFile:
    """Export ``listings`` (already scoped to ``actor`` and ordered) as ``export_format``;
    a marketplace's file holds only the listings ready for it unless ``include_all``,
    and its image columns the seller's published photo links under ``base_url``.
    ``photos`` (Facebook's file only) bundles the listings' photos with the files.

    The audit entry is written now, while the request's context (ip, path) is known;
    the rows are streamed later, so it records the number of listings counted here."""
    left_out = None
    if export_format.marketplace and not include_all:
        left_out = readiness(listings, export_format.marketplace, actor)
        listings = listings.exclude(not_ready_q(export_format.marketplace, actor))
        count = left_out.ready
    else:
        count = listings.count()
    if export_format.write_listings is not None and connection.vendor == "postgresql":
        write = partial(export_format.write_listings, listings)
    else:
        write = partial(export_format.write, export_rows(listings))
    # The seller's published photo links: read in batches by the Python writers, in
    # the query by PostgreSQL's.
    image_links = published_photo_links(actor, base_url) if export_format.marketplace else None
    return _export_file(
        write=write,
        count=count,
        export_format=export_format,
        actor=actor,
        bom=bom,
        left_out=left_out,
        photos=photos,
        images=partial(published_photo_urls, actor, base_url=base_url) if image_links is not None else None,
        image_links=image_links,
    )


@transaction.atomic
def rows_export(*, rows: Sequence[Row], export_format: ExportFormat, actor: User) -> ExportFile:
    """Export listings a client sends (cleaned by ``listings.validation``, not stored)."""
    return _export_file(
        write=partial(export_format.write, iter(rows)),
        count=len(rows),
        export_format=export_format,
        actor=actor,
        given=True,
    )


def _export_file(
    *,
    write: Callable[[ExportOptions], Iterator[bytes]],
    count: int,
    export_format: ExportFormat,
    actor: User,
    bom: bool = False,
    given=False,
    left_out: Readiness | None = None,
    photos: bool = False,
    images: Callable[[Sequence[int]], Mapping[int, Sequence[str]]] | None = None,
    image_links: PhotoLinksSql | None = None,
) -> ExportFile:
    changes = {
        "format": export_format.name,
        "count": count,
        **({"given": True} if given else {}),
        **({"photos": True} if photos else {}),
        **({"left_out": left_out.not_ready} if left_out and left_out.not_ready else {}),
    }
    audit_record(actor=actor, action="listing.export", object_type=EXPORT_TYPE, changes=changes)
    stem = export_stem()
    extension, content_type = ("zip", "application/zip") if photos else export_format.file_type(count)
    options = ExportOptions(
        bom=bom,
        zipped=photos or export_format.is_zipped(count),
        stem=stem,
        currency=actor.currency,
        photos=partial(display_photos, actor) if photos else None,
        images=images,
        image_links=image_links,
    )
    return ExportFile(
        filename=f"{stem}.{extension}",
        content_type=content_type,
        count=count,
        chunks=write(options),
        left_out=left_out,
    )
