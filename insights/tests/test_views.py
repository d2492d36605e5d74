import re
from html import unescape

import pytest
from django.urls import reverse

from insights.tests.fixtures import EXPECTED, make_shop

pytestmark = pytest.mark.django_db

GRID_LINK = re.compile(r'href="(/listings/\?[^"]*)"')


def _grid_links(html: str) -> list[str]:
    return [unescape(link) for link in GRID_LINK.findall(html)]


def _listing_ids(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-listing-id="(\d+)"', html)}


def test_the_page_asks_for_a_log_in(client):
    response = client.get(reverse("insights:page"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_page_is_in_the_nav_of_every_page(owner_client):
    grid = owner_client.get(reverse("listings:grid")).content.decode()
    page = owner_client.get(reverse("insights:page")).content.decode()

    assert 'href="/insights/"' in grid
    assert '<a href="/insights/" aria-current="page">Insights</a>' in page


def test_every_link_opens_the_grid_on_exactly_the_listings_it_counts(
    owner, owner_client, other_user, settings
):
    settings.RATELIMIT_ENABLE = False  # two requests a figure: past the per-minute limit
    shop = make_shop(owner)
    make_shop(other_user)
    expected_sets = {frozenset(shop.ids[name] for name in rows) for _, rows in EXPECTED.values()}

    page = owner_client.get(reverse("insights:page"))
    links = _grid_links(page.content.decode())

    assert page.status_code == 200
    assert len(links) >= 25
    for link in links:
        grid = owner_client.get(link)
        assert grid.status_code == 200, link
        shown = _listing_ids(grid.content.decode())
        assert frozenset(shown) in expected_sets, link
        # The grid's count (asked for separately) agrees with the rows it shows.
        count = owner_client.get(link.replace("/listings/?", "/listings/count/?")).content.decode()
        assert f'data-matching="{len(shown)}"' in count, link


def test_a_grid_edit_and_its_undo_show_on_the_page_at_once(
    owner, owner_client, django_capture_on_commit_callbacks
):
    shop = make_shop(owner)

    def with_capitals() -> str:
        html = owner_client.get(reverse("insights:page")).content.decode()
        return re.search(r'aria-label="Title in capitals: ([^"]*)"', html).group(1)

    assert with_capitals() == "1 listing"
    with django_capture_on_commit_callbacks(execute=True):
        edit = owner_client.post(
            f"/listings/{shop.ids['chair']}/cells/title/", {"value": "OAK CHAIR", "version": "1"}
        )
    assert edit.status_code == 200
    assert with_capitals() == "2 listings"

    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(reverse("listings:undo")).status_code == 200
    assert with_capitals() == "1 listing"


def test_the_page_draws_its_charts_without_inline_script_or_style(owner, owner_client):
    make_shop(owner)

    html = owner_client.get(reverse("insights:page")).content.decode()

    assert html.count('<svg class="chart') == 7
    assert "style=" not in html
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
