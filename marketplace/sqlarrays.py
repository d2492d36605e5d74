"""A fixed list of text values compared against a column in one parameter.

``InArray(F("category"), TextArray(values))`` is ``category = ANY(%s)`` on PostgreSQL
and ``category IN (…)`` elsewhere. The values travel as one ``text[]`` whose quoted
form is made once per process (``TextArrayDumper``): Django's psycopg cursors bind
parameters on the client, so a list of 1,869 strings (Facebook's categories, in
every listing page's readiness columns) would otherwise be escaped string by string,
and hashed value by value by the ORM, on every request.
"""

from collections.abc import Iterable, Iterator

from django.db.models import Lookup
from psycopg.adapt import Dumper, Transformer


class TextArray:
    """An immutable list of strings, hashed by identity: make it once and keep it."""

    __slots__ = ("_dumped", "_quoted", "values")

    def __init__(self, values: Iterable[str]) -> None:
        self.values = tuple(values)
        self._quoted: bytes | None = None
        self._dumped: bytes | None = None

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


class TextArrayDumper(Dumper):
    """psycopg's own list dumping, done once per ``TextArray``."""

    def dump(self, obj: TextArray) -> bytes:
        if obj._dumped is None:
            transformer = Transformer(self.connection)
            values = list(obj.values)
            obj._dumped = bytes(transformer.get_dumper(values, "t").dump(values))
        return obj._dumped

    def quote(self, obj: TextArray) -> bytes:
        if obj._quoted is None:
            obj._quoted = bytes(Transformer(self.connection).as_literal(list(obj.values)))
        return obj._quoted

    def get_key(self, obj: TextArray, format) -> type:
        return TextArray


def register_dumper() -> None:
    """For every connection made from now on (called when the apps are ready)."""
    import psycopg

    psycopg.adapters.register_dumper(TextArray, TextArrayDumper)
    text_array = psycopg.adapters.types.get("text")
    TextArrayDumper.oid = text_array.array_oid if text_array is not None else 0


class InArray(Lookup):
    """``lhs`` is one of the ``TextArray``'s values."""

    lookup_name = "in_text_array"
    prepare_rhs = False

    def get_prep_lookup(self) -> TextArray:
        return self.rhs

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = tuple(self.rhs)
        if not values:
            return "1 = 0", ()
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)

    def as_postgresql(self, compiler, connection) -> tuple[str, tuple]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)
