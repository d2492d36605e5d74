"""Fixtures for the export tests: a client logged in as ``owner`` and strings that
break naive quoting."""

import pytest

# Each is a value a seller could type that a careless writer would corrupt.
HOSTILE_STRINGS = (
    "O'Brien's \"quoted\" chair",
    "back\\slash \\n not a newline \\\\ two \\' quote",
    "line one\nline two\n\nafter a blank line",
    "tab\tinside",
    "carriage\rreturn alone",
    "naïve café — 日本語 Ελληνικά ß",
    "emoji 😀👍🏽 🇺🇸 family 👨\u200d👩\u200d👧",
    "$$dollar$$ quoting $tag$ $1",
    "E'not an escape' and ''doubled''",
    "'); DROP TABLE marketplace_listings; --",
    "percent %s %% and {braces}",
    "_x0041_ looks like an OOXML escape",
    "\u2028line separator\u0085next line",
    "<b>markup</b> & ampersand",
)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def download(response) -> bytes:
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def listing(listing_id, title, price, condition, description, category, offer_shipping, **more) -> tuple:
    """An export row (``exports.columns.EXPORT_COLUMNS``) of Facebook's six fields and
    any ``more``; the other fields hold their defaults."""
    from exports.columns import export_row

    facebook = dict(
        title=title,
        price=price,
        condition=condition,
        description=description,
        category=category,
        offer_shipping=offer_shipping,
    )
    return export_row(listing_id, facebook | more)
