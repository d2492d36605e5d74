"""The listing and template admin, driven through the test client as a staff user:
every write must go through listings.services (validated, versioned, audited)."""

import json
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats import base_formats

from accounts.tests.factories import UserFactory
from audit.models import AuditEntry
from listings.fields import Source
from listings.models import Listing
from listings.tests.admin_actions import CHANGELIST, audit_for, changelist_url, messages_of, run_action
from listings.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


# --- Changelist and list_editable -------------------------------------------------


def test_changelist_shows_listings_with_editable_columns(staff_client, owner):
    listing = ListingFactory(owner=owner, title="Walnut desk", price=Decimal("120.00"))

    response = staff_client.get(changelist_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Walnut desk" in html
    assert 'name="form-0-price" value="120.00"' in html
    assert 'name="form-0-condition"' in html
    assert 'name="form-0-offer_shipping"' in html
    assert f'name="form-0-id" value="{listing.pk}"' in html
    assert "owner@example.com" in html


def test_changelist_filters_by_category_root_and_searches_owner_email(staff_client, owner, other_user):
    sofa = ListingFactory(owner=owner, category="Furniture//Living Room Furniture//Sofas")
    phone = ListingFactory(owner=other_user, category="Electronics//Software")

    by_root = staff_client.get(changelist_url("category_root=Furniture")).context["cl"].result_list
    by_owner = staff_client.get(changelist_url("q=other%40example")).context["cl"].result_list

    assert list(by_root) == [sofa]
    assert list(by_owner) == [phone]


def _list_editable_post(listing: Listing, **values) -> dict:
    row = {
        "id": listing.pk,
        "price": listing.price,
        "condition": listing.condition,
        "offer_shipping": "on" if listing.offer_shipping else "",
        **values,
    }
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "_save": "Save"}
    data.update({f"form-0-{name}": value for name, value in row.items() if value != ""})
    return data


def test_list_editable_changes_price_through_the_service(staff_client, staff, owner):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))

    response = staff_client.post(changelist_url(), _list_editable_post(listing, price="39.50"))

    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.price == Decimal("39.50")
    assert listing.version == 2
    [entry] = audit_for(listing, "listing.update")
    assert entry.actor == staff
    assert entry.changes == {"price": ["45.00", "39.50"]}
    assert entry.request_path == reverse(CHANGELIST)


def test_list_editable_refuses_a_negative_price(staff_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))

    response = staff_client.post(changelist_url(), _list_editable_post(listing, price="-3"))

    assert response.status_code == 200
    assert "The price cannot be negative." in response.content.decode()
    listing.refresh_from_db()
    assert listing.price == Decimal("45.00")
    assert not AuditEntry.objects.filter(action="listing.update").exists()


# --- Change form ------------------------------------------------------------------


def _change_form_post(listing: Listing, **values) -> dict:
    data = {
        "title": listing.title,
        "price": listing.price,
        "condition": listing.condition,
        "description": listing.description,
        "category": listing.category,
        "status": listing.status,
        "sku": listing.sku,
        "quantity": listing.quantity,
        "notes": listing.notes,
        **values,
    }
    return {name: value for name, value in data.items() if value is not False}


def test_change_form_shows_validation_errors_from_clean_listing(staff_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))
    url = reverse("admin:listings_listing_change", args=[listing.pk])

    response = staff_client.post(url, _change_form_post(listing, price="-1"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"price": ["The price cannot be negative."]}
    listing.refresh_from_db()
    assert listing.price == Decimal("45.00")
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_change_form_saves_cleaned_values_and_audits(staff_client, staff, owner):
    listing = ListingFactory(owner=owner, category="")
    url = reverse("admin:listings_listing_change", args=[listing.pk])

    page = staff_client.get(url).content.decode()
    response = staff_client.post(
        url, _change_form_post(listing, title="  Oak   chair ", category="electronics//software")
    )

    assert 'list="facebook-categories"' in page
    assert '<option value="Electronics//Software">' in page
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.title, listing.category, listing.version) == ("Oak chair", "Electronics//Software", 2)
    [entry] = audit_for(listing, "listing.update")
    assert entry.actor == staff
    assert set(entry.changes) == {"title", "category"}


