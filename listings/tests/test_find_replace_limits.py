"""Issue 12, finding 2: find & replace once froze the site. A nested regex backtracked
for 30 s per title and a 195 KB replacement grew a worker to 1 GB before any length
check. Now the engine is RE2 (linear time) and every size is checked first."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from listings.models import Listing
from listings.services.find_replace import listings_find_replace
from listings.tests.factories import ListingFactory
from marketplace.errors import InvalidInput

pytestmark = pytest.mark.django_db

CATASTROPHIC = "(a+)+$"  # exponential for a backtracking engine on "aaaa…ab"


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def find_replace(owner, **kwargs):
    arguments = {"fields": ["title"], "replace": "", "actor": owner, **kwargs}
    return listings_find_replace(listings=Listing.objects.filter(owner=owner), **arguments)


def test_a_catastrophic_regex_is_matched_in_linear_time(api, owner):
    # 40 a's and a b: Python's re would try 2**40 ways before giving up.
    listing = ListingFactory(owner=owner, title="a" * 40 + "b")
    body = {"fields": ["title"], "find": CATASTROPHIC, "replace": "x", "regex": True, "filter": {}}
    response = api.post("/api/listings/find-replace/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 0}
    listing.refresh_from_db()
    assert listing.title == "a" * 40 + "b"
    ListingFactory(owner=owner, title="a" * 40)
    response = api.post("/api/listings/find-replace/", {**body, "preview": True}, format="json")
    assert response.json()["count"] == 1 and response.json()["changes"][0]["after"] == "x"


def test_a_replacement_longer_than_any_field_is_refused_before_any_work(api, owner):
    listing = ListingFactory(owner=owner, description="x" * 5000)
    body = {"fields": ["description"], "find": "x", "replace": "y" * 195_000, "filter": {}}
    response = api.post("/api/listings/find-replace/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "replace", "message": "Replace with at most 5,000 characters; got 195,000."}
    ]
    listing.refresh_from_db()
    assert listing.description == "x" * 5000


def test_a_result_longer_than_the_field_is_refused_from_its_length_alone(owner):
    # 5,000 matches of "x", each replaced by 5,000 characters: 25 million characters
    # if built; the length is counted from the matches and refused instead.
    ListingFactory(owner=owner, description="x" * 5000)
    with pytest.raises(InvalidInput) as caught:
        find_replace(owner, fields=["description"], find="x", replace="y" * 5000)
    (error,) = caught.value.errors
    assert error.field == "description"
    assert "25,000,000 characters; the most is 5,000" in error.message


def test_regex_group_references_count_toward_the_length(owner):
    ListingFactory(owner=owner, title="ab" * 50)
    with pytest.raises(InvalidInput) as caught:
        find_replace(owner, find="(a)(b)", replace=r"\1\2\g<2>\1", regex=True)
    assert "would have 200 characters; the most is 150" in caught.value.errors[0].message


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"find": "x" * 1001}, "find", "Find at most 1,000 characters; got 1,001."),
        ({"find": r"[\p{L}]{1000}", "regex": True}, "find", "pattern too large"),
        ({"find": "(a)", "replace": r"\2", "regex": True}, "replace", "no group 2"),
        ({"find": "(a)", "replace": r"\g<name>", "regex": True}, "replace", "no group name"),
        ({"find": "(a)", "replace": r"\q", "regex": True}, "replace", "unknown escape"),
        ({"find": "()", "replace": r"\1" * 101, "regex": True}, "replace", "at most 100 group references"),
    ],
)
def test_oversized_or_bad_patterns_are_refused(owner, kwargs, field, message):
    ListingFactory(owner=owner, title="a title")
    with pytest.raises(InvalidInput) as caught:
        find_replace(owner, **kwargs)
    assert caught.value.errors[0].field == field
    assert message in caught.value.errors[0].message


def test_the_limits_are_settings(owner, settings):
    settings.FIND_REPLACE_MAX_FIND = 3
    ListingFactory(owner=owner, title="oak chair")
    with pytest.raises(InvalidInput):
        find_replace(owner, find="oak ")
    assert find_replace(owner, find="oak", replace="elm") == {"count": 1}


def test_whole_word_knows_letters_beyond_ascii(owner):
    listing = ListingFactory(owner=owner, title="café caf cafétéria caf, caf")
    assert find_replace(owner, find="caf", replace="bar", whole_word=True) == {"count": 1}
    listing.refresh_from_db()
    assert listing.title == "café bar cafétéria bar, bar"


def test_whole_word_replaces_neighbouring_words_and_keeps_groups(owner):
    listing = ListingFactory(owner=owner, title="oak oak Oak-oak")
    find_replace(owner, find="(o)ak", replace=r"\1ld", regex=True, whole_word=True)
    listing.refresh_from_db()
    assert listing.title == "old old Old-old"


def test_the_html_form_has_the_same_limits(owner):
    ListingFactory(owner=owner, title="a" * 40)
    client = Client()
    client.force_login(owner)
    base = {"all_matching": "on", "fields": ["title"], "find": CATASTROPHIC, "replace": "x", "regex": "on"}
    response = client.post("/listings/bulk/find_replace/", {**base, "preview": "yes"})
    assert response.status_code == 200
    assert "<strong>1 listing</strong> would change." in response.content.decode()
    response = client.post("/listings/bulk/find_replace/", {**base, "replace": "y" * 195_000})
    assert response.status_code == 422
    assert "Replace with at most 5,000 characters" in response.content.decode()
    assert Listing.objects.get(owner=owner).title == "a" * 40
