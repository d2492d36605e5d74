"""Issue 12, finding 7: inputs that once answered 500 now answer a 4xx naming what is
wrong, and nothing is written. Each test is one reproduced attack."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from imports.models import Import
from imports.tests.import_files import csv_bytes, upload, xlsx_bytes
from listings.models import Listing
from listings.tests.factories import ListingFactory
from ocr.tests.factories import read_scan

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes, int() says no
TOO_BIG = str(2**63)  # one past PostgreSQL's bigint
DEEP_JSON = "[" * 1000 + "]" * 1000


@pytest.fixture
def seller(owner):
    # A 500 must show as a status here, not as an exception raised into the test.
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    return client


@pytest.fixture
def api(owner):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(owner)
    return client


@pytest.fixture
def listing(owner):
    return ListingFactory(owner=owner, title="Oak chair")


def assert_names_parameter(response, name):
    assert response.status_code == 400, response.content[:500]
    assert name.encode() in response.content, response.content[:500]


@pytest.mark.parametrize(
    "path",
    [
        "/listings/",
        "/listings/count/",
        "/exports/?export_format=csv",
        "/history/",
        "/admin/listings/listing/",
    ],
)
@pytest.mark.parametrize("name", ["q", "category", "action", "object_id"])
def test_nul_in_a_query_parameter_is_400_naming_it(staff, path, name):
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}{name}=a%00b")
    assert_names_parameter(response, name)


def test_nul_in_a_grid_cell_edit_is_400_and_changes_nothing(seller, listing):
    response = seller.post(f"/listings/{listing.pk}/cells/title/", {"value": NUL, "version": listing.version})
    assert_names_parameter(response, "value")
    listing.refresh_from_db()
    assert listing.title == "Oak chair"


def test_nul_in_pasted_text_is_400(seller, listing):
    response = seller.post(
        "/listings/paste/",
        {"field": "title", "text": f"{NUL}\t5", "ids": [listing.pk], "versions": [listing.version]},
    )
    assert_names_parameter(response, "text")
    listing.refresh_from_db()
    assert listing.title == "Oak chair"


def test_nul_in_an_ocr_candidate_cell_is_400(seller, owner):
    scan = read_scan(owner)
    candidate = scan.candidates.first()
    before = candidate.title
    response = seller.post(f"/ocr/{scan.pk}/candidates/{candidate.pk}/title/", {"value": NUL})
    assert_names_parameter(response, "value")
    candidate.refresh_from_db()
    assert candidate.title == before


def test_nul_in_an_api_query_parameter_is_a_json_400(api):
    response = api.get("/api/listings/?category=a%00b")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "category"
    assert api.get("/api/audit/?action=a%00b").status_code == 400


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/listings/", {"title": NUL, "price": "5"}, "title"),
        ("/api/templates/", {"name": NUL}, "name"),
        ("/api/listings/bulk/", {"items": [{"title": "ok", "price": "1"}, {"title": NUL}]}, "items.1.title"),
        ("/api/listings/", {"title": "\ud800", "price": "5"}, "title"),
    ],
)
def test_unstorable_text_in_any_json_body_is_400_naming_the_field(api, path, body, field):
    # json.dumps escapes both as \u0000 and \ud800, as a hostile client would send them.
    response = api.post(path, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Listing.objects.exists()


def test_a_csv_with_nul_after_the_first_4_kb_is_refused_at_preview_not_at_commit(api):
    rows = [["Title", "Price"]] + [[f"Chair {n}", "10"] for n in range(400)] + [[NUL, "3"]]
    data = csv_bytes(rows)
    assert data.index(b"\x00") > 4096
    created = api.post("/api/imports/", {"file": upload("chairs.csv", data)}, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["counts"]["invalid"] == 1
    (error,) = body["errors"]
    assert error["row"] == 402 and "NUL" in error["message"]
    committed = api.post(f"/api/imports/{body['id']}/commit/", {"skip_invalid": True}, format="json")
    assert committed.status_code in (200, 202), committed.content
    assert Listing.objects.count() == 400


@pytest.mark.parametrize("cell", ["title", "extra"])
def test_an_xlsx_cell_escaping_nul_is_a_row_error(api, cell):
    # Excel writes U+0000 as "_x0000_"; readers decode it back to a NUL.
    header = ["Title", "Price", "Notes"]
    row = ["a_x0000_b", 5, "n"] if cell == "title" else ["Chair", 5, "a_x0000_b"]
    data = xlsx_bytes([header, ["Table", 3, "ok"], row])
    created = api.post("/api/imports/", {"file": upload("nul.xlsx", data)}, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["counts"]["invalid"] == 1
    assert body["errors"][0]["row"] == 3 and "NUL" in body["errors"][0]["message"]
    committed = api.post(f"/api/imports/{body['id']}/commit/", {"skip_invalid": True}, format="json")
    assert committed.status_code in (200, 202), committed.content
    assert list(Listing.objects.values_list("title", flat=True)) == ["Table"]


def test_an_xlsx_header_escaping_nul_is_refused(api):
    data = xlsx_bytes([["Title", "Price", "No_x0000_tes"], ["Chair", 5, "n"]])
    response = api.post("/api/imports/", {"file": upload("nul.xlsx", data)}, format="multipart")
    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["detail"]
    assert not Import.objects.exists()


@pytest.mark.parametrize(
    ("path", "name"),
    [("/api/listings/?page_size=" + SUPERSCRIPT_TWO, "page_size"), ("/api/audit/?page_size=²", "page_size")],
)
def test_unicode_digits_in_api_integers_are_400(api, path, name):
    response = api.get(path)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == name


def test_unicode_digits_in_if_match_are_412(api, listing):
    response = api.patch(
        f"/api/listings/{listing.pk}/", {"title": "New"}, format="json", HTTP_IF_MATCH=f'"{SUPERSCRIPT_TWO}"'
    )
    assert response.status_code == 412, response.content
    listing.refresh_from_db()
    assert listing.title == "Oak chair"


def test_unicode_digits_as_an_upsert_id_are_400(api, listing):
    response = api.post(
        "/api/listings/bulk/", {"items": [{"id": SUPERSCRIPT_TWO, "title": "New"}]}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "id"


def test_unicode_digits_as_paste_ids_are_400(seller, listing):
    response = seller.post(
        "/listings/paste/", {"field": "title", "text": "New", "ids": [SUPERSCRIPT_TWO], "versions": ["1"]}
    )
    assert_names_parameter(response, "ids")
    listing.refresh_from_db()
    assert listing.title == "Oak chair"


def test_unicode_digits_in_template_from_are_400(seller, listing):
    response = seller.get(f"/listings/templates/new/?from={SUPERSCRIPT_TWO}")
    assert_names_parameter(response, "from")


@pytest.mark.parametrize("offset", [TOO_BIG, SUPERSCRIPT_TWO, "-1", "x"])
def test_grid_offset_out_of_range_is_400(seller, listing, offset):
    response = seller.get(f"/listings/?offset={offset}")
    assert_names_parameter(response, "offset")


def test_grid_offset_past_the_end_is_an_empty_page(seller, listing):
    response = seller.get("/listings/?offset=5000", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Oak chair" not in response.content


@pytest.mark.parametrize("value", [["New"], {"a": 1}, "a\x00b"])
def test_a_bulk_patch_filter_value_that_is_not_one_text_is_400(api, listing, value):
    response = api.patch(
        "/api/listings/bulk/", {"filter": {"q": value}, "set": {"condition": "New"}}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "filter.q"
    listing.refresh_from_db()
    assert listing.condition != "New"


@pytest.mark.parametrize(("value", "matches"), [(1, 0), (True, 0), ("oak", 1)])
def test_a_bulk_patch_filter_number_is_searched_as_its_text(api, listing, value, matches):
    response = api.patch(
        "/api/listings/bulk/", {"filter": {"q": value}, "set": {"condition": "New"}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"count": matches}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/auth/login/"),
        ("post", "/api/listings/"),
        ("patch", "/api/listings/bulk/"),
        ("post", "/api/listings/find-replace/"),
        ("post", "/api/templates/"),
    ],
)
def test_deeply_nested_json_is_400_on_every_endpoint(api, method, path):
    anonymous = APIClient(raise_request_exception=False)
    for client in (anonymous, api):
        response = getattr(client, method)(path, DEEP_JSON, content_type="application/json")
        if client is anonymous and path != "/api/auth/login/":
            assert response.status_code == 401
            continue
        assert response.status_code == 400, response.content[:300]
        assert "nested" in response.json()["detail"]


def test_json_nested_within_the_limit_still_reaches_the_view(api):
    nested = {"title": "Chair", "price": "5", "extra": json.loads("[" * 10 + "]" * 10)}
    assert api.post("/api/listings/", nested, format="json").status_code == 201


@pytest.mark.parametrize(
    "text", ['{"q": "a\\u0000b"}', '{"q": ' * 1000, '{"q": ' + "[" * 1000 + "]" * 1000 + "}"]
)
def test_an_export_filter_object_with_nul_or_deep_nesting_is_400(seller, listing, text):
    response = seller.get("/exports/", {"export_format": "csv", "scope": "filter", "filter": text})
    assert response.status_code == 400, response.content[:300]
    assert b"filter" in response.content


def test_bad_utf8_in_a_json_body_is_400(api):
    body = b'{"title": "\xff\xfe", "price": "5"}'
    response = api.post("/api/listings/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "JSON parse error" in response.json()["detail"]
    assert not Listing.objects.exists()


@pytest.mark.parametrize("next_url", ["home", "\ufffd", "grid"])
def test_a_next_that_is_not_a_path_is_not_reversed_as_a_view_name(seller, next_url):
    # Found by the page fuzzer: redirect() reversed "?next=…" as a view name and raised.
    response = seller.get("/accounts/login/", {"next": next_url})
    assert response.status_code == 302
