"""Files an import must refuse: each a clear 4xx naming what is wrong, nothing written,
and the server still answering afterwards."""

import io
import zipfile
from datetime import datetime

import pytest
from python_calamine import CalamineWorkbook, XmlError
from rest_framework.test import APIClient

from imports import readers
from imports.models import Import
from imports.tests.import_files import rezip, upload, xlsx_bytes
from listings.models import Listing

pytestmark = pytest.mark.django_db

HEADER = ["Title", "Price", "Condition"]
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Title</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Price</t></is></c></row>'
)
GOOD = xlsx_bytes([HEADER, ["Chair", 10, "New"]])
XXE_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    + HEADER_ROW
    + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&secret;</t></is></c><c r="B2"><v>5</v></c></row>'
    b"</sheetData></worksheet>"
)


@pytest.fixture
def client(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def post_file(client, name, data):
    return client.post("/api/imports/", {"file": upload(name, data)}, format="multipart")


def assert_refused(client, response, *fragments):
    assert response.status_code == 400, response.content
    body = response.json()
    for fragment in fragments:
        assert fragment in body["detail"], body
    assert body["errors"] and body["errors"][0]["message"]
    assert Listing.objects.count() == 0
    assert Import.objects.count() == 0
    # The server is fine: the next request, and a good file, still work.
    assert client.get("/api/imports/").status_code == 200
    assert post_file(client, "good.xlsx", GOOD).status_code == 201


def bomb_xlsx() -> bytes:
    """A real xlsx whose sheet inflates from about 100 KB to 100 MB."""
    padding = b" " * 100_000_000
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + padding
        + b"</sheetData></worksheet>"
    )
    return rezip(GOOD, {"xl/worksheets/sheet1.xml": sheet})


def test_empty_file(client):
    assert_refused(client, post_file(client, "empty.xlsx", b""), "empty.xlsx is empty.")


def test_non_spreadsheet_renamed_to_xlsx(client):
    response = post_file(client, "invoice.xlsx", b"%PDF-1.7\n1 0 obj << >> endobj\n")
    assert_refused(
        client, response, "invoice.xlsx is a PDF, not a spreadsheet. A PDF catalog or price list is read on"
    )


def test_plain_text_renamed_to_xlsx(client):
    response = post_file(client, "notes.xlsx", b"Title,Price\nChair,10\n")
    assert_refused(client, response, "notes.xlsx is not a spreadsheet: its content is plain text")


