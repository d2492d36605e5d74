from decimal import Decimal

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from audit.models import AuditEntry
from listing_templates.models import ListingTemplate
from listings.models import Listing, engine_writes
from listings.services.bulk import BULK_UPSERT_MAX_ITEMS
from listings.services.changes import listing_update
from listings.tests.factories import ListingFactory, ListingTemplateFactory
from listings.validation import listing_warnings

pytestmark = pytest.mark.django_db

CHAIRS = "Furniture//Dining Room Furniture//Dining Chairs"


def _listing(owner, **fields):
    """A listing with its warnings stored, as the services would leave it."""
    listing = ListingFactory(owner=owner, **fields)
    listing.warnings = listing_warnings(listing.field_values())
    with engine_writes():
        listing.save(update_fields=["warnings"])
    return listing


# --- auth and shape --------------------------------------------------------


def test_anonymous_gets_401_in_the_error_shape():
    response = APIClient().get("/api/listings/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_a_jwt_bearer_token_authenticates(owner):
    _listing(owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(owner).access_token}")
    assert client.get("/api/listings/").json()["count"] == 1


def test_create_returns_the_listing_json_with_an_etag(api, owner):
    response = api.post(
        "/api/listings/",
        {"title": "GUN CABINET", "price": "$1,299", "offer_shipping": "Yes", "category": ""},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "title",
        "price",
        "condition",
        "description",
        "category",
        "offer_shipping",
        "status",
        "sku",
        "quantity",
        "sold_price",
        "notes",
        "brand",
        "ebay_category_id",
        "product_link",
        "sold_at",
        "source",
        "version",
        "created_at",
        "updated_at",
        "warnings",
        "readiness",
    }
    assert (body["price"], body["offer_shipping"], body["source"], body["version"]) == (
        "1299.00",
        True,
        "api",
        1,
    )
    assert "The title is in capitals." in body["warnings"]
    assert any("prohibited" in warning for warning in body["warnings"])
    assert response["ETag"] == '"1"'
    assert AuditEntry.objects.filter(action="listing.create", object_id=str(body["id"])).exists()


def test_create_reports_every_invalid_field(api):
    response = api.post("/api/listings/", {"title": "", "price": "abc", "condition": "mint"}, format="json")
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"title", "price", "condition"}
    assert not Listing.objects.exists()


# --- list: filters, search, ordering, pagination -------------------------------


def test_list_filters_search_and_ordering(api, owner):
    cheap = _listing(owner, title="Red oak chair", price=Decimal("5.00"), condition="New")
    _listing(owner, title="Blue pine table", price=Decimal("50.00"), offer_shipping=True)
    _listing(owner, title="Red pine table", price=Decimal("500.00"), category="Vehicles//Cars")
    assert [row["id"] for row in api.get("/api/listings/?q=red+chair").json()["results"]] == [cheap.pk]
    titles = [row["title"] for row in api.get("/api/listings/?q=red&ordering=-price").json()["results"]]
    assert titles == ["Red pine table", "Red oak chair"]
    assert api.get("/api/listings/?category=Vehicles").json()["count"] == 1
    assert api.get("/api/listings/?offer_shipping=yes").json()["count"] == 1
    assert api.get("/api/listings/?price_min=10&price_max=100").json()["count"] == 1
    assert api.get("/api/listings/?condition=New").json()["count"] == 1
    assert (
        api.get("/api/listings/?has_warnings=true").json()["count"] == 1
    )  # the car is not in a real category


def test_inventory_fields_are_written_and_shown(api, owner):
    response = api.post(
        "/api/listings/",
        {
            "title": "Lamp",
            "price": "5",
            "status": "listed",
            "sku": "L-1",
            "quantity": "3",
            "notes": "shelf B",
        },
        format="json",
    )
    body = response.json()
    assert (body["status"], body["sku"], body["quantity"], body["notes"], body["sold_at"]) == (
        "listed",
        "L-1",
        3,
        "shelf B",
        None,
    )

    sold = api.patch(f"/api/listings/{body['id']}/", {"status": "sold", "sold_price": "4.5"}, format="json")

    assert sold.status_code == 200
    assert (sold.json()["sold_price"], sold.json()["sold_at"] is not None) == ("4.50", True)
    assert (
        api.post("/api/listings/", {"title": "Plain", "price": 1}, format="json").json()["status"] == "ready"
    )


