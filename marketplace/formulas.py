"""Spreadsheet formula injection (CSV injection): a cell a seller or an uploaded file
wrote as ``=HYPERLINK(...)`` must open as text in Excel and Sheets. Every file the app
writes for people to open (exports, the import error report) uses this one rule."""

from django.db.models import Func, TextField

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab
# and carriage return, as a cell that can turn into one after trimming).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralise_formula(text: str) -> str:
    """``=SUM(A1)`` as ``'=SUM(A1)``: the apostrophe makes Excel and Sheets show text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class NeutralisedFormula(Func):
    """``neutralise_formula`` in SQL, for exports PostgreSQL writes (COPY): the first
    character's code point against the triggers', so no collation is involved."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        text, params = compiler.compile(self.source_expressions[0])
        codes = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
        sql = f"(CASE WHEN ascii({text}) IN ({codes}) THEN '''' || {text} ELSE {text} END)"
        return sql, (*params, *params, *params)