def test_truncated_zip(client):
    assert_refused(
        client, post_file(client, "cut.xlsx", GOOD[: len(GOOD) // 2]), "cut.xlsx is a damaged zip archive"
    )


def test_zip_with_corrupted_member(client):
    archive = zipfile.ZipFile(io.BytesIO(GOOD))
    member = archive.getinfo("xl/worksheets/sheet1.xml")
    # Flip bytes inside the member's compressed data; the central directory stays intact.
    start = member.header_offset + 30 + len(member.filename) + 10
    damaged = bytearray(GOOD)
    for offset in range(start, start + 20):
        damaged[offset] ^= 0xFF
    assert_refused(client, post_file(client, "bad.xlsx", bytes(damaged)), "bad.xlsx is a damaged zip archive")


def test_zip_bomb_is_refused_before_calamine_reads_it(client, monkeypatch):
    data = bomb_xlsx()
    assert len(data) < 1_000_000

    class NeverOpened:
        @staticmethod
        def from_filelike(*args, **kwargs):
            raise AssertionError("calamine was given a zip bomb")

    monkeypatch.setattr(readers, "CalamineWorkbook", NeverOpened)
    response = post_file(client, "bomb.xlsx", data)
    monkeypatch.undo()
    assert_refused(client, response, "refused as a possible zip bomb")


def test_zip_past_the_unpacked_size_limit(client, settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 2000
    response = post_file(client, "big.xlsx", GOOD)
    settings.IMPORT_MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
    assert_refused(client, response, "big.xlsx unpacks to", "the most allowed is")


def test_xml_external_entity_is_refused(client):
    data = rezip(GOOD, {"xl/worksheets/sheet1.xml": XXE_SHEET})
    assert_refused(client, post_file(client, "xxe.xlsx", data), "declares XML entities (a DOCTYPE)")


def test_calamine_on_its_own_does_not_resolve_external_entities():
    """Defence in depth: even without our DOCTYPE refusal, the entity is not expanded."""
    data = rezip(GOOD, {"xl/worksheets/sheet1.xml": XXE_SHEET})
    secret = open("/etc/passwd").read().split(":")[0]  # noqa: SIM115 - "root"
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = [str(cell) for row in workbook.get_sheet_by_index(0).iter_rows() for cell in row]
    except XmlError as exc:
        # What calamine 0.9 does: the entity is unknown to it, the sheet is refused.
        assert "entity" in str(exc)
        cells = [str(exc)]
    assert not any(f"{secret}:x:0:0" in cell for cell in cells), cells


def test_file_over_the_size_limit(client, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = post_file(client, "large.xlsx", GOOD)
    settings.IMPORT_MAX_BYTES = 50 * 1024 * 1024
    assert_refused(client, response, "large.xlsx is", "the most an import takes is 0.0 MB")


def test_file_over_the_row_limit(client, settings):
    settings.IMPORT_MAX_ROWS = 5
    response = post_file(
        client, "rows.xlsx", xlsx_bytes([HEADER, *[[f"Chair {i}", i, "New"] for i in range(6)]])
    )
    settings.IMPORT_MAX_ROWS = 200_000
    assert_refused(client, response, "rows.xlsx brings the import to 6 rows; the most one import takes is 5.")


def test_no_title_column(client):
    response = post_file(client, "prices.xlsx", xlsx_bytes([["Price", "Condition"], [10, "New"]]))
    assert_refused(client, response, "prices.xlsx: no title column in any sheet")


def test_header_without_rows(client):
    response = post_file(client, "header.csv", b"Title,Price\n")
    assert_refused(client, response, "has no rows under its header (row 1)")


def test_sheet_of_formulas_names_each_cell_and_writes_nothing(client):
    data = xlsx_bytes([HEADER, ['=UPPER("chair")', "=2*5", '="New"'], ["=A2", "=B2+1", "New"]])
    response = post_file(client, "formulas.xlsx", data)
    assert response.status_code == 201
    body = response.json()
    assert body["counts"]["invalid"] == 2
    first = body["errors"][0]
    assert (first["row"], first["column"]) == (2, "Title")
    assert first["message"].startswith('the formula =UPPER("chair") has no saved result')
    commit = client.post(f"/api/imports/{body['id']}/commit/", {}, format="json")
    assert commit.status_code == 400
    assert "2 of 2 rows are invalid; nothing was imported" in commit.json()["detail"]
    assert {(e["row"], e["column"]) for e in commit.json()["errors"]} >= {(2, "Title"), (3, "Price")}
    assert Listing.objects.count() == 0


def test_formulas_with_saved_results_use_the_results(client):
    """Excel always saves a formula's result; that result is what is imported."""
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + HEADER_ROW
        + b'<row r="2"><c r="A2" t="str"><f>UPPER("lamp")</f><v>LAMP</v></c>'
        b'<c r="B2"><f>2*5</f><v>10</v></c></row>'
        b"</sheetData></worksheet>"
    )
    response = post_file(client, "saved.xlsx", rezip(GOOD, {"xl/worksheets/sheet1.xml": sheet}))
    assert response.status_code == 201
    assert response.json()["preview"][0]["values"]["title"] == "LAMP"
    assert response.json()["preview"][0]["values"]["price"] == "10.00"


def test_commit_with_dates_and_long_cells_is_refused_with_row_and_column(client):
    data = xlsx_bytes([HEADER, ["Clock", datetime(2024, 1, 1), "New"], ["x" * 10_000, 5, "New"]])
    body = post_file(client, "dates.xlsx", data).json()
    commit = client.post(f"/api/imports/{body['id']}/commit/", {"skip_invalid": False}, format="json")
    assert commit.status_code == 400
    errors = {(e["row"], e["column"], e["message"]) for e in commit.json()["errors"]}
    assert (2, "Price", "“2024-01-01” is a date or time, not a price.") in errors
    assert (3, "Title", "The title has 10000 characters; the most is 150.") in errors
    assert Listing.objects.count() == 0