def test_add_form_creates_through_the_service(staff_client, staff, owner):
    response = staff_client.post(
        reverse("admin:listings_listing_add"),
        {
            "owner": owner.pk,
            "title": "Bike",
            "price": "1200",
            "condition": "New",
            "category": "Bikes",
            "status": "ready",
            "quantity": "1",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    listing = Listing.objects.get(title="Bike")
    assert (listing.owner, listing.price, listing.source) == (owner, Decimal("1200.00"), Source.MANUAL)
    assert listing.warnings == ["“Bikes” is not a Facebook Marketplace category."]
    [entry] = audit_for(listing, "listing.create")
    assert entry.actor == staff


def test_delete_view_deletes_through_the_service(staff_client, staff, owner):
    listing = ListingFactory(owner=owner)

    response = staff_client.post(reverse("admin:listings_listing_delete", args=[listing.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Listing.objects.filter(pk=listing.pk).exists()
    [entry] = audit_for(listing, "listing.delete")
    assert entry.actor == staff


# --- Bulk actions with an intermediate form ---------------------------------------


def test_set_condition_asks_then_changes_and_audits_one_batch(staff_client, staff, owner):
    chosen = ListingFactory.create_batch(3, owner=owner, condition="Used - Good")
    untouched = ListingFactory(owner=owner, condition="Used - Good")

    page, _ = run_action(staff_client, "set_condition", chosen)

    assert page.status_code == 200
    assert page.templates[0].name == "admin/listings/listing/bulk_action.html"
    assert "3 listings" in page.content.decode()
    assert Listing.objects.filter(condition="Used - Good").count() == 4  # nothing changed yet

    _, done = run_action(staff_client, "set_condition", chosen, {"condition": "New"})

    assert done.status_code == 302
    assert "Condition set to “New” on 3 listings." in messages_of(done)
    assert set(Listing.objects.filter(condition="New")) == set(chosen)
    untouched.refresh_from_db()
    assert untouched.condition == "Used - Good"
    entries = AuditEntry.objects.filter(action="listing.bulk_set")
    assert {e.object_id for e in entries} == {str(listing.pk) for listing in chosen}
    assert len({e.batch for e in entries}) == 1
    assert all(e.actor == staff and e.changes == {"condition": ["Used - Good", "New"]} for e in entries)


def test_set_category_page_suggests_facebook_categories(staff_client, owner):
    listings = ListingFactory.create_batch(2, owner=owner, category="")

    page, done = run_action(staff_client, "set_category", listings, {"category": "electronics//software"})

    html = page.content.decode()
    assert '<datalist id="facebook-categories">' in html
    assert '<option value="Electronics//Software">' in html
    assert "Category set to “electronics//software” on 2 listings." in messages_of(done)
    # Cleaned by listings.validation: Facebook's spelling.
    assert set(Listing.objects.values_list("category", flat=True)) == {"Electronics//Software"}
    assert AuditEntry.objects.filter(action="listing.bulk_set").count() == 2


def test_set_shipping(staff_client, owner):
    listings = ListingFactory.create_batch(2, owner=owner, offer_shipping=False)

    _, done = run_action(staff_client, "set_shipping", listings, {"offer_shipping": "True"})

    assert "Shipping offered on 2 listings." in messages_of(done)
    assert all(Listing.objects.values_list("offer_shipping", flat=True))
    assert AuditEntry.objects.filter(action="listing.bulk_set").count() == 2


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("percent", "-10", Decimal("40.50")),
        ("amount", "5.25", Decimal("50.25")),
        ("amount", "-100", Decimal(0)),
    ],
)
def test_adjust_price(staff_client, owner, kind, value, expected):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))

    _, done = run_action(staff_client, "adjust_price", [listing], {"kind": kind, "change": value})

    assert "Prices adjusted on 1 listing." in messages_of(done)
    listing.refresh_from_db()
    assert listing.price == expected
    [entry] = audit_for(listing, "listing.price_adjust")
    assert entry.changes == {"price": ["45.00", f"{expected:.2f}"]}


def test_adjust_price_form_errors_keep_the_page_and_change_nothing(staff_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))

    _, again = run_action(staff_client, "adjust_price", [listing], {"kind": "percent", "change": "-150"})

    assert again.status_code == 200
    assert "The percentage must be from -99.99 to 1,000." in again.content.decode()
    listing.refresh_from_db()
    assert listing.price == Decimal("45.00")
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_delete_action_confirms_then_deletes_and_audits(staff_client, staff, owner):
    doomed = ListingFactory.create_batch(2, owner=owner)
    kept = ListingFactory(owner=owner)

    page, done = run_action(staff_client, "delete_listings", doomed, {})

    assert "Yes, delete 2 listings" in page.content.decode()
    assert "Deleted 2 listings." in messages_of(done)
    assert list(Listing.objects.all()) == [kept]
    entries = AuditEntry.objects.filter(action="listing.delete")
    assert {e.object_id for e in entries} == {str(listing.pk) for listing in doomed}
    assert all(e.actor == staff for e in entries)


