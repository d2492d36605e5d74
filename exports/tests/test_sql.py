"""The SQL export loaded with psql into a fresh PostgreSQL database gives back every
field byte for byte, whatever ``standard_conforming_strings`` says."""

import os
import subprocess
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from exports.columns import EXPORT_COLUMNS
from exports.tests.conftest import HOSTILE_STRINGS, download, listing
from exports.writers import ExportOptions, sql_literal, write_sql
from listings.fields import STORED_FIELDS
from listings.tests.factories import ListingFactory


def _libpq_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
    }
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.fixture
def scratch_database():
    """A database of its own, dropped afterwards: the script must load into nothing."""
    name = f"mbe_export_sql_{uuid.uuid4().hex[:10]}"
    env = _libpq_env()
    subprocess.run(
        ["psql", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{name}"'],
        env=env,
        check=True,
    )
    try:
        yield name, env
    finally:
        subprocess.run(
            ["psql", "-d", "postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
            env=env,
            check=True,
        )


def _load(script: bytes, database: str, env: dict[str, str], *, conforming: str) -> None:
    subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-f", "-"],
        input=script,
        env={**env, "PGOPTIONS": f"-c standard_conforming_strings={conforming}"},
        check=True,
        capture_output=True,
    )


@pytest.mark.postgres
def test_hostile_strings_round_trip_through_psql(owner, other_user, scratch_database):
    for number, text in enumerate(HOSTILE_STRINGS):
        ListingFactory(
            owner=owner,
            title=text[:150],
            price=Decimal("1234567.89") if number % 2 else Decimal("0.50"),
            description=text * 3,
            category=text[:255],
            offer_shipping=bool(number % 2),
            # The inventory fields too, one listing sold.
            status="sold" if number == 1 else "ready",
            sku=f"SKU-{number}",
            quantity=number,
            sold_at=datetime(2026, 11, 30, 9, 15, 2, 123456, tzinfo=UTC) if number == 1 else None,
            sold_price=Decimal("3.10") if number == 1 else None,
            notes=text,
        )
    ListingFactory(owner=other_user, title="Not yours")
    expected = [tuple(row) for row in owner.listings.order_by("id").values_list(*STORED_FIELDS)]

    client = APIClient()
    client.force_authenticate(owner)
    script = download(client.get("/api/export/sql/", {"ordering": "id"}))
    database, env = scratch_database
    # Loaded twice: with the modern default, and with backslashes as escapes.
    _load(script, database, env, conforming="on")
    _load(script, database, env, conforming="off")

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=db["PASSWORD"] or None,
        dbname=database,
    ) as connection:
        loaded = connection.execute(
            f"SELECT {', '.join(STORED_FIELDS)} FROM marketplace_listings ORDER BY id"  # noqa: S608 - our names
        ).fetchall()
    assert loaded == expected * 2
    assert [row[0].encode() for row in loaded[: len(expected)]] == [row[0].encode() for row in expected]


def test_script_shape():
    sold = datetime(2026, 11, 30, 9, 15, 2, 123456, tzinfo=UTC)
    row = listing(1, "It's", Decimal("5.00"), "New", "a\\b", "", True, status="sold", sold_at=sold, notes="n")
    script = b"".join(write_sql(iter([row]), ExportOptions())).decode()
    assert "CREATE TABLE IF NOT EXISTS marketplace_listings (" in script
    names = [column.name for column in EXPORT_COLUMNS[1:]]
    assert [script.index(f"    {name} ") for name in names] == sorted(
        script.index(f"    {name} ") for name in names
    )
    assert (
        f"INSERT INTO marketplace_listings ({', '.join(names)}) VALUES\n"
        "('It''s', 5.00, 'New', E'a\\\\b', '', true, 'sold', '', 1, NULL, 'n',"
        " '2026-11-30T09:15:02.123456+00:00'"
    ) in script
    assert script.startswith("-- ") and script.rstrip().endswith("COMMIT;")


def test_literals_are_what_psycopg_would_quote():
    from psycopg import sql

    for text in (*HOSTILE_STRINGS, "", "plain", "\\", "'", "\\'"):
        assert sql_literal(text) == sql.quote(text).lstrip()