def test_a_taken_sku_or_a_bad_quantity_is_a_400_naming_the_field(api, owner):
    holder = _listing(owner, sku="L-1", title="Lamp")

    taken = api.post("/api/listings/", {"title": "Other", "price": 1, "sku": "l-1"}, format="json")
    negative = api.patch(f"/api/listings/{holder.pk}/", {"quantity": -2}, format="json")

    assert taken.status_code == 400
    assert taken.json()["errors"] == [
        {
            "index": 0,
            "field": "sku",
            "message": f"The SKU “l-1” is already used by listing {holder.pk} (“Lamp”).",
        }
    ]
    assert negative.status_code == 400
    assert negative.json()["errors"] == [{"field": "quantity", "message": "The quantity cannot be negative."}]


def test_status_and_sku_filters_and_archived_left_out_unless_asked(api, owner, other_user):
    listed = _listing(owner, status="listed", sku="A-1")
    sold = _listing(owner, status="sold")
    archived = _listing(owner, status="archived")
    _listing(other_user, status="listed", sku="A-1")

    def ids(query: str) -> set[int]:
        return {row["id"] for row in api.get(f"/api/listings/?{query}").json()["results"]}

    assert ids("") == {listed.pk, sold.pk}
    assert ids("status=listed,sold") == {listed.pk, sold.pk}
    assert ids("status=archived") == {archived.pk}
    assert ids("status=all") == {listed.pk, sold.pk, archived.pk}
    assert ids("sku=a-1") == ids("q=a-1") == {listed.pk}
    bad = api.get("/api/listings/?status=gone")
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {
            "field": "status",
            "message": "“gone” is not a status; use one of draft, ready, listed, sold, archived, all.",
        }
    ]


def test_search_follows_every_write_and_treats_wildcards_literally(api, owner):
    listing = _listing(owner, title="Oak chair", description="Sturdy")
    api.patch(f"/api/listings/{listing.pk}/", {"description": "100% walnut_veneer"}, format="json")
    assert api.get("/api/listings/?q=walnut").json()["count"] == 1
    assert api.get("/api/listings/?q=sturdy").json()["count"] == 0
    assert api.get("/api/listings/?q=100%25").json()["count"] == 1
    assert api.get("/api/listings/?q=t_v").json()["count"] == 1
    assert (
        api.get("/api/listings/?q=k_c").json()["count"] == 0
    )  # "_" is no wildcard: "Oak chair" has no "k_c"
    api.patch(
        "/api/listings/bulk/", {"ids": [listing.pk], "set": {"category": "Vehicles//Cars"}}, format="json"
    )
    assert api.get("/api/listings/?q=vehicles+walnut").json()["count"] == 1
    api.delete(f"/api/listings/{listing.pk}/")
    assert api.get("/api/listings/?q=walnut").json()["count"] == 0
    api.post("/api/listings/undo/")
    assert api.get("/api/listings/?q=walnut").json()["count"] == 1


def test_list_rejects_bad_filters(api):
    response = api.get("/api/listings/?price_min=lots")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "price_min"
    assert api.get("/api/listings/?page_size=501").status_code == 400
    assert api.get("/api/listings/?cursor=garbage").status_code == 400


@pytest.mark.parametrize("ordering", ["-updated_at", "price", "-price,title", "title", "condition,-id"])
def test_cursor_pages_walk_every_row_once_both_ways(api, owner, ordering):
    for n in range(23):
        _listing(owner, title=f"Item {n % 7}", price=Decimal(n % 5))
    expected = list(Listing.objects.order_by(*ordering.split(","), "id").values_list("id", flat=True))
    if "id" in ordering:
        expected = list(Listing.objects.order_by(*ordering.split(",")).values_list("id", flat=True))
    page = api.get(f"/api/listings/?page_size=5&ordering={ordering}").json()
    assert page["count"] == 23 and page["previous"] is None
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == expected
    page = api.get(page["last"]).json()
    assert [row["id"] for row in page["results"]] == expected[-5:]
    assert page["next"] is None
    backwards = [row["id"] for row in page["results"]]
    while page["previous"]:
        page = api.get(page["previous"]).json()
        backwards = [row["id"] for row in page["results"]] + backwards
    assert backwards == expected


def test_count_comes_with_the_first_page_or_when_asked(api, owner):
    for _ in range(3):
        _listing(owner)
    first = api.get("/api/listings/?page_size=2").json()
    assert first["count"] == 3
    assert api.get(first["next"]).json()["count"] is None
    assert api.get(first["next"] + "&count=true").json()["count"] == 3
    assert api.get("/api/listings/?count=false").json()["count"] is None
    assert api.get("/api/listings/?count=maybe").status_code == 400


