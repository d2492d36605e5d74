import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from audit.models import AuditEntry
from listings.categories import is_known_category
from listings.models import Listing

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_user_with_realistic_listings(capsys):
    call_command("seed_demo", email="demo@example.com", rows=50)
    out = capsys.readouterr().out
    user = User.objects.get(email="demo@example.com")
    password = out.split("password: ")[1].split()[0]
    assert user.check_password(password)
    listings = Listing.objects.filter(owner=user)
    assert listings.count() == 50
    assert all(is_known_category(listing.category) for listing in listings)
    assert len({listing.category for listing in listings}) > 10
    assert AuditEntry.objects.filter(action="listing.create").count() == 50


def test_seed_demo_if_empty_leaves_an_existing_database_alone(owner, capsys):
    call_command("seed_demo", email="demo@example.com", rows=5, if_empty=True)
    assert not User.objects.filter(email="demo@example.com").exists()


def test_seed_demo_refuses_an_existing_email(owner):
    with pytest.raises(CommandError, match="exists already"):
        call_command("seed_demo", email=owner.email.upper(), rows=1)


def test_seed_demo_admin_flag_gives_the_admin_site(client):
    call_command("seed_demo", email="demo@example.com", rows=3, admin=True, password="demo pass 123")
    user = User.objects.get(email="demo@example.com")
    assert user.check_password("demo pass 123")
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
