"""Spreadsheet files for the import tests, built in memory."""

import csv
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

FACEBOOK_TEMPLATE = Path("/work/shared/facebook/Marketplace_Bulk_Upload_Template.xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows, *, sheets=None) -> bytes:
    """An xlsx with ``rows`` on its first sheet (or ``sheets``: name -> rows)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, sheet_rows in (sheets or {"Sheet1": rows}).items():
        sheet = workbook.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def facebook_template_bytes(tmp_path: Path, listings) -> bytes:
    """A copy of Facebook's real template with ``listings`` typed under its header,
    replacing its example row."""
    copy = tmp_path / "filled.xlsx"
    shutil.copyfile(FACEBOOK_TEMPLATE, copy)
    workbook = openpyxl.load_workbook(copy)
    sheet = workbook["Bulk Upload Template"]
    header_row = next(row[0].row for row in sheet.iter_rows(min_row=1, max_row=10) if row[0].value == "TITLE")
    for offset, values in enumerate(listings, start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=header_row + offset, column=column, value=value)
    workbook.save(copy)
    return copy.read_bytes()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """``data`` (a zip) with some members' contents replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
    return buffer.getvalue()


def ods_bytes(rows) -> bytes:
    import tablib

    dataset = tablib.Dataset(*rows[1:], headers=rows[0])
    return dataset.export("ods")


def xls_bytes(rows, sheet: str = "Items") -> bytes:
    import xlwt

    workbook = xlwt.Workbook()
    worksheet = workbook.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            worksheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
