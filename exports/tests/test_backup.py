"""Account backups: ``account_export`` writes a zip that ``account_import`` restores
into an empty account on another installation (here a second, freshly migrated
database) exactly; the extension point for other apps' parts; hostile zips."""

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEntry, Operation
from exports.backup import account_backup_create, account_restore
from exports.tests.backup_parts import ListingNotes
from listing_templates.services import template_create
from listings.models import Listing
from listings.services.changes import NewListing, changes_apply, listing_create
from listings.validation import clean_listing
from marketplace.errors import InvalidInput
from marketplace.tests.worker_process import database_url

BASE_DIR = Path(settings.BASE_DIR)
# What the restore adds of its own: the new account's sign-up and the restore itself.
RESTORE_ACTIONS = {"register", "account.restore", "template.restore", "account.backup"}


def seller_with_history(user) -> None:
    """Listings made, one edited and one deleted, a template: several operations."""
    rows = [
        NewListing(
            owner_id=user.pk,
            values=clean_listing(
                {"title": f"Lamp {n}", "price": Decimal(f"{n}.50"), "condition": "Used - Good"}
            ),
            extra={"sku": f"L-{n}"},
        )
        for n in range(1, 6)
    ]
    ids = changes_apply(actor=user, action="listing.create", create=rows).created
    changes_apply(
        actor=user,
        action="listing.bulk_edit",
        update=ids[:2],
        compute=lambda row: {"description": "Brass, 1970s"},
    )
    changes_apply(actor=user, action="listing.delete", delete=ids[4:])
    template_create(owner=user, name="Lamps", defaults={"category": "Home//Lighting", "offer_shipping": True})


def read_zip(path_or_bytes) -> dict[str, list]:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    with zipfile.ZipFile(source) as archive:
        return {
            name[:-5]: json.loads(archive.read(name)) for name in archive.namelist() if name.endswith(".json")
        }


def comparable(backup: dict[str, list]) -> dict[str, list]:
    """The backup with the ids and times that are new on another installation replaced
    by each thing's position, so two backups of the same data compare equal."""
    listing_position = {row["id"]: n for n, row in enumerate(backup["listings"])}
    template_position = {row["id"]: n for n, row in enumerate(backup["templates"])}
    batches: dict[str, int] = {}
    positions = {"listings.listing": listing_position, "listing_templates.listingtemplate": template_position}
    history = []
    for entry in backup["history"]:
        if entry["action"] in RESTORE_ACTIONS:
            continue
        known = positions.get(entry["object_type"], {})
        object_id = entry["object_id"]
        history.append(
            {
                **{key: value for key, value in entry.items() if key not in ("id", "batch", "object_id")},
                "object": known.get(int(object_id), object_id) if object_id.isdigit() else object_id,
                "batch": batches.setdefault(entry["batch"], len(batches)) if entry["batch"] else None,
            }
        )
    new_here = {"id", "version", "created_at", "updated_at", "ocr_scan_id", "owner_id"}
    return {
        "listings": [{k: v for k, v in row.items() if k not in new_here} for row in backup["listings"]],
        "templates": [
            {k: v for k, v in row.items() if k not in ("id", "owner_id")} for row in backup["templates"]
        ],
        "history": history,
    }


@pytest.fixture
def second_installation(tmp_path):
    """A database of its own, migrated from nothing, and how to run manage.py on it."""
    name = f"{connection.settings_dict['NAME']}_second"
    admin_url = database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": database_url().rsplit("/", 1)[0] + f"/{name}",
        "VAR_DIR": str(tmp_path / "second"),
    }
    env.pop("REDIS_URL", None)  # its own installation: its own (in-process) cache

    def manage(*argv: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *argv],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    manage("migrate", "--noinput", "-v0")
    yield manage
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_exactly_into_an_empty_account_elsewhere(owner, tmp_path, second_installation):
    seller_with_history(owner)
    exported = tmp_path / "owner.zip"
    call_command("account_export", "--email", owner.email, "--output", str(exported))

    said = second_installation("account_import", "--email", "moved@example.com", str(exported))
    assert said.strip() == "Restored into moved@example.com: 4 listings, 1 templates, 9 history, 0 photos."
    again = tmp_path / "again.zip"
    second_installation("account_export", "--email", "moved@example.com", "--output", str(again))

    original, restored = read_zip(exported), read_zip(again)
    assert original["manifest"]["counts"] == {"listings": 4, "templates": 1, "history": 9, "photos": 0}
    assert comparable(restored) == comparable(original)
    # Nothing of the restore is lost either: it is one operation of its own.
    assert [entry["action"] for entry in restored["history"]].count("account.restore") == 5


