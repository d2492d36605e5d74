"""The files PostgreSQL writes are the Python writers' files, byte for byte."""

import io
import uuid
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

import pytest

from exports.facebook import write_facebook
from exports.formats import FORMATS
from exports.marketplaces import marketplace_writer
from exports.postgres import (
    _copy_chunks,
    _crlf_outside_quotes,
    copy_csv,
    copy_facebook,
    copy_marketplace,
    copy_text,
    copy_xlsx,
)
from exports.selectors import export_rows, listings_for_export
from exports.services import listings_export
from exports.tests.conftest import HOSTILE_STRINGS
from exports.writers import ExportOptions, write_csv, write_text, write_xlsx
from listings.marketplaces import MARKETPLACE_FILES
from listings.tests.factories import ListingFactory
from photos.links import published_photo_links, published_photo_urls
from photos.models import ListingPhoto
from photos.services import photo_links_publish
from photos.tests.factories import PhotoFactory
from photos.worker import photo_link_tokens_refresh

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

FORMULAS = ("=SUM(A1:A9)", "+1", "-1", "@cmd", "\tlead tab", "\rlead return")


@pytest.fixture
def awkward(owner, other_user):
    """Every hostile string and formula trigger in every text column, empty
    optional fields, both shipping flags, and a listing of someone else."""
    texts = (*HOSTILE_STRINGS, *FORMULAS, "\\N", '"', "a,b", "\n")
    for number, text in enumerate(texts):
        ListingFactory(
            owner=owner,
            title=text,
            price=Decimal(number) / 4,
            description=text if number % 3 else "",
            category=text if number % 2 else "",
            offer_shipping=bool(number % 2),
            # The inventory columns: a note, a SKU, sold with and without a price.
            status="sold" if number % 4 == 1 else "ready",
            sku=f"S-{number}" if number % 2 else "",
            quantity=number,
            notes=text if number % 2 else "",
            sold_at=datetime(2026, 11, 30, 9, 15, number, 999999, tzinfo=UTC) if number % 4 == 1 else None,
            sold_price=Decimal(number) / 3 if number % 8 == 1 else None,
        )
    ListingFactory(owner=other_user, title="Not mine")


@pytest.mark.parametrize(
    "copy_writer, python_writer",
    [(copy_csv, write_csv), (copy_text, write_text), (copy_xlsx, write_xlsx)],
    ids=["csv", "text", "xlsx"],
)
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("ordering", ["", "-title", "price"])
def test_copy_writes_the_python_writers_bytes(awkward, owner, copy_writer, python_writer, bom, ordering):
    options = ExportOptions(bom=bom)
    listings = listings_for_export(owner, ordering=ordering)
    written = b"".join(copy_writer(listings, options))
    assert written == b"".join(python_writer(export_rows(listings), options))
    assert b"Not mine" not in written
    if python_writer is not write_xlsx:
        assert written.count(b"\n") > len(HOSTILE_STRINGS)


def test_copy_with_a_search_and_no_match(awkward, owner):
    searched = listings_for_export(owner, filters={"q": "percent %s"})
    assert b"".join(copy_csv(searched, ExportOptions())) == b"".join(
        write_csv(export_rows(searched), ExportOptions())
    )
    assert b"percent %s %% and {braces}" in b"".join(copy_csv(searched, ExportOptions()))
    nothing = listings_for_export(owner, filters={"q": "no such words"})
    assert b"".join(copy_text(nothing, ExportOptions(bom=True))) == b"".join(
        write_text(iter([]), ExportOptions(bom=True))
    )


def test_export_of_stored_listings_goes_through_copy(awkward, owner, django_assert_num_queries):
    export = listings_export(listings=listings_for_export(owner), export_format=FORMATS["csv"], actor=owner)
    # COPY is not a query Django sees: reading the file runs none but the savepoint of
    # its transaction (its settings are set through psycopg's own cursor).
    with django_assert_num_queries(2) as queries:
        data = b"".join(export.chunks)
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["SAVEPOINT", "RELEASE"]
    assert data.startswith(b"ID,TITLE,PRICE,")


def test_an_export_statement_runs_without_jit_and_with_its_own_settings():
    statement = "COPY (SELECT current_setting('jit'), current_setting('photos.test')) TO STDOUT"
    assert b"".join(_copy_chunks(statement, [], {"photos.test": "set"})) == b"off\tset\n"