def test_list_is_a_handful_of_queries_for_500_rows(api, owner, django_assert_max_num_queries):
    ListingFactory.create_batch(500, owner=owner)
    with django_assert_max_num_queries(4):
        response = api.get("/api/listings/?page_size=500")
    assert len(response.json()["results"]) == 500


# --- single listing: ETag / If-Match -------------------------------------------


def test_get_put_patch_delete_with_if_match(api, owner):
    listing = _listing(owner, title="Lamp", category=CHAIRS)
    url = f"/api/listings/{listing.pk}/"
    assert api.get(url)["ETag"] == '"1"'
    response = api.patch(url, {"price": "12"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["price"] == "12.00"
    assert response["ETag"] == '"2"'
    response = api.put(url, {"title": "Desk lamp", "price": 3}, format="json", HTTP_IF_MATCH='W/"2"')
    assert response.status_code == 200
    body = response.json()
    # PUT replaces: the fields not sent are back to their defaults.
    assert (body["title"], body["category"], body["condition"], body["version"]) == (
        "Desk lamp",
        "",
        "New",
        3,
    )
    assert api.delete(url, HTTP_IF_MATCH='"3"').status_code == 204
    assert not Listing.objects.filter(pk=listing.pk).exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_stale_if_match_answers_412_and_changes_nothing(api, owner, method):
    listing = _listing(owner, title="Lamp")
    listing_update(listing=listing, data={"title": "Someone else's edit"}, actor=owner)
    response = getattr(api, method)(
        f"/api/listings/{listing.pk}/", {"title": "Mine", "price": 1}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    assert "version 2" in response.json()["detail"]
    listing.refresh_from_db()
    assert (listing.title, listing.version) == ("Someone else's edit", 2)


def test_patch_validation_error(api, owner):
    listing = _listing(owner)
    response = api.patch(f"/api/listings/{listing.pk}/", {"price": "-4"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "price", "message": "The price cannot be negative."}]


# --- bulk ----------------------------------------------------------------------


def test_bulk_upsert(api, owner):
    existing = _listing(owner, title="Old")
    items = [{"title": "New", "price": 4}, {"id": existing.pk, "title": "Renamed", "version": 1}]
    response = api.post("/api/listings/bulk/", {"items": items}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["ids"][1]) == (1, 1, existing.pk)
    assert Listing.objects.get(pk=body["ids"][0]).source == "api"


def test_bulk_upsert_keeps_extra_values_as_sent_however_large(api, owner):
    # jsonb stores integers past 64 bits; the COPY path writes them too.
    extra = {"big": 10**30, "nested": [[1.5, None, True]]}
    items = [{"title": f"Chair {number}", "price": 5, "extra": extra} for number in range(3)]
    response = api.post("/api/listings/bulk/", {"items": items}, format="json")

    assert response.status_code == 200, response.content
    listing = Listing.objects.get(pk=response.json()["ids"][1])
    assert listing.extra == extra
    entry = AuditEntry.objects.get(action="listing.create", object_id=str(listing.pk))
    assert entry.changes["extra"] == [None, extra]


def test_bulk_upsert_errors_name_each_item(api, owner, other_user):
    theirs = _listing(other_user)
    items = [{"title": "Fine", "price": 1}, {"title": "No price"}, {"id": theirs.pk, "title": "x"}]
    response = api.post("/api/listings/bulk/", items, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "price"), (2, "id")]
    assert not Listing.objects.filter(owner=owner).exists()


def test_bulk_upsert_over_the_limit_is_413(api):
    items = [{"title": "x", "price": 1}] * (BULK_UPSERT_MAX_ITEMS + 1)
    response = api.post("/api/listings/bulk/", {"items": items}, format="json")
    assert response.status_code == 413
    assert set(response.json()) == {"detail", "errors"}
    assert not Listing.objects.exists()


def test_bulk_set_and_price_adjust_by_ids_and_filter(api, owner, other_user):
    a = _listing(owner, price=Decimal("10.00"), condition="New")
    b = _listing(owner, price=Decimal("20.00"), condition="Used - Good")
    theirs = _listing(other_user, condition="New")
    response = api.patch(
        "/api/listings/bulk/",
        {"filter": {"condition": "New"}, "set": {"offer_shipping": "Yes"}},
        format="json",
    )
    assert response.json() == {"count": 1}
    response = api.patch(
        "/api/listings/bulk/",
        {"ids": [a.pk, b.pk, theirs.pk], "price_adjust": {"percent": "-10"}},
        format="json",
    )
    assert response.json() == {"count": 2}
    a.refresh_from_db()
    b.refresh_from_db()
    theirs.refresh_from_db()
    assert (a.offer_shipping, a.price, b.price) == (True, Decimal("9.00"), Decimal("18.00"))
    assert (theirs.offer_shipping, theirs.price) == (False, Decimal("45.00"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"set": {"title": "x"}}, "ids"),
        ({"ids": "1,2", "set": {"title": "x"}}, "ids"),
        ({"filter": {"price_min": "x"}, "set": {"title": "x"}}, "filter.price_min"),
        ({"filter": {}}, "set"),
        ({"filter": {}, "set": {"price": "-1"}}, "price"),
        ({"filter": {}, "price_adjust": {"percent": "abc"}}, "price_adjust.percent"),
        ({"filter": {}, "price_adjust": {}}, "price_adjust"),
    ],
)
def test_bulk_patch_errors(api, owner, body, field):
    _listing(owner)
    response = api.patch("/api/listings/bulk/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_bulk_patch_too_many_ids_is_refused_with_the_selection_rule(api, settings):
    settings.SELECTION_MAX_IDS = 3
    response = api.patch("/api/listings/bulk/", {"ids": [1, 2, 3, 4], "set": {"title": "x"}}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "ids", "message": "Select at most 3 listings one by one (4 sent); use a filter for more."}
    ]


