"""Field values to JSON and back, for every kind of zope.schema field an
add-on's type may use."""

import json
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from zope import schema

from cupola.transfer.values import decode, encode, encode_plain

NO_FILES = None

CASES = [
    (schema.TextLine(), "Caf\u00e9 \u2615", "Caf\u00e9 \u2615"),
    (schema.Text(), "<p>a\nb</p>", "<p>a\nb</p>"),
    (schema.Int(), 42, 42),
    (schema.Float(), 2.5, 2.5),
    (schema.Bool(), True, True),
    (schema.Decimal(), Decimal("12.50"), "12.50"),
    (schema.Datetime(), datetime(2026, 11, 28, 18, 40, 2, 123456, tzinfo=timezone.utc),
     "2026-11-28T18:40:02.123456+00:00"),
    (schema.Datetime(), datetime(2026, 11, 28, 18, 40), "2026-11-28T18:40:00"),
    (schema.Date(), date(2026, 2, 28), "2026-02-28"),
    (schema.Time(), time(7, 30), "07:30:00"),
    (schema.Timedelta(), timedelta(days=1, seconds=5), 86405.0),
    (schema.Tuple(value_type=schema.TextLine()), ("b", "a"), ["b", "a"]),
    (schema.List(value_type=schema.Date()), [date(2026, 1, 1)], ["2026-01-01"]),
    (schema.Set(value_type=schema.TextLine()), {"b", "a", "c"}, ["a", "b", "c"]),
    (schema.FrozenSet(value_type=schema.Int()), frozenset({3, 1}), [1, 3]),
    (schema.Dict(key_type=schema.TextLine(), value_type=schema.Datetime()),
     {"at": datetime(2026, 1, 1, tzinfo=timezone.utc)}, {"at": "2026-01-01T00:00:00+00:00"}),
    (schema.TextLine(required=False), None, None),
]


@pytest.mark.parametrize("field,value,as_json", CASES,
                         ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)])
def test_a_value_survives_json_exactly(field, value, as_json):
    encoded = encode(field, value, NO_FILES)
    assert encoded == as_json
    again = decode(field, json.loads(json.dumps(encoded)), NO_FILES)
    assert again == value and type(again) is type(value)


@pytest.mark.parametrize("field,raw,words", [
    (schema.Datetime(), "soon", "'soon' is not a date and time"),
    (schema.Tuple(value_type=schema.TextLine()), "a,b", "expected a list"),
    (schema.Int(), True, "expected a whole number"),
    (schema.Int(), "3", "expected a whole number"),
    (schema.Decimal(), "x", "'x' is not a decimal number"),
    (schema.Bytes(), "AAAA", "a file is given as"),
    (schema.Bool(), "yes", "expected true or false"),
])
def test_a_value_of_the_wrong_kind_says_what_was_expected(field, raw, words):
    with pytest.raises(ValueError, match=words):
        decode(field, raw, NO_FILES)


def test_something_json_cannot_hold_is_named():
    with pytest.raises(TypeError, match="a value of type object cannot be exported"):
        encode_plain(object())
