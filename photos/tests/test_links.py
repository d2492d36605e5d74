"""Published photo links: a capability URL per photo that works without logging in,
stops after "revoke all links", and never shows another photo or listing; exports
write them into the marketplaces' image columns."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db.models import Value
from django.test import Client
from django.urls import reverse
from django.utils.crypto import salted_hmac

from listings.models import Listing
from listings.readiness import readiness
from listings.services.changes import listing_delete
from listings.tests.factories import ListingFactory
from marketplace.sqlsettings import local_settings
from photos import links, services
from photos.models import ListingPhoto
from photos.tests import pictures
from photos.views import PHOTO_LINK_MAX_AGE
from photos.worker import photo_link_tokens_refresh, photo_process

pytestmark = pytest.mark.django_db

# What the marketplaces need besides a photo (their own rules' tests are elsewhere).
FILLED = {"brand": "Acme", "ebay_category_id": "37908", "product_link": "https://shop.example.com/oak"}


def _photo(listing, owner, name="a.jpg") -> ListingPhoto:
    (photo,) = services.photos_add(
        listing=listing, uploads=[pictures.upload(pictures.jpeg(16, 12), name)], actor=owner
    )
    photo_process(photo_id=photo.pk)
    photo.refresh_from_db()
    return photo


@pytest.fixture
def published(owner):
    listing = ListingFactory(owner=owner, title="Oak table", description="Solid.", **FILLED)
    photo = _photo(listing, owner)
    services.photo_links_publish(owner=owner)
    url = links.published_photo_urls(owner, [listing.pk], "http://testserver")[listing.pk][0]
    return listing, photo, url.removeprefix("http://testserver")


def test_a_link_serves_its_photo_without_logging_in_and_may_be_cached(published):
    _, photo, path = published
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == f"public, max-age={PHOTO_LINK_MAX_AGE}"
    photo.display.open("rb")
    assert b"".join(response.streaming_content) == photo.display.read()


def test_revoking_all_links_stops_every_earlier_link_and_gives_new_ones(owner, published):
    listing, _, path = published
    services.photo_links_revoke(owner=owner)
    assert Client().get(path).status_code == 404
    new = links.published_photo_urls(owner, [listing.pk], "")[listing.pk][0]
    assert new != path
    assert Client().get(new).status_code == 200
    services.photo_links_unpublish(owner=owner)
    assert Client().get(new).status_code == 404
    assert links.published_photo_urls(owner, [listing.pk], "") == {}


def test_a_link_never_opens_another_photo_or_listing(owner, other_user, published):
    listing, photo, path = published
    second = _photo(listing, owner, "b.jpg")
    theirs = _photo(ListingFactory(owner=other_user), other_user)
    services.photo_links_publish(owner=other_user)
    token = path.rsplit("/", 1)[1].removesuffix(".jpg")
    for other in (second, theirs):
        assert Client().get(f"/p/{other.pk}/{token}.jpg").status_code == 404
    assert Client().get(f"/p/{photo.pk}/{'0' * 32}.jpg").status_code == 404


def test_a_deleted_listings_photo_is_not_served(owner, published):
    listing, _, path = published
    listing_delete(listing=listing, actor=owner)
    assert Client().get(path).status_code == 404


def test_exports_fill_image_columns_with_the_links_and_readiness_asks_for_them(
    owner, owner_client, published
):
    _, _, path = published
    bare = ListingFactory(owner=owner, title="No photo", description="Solid.", **FILLED)
    response = owner_client.get("/api/export/meta-catalog/", {"include": "all"})
    rows = {
        row["title"]: row
        for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    }
    assert rows["Oak table"]["image_link"] == f"http://testserver{path}"
    assert rows["No photo"]["image_link"] == ""
    result = readiness(owner.listings.all(), "meta-catalog", owner)
    assert result.reasons == [("no ready photo", 1)]
    assert result.not_ready == 1 and bare.title in rows


def test_without_published_links_the_marketplaces_needing_photos_say_so(owner):
    ListingFactory(owner=owner, description="Solid.", **FILLED)
    reasons = dict(readiness(owner.listings.all(), "ebay", owner).reasons)
    assert reasons == {"no published photo link (publish photo links in settings)": 1}
    assert readiness(owner.listings.all(), "shopify", owner).not_ready == 0


def test_the_links_page_publishes_revokes_and_unpublishes(owner_client, owner):
    page = owner_client.get("/listings/photos/links/")
    assert "Publish photo links" in page.content.decode()
    owner_client.post("/listings/photos/links/", {"action": "publish"})
    first = links.link_key_of(owner)
    assert first
    assert "Revoke all links" in owner_client.get("/listings/photos/links/").content.decode()
    owner_client.post("/listings/photos/links/", {"action": "revoke"})
    assert links.link_key_of(owner) not in (None, first)
    owner_client.post("/listings/photos/links/", {"action": "unpublish"})
    assert links.link_key_of(owner) is None
    assert owner_client.post("/listings/photos/links/", {"action": "nope"}).status_code == 400
    assert 'href="/listings/photos/links/"' in owner_client.get("/accounts/profile/").content.decode()


@pytest.mark.parametrize("photo_id", [1, 42, 10**12])
def test_a_token_is_the_salted_hmac_of_the_photo_id_and_the_link_key(photo_id):
    key = links.new_link_key()
    expected = salted_hmac("photos.links", f"{photo_id}:{key}", algorithm="sha256").hexdigest()[:32]
    assert links.photo_tokens(key)(photo_id) == expected
    assert links.photo_tokens(links.new_link_key())(photo_id) != expected


@pytest.mark.postgres
@pytest.mark.parametrize("secret", ["plain-secret", "ünïcode sécret ☃ with a long tail " * 4])
def test_the_sql_token_is_the_python_token(owner, settings, secret):
    settings.SECRET_KEY = secret
    key = links.new_link_key()
    one_row = Listing.objects.filter(pk=ListingFactory(owner=owner).pk)
    with local_settings(links.link_pad_settings()):
        for photo_id in (1, 9, 42, 10**12, 2**62):
            in_sql = one_row.values_list(links.photo_token_sql(key, Value(photo_id)), flat=True).get()
            assert in_sql == links.photo_tokens(key)(photo_id)


def test_published_links_are_the_url_patterns_path_under_the_base_url(owner, published):
    listing, photo, path = published
    token = links.photo_tokens(links.link_key_of(owner))(photo.pk)
    assert path == reverse("photo-link", args=[photo.pk, token])
    (url,) = links.published_photo_urls(owner, [listing.pk], "https://shop.example.com/")[listing.pk]
    assert url == "https://shop.example.com" + path


def _kept(photo) -> tuple[str, str]:
    photo.refresh_from_db()
    return photo.link_token, photo.link_token_stamp


def _current(owner, photo) -> tuple[str, str]:
    key = links.link_key_of(owner)
    return links.photo_tokens(key)(photo.pk), links.link_token_stamp(key)


def _exported_link(owner_client) -> str:
    response = owner_client.get("/api/export/meta-catalog/", {"include": "all"})
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    return row["image_link"].removeprefix("http://testserver")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_each_photos_token_after_publishing_and_again_after_a_revoke(owner, owner_client):
    photo = _photo(ListingFactory(owner=owner, title="Oak table", description="Solid.", **FILLED), owner)
    services.photo_links_publish(owner=owner)
    assert _kept(photo) == ("", "")
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert _kept(photo) == _current(owner, photo)
    before = _kept(photo)
    services.photo_links_revoke(owner=owner)
    # Until the worker has been, the file signs the link under the new key itself.
    path = _exported_link(owner_client)
    assert before[0] not in path and Client().get(path).status_code == 200
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert _kept(photo) == _current(owner, photo) != before
    assert _exported_link(owner_client) == path


@pytest.mark.postgres
def test_a_photo_ready_after_publishing_and_a_copy_get_their_tokens(owner):
    services.photo_links_publish(owner=owner)
    listing = ListingFactory(owner=owner)
    photo = _photo(listing, owner)
    assert _kept(photo) == _current(owner, photo)
    copy_of = ListingFactory(owner=owner)
    services.photos_copy(copied_from={copy_of.pk: listing.pk}, actor=owner)
    (copy,) = ListingPhoto.objects.filter(listing=copy_of)
    assert _kept(copy) == ("", "")
    assert photo_link_tokens_refresh(owner_id=owner.pk) == 1
    assert _kept(copy) == _current(owner, copy)


@pytest.mark.postgres
def test_a_file_writes_the_kept_token_only_while_it_is_of_the_current_key_and_secret(
    owner, owner_client, published, settings
):
    _, photo, path = published
    photo_link_tokens_refresh(owner_id=owner.pk)
    stamp = _kept(photo)[1]
    ListingPhoto.objects.filter(pk=photo.pk).update(link_token="f" * 32)
    # The kept token is what the file reads (so the file need not sign)…
    assert _exported_link(owner_client) == path.replace(_current(owner, photo)[0], "f" * 32)
    # …but never one kept under an older key or secret: that link is signed afresh.
    ListingPhoto.objects.filter(pk=photo.pk).update(link_token_stamp=links.link_token_stamp("an old key"))
    assert _exported_link(owner_client) == path
    ListingPhoto.objects.filter(pk=photo.pk).update(link_token_stamp=stamp)
    settings.SECRET_KEY = "a new secret"
    owner_client.force_login(owner)  # the session was signed under the old secret
    fresh = _exported_link(owner_client)
    assert fresh != path and "f" * 32 not in fresh
    assert fresh.removesuffix(".jpg").endswith(_current(owner, photo)[0])
