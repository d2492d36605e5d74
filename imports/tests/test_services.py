"""The import flow through its services: preview, commit, update matching, templates."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from imports.models import Import
from imports.services import ImportNotCommittable, ImportRejected, import_commit, import_create, import_remap
from imports.tests.import_files import (
    csv_bytes,
    facebook_template_bytes,
    ods_bytes,
    upload,
    xls_bytes,
    xlsx_bytes,
)
from listings.fields import Condition, Source
from listings.models import Listing
from listings.services.undo import undo_last
from listings.tests.factories import ListingFactory, ListingTemplateFactory

pytestmark = pytest.mark.django_db

HEADER = ["Title", "Price", "Condition", "Description", "Category", "Offer shipping"]
CHAIRS = "Furniture//Dining Room Furniture//Dining Chairs"


def rows_of(n: int):
    return [[f"Chair {i}", 10 + i, "Used - Good", f"Chair number {i}", CHAIRS, "no"] for i in range(n)]


def test_facebook_template_filled_in_the_real_file_imports(owner, tmp_path):
    data = facebook_template_bytes(
        tmp_path,
        [
            ["Oak chair", 45, "used like new", "Solid oak", CHAIRS, "Yes"],
            ["Brass lamp", "$1,299.00", "New", "", "", "no"],
        ],
    )
    created = import_create(owner=owner, files=[upload("Marketplace_Bulk_Upload_Template.xlsx", data)])

    import_file = created.files.get()
    assert import_file.sheet == "Bulk Upload Template"
    assert import_file.sheet_names == ["Bulk Upload Template", "VALIDATION"]
    # Three instruction rows, then the header on the fourth.
    assert import_file.header_row == 3
    assert import_file.mapping == ["title", "price", "condition", "description", "category", "offer_shipping"]
    assert created.counts == {"rows": 2, "new": 2, "updated": 0, "unchanged": 0, "invalid": 0}
    assert Listing.objects.count() == 0

    committed = import_commit(upload=created, actor=owner)

    assert committed.status == Import.Status.COMMITTED
    chair = Listing.objects.get(title="Oak chair")
    assert (chair.price, chair.condition, chair.offer_shipping, chair.source) == (
        Decimal("45.00"),
        Condition.USED_LIKE_NEW,
        True,
        Source.IMPORT,
    )
    lamp = Listing.objects.get(title="Brass lamp")
    assert lamp.price == Decimal("1299.00")
    assert lamp.warnings == ["No category: Facebook needs one."]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("items.xlsx", xlsx_bytes),
        ("items.xls", xls_bytes),
        ("items.ods", ods_bytes),
        ("items.csv", csv_bytes),
    ],
)
def test_each_format_imports(owner, name, make):
    data = make([HEADER, ["Desk", "80", "good", "Pine desk", "", "true"], ["Stool", 12.5, "fair", "", "", 0]])
    created = import_create(owner=owner, files=[upload(name, data)])
    assert created.counts["new"] == 2, created.errors
    import_commit(upload=created, actor=owner)
    desk = Listing.objects.get(title="Desk")
    assert (desk.price, desk.condition, desk.offer_shipping) == (Decimal("80.00"), "Used - Good", True)
    stool = Listing.objects.get(title="Stool")
    assert (stool.price, stool.condition, stool.offer_shipping) == (Decimal("12.50"), "Used - Fair", False)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("utf-8", ",", False), ("utf-8", ";", True), ("cp1252", ";", False), ("utf-8", "\t", False)],
)
def test_csv_encoding_and_delimiter_are_detected(owner, encoding, delimiter, bom):
    rows = [HEADER, ["Café crème – “vintage”", "12,50", "New", "Très bon état", "", "no"]]
    data = csv_bytes(rows, delimiter=delimiter, encoding=encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    created = import_create(owner=owner, files=[upload("export.csv", data)])
    assert created.errors == []
    assert created.preview[0]["values"]["title"] == "Café crème – “vintage”"
    assert created.preview[0]["values"]["description"] == "Très bon état"
    # "12,50" with a decimal comma (semicolon files) or a 12.50 price either way.
    assert created.preview[0]["values"]["price"] == "12.50"


def test_header_synonyms_and_value_normalisation(owner):
    data = xlsx_bytes(
        [
            ["Name", "Price ($)", "ITEM CONDITION", "Details", "Shipping", "SKU"],
            ["Teak bench", "$1,299.00", "used like new", "Garden bench", "Yes", "B-17"],
            ["Pine shelf", "15", "Brand new", "", "n", "S-2"],
        ]
    )
    created = import_create(owner=owner, files=[upload("mine.xlsx", data)])
    assert created.files.get().mapping == [
        "title",
        "price",
        "condition",
        "description",
        "offer_shipping",
        "sku",
    ]
    first = created.preview[0]
    assert first["values"] == {
        "title": "Teak bench",
        "price": "1299.00",
        "condition": "Used - Like New",
        "description": "Garden bench",
        "category": "",
        "offer_shipping": True,
        "status": "ready",
        "sku": "B-17",
        "quantity": 1,
        "sold_price": None,
        "notes": "",
        "brand": "",
        "ebay_category_id": "",
        "product_link": "",
    }
    assert first["extra"] == {}
    import_commit(upload=created, actor=owner)
    assert Listing.objects.get(title="Teak bench").sku == "B-17"
    assert Listing.objects.get(title="Pine shelf").condition == "New"


def test_preview_counts_errors_and_writes_nothing(owner):
    data = xlsx_bytes(
        [HEADER, *rows_of(3), ["", "5", "New", "", "", ""], ["Lamp", "free", "mint", "", "", ""]]
    )
    created = import_create(owner=owner, files=[upload("mixed.xlsx", data)])
    assert created.counts == {"rows": 5, "new": 3, "updated": 0, "unchanged": 0, "invalid": 2}
    assert [(e["row"], e["column"], e["field"]) for e in created.errors] == [
        (5, "Title", "title"),
        (6, "Price", "price"),
        (6, "Condition", "condition"),
    ]
    assert "“free” is not a price." in created.errors[1]["message"]
    assert [row["status"] for row in created.preview] == ["new", "new", "new", "invalid", "invalid"]
    assert Listing.objects.count() == 0
    assert not AuditEntry.objects.filter(action="listing.import").exists()


def test_commit_is_all_or_nothing_unless_skipping_invalid(owner):
    data = xlsx_bytes([HEADER, *rows_of(3), ["Lamp", "free", "New", "", "", ""]])
    created = import_create(owner=owner, files=[upload("mixed.xlsx", data)])

    with pytest.raises(ImportRejected) as rejected:
        import_commit(upload=created, actor=owner)
    assert "1 of 4 rows are invalid; nothing was imported" in rejected.value.message
    assert [(e.row, e.column) for e in rejected.value.errors] == [(5, "Price")]
    assert Listing.objects.count() == 0
    created.refresh_from_db()
    assert created.status == Import.Status.FAILED

    committed = import_commit(upload=created, actor=owner, skip_invalid=True)
    assert committed.counts["created"] == 3
    assert committed.counts["skipped"] == 1
    assert Listing.objects.filter(owner=owner, source=Source.IMPORT).count() == 3


def test_commit_is_audited_per_listing_and_as_one_import_entry_with_counts(owner):
    created = import_create(owner=owner, files=[upload("chairs.xlsx", xlsx_bytes([HEADER, *rows_of(4)]))])
    committed = import_commit(upload=created, actor=owner)
    entry = AuditEntry.objects.get(object_type="imports.import")
    assert entry.action == "listing.import"
    assert entry.object_id == str(committed.pk)
    assert entry.batch == committed.batch
    assert entry.changes["created"] == 4
    assert entry.changes["files"] == ["chairs.xlsx"]
    listing_entries = AuditEntry.objects.filter(object_type="listings.listing", batch=committed.batch)
    assert sorted(int(e.object_id) for e in listing_entries) == sorted(
        Listing.objects.filter(owner=owner).values_list("id", flat=True)
    )


def test_a_committed_import_cannot_commit_again(owner):
    created = import_create(owner=owner, files=[upload("chairs.xlsx", xlsx_bytes([HEADER, *rows_of(2)]))])
    import_commit(upload=created, actor=owner)
    with pytest.raises(ImportNotCommittable):
        import_commit(upload=created, actor=owner)
    assert Listing.objects.count() == 2


def test_update_matching_updates_by_id_only_the_owners_listings(owner, other_user):
    mine = ListingFactory(owner=owner, title="Old title", price=Decimal("10.00"))
    same = ListingFactory(owner=owner, title="Same", price=Decimal("5.00"))
    theirs = ListingFactory(owner=other_user, title="Not yours", price=Decimal("7.00"))
    data = xlsx_bytes(
        [
            ["ID", "Title", "Price"],
            [mine.pk, "New title", 12],
            [same.pk, "Same", 5],
            ["", "Brand new listing", 3],
            [theirs.pk, "Hijacked", 1],
        ]
    )
    created = import_create(
        owner=owner, files=[upload("update.xlsx", data)], mode=Import.Mode.UPDATE_MATCHING
    )
    assert created.counts == {"rows": 4, "new": 1, "updated": 1, "unchanged": 1, "invalid": 1}
    assert created.errors[0]["row"] == 5
    assert created.errors[0]["column"] == "ID"
    assert f"you have no listing with id {theirs.pk}" in created.errors[0]["message"]

    import_commit(upload=created, actor=owner, skip_invalid=True)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.title, mine.price, mine.version) == ("New title", Decimal("12.00"), 2)
    # Columns the file does not have keep their values.
    assert mine.condition == Condition.USED_GOOD
    assert (theirs.title, theirs.price) == ("Not yours", Decimal("7.00"))
    assert Listing.objects.filter(owner=owner, title="Brand new listing").exists()
    summary = AuditEntry.objects.get(action="listing.import", object_type="imports.import")
    assert summary.changes["updated"] == 1
    entry = AuditEntry.objects.get(
        batch=summary.batch, object_type="listings.listing", object_id=str(mine.pk)
    )
    assert entry.changes["title"] == ["Old title", "New title"]


def test_template_fills_missing_fields(owner):
    template = ListingTemplateFactory(
        owner=owner, defaults={"condition": "Used - Fair", "category": CHAIRS, "offer_shipping": True}
    )
    data = xlsx_bytes([["Title", "Price", "Condition"], ["Rocking chair", 30, ""], ["Armchair", 40, "New"]])
    created = import_create(owner=owner, files=[upload("t.xlsx", data)], template=template)
    import_commit(upload=created, actor=owner)
    rocking = Listing.objects.get(title="Rocking chair")
    assert (rocking.condition, rocking.category, rocking.offer_shipping) == ("Used - Fair", CHAIRS, True)
    # A value in the file wins over the template.
    assert Listing.objects.get(title="Armchair").condition == "New"
    template.refresh_from_db()
    assert template.use_count == 1
    assert AuditEntry.objects.filter(action="template.use", object_id=str(template.pk)).count() == 1


def test_several_files_become_one_import(owner):
    created = import_create(
        owner=owner,
        files=[
            upload("a.xlsx", xlsx_bytes([HEADER, *rows_of(2)])),
            upload("b.csv", csv_bytes([["Item", "Cost"], ["Vase", "9"]])),
        ],
    )
    assert created.files.count() == 2
    assert created.counts["new"] == 3
    import_commit(upload=created, actor=owner)
    assert Listing.objects.filter(owner=owner).count() == 3


def test_sheet_choice_when_there_are_several(owner):
    data = xlsx_bytes(
        None,
        sheets={
            "Notes": [["Just notes"], ["nothing to import"]],
            "Spring": [HEADER, *rows_of(2)],
            "Autumn": [["Title", "Price"], ["Coat", 20]],
        },
    )
    found = import_create(owner=owner, files=[upload("seasons.xlsx", data)])
    # Without a choice: the first sheet that has a header.
    assert found.files.get().sheet == "Spring"
    assert found.files.get().sheet_names == ["Notes", "Spring", "Autumn"]

    chosen = import_create(owner=owner, files=[upload("seasons.xlsx", data)], sheet="Autumn")
    assert chosen.counts["new"] == 1
    assert chosen.preview[0]["values"]["title"] == "Coat"

    import_file = found.files.get()
    remapped = import_remap(upload=found, import_file=import_file, sheet="Autumn")
    assert remapped.counts["rows"] == 1

    with pytest.raises(
        ImportRejected, match="has no sheet “Winter”; its sheets are “Notes”, “Spring”, “Autumn”"
    ):
        import_create(owner=owner, files=[upload("seasons.xlsx", data)], sheet="Winter")


def test_mapping_correction_revalidates(owner):
    data = xlsx_bytes([["Label", "Amount ask", "Remarks"], ["Sofa", "250", "Blue"]])
    with pytest.raises(ImportRejected, match="no title column"):
        import_create(owner=owner, files=[upload("odd.xlsx", data)])

    data = xlsx_bytes([["Title", "Amount ask", "Remarks"], ["Sofa", "250", "Blue"]])
    created = import_create(owner=owner, files=[upload("odd.xlsx", data)])
    assert created.counts["invalid"] == 1
    assert created.errors[0]["field"] == "price"
    import_file = created.files.get()
    remapped = import_remap(
        upload=created, import_file=import_file, mapping=["title", "price", "description"]
    )
    assert remapped.counts == {"rows": 1, "new": 1, "updated": 0, "unchanged": 0, "invalid": 0}
    assert remapped.preview[0]["values"]["description"] == "Blue"
    with pytest.raises(ImportRejected, match="only one column can be mapped to title"):
        import_remap(upload=created, import_file=import_file, mapping=["title", "title", "price"])


def test_dates_and_numbers_in_text_columns(owner):
    data = xlsx_bytes(
        [
            HEADER,
            [1984, 12, "New", date(2024, 3, 5), 2024, 1],
            ["Calendar", date(2024, 3, 5), "New", "", "", ""],
        ]
    )
    created = import_create(owner=owner, files=[upload("dates.xlsx", data)])
    first, second = created.preview
    # A number typed as a title stays the text it was; a date becomes ISO text.
    assert first["values"]["title"] == "1984"
    assert first["values"]["description"] == "2024-03-05"
    assert first["status"] == "new"
    assert second["status"] == "invalid"
    assert second["errors"] == [
        {
            "file": "dates.xlsx",
            "row": 3,
            "column": "Price",
            "field": "price",
            "message": "“2024-03-05” is a date or time, not a price.",
        }
    ]
    with pytest.raises(ImportRejected):
        import_commit(upload=created, actor=owner)
    assert Listing.objects.count() == 0


def test_ten_thousand_character_cells_are_row_errors(owner):
    long = "x" * 10_000
    data = xlsx_bytes([[*HEADER, "Remarks"], [long, 5, "New", long, "", "", long]])
    created = import_create(owner=owner, files=[upload("long.xlsx", data)])
    messages = {(e["column"], e["message"]) for e in created.errors}
    assert ("Title", "The title has 10000 characters; the most is 150.") in messages
    assert ("Description", "The description has 10000 characters; the most is 5000.") in messages
    assert ("Remarks", "the cell has 10,000 characters; the most kept is 5,000.") in messages
    # The preview never carries the whole text back.
    assert all(len(e["message"]) < 200 for e in created.errors)
    with pytest.raises(ImportRejected):
        import_commit(upload=created, actor=owner)
    assert Listing.objects.count() == 0


def test_writing_reports_progress_as_rows_go_in(owner):
    from imports.writing import new_listings
    from listings.services.changes import changes_apply

    rows = [
        (
            f"Chair {i}",
            Decimal("5.00"),
            "New",
            "",
            "",
            False,
            "ready",
            "",
            1,
            None,
            "",
            "",
            "",
            "",
            "{}",
            "[]",
        )
        for i in range(12_000)
    ]
    seen: list[int] = []
    creates = new_listings(owner_id=owner.pk, rows=iter(rows), on_progress=seen.append)
    written = changes_apply(actor=owner, action="listing.import", create=creates).created
    assert len(written) == 12_000
    assert seen == [5000, 10_000]
    assert Listing.objects.filter(owner=owner, source=Source.IMPORT).count() == 12_000


def test_a_row_with_the_sku_of_a_listing_updates_it_when_updating(owner, other_user):
    shelf = ListingFactory(owner=owner, title="Shelf", sku="SH-1", quantity=1)
    ListingFactory(owner=other_user, title="Not yours", sku="NY-1")
    data = xlsx_bytes(
        [
            ["Title", "Price", "Custom label", "Qty", "Status"],
            ["Shelf, oak", 30, "sh-1", 4, "Active"],
            ["Lamp", 9, "NY-1", 1, "Draft"],
        ]
    )
    created = import_create(owner=owner, files=[upload("stock.xlsx", data)], mode=Import.Mode.UPDATE_MATCHING)
    assert created.files.get().mapping == ["title", "price", "sku", "quantity", "status"]
    assert created.counts == {"rows": 2, "new": 1, "updated": 1, "unchanged": 0, "invalid": 0}

    import_commit(upload=created, actor=owner)

    shelf.refresh_from_db()
    assert (shelf.title, shelf.quantity, shelf.status, shelf.sku) == ("Shelf, oak", 4, "listed", "sh-1")
    lamp = Listing.objects.get(owner=owner, title="Lamp")
    assert (lamp.sku, lamp.status) == ("NY-1", "draft")


def test_a_sku_held_by_a_listing_or_given_twice_is_a_row_error_naming_the_other(owner):
    holder = ListingFactory(owner=owner, title="Shelf", sku="SH-1")
    data = xlsx_bytes(
        [["Title", "Price", "SKU"], ["New shelf", 30, "SH-1"], ["Lamp", 9, "L-1"], ["Lamp again", 9, "l-1"]]
    )

    created = import_create(owner=owner, files=[upload("new.xlsx", data)], mode=Import.Mode.CREATE)

    assert [(error["row"], error["column"], error["message"]) for error in created.errors] == [
        (2, "SKU", f"The SKU “SH-1” is already used by listing {holder.pk} (“Shelf”)."),
        (4, "SKU", "The SKU “l-1” is also given to row 3 of new.xlsx; a SKU names one listing."),
    ]


SOLD_ON = datetime(2026, 10, 3, 14, 5, 9, tzinfo=UTC)


def test_a_sale_date_column_dates_new_sold_listings_and_is_checked(owner):
    data = csv_bytes(
        [
            ["Title", "Price", "Status", "Date sold"],
            ["Sold in October", 10, "sold", "2026-10-03T14:05:09Z"],
            ["Sold, date not given", 11, "sold", ""],
            ["Still for sale", 12, "ready", "2026-10-03"],
            ["Sold on no date", 13, "sold", "last week"],
            ["Sold in the future", 14, "sold", "2999-01-01"],
        ]
    )
    created = import_create(owner=owner, files=[upload("sales.csv", data)])

    assert created.files.get().mapping == ["title", "price", "status", "sold_at"]
    assert [
        (error["row"], error["column"], error["field"], error["message"]) for error in created.errors
    ] == [
        (
            4,
            "Date sold",
            "sold_at",
            "only a sold listing has a sale's date, and this one is Ready: set its status to Sold.",
        ),
        (
            5,
            "Date sold",
            "sold_at",
            "“last week” is not a date; write it as 2026-12-01 or 2026-12-01T18:33:17Z.",
        ),
        (6, "Date sold", "sold_at", "2999-01-01 is in the future; a sale's date has passed."),
    ]
    before = timezone.now()
    import_commit(upload=created, actor=owner, skip_invalid=True)

    dated = Listing.objects.get(owner=owner, title="Sold in October")
    assert (dated.status, dated.sold_at) == ("sold", SOLD_ON)
    # A sold listing whose date the file leaves empty sold when it was imported.
    assert Listing.objects.get(owner=owner, title="Sold, date not given").sold_at >= before
    entry = AuditEntry.objects.get(object_type="listings.listing", object_id=str(dated.pk))
    assert entry.changes["sold_at"] == [None, "2026-10-03T14:05:09+00:00"]


def test_an_update_keeps_changes_or_leaves_the_sale_date_by_what_the_row_says_and_undoes(owner):
    redated = ListingFactory(owner=owner, title="Redated", status="sold", sold_at=SOLD_ON)
    same = ListingFactory(owner=owner, title="Same", status="sold", sold_at=SOLD_ON.replace(microsecond=250))
    unsold = ListingFactory(owner=owner, title="Back for sale", status="sold", sold_at=SOLD_ON)
    kept = ListingFactory(owner=owner, title="Kept", status="sold", sold_at=SOLD_ON)
    data = csv_bytes(
        [
            ["ID", "Title", "Status", "Sold at"],
            [redated.pk, "Redated", "sold", "2026-11-20"],
            # The file writes the second; the same second is the same sale.
            [same.pk, "Same", "sold", "2026-10-03T14:05:09Z"],
            [unsold.pk, "Back for sale", "ready", ""],
            [kept.pk, "Kept, renamed", "", ""],
        ]
    )
    created = import_create(owner=owner, files=[upload("update.csv", data)], mode=Import.Mode.UPDATE_MATCHING)
    assert created.counts == {"rows": 4, "new": 0, "updated": 3, "unchanged": 1, "invalid": 0}, created.errors

    import_commit(upload=created, actor=owner)

    for listing in (redated, same, unsold, kept):
        listing.refresh_from_db()
    assert redated.sold_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert same.sold_at == SOLD_ON.replace(microsecond=250)
    assert (unsold.status, unsold.sold_at) == ("ready", None)
    assert (kept.title, kept.status, kept.sold_at) == ("Kept, renamed", "sold", SOLD_ON)

    # One undo step puts back every date the import changed or cleared.
    undo_last(user=owner)
    for listing in (redated, unsold):
        listing.refresh_from_db()
        assert (listing.status, listing.sold_at) == ("sold", SOLD_ON)


def test_an_update_refuses_a_sale_date_on_a_listing_it_leaves_unsold(owner):
    listing = ListingFactory(owner=owner, title="Lamp", status="ready")
    data = csv_bytes([["ID", "Title", "Sold at"], [listing.pk, "Lamp", "2026-10-03"]])

    created = import_create(owner=owner, files=[upload("update.csv", data)], mode=Import.Mode.UPDATE_MATCHING)

    assert [(error["row"], error["column"], error["message"]) for error in created.errors] == [
        (
            2,
            "Sold at",
            "only a sold listing has a sale's date, and this one is Ready: set its status to Sold.",
        )
    ]
