import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from marketplace.jsontext import json_bytes

VALUES = [
    {"title": "Chaise", "note": "caf\u00e9 \u2013 \u4e2d", "tab": "a\tb\nc\\d"},
    ["x", 1, 2.5, None, True, {"nested": [1, [2, [3]]]}],
    # What orjson refuses and jsonb stores: an integer past 64 bits, deep nesting.
    {"big": 10**30, "small": -(10**25)},
    {"deep": json.loads("[" * 300 + "]" * 300)},
]


@pytest.mark.parametrize("value", VALUES)
def test_the_text_reads_back_as_the_value_json_writes(value):
    assert json.loads(json_bytes(value)) == json.loads(json.dumps(value, ensure_ascii=False))


def test_dates_and_decimals_go_through_default_as_with_json():
    value = {"at": datetime(2026, 12, 3, 10, 30, tzinfo=UTC), "price": Decimal("12.50")}

    def default(item):
        return f"<{item}>"

    assert json.loads(json_bytes(value, default=default)) == {
        "at": "<2026-12-03 10:30:00+00:00>",
        "price": "<12.50>",
    }
    # The same where the standard library writes the rest.
    with_big_number = json.loads(json_bytes({**value, "big": 10**30}, default=default))
    assert with_big_number["at"] == "<2026-12-03 10:30:00+00:00>"


def test_a_value_nothing_can_write_is_still_refused():
    with pytest.raises(TypeError):
        json_bytes({"set": {1, 2}})
