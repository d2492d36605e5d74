"""The seller that ``bench/load.py`` starts 50 of: locust users paging, sorting and
searching the grid, saving cells and bulk-setting ticked rows. Run by locust, not
by ``make bench`` (the leading underscore); ``bench/load.py`` passes the account in
``LOAD_*`` environment variables."""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

SESSION = os.environ["LOAD_SESSION"]
CSRF = os.environ["LOAD_CSRF"]
TOKEN = os.environ["LOAD_TOKEN"]
with open(os.environ["LOAD_IDS_FILE"], encoding="utf-8") as ids_file:
    IDS = json.load(ids_file)
# Rows each user bulk-sets, ticked in the grid: disjoint from every user's cell.
BULK_ROWS = 50
SORTS = ("", "title", "-price", "category", "-updated_at", "condition")
SEARCHES = ("vintage lamp", "wireless", "solid wood chair", "portable #12", "classic")
_VERSION = re.compile(rb'data-field="title" data-state="saved"[^>]*data-version="(\d+)"')
_EDITOR_VERSION = re.compile(rb'name="version" value="(\d+)"')
_numbers = itertools.count()


class Seller(HttpUser):
    # A person reads the page between two actions: 3 s on average.
    wait_time = between(1.0, 5.0)

    def on_start(self) -> None:
        number = next(_numbers)
        self.cell_id = IDS[number]
        first = len(IDS) // 2 + number * BULK_ROWS
        self.bulk_ids = IDS[first : first + BULK_ROWS]
        self.version = None
        self.saves = 0
        self.client.cookies.set("sessionid", SESSION)
        self.client.cookies.set("csrftoken", CSRF)
        self.htmx = {"HX-Request": "true", "X-CSRFToken": CSRF}

    @task(6)
    def grid_page(self) -> None:
        ordering = random.choice(SORTS)
        offset = random.choice((0, 0, 0, 50, 1000))
        self.client.get(
            f"/listings/?ordering={ordering}&offset={offset}", headers=self.htmx, name="grid page (htmx)"
        )

    @task(1)
    def grid_full_page(self) -> None:
        self.client.get("/listings/", name="grid full page")

    @task(3)
    def search(self) -> None:
        words = random.choice(SEARCHES)
        self.client.get(f"/listings/?q={words}", headers=self.htmx, name="grid search (htmx)")

    @task(3)
    def cell_save(self) -> None:
        url = f"/listings/{self.cell_id}/cells/title/"
        if self.version is None:
            editor = self.client.get(f"{url}?edit=1", headers=self.htmx, name="cell editor")
            self.version = int(_EDITOR_VERSION.search(editor.content).group(1))
        self.saves += 1
        with self.client.post(
            url,
            {"value": f"Load test title {self.cell_id}-{self.saves}", "version": self.version},
            headers=self.htmx,
            name="cell save",
            catch_response=True,
        ) as response:
            saved = _VERSION.search(response.content or b"")
            if response.status_code != 200 or not saved:
                response.failure(f"{response.status_code}: not saved")
                self.version = None
            else:
                self.version = int(saved.group(1))

    @task(1)
    def bulk_set(self) -> None:
        condition = random.choice(("New", "Used - Good", "Used - Fair"))
        self.client.patch(
            "/api/listings/bulk/",
            json={"ids": self.bulk_ids, "set": {"condition": condition}},
            headers={"Authorization": f"Bearer {TOKEN}"},
            name="bulk set (50 ticked rows, API)",
        )
