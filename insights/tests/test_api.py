import pytest
from django.http import QueryDict
from rest_framework.test import APIClient

from insights.tests.fixtures import EXPECTED, figures_by_name, make_shop

pytestmark = pytest.mark.django_db


def test_the_figures_as_json(api, owner):
    shop = make_shop(owner)

    response = api.get("/api/insights/")

    assert response.status_code == 200
    figures = figures_by_name(response.json())
    assert {name: figure["count"] for name, figure in figures.items()} == {
        name: count for name, (count, _) in EXPECTED.items()
    }
    # Each query lists exactly those listings through the listing API.
    for name, figure in figures.items():
        page = api.get("/api/listings/", QueryDict(figure["query"] + "&page_size=500"))
        assert {row["id"] for row in page.json()["results"]} == {shop.ids[row] for row in EXPECTED[name][1]}


def test_only_the_callers_listings(api, owner, other_user):
    make_shop(other_user)

    assert api.get("/api/insights/").json()["total"]["count"] == 0


def test_the_figures_need_a_log_in(db):
    assert APIClient().get("/api/insights/").status_code == 401


def test_the_schema_describes_the_figures(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/insights/"]["get"]
    assert operation["operationId"] == "insights_retrieve"
    assert operation["security"]  # no anonymous access
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]["properties"]) >= {
        "total",
        "by_condition",
        "top_categories",
        "price_histogram",
        "warnings",
        "facebook",
        "stale",
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("warning=sparkles", "warning"),
        ("unchanged_before=yesterday", "unchanged_before"),
        ("facebook=maybe", "facebook"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_it(api, query, field):
    response = api.get(f"/api/listings/?{query}")

    assert response.status_code == 400
    assert field in str(response.json())