def test_select_across_acts_on_the_filtered_changelist(staff_client, owner):
    news = ListingFactory.create_batch(3, owner=owner, condition="New", price=Decimal("10.00"))
    used = ListingFactory(owner=owner, condition="Used - Fair", price=Decimal("10.00"))

    page, done = run_action(
        staff_client,
        "adjust_price",
        news[:1],  # the page's ticked boxes; "select all" widens it to the filter
        {"kind": "amount", "change": "1"},
        query="condition__exact=New",
        select_across="1",
    )

    assert "3 listings" in page.content.decode()
    assert "Prices adjusted on 3 listings." in messages_of(done)
    assert set(Listing.objects.filter(price=Decimal("11.00"))) == set(news)
    used.refresh_from_db()
    assert used.price == Decimal("10.00")


# --- Import and export ------------------------------------------------------------


def import_format(fmt) -> str:
    """The value of import-export's "format" choice for a format class."""
    return str(admin.site.get_model_admin(Listing).get_import_formats().index(fmt))


def export_format(fmt) -> str:
    return str(admin.site.get_model_admin(Listing).get_export_formats().index(fmt))


def import_csv(client, text: str):
    fmt = import_format(base_formats.CSV)
    upload = SimpleUploadedFile("listings.csv", text.encode(), content_type="text/csv")
    return client.post(
        reverse("admin:listings_listing_import"), {"import_file": upload, "format": fmt, "resource": "0"}
    )


def confirm_import(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse("admin:listings_listing_process_import"), data)


def test_import_preview_reports_bad_rows_and_imports_nothing(staff_client):
    csv = "title,price,condition,category\nDesk lamp,15,New,Furniture\n,abc,Broken,\nChair,-4,used good,\n"

    response = import_csv(staff_client, csv)

    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert invalid == {
        2: {
            "title": ["A title is required."],
            "price": ["“abc” is not a price."],
            "condition": [
                "“Broken” is not a condition; use one of: New, Used - Like New, Used - Good, Used - Fair."
            ],
        },
        3: {"price": ["The price cannot be negative."]},
    }
    html = response.content.decode()
    assert "A title is required." in html and "The price cannot be negative." in html
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Listing.objects.exists()
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_import_creates_listings_for_the_importer_or_the_named_owner(staff_client, staff, owner):
    csv = "title,price,condition,owner\nDesk lamp,$15,like new,\nBookcase,80,Used - Fair,OWNER@example.com\n"

    preview = import_csv(staff_client, csv)
    assert not Listing.objects.exists()  # the preview is a rolled-back dry run
    done = confirm_import(staff_client, preview)

    assert done.status_code == 302
    lamp, bookcase = Listing.objects.get(title="Desk lamp"), Listing.objects.get(title="Bookcase")
    assert (lamp.owner, lamp.price, lamp.condition, lamp.source) == (
        staff,
        Decimal("15.00"),
        "Used - Like New",
        "import",
    )
    assert bookcase.owner == owner
    entries = AuditEntry.objects.filter(action="listing.create")
    assert entries.count() == 2
    assert {e.actor for e in entries} == {staff}
    assert len({e.batch for e in entries}) == 1 and entries[0].batch is not None


def test_import_updates_by_id_and_refuses_unknown_ids_and_owner_moves(staff_client, staff, owner, other_user):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))

    bad = import_csv(staff_client, f"id,price,owner\n{listing.pk},50,other@example.com\n999999,5,\n")
    invalid = {row.number: row.error_dict for row in bad.context["result"].invalid_rows}
    assert invalid == {
        1: {"owner": ["An import cannot move a listing to another owner."]},
        2: {"id": ["There is no listing with id 999999."]},
    }

    done = confirm_import(staff_client, import_csv(staff_client, f"id,price\n{listing.pk},50\n"))
    assert done.status_code == 302
    listing.refresh_from_db()
    assert (listing.price, listing.version, listing.owner) == (Decimal("50.00"), 2, owner)
    [entry] = audit_for(listing, "listing.update")
    assert entry.actor == staff and entry.changes == {"price": ["45.00", "50.00"]}