@pytest.mark.django_db
def test_history_comes_back_as_operations_with_their_times(owner, other_user):
    seller_with_history(owner)
    backup = account_backup_create(user=owner)
    account_restore(user=other_user, file=backup.file)
    mine = Operation.objects.filter(actor=owner).exclude(action="account.backup").order_by("id")
    theirs = Operation.objects.filter(actor=other_user).exclude(action__in=RESTORE_ACTIONS).order_by("id")
    assert [(o.action, o.entry_count) for o in theirs] == [(o.action, o.entry_count) for o in mine]
    assert not ({o.batch for o in theirs} & {o.batch for o in mine}) - {None}
    times = AuditEntry.objects.exclude(action__in=RESTORE_ACTIONS).order_by("id")
    assert list(times.filter(actor=other_user).values_list("created_at", "action", "changes")) == list(
        times.filter(actor=owner).values_list("created_at", "action", "changes")
    )
    assert Listing.objects.filter(owner=other_user).count() == 4
    assert (
        AuditEntry.objects.filter(
            actor=other_user, action="account.restore", object_type="accounts.user"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_a_sold_listing_keeps_its_sale_date_through_backup_and_restore(owner, other_user):
    sold_on = datetime(2026, 10, 3, 14, 5, 9, 250, tzinfo=UTC)
    with time_machine.travel(sold_on, tick=False):
        listing_create(owner=owner, data={"title": "Lamp", "price": "10", "status": "sold"})

    account_restore(user=other_user, file=account_backup_create(user=owner).file)

    assert list(Listing.objects.filter(owner=other_user).values_list("status", "sold_at")) == [
        ("sold", sold_on)
    ]


@pytest.mark.django_db
def test_other_apps_add_their_parts_and_get_the_new_ids(owner, other_user, settings):
    settings.ACCOUNT_BACKUP_PARTS = ["exports.tests.backup_parts.ListingNotes"]
    ListingNotes.restored.clear()
    seller_with_history(owner)
    backup = account_backup_create(user=owner)
    assert backup.counts["notes"] == 4
    counts = account_restore(user=other_user, file=backup.file)
    assert counts["notes"] == 4
    theirs = set(Listing.objects.filter(owner=other_user).values_list("id", flat=True))
    assert {int(note["listing"]) for note in ListingNotes.restored} == theirs


@pytest.mark.django_db
def test_an_account_with_listings_is_not_restored_into(owner, other_user):
    seller_with_history(owner)
    seller_with_history(other_user)
    backup = account_backup_create(user=owner)
    with pytest.raises(InvalidInput) as refused:
        account_restore(user=other_user, file=backup.file)
    assert refused.value.errors[0].message.startswith("other@example.com already has listings")


def zip_of(**files: bytes) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name.replace("_", "."), data)
    buffer.seek(0)
    return buffer


MANIFEST = json.dumps({"format": 2}).encode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (io.BytesIO(b"not a zip"), "This is not a backup zip."),
        (
            zip_of(manifest_json=json.dumps({"format": 99}).encode()),
            "Backup format 99 is not one this version reads.",
        ),
        (zip_of(manifest_json=MANIFEST), "The backup has no listings.json."),
        (zip_of(manifest_json=MANIFEST, listings_json=b"{"), "listings.json is not valid JSON"),
        (
            zip_of(manifest_json=MANIFEST, listings_json=b'{"a": 1}'),
            "listings.json must be a list of objects.",
        ),
    ],
)
def test_a_broken_backup_is_refused_with_the_reason(owner, upload, message):
    with pytest.raises(InvalidInput) as refused:
        account_restore(user=owner, file=upload)
    assert refused.value.errors[0].message.startswith(message)
    assert not Listing.objects.exists()


@pytest.mark.django_db
def test_a_listing_the_rules_refuse_names_its_row(owner):
    listings = json.dumps([{"id": 1, "title": "Lamp", "price": "2"}, {"id": 2, "title": "", "price": "-1"}])
    upload = zip_of(
        manifest_json=MANIFEST, listings_json=listings.encode(), templates_json=b"[]", history_json=b"[]"
    )
    with pytest.raises(InvalidInput) as refused:
        account_restore(user=owner, file=upload)
    assert {error.index for error in refused.value.errors} == {1}
    assert not Listing.objects.exists()
