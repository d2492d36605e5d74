"""A database made before templates and imports had apps of their own migrates to the
new layout with its rows, content types and foreign keys intact."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [
    ("listings", "0004_import_imports"),
    ("listing_templates", None),
    ("imports", None),
]


def _migrate(targets):
    """Migrate to ``targets`` and answer the models as they were then."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = [target for target in targets if target[1] is not None]
    return executor.loader.project_state([*applied, ("contenttypes", "0002_remove_content_type_name")]).apps


def test_templates_and_imports_move_apps_with_their_rows(owner):
    old = _migrate(BEFORE)
    ContentType = old.get_model("contenttypes", "ContentType")
    template = old.get_model("listings", "ListingTemplate").objects.create(
        owner_id=owner.pk, name="Chairs", defaults={"condition": "New"}
    )
    upload = old.get_model("listings", "Import").objects.create(
        owner_id=owner.pk, template_id=template.pk, status="committed"
    )
    old.get_model("listings", "ImportFile").objects.create(
        upload_id=upload.pk, original_name="chairs.xlsx", format="xlsx", sheet="Sheet1", file="x.xlsx"
    )
    old_type = ContentType.objects.get_or_create(app_label="listings", model="listingtemplate")[0]

    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    new = _migrate(leaf)

    moved = new.get_model("listing_templates", "ListingTemplate").objects.get()
    assert (moved.pk, moved.name, moved.defaults) == (template.pk, "Chairs", {"condition": "New"})
    Import = new.get_model("imports", "Import")
    assert Import.objects.get().template_id == template.pk
    assert new.get_model("imports", "ImportFile").objects.get().upload_id == upload.pk
    # Permissions and admin log entries keep pointing at the model they were about.
    type_now = new.get_model("contenttypes", "ContentType").objects.get(pk=old_type.pk)
    assert (type_now.app_label, type_now.model) == ("listing_templates", "listingtemplate")
    # The foreign keys still hold in the database: deleting the template clears the link.
    moved.delete()
    assert Import.objects.get().template_id is None


def test_existing_listings_become_ready_with_a_quantity_of_one_and_no_sku(owner):
    old = _migrate([("listings", "0007_title_natural_sort")])
    old.get_model("listings", "Listing").objects.create(
        owner_id=owner.pk, title="Old lamp", price="5.00", condition="New"
    )
    old.get_model("listings", "Listing").objects.create(
        owner_id=owner.pk, title="Old desk", price="9.00", condition="New"
    )

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    rows = new.get_model("listings", "Listing").objects.order_by("title")
    assert list(rows.values_list("title", "status", "quantity", "sku", "sold_at", "sold_price", "notes")) == [
        ("Old desk", "ready", 1, "", None, None, ""),
        ("Old lamp", "ready", 1, "", None, None, ""),
    ]


def test_existing_listings_get_blank_marketplace_fields(owner):
    old = _migrate([("listings", "0010_inventory_fields")])
    old.get_model("listings", "Listing").objects.create(
        owner_id=owner.pk, title="Old lamp", price="5.00", condition="New", status="ready", quantity=1
    )

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    rows = new.get_model("listings", "Listing").objects.values_list(
        "brand", "ebay_category_id", "product_link"
    )
    assert list(rows) == [("", "", "")]
    # A database default too: a bulk load (COPY) naming only the older columns gets blanks.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO listings_listing (owner_id, title, price, condition, description, category,"
            " offer_shipping, status, sku, quantity, notes, source, extra, warnings, version, created_at,"
            " updated_at) VALUES (%s, 'Loaded', 1, 'New', '', '', false, 'ready', '', 1, '', 'import',"
            " '{}', '[]', 1, now(), now()) RETURNING brand, ebay_category_id, product_link",
            [owner.pk],
        )
        assert cursor.fetchone() == ("", "", "")