def export_file(client, fmt: str):
    url = reverse("admin:listings_listing_export")
    form = client.get(url).context["form"]
    data = {"format": fmt, "resource": "0"}
    data.update(
        {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    )
    return client.post(url, data)


def export_csv(client):
    return export_file(client, export_format(base_formats.CSV))


def test_export_csv_has_every_listing_without_a_query_per_row(
    staff_client, owner, other_user, django_assert_max_num_queries
):
    ListingFactory.create_batch(5, owner=owner)
    ListingFactory.create_batch(5, owner=other_user)

    with django_assert_max_num_queries(20):
        response = export_csv(staff_client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].split(",")[:4] == ["id", "owner", "title", "price"]
    assert len(lines) == 11
    assert sum("other@example.com" in line for line in lines) == 5


def test_exported_file_reimports_as_unchanged(staff_client, owner):
    ListingFactory.create_batch(3, owner=owner)
    exported = export_csv(staff_client).content.decode()

    preview = import_csv(staff_client, exported)

    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 3
    assert not AuditEntry.objects.exclude(action="login").exists()


# --- Access -------------------------------------------------------------------------


def test_non_staff_is_sent_to_the_admin_login(client, owner):
    client.force_login(owner)

    response = client.get(changelist_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- Templates -----------------------------------------------------------------------


def test_import_refuses_files_over_the_size_and_row_limits(staff_client, settings):
    csv = "title,price\nLamp,5\nDesk,40\nChair,12\n"

    settings.IMPORT_MAX_BYTES = 10
    too_big = import_csv(staff_client, csv)
    settings.IMPORT_MAX_BYTES = 10_000
    settings.IMPORT_MAX_ROWS = 2
    too_long = import_csv(staff_client, csv)

    assert too_big.context["form"].errors["import_file"] == [
        f"The file is {len(csv)} bytes; the most one import takes is 10."
    ]
    assert [str(error.error) for error in too_long.context["result"].base_errors] == [
        "The file has 3 rows; the most one import takes is 2."
    ]
    assert not Listing.objects.exists()


def test_xlsx_export_imports_back_with_typed_cells(staff_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"), offer_shipping=False)
    exported = export_file(staff_client, export_format(base_formats.XLSX))
    book = openpyxl.load_workbook(BytesIO(exported.content))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    row = {header: cell for header, cell in zip(headers, sheet[2], strict=True)}
    row["price"].value = 39.5  # a number cell, as a spreadsheet keeps it
    row["offer_shipping"].value = "yes"
    edited = BytesIO()
    book.save(edited)

    upload = SimpleUploadedFile("listings.xlsx", edited.getvalue())
    fmt = import_format(base_formats.XLSX)
    preview = staff_client.post(
        reverse("admin:listings_listing_import"), {"import_file": upload, "format": fmt, "resource": "0"}
    )
    done = confirm_import(staff_client, preview)

    assert done.status_code == 302
    listing.refresh_from_db()
    assert (listing.price, listing.offer_shipping) == (Decimal("39.50"), True)
    [entry] = audit_for(listing, "listing.update")
    assert entry.changes == {"price": ["45.00", "39.50"], "offer_shipping": [False, True]}


def test_staff_who_may_only_view_listings_can_export_but_not_import_or_act(client, owner):
    viewer = UserFactory(email="viewer@example.com", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_listing"))
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))
    client.force_login(viewer)

    changelist = client.get(changelist_url())
    import_page = client.get(reverse("admin:listings_listing_import"))
    exported = export_csv(client)
    _, action = run_action(client, "adjust_price", [listing], {"kind": "amount", "change": "5"})

    assert changelist.status_code == 200
    assert 'name="form-0-price"' not in changelist.content.decode()
    assert 'value="adjust_price"' not in changelist.content.decode()
    assert import_page.status_code == 403
    assert exported.status_code == 200 and listing.title in exported.content.decode()
    assert action.status_code == 200  # the changelist again: it has no actions for this user
    listing.refresh_from_db()
    assert listing.price == Decimal("45.00")


def test_import_matches_headers_in_any_case_and_reports_a_malformed_id(staff_client):
    response = import_csv(staff_client, "ID,Title,PRICE\nabc,Lamp,5\n,Desk,40\n")

    result = response.context["result"]
    assert {row.number: row.error_dict for row in result.invalid_rows} == {
        1: {"id": ["“abc” is not a listing id."]}
    }
    assert not Listing.objects.exists()


def test_export_json(staff_client, owner):
    listing = ListingFactory(owner=owner, price=Decimal("45.00"))

    response = export_file(staff_client, export_format(base_formats.JSON))

    [row] = json.loads(response.content)
    assert (row["id"], row["owner"], row["title"], row["price"]) == (
        str(listing.pk),  # import-export renders every cell as text
        "owner@example.com",
        listing.title,
        "45.00",
    )