def test_line_ends_become_crlf_only_outside_quoted_values():
    chunks = [b'1,"two\nlines, ""quoted', b'"" and\nmore",x\n2,', b'plain,"\n"\n']
    assert b"".join(_crlf_outside_quotes(iter(chunks))) == (
        b'1,"two\nlines, ""quoted"" and\nmore",x\r\n2,plain,"\n"\r\n'
    )


@pytest.mark.parametrize("count", [0, 3, 50, 120])
def test_copy_writes_the_python_facebook_workbooks(owner, other_user, count):
    for number in range(count):
        text = HOSTILE_STRINGS[number % len(HOSTILE_STRINGS)]
        ListingFactory(owner=owner, title=text[:150], price=Decimal(number) / 2, description=text)
    ListingFactory(owner=other_user, title="Not mine")
    listings = listings_for_export(owner, ordering="-title")
    options = ExportOptions(zipped=count > 50)
    written = b"".join(copy_facebook(listings, options))
    expected = b"".join(write_facebook(export_rows(listings), options))
    if count <= 50:
        assert written == expected
        return
    copied, made = (zipfile.ZipFile(io.BytesIO(data)) for data in (written, expected))
    assert copied.namelist() == made.namelist() == [f"{options.stem}-{n:03d}.xlsx" for n in (1, 2, 3)]
    assert [copied.read(name) for name in copied.namelist()] == [made.read(name) for name in made.namelist()]


@pytest.mark.parametrize("name", sorted(MARKETPLACE_FILES))
@pytest.mark.parametrize("bom", [False, True])
def test_copy_writes_the_python_marketplace_files(awkward, owner, name, bom):
    ListingFactory(owner=owner, title="Draft 😀 lamp", status="draft", quantity=0, category=" A // B, c //")
    # Shopify's handle: the two characters whose Python lowercase holds an ASCII letter.
    ListingFactory(owner=owner, title="İstanbul \u212aettle --", category="A///B")
    # WooCommerce's categories: paths split and joined as they are, and paths to trim.
    for category in ("A//B, c", "//A////B//", "A//", "//A", "A/////B", "A// //B", "A\u3000//B", "A//\u2028B"):
        ListingFactory(owner=owner, title=f"Path {category}", category=category)
    options = ExportOptions(bom=bom, currency="EUR")
    listings = listings_for_export(owner, ordering="-title")
    written = b"".join(copy_marketplace(MARKETPLACE_FILES[name])(listings, options))
    assert written == b"".join(marketplace_writer(MARKETPLACE_FILES[name])(export_rows(listings), options))
    assert b"Not mine" not in written
    assert written.count(b"\r\n") > len(HOSTILE_STRINGS)


@pytest.mark.parametrize("name", sorted(MARKETPLACE_FILES))
def test_copy_writes_the_python_marketplace_files_with_photo_links(awkward, owner, other_user, name):
    listings = list(listings_for_export(owner, ordering="title"))
    # None, one and three ready photos; a photo not ready and one removed are not linked.
    for listing, count in zip(listings, (0, 1, 3) * len(listings), strict=False):
        for position in range(count):
            PhotoFactory(listing=listing, position=position)
    PhotoFactory(listing=listings[0], status=ListingPhoto.Status.PROCESSING)
    PhotoFactory(listing=listings[1], removed_batch=uuid.uuid4())
    PhotoFactory(listing=ListingFactory(owner=other_user, title="Not mine either"))
    photo_links_publish(owner=owner)
    base_url = "https://bulk.example.com/"
    options = ExportOptions(
        images=partial(published_photo_urls, owner, base_url=base_url),
        image_links=published_photo_links(owner, base_url),
    )
    listings = listings_for_export(owner, ordering="-title")
    written = b"".join(copy_marketplace(MARKETPLACE_FILES[name])(listings, options))
    assert written == b"".join(marketplace_writer(MARKETPLACE_FILES[name])(export_rows(listings), options))
    assert written.count(b"https://bulk.example.com/") >= len(listings) // 3 * 4
    # The same file once the worker has kept the tokens (read, not signed).
    assert (
        photo_link_tokens_refresh(owner_id=owner.pk)
        == ListingPhoto.objects.filter(owner=owner, status=ListingPhoto.Status.READY).count()
    )
    assert b"".join(copy_marketplace(MARKETPLACE_FILES[name])(listings, options)) == written
