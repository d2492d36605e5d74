"""Export writers that PostgreSQL runs: the listings' query, each column spelt in SQL
as the Python writer would spell it (``exports.columns``), wrapped in
``COPY … TO STDOUT``. Python only passes the bytes on, so a 100,000-row csv takes
about as long as the COPY itself. The bytes are those of ``exports.writers``'s
csv and text (a test holds them equal); those writers remain for SQLite and for
listings a client sends.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from django.db import connection
from django.db.models import Case, F, Func, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, NullIf
from psycopg import Copy

from exports.columns import EXPORT_COLUMNS, EXPORT_FIELDS, ExportColumn, Kind
from exports.facebook import (
    FIRST_LISTING_ROW,
    LISTINGS_PER_FILE,
    ROW_SPANS,
    sheet_workbook,
    write_facebook,
    zipped_workbooks,
)
from exports.marketplaces import marketplace_header
from exports.selectors import export_rows
from exports.writers import ExportOptions, column_letter, delimited_header, xlsx_styles, xlsx_workbook
from listings.fields import FACEBOOK_FIELDS
from listings.marketplaces import MarketplaceFile
from marketplace.formulas import FORMULA_TRIGGERS, NeutralisedFormula
from marketplace.sqlsettings import local_settings

# Bytes gathered from COPY (one row a message) before they are passed on.
CHUNK_BYTES = 256 * 1024


def _cell(column: ExportColumn):
    """The column as text, the empty string as NULL: COPY's csv writes NULL as
    nothing but quotes an empty string (""), where Python's csv writes nothing."""
    field = F(column.name)
    if column.kind is Kind.TEXT:
        return NullIf(NeutralisedFormula(field), Value(""), output_field=TextField())
    if column.kind is Kind.FLAG:
        return Case(
            When(**{column.name: True}, then=Value("Yes")), default=Value("No"), output_field=TextField()
        )
    if column.kind is Kind.DATETIME:
        # As exports.writers.utc_text spells it.
        return Func(
            Func(Value("UTC"), field, function="timezone"),
            Value('YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            function="to_char",
            output_field=TextField(),
        )
    # A number as PostgreSQL prints it ("45.00"), as str() of the Decimal does.
    return Cast(field, TextField())


def _crlf_outside_quotes(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """COPY ends rows with LF; RFC 4180 (and Python's csv) with CRLF. Only the LFs
    outside quoted values end rows: a quoted value keeps its own line breaks."""
    inside = False
    for chunk in chunks:
        parts = chunk.split(b'"')
        # Between two quotes the state flips, so every other part is outside.
        start = 1 if inside else 0
        parts[start::2] = [part.replace(b"\n", b"\r\n") for part in parts[start::2]]
        if len(parts) % 2 == 0:
            inside = not inside
        yield b'"'.join(parts)


# An export's statement is one pass over the rows: compiling it with JIT cost more
# than it saved (photo-link files 0.3-0.8 s slower with it at 100,000 rows, where
# their subquery a listing put the estimate over the JIT thresholds). Nor does it
# gain from parallel workers: the cost of the formula guards made the planner give
# the csv of 100,000 rows a parallel scan and a sort that spilled to disk instead of
# reading the owner's updated-at index in order (COPY 0.36 s against 0.28 s).
_EXPORT_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0"}


@contextmanager
def _export_copy(statement: str, params, settings: Mapping[str, str] | None = None) -> Iterator[Copy]:
    """COPY of ``statement`` with the export's settings and ``settings`` set for it
    (``marketplace.sqlsettings``)."""
    # The psycopg cursor itself: Django's debug wrapper passes COPY no parameters.
    with (
        local_settings({**_EXPORT_SETTINGS, **(settings or {})}),
        connection.cursor() as cursor,
        cursor.cursor.copy(statement, params) as copy,
    ):
        yield copy


def _copy_chunks(statement: str, params, settings: Mapping[str, str] | None = None) -> Iterator[bytes]:
    """COPY's rows of ``statement``, gathered in chunks."""
    pending: list[bytes] = []
    size = 0
    with _export_copy(statement, params, settings) as copy:
        for block in copy:
            pending.append(block)
            size += len(block)
            if size >= CHUNK_BYTES:
                yield b"".join(pending)
                pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _write_delimited(listings: QuerySet, options: ExportOptions, *, dialect: str) -> Iterator[bytes]:
    select, params = listings.values_list(*map(_cell, EXPORT_COLUMNS)).query.sql_with_params()
    delimiter = "E'\\t'" if dialect == "excel-tab" else "','"
    statement = f"COPY ({select}) TO STDOUT WITH (FORMAT csv, DELIMITER {delimiter})"
    yield delimited_header(dialect=dialect, bom=options.bom)
    yield from _crlf_outside_quotes(_copy_chunks(statement, params))


def copy_csv(listings: QuerySet, options: ExportOptions) -> Iterator[bytes]:
    """``exports.writers.write_csv``'s file, written by PostgreSQL."""
    return _write_delimited(listings, options, dialect="excel")


def copy_text(listings: QuerySet, options: ExportOptions) -> Iterator[bytes]:
    """``exports.writers.write_text``'s file, written by PostgreSQL."""
    return _write_delimited(listings, options, dialect="excel-tab")


# --- Sheet rows (xlsx and Facebook's files) -----------------------------------------

# exports.writers.xml_text's control characters, each as OOXML's _xHHHH_.
_CONTROL_CHARACTERS = (*range(0x01, 0x09), *range(0x0B, 0x20))
_FORMULA_CODES = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)


def sheet_text_sql(text: str) -> str:
    """``exports.writers.sheet_text`` of the SQL text ``text``, in SQL: the OOXML
    escape lookalikes and control characters only where there are any, then XML's
    three and the character references of backslash, line break and tab."""
    lookalikes = f"regexp_replace({text}, '_(x[0-9A-Fa-f]{{4}}_)', '_x005F_\\1', 'g')"
    text = f"(CASE WHEN strpos({text}, '_x') > 0 THEN {lookalikes} ELSE {text} END)"
    controls = text
    for code in _CONTROL_CHARACTERS:
        controls = f"replace({controls}, chr({code}), '_x{code:04X}_')"
    text = f"(CASE WHEN {text} ~ '[\\x01-\\x08\\x0b-\\x1f]' THEN {controls} ELSE {text} END)"
    for character, reference in (("'&'", "&amp;"), ("'<'", "&lt;"), ("'>'", "&gt;")):
        text = f"replace({text}, {character}, '{reference}')"
    for character, reference in (("chr(92)", "&#92;"), ("chr(10)", "&#10;"), ("chr(9)", "&#9;")):
        text = f"replace({text}, {character}, '{reference}')"
    return text


def text_cell_sql(text: str, text_style: str | None) -> str:
    """The part of an inline text cell after its reference (NULL for no text): the
    keep-as-text style (``text_style``) when it would read as a formula."""
    style = "''"
    if text_style is not None:
        style = f"(CASE WHEN ascii({text}) IN ({_FORMULA_CODES}) THEN ' s=\"{text_style}\"' ELSE '' END)"
    return (
        f'({style} || \' t="inlineStr"><is><t xml:space="preserve">\' || {sheet_text_sql(text)}'
        " || '</t></is></c>')"
    )


def number_cell_sql(number: str, style: str | None = None) -> str:
    attribute = f' s="{style}"' if style else ""
    return f"('{attribute}><v>' || ({number})::text || '</v></c>')"


def sheet_rows_sql(
    select: str, names: Sequence[str], cells: Sequence[str], *, number: str, row_attributes: str = ""
) -> str:
    """A query of one text a row, the row's sheet XML, over ``select`` (whose columns
    are called ``names``, in its order): ``cells[i]`` is column i's cell after its
    reference (SQL over the names, NULL for no cell), ``number`` the sheet row of
    the ``n``-th row (from 1)."""
    parts = " || ".join(
        f"coalesce('<c r=\"{column_letter(index)}' || sheet_row || '\"' || {cell}, '')"
        for index, cell in enumerate(cells)
    )
    # Every part is our own SQL; the listings' values are only the query's parameters.
    # row_number() OVER () numbers the rows in the order the ordered subquery yields
    # them, and nothing above it sorts or joins, so COPY sends them in that order: what
    # PostgreSQL does, though the standard does not promise it. The byte-equality tests
    # against the Python writers over three orderings would catch a change.
    return (
        f"SELECT '<row r=\"' || sheet_row || '\"{row_attributes}>' || {parts} || '</row>'"  # noqa: S608
        f" FROM (SELECT {number} AS sheet_row, listing.* FROM"
        f" (SELECT row_number() OVER () AS n, ordered.* FROM ({select}) AS ordered({', '.join(names)}))"
        " AS listing) AS numbered"
    )


def _xlsx_cell_sql(column: ExportColumn, price_style: str, text_style: str) -> str:
    name = column.name
    if column.kind is Kind.INTEGER:
        return number_cell_sql(name)
    if column.kind is Kind.DECIMAL:
        return number_cell_sql(name, price_style)
    if column.kind is Kind.FLAG:
        return text_cell_sql(f"(CASE WHEN {name} THEN 'Yes' ELSE 'No' END)", text_style)
    if column.kind is Kind.DATETIME:
        return text_cell_sql(
            f"to_char(timezone('UTC', {name}), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", text_style
        )
    return text_cell_sql(f"NULLIF({name}, '')", text_style)


def copy_lines(statement: str, params) -> Iterator[bytes]:
    """A one-column query's rows as COPY's text format gives them, a line each; the
    rows must hold no backslash, line break or tab (COPY would escape them)."""
    return _copy_chunks(f"COPY ({statement}) TO STDOUT", params)


def copy_xlsx(
    listings: QuerySet, options: ExportOptions, *, sheet_title: str = "Listings"
) -> Iterator[bytes]:
    """``exports.writers.write_xlsx``'s file, its rows' XML written by PostgreSQL."""
    select, params = listings.values_list(*EXPORT_FIELDS).query.sql_with_params()
    price_style, text_style = xlsx_styles(sheet_title)
    cells = [_xlsx_cell_sql(column, price_style, text_style) for column in EXPORT_COLUMNS]
    statement = sheet_rows_sql(select, EXPORT_FIELDS, cells, number="n + 1")
    return xlsx_workbook(copy_lines(statement, params), sheet_title=sheet_title)


# Facebook's columns: title, whole-dollar price, condition, description, category, shipping.
_FACEBOOK_CELLS = (
    text_cell_sql("title", None),
    # Whole dollars, halves up (exports.facebook.whole_dollars): prices are never negative.
    number_cell_sql("round(price)"),
    text_cell_sql("condition", None),
    text_cell_sql("NULLIF(description, '')", None),
    text_cell_sql("NULLIF(category, '')", None),
    text_cell_sql("(CASE WHEN offer_shipping THEN 'Yes' ELSE 'No' END)", None),
)


def copy_facebook(listings: QuerySet, options: ExportOptions) -> Iterator[bytes]:
    """``exports.facebook.write_facebook``'s file, its rows' XML written by PostgreSQL:
    each workbook is the template's parts made once around 50 of those rows. A bundle
    with photos reads the rows in Python (it names each row's photos)."""
    if options.photos is not None:
        return write_facebook(export_rows(listings), options)
    select, params = listings.values_list(*FACEBOOK_FIELDS).query.sql_with_params()
    statement = sheet_rows_sql(
        select,
        FACEBOOK_FIELDS,
        _FACEBOOK_CELLS,
        number=f"mod(n - 1, {LISTINGS_PER_FILE}) + {FIRST_LISTING_ROW}",
        row_attributes=f' spans="{ROW_SPANS}"',
    )
    workbooks = _facebook_workbooks(statement, params)
    if not options.zipped:
        return iter([next(workbooks, None) or sheet_workbook(b"", 0)])
    return zipped_workbooks(workbooks, options)


def _facebook_workbooks(statement: str, params) -> Iterator[bytes]:
    rows: list[bytes] = []
    # COPY gives one row a block.
    with _export_copy(f"COPY ({statement}) TO STDOUT", params) as copy:
        for row in copy:
            rows.append(bytes(row))
            if len(rows) == LISTINGS_PER_FILE:
                yield sheet_workbook(b"".join(rows), len(rows))
                rows = []
    if rows:
        yield sheet_workbook(b"".join(rows), len(rows))


# --- Marketplaces' files (eBay, Shopify, WooCommerce, Meta's catalog) ---------------


def _neutralised_sql(text: str) -> str:
    return f"(CASE WHEN ascii({text}) IN ({_FORMULA_CODES}) THEN '''' || {text} ELSE {text} END)"


def copy_marketplace(
    marketplace_file: MarketplaceFile,
) -> Callable[[QuerySet, ExportOptions], Iterator[bytes]] | None:
    """``exports.marketplaces.marketplace_writer``'s file written by PostgreSQL from
    each column's ``Sql`` (``linked_sql`` over the listing's published photo links,
    when the seller has published them); None when a column has no SQL."""
    if any(column.sql is None for column in marketplace_file.columns):
        return None

    def write(listings: QuerySet, options: ExportOptions) -> Iterator[bytes]:
        linked = options.image_links is not None
        names = [*EXPORT_FIELDS, "images"] if linked else list(EXPORT_FIELDS)
        if linked:
            listings = listings.annotate(images=options.image_links.links)
        sqls = [(linked and column.linked_sql) or column.sql for column in marketplace_file.columns]
        select, params = listings.values_list(*names).query.sql_with_params()
        currency = "'" + options.currency.replace("'", "''") + "'"
        values = ", ".join(
            f"{sql.expression.replace('{currency}', currency)} AS v{index}" for index, sql in enumerate(sqls)
        )
        cells = [
            f"(v{index})::text" if sql.as_is else f"NULLIF({_neutralised_sql(f'v{index}')}, '')"
            for index, sql in enumerate(sqls)
        ]
        file = (
            f"(SELECT {values}{', images' if linked else ''} FROM ({select})"  # noqa: S608 - our SQL, their values are parameters
            # OFFSET 0: each value is worked out once, not once where the guard reads it.
            f" AS listing({', '.join(names)}) OFFSET 0) AS file"
        )
        if linked and marketplace_file.image_row_sql is not None:
            cells, file = _with_image_rows(marketplace_file, cells, file)
        statement = f"COPY (SELECT {', '.join(cells)} FROM {file}) TO STDOUT WITH (FORMAT csv)"  # noqa: S608 - our SQL
        return _with_header(
            marketplace_header(marketplace_file, options),
            _crlf_outside_quotes(
                _copy_chunks(statement, params, options.image_links.local_settings if linked else None)
            ),
        )

    return write


def _with_image_rows(marketplace_file: MarketplaceFile, cells: list[str], file: str) -> tuple[list[str], str]:
    """The product's row, then a row for each further image (Shopify's): ``cells``
    and ``file`` of the statement, each listing repeated once an image from the second."""
    image_cells = []
    for cell, header in zip(cells, marketplace_file.headers, strict=True):
        if header not in marketplace_file.image_row_sql:
            image_cells.append("NULL")
        elif (expression := marketplace_file.image_row_sql[header]) is None:
            image_cells.append(cell)
        else:
            image_cells.append(f"({expression})::text")
    # A function in the FROM list of each row gives its rows in order, after that row.
    rows = f"{file} CROSS JOIN LATERAL generate_series(1, greatest(cardinality(images), 1)) AS place"
    return [
        f"(CASE WHEN place = 1 THEN {cell} ELSE {image_cell} END)"
        for cell, image_cell in zip(cells, image_cells, strict=True)
    ], rows


def _with_header(header: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield header
    yield from chunks