def test_bulk_delete(api, owner, other_user):
    mine = _listing(owner)
    theirs = _listing(other_user)
    assert api.delete("/api/listings/bulk/", {"ids": [mine.pk, theirs.pk]}, format="json").json() == {
        "count": 1
    }
    assert Listing.objects.filter(pk=theirs.pk).exists()
    assert not Listing.objects.filter(pk=mine.pk).exists()


# --- find and replace, duplicate, history, revert, undo/redo --------------------


def test_find_replace_preview_then_apply(api, owner):
    listing = _listing(owner, title="Oak chair")
    body = {"field": "title", "find": "oak", "replace": "Elm", "filter": {}, "preview": True}
    preview = api.post("/api/listings/find-replace/", body, format="json").json()
    assert preview == {"count": 1, "changes": [{"id": listing.pk, "field": "title", "before": "Oak chair",
                                                "after": "Elm chair"}]}  # fmt: skip
    assert api.post("/api/listings/find-replace/", {**body, "preview": False}, format="json").json() == {
        "count": 1
    }
    listing.refresh_from_db()
    assert listing.title == "Elm chair"


def test_find_replace_bad_regex(api, owner):
    _listing(owner)
    response = api.post(
        "/api/listings/find-replace/",
        {"fields": ["title"], "find": "(", "replace": "", "regex": True, "filter": {}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "find"


def test_duplicate(api, owner):
    listing = _listing(owner, title="Lamp")
    response = api.post(f"/api/listings/{listing.pk}/duplicate/")
    assert response.status_code == 201
    assert response.json()["id"] != listing.pk
    assert response.json()["title"] == "Lamp"


def test_history_and_revert(api, owner):
    created = api.post("/api/listings/", {"title": "Lamp", "price": 10}, format="json").json()
    url = f"/api/listings/{created['id']}/"
    api.patch(url, {"title": "Big lamp"}, format="json")
    api.patch(url, {"price": 99}, format="json")
    history = api.get(f"{url}history/").json()["results"]
    assert [entry["action"] for entry in history] == ["listing.update", "listing.update", "listing.create"]
    assert history[0]["changes"] == {"price": ["10.00", "99.00"]}
    response = api.post(f"{url}revert/", {"entry": history[1]["id"]}, format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["price"]) == ("Lamp", "10.00")
    assert api.get(f"{url}history/").json()["results"][0]["action"] == "listing.revert"


def test_revert_errors(api, owner):
    listing = _listing(owner)
    other = _listing(owner)
    listing_update(listing=other, data={"title": "x"}, actor=owner)
    others_entry = AuditEntry.objects.get(object_id=str(other.pk))
    url = f"/api/listings/{listing.pk}/revert/"
    assert api.post(url, {"entry": "x"}, format="json").status_code == 400
    assert api.post(url, {"entry": others_entry.pk}, format="json").status_code == 404


def test_undo_and_redo(api, owner):
    listing = _listing(owner, title="Lamp", price=Decimal("10.00"))
    assert api.post("/api/listings/undo/").status_code == 409
    api.patch("/api/listings/bulk/", {"ids": [listing.pk], "set": {"title": "Desk lamp"}}, format="json")
    api.patch(f"/api/listings/{listing.pk}/", {"price": "12"}, format="json")
    response = api.post("/api/listings/undo/")
    assert response.json() == {"action": "listing.update", "listings": 1, "undo": 1, "redo": 1}
    api.post("/api/listings/undo/")
    listing.refresh_from_db()
    assert (listing.title, listing.price) == ("Lamp", Decimal("10.00"))
    assert api.post("/api/listings/redo/").json()["action"] == "listing.bulk_set"
    listing.refresh_from_db()
    assert listing.title == "Desk lamp"


# --- templates -----------------------------------------------------------------


# --- two users: every endpoint answers 404 for the other's objects --------------


def test_two_user_isolation_sweep(owner, other_user):
    listing = _listing(owner, title="Owner's")
    template = ListingTemplateFactory(owner=owner, name="Owner's template")
    listing_update(listing=listing, data={"price": "1"}, actor=owner)
    entry = AuditEntry.objects.filter(object_id=str(listing.pk)).latest("id")
    intruder = APIClient()
    intruder.force_authenticate(other_user)
    item = f"/api/listings/{listing.pk}/"
    requests = [
        ("get", item, None),
        ("put", item, {"title": "x", "price": 1}),
        ("patch", item, {"title": "x"}),
        ("delete", item, None),
        ("post", f"{item}duplicate/", None),
        ("get", f"{item}history/", None),
        ("post", f"{item}revert/", {"entry": entry.pk}),
        ("get", f"/api/templates/{template.pk}/", None),
        ("put", f"/api/templates/{template.pk}/", {"name": "x"}),
        ("patch", f"/api/templates/{template.pk}/", {"name": "x"}),
        ("delete", f"/api/templates/{template.pk}/", None),
        ("post", f"/api/templates/{template.pk}/apply/", {"filter": {}}),
    ]
    for method, url, body in requests:
        response = getattr(intruder, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Owner" not in response.content.decode()
    # Collection endpoints answer, but never with the owner's data or effects.
    assert intruder.get("/api/listings/").json()["count"] == 0
    assert intruder.get("/api/templates/").json()["results"] == []
    assert intruder.get("/api/audit/").json()["results"] == []
    assert intruder.get("/api/listings/?q=Owner").json()["results"] == []
    selection = {"ids": [listing.pk]}
    assert intruder.patch(
        "/api/listings/bulk/", {**selection, "set": {"title": "x"}}, format="json"
    ).json() == {"count": 0}
    assert intruder.delete("/api/listings/bulk/", selection, format="json").json() == {"count": 0}
    find = {**selection, "fields": ["title"], "find": "Owner", "replace": "x"}
    assert intruder.post("/api/listings/find-replace/", find, format="json").json() == {"count": 0}
    response = intruder.post("/api/listings/bulk/", [{"id": listing.pk, "title": "x"}], format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "id"
    assert intruder.post("/api/listings/undo/").status_code == 409
    assert intruder.post("/api/listings/redo/").status_code == 409
    listing.refresh_from_db()
    assert (listing.title, listing.price, listing.version) == ("Owner's", Decimal("1.00"), 2)
    assert ListingTemplate.objects.filter(pk=template.pk, name="Owner's template", use_count=0).exists()


# --- schema and docs -------------------------------------------------------------


def test_schema_and_swagger_ui(api):
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/listings/",
        "/api/listings/{id}/",
        "/api/listings/bulk/",
        "/api/listings/find-replace/",
        "/api/listings/{id}/duplicate/",
        "/api/listings/{id}/history/",
        "/api/listings/{id}/revert/",
        "/api/listings/undo/",
        "/api/listings/redo/",
        "/api/templates/",
        "/api/templates/{id}/",
        "/api/templates/{id}/apply/",
        "/api/audit/",
    ):
        assert path in paths
    docs = api.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    # Served from our static files, so the docs work without the internet.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    assert b"cdn.jsdelivr" not in docs.content


def test_browsable_api_renders(owner, client):
    _listing(owner)
    client.force_login(owner)
    response = client.get("/api/listings/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Listing List" in response.content


@pytest.mark.postgres
def test_search_and_warning_filters_use_their_indexes(owner):
    """Search goes through the trigram index of ``listing_search``, and the has-warnings
    filter through its own index."""
    from django.db import connection

    from listings.selectors import listings_filtered, search_q

    ListingFactory.create_batch(20, owner=owner)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE listings_listing")
        cursor.execute("ANALYZE listing_search")
        # Tiny tables: make any index path beat a scan, so the plan shows which index fits.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = Listing.objects.filter(search_q("oak chair")).explain()
    assert "listing_search_trgm_idx" in plan, plan
    plan = listings_filtered(owner, {"has_warnings": "yes"}).explain()
    assert "listing_owner_warnings_idx" in plan, plan
