"""Settings for a block of statements: read inside it, as they were after it."""

import pytest
from django.db import connection, transaction

from marketplace.sqlsettings import local_settings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VALUES = {"marketplace.test_key": "00ff", "marketplace.test_words": "it's; -- a \\ value", "jit": "off"}


def _read(name: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [name])
        return cursor.fetchone()[0]


def _all() -> dict[str, str | None]:
    return {name: _read(name) for name in VALUES}


def test_settings_hold_inside_the_block_only():
    with local_settings(VALUES):
        assert _all() == VALUES
    assert _read("jit") == "on"
    assert _read("marketplace.test_key") in (None, "")


def test_a_callers_transaction_goes_on_with_the_settings_it_had():
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = on")
        with local_settings(VALUES):
            assert _all() == VALUES
        # The secret is gone and the caller's own setting back, in the same transaction.
        assert _read("jit") == "on"
        assert _read("marketplace.test_key") == ""


def test_an_error_in_the_block_puts_them_back_too():
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), local_settings(VALUES):
            raise ZeroDivisionError
        assert _read("jit") == "on"
        assert _read("marketplace.test_key") in (None, "")
