"""Property-based run of every HTML and HTMX route with hostile query and form
parameters: no 5xx, whatever the values (issue 12).

Routes come from the URL configuration and parameter names from the app's forms and
from what views read off ``request.GET``/``request.POST``, so a new page or parameter
is fuzzed without editing this file. The JSON API has its own run from its schema
(``listings/tests/test_api_schema.py``); the Django admin is Django's.
"""

import importlib
import importlib.util
import pkgutil
import re
import sys
import uuid
from pathlib import Path
from types import ModuleType
from urllib.parse import quote_from_bytes

import pytest
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEntry
from audit.serializers import AuditFilterSerializer
from imports.services import import_create
from listings.services.changes import listing_create, listing_update
from listings.tests.factories import ListingTemplateFactory
from ocr.tests.factories import read_scan
from photos.services import photo_bulk_create, photos_add
from photos.tests.pictures import jpeg
from photos.tests.pictures import upload as picture_upload
from photos.worker import photo_process

# Committed like production, so a database error one request swallows (as a view may)
# cannot abort the transaction the next request runs in.
pytestmark = pytest.mark.django_db(transaction=True)

# The modules of our apps whose forms and reads (of request.GET/POST, or of the params
# a selector is given) name the parameters of the HTML pages.
PAGE_MODULE_NAMES = ("forms", "views", "selectors")
SKIPPED_PREFIXES = ("api/", "admin/", "media/", "static/")
_PATH_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
_REQUEST_READ = re.compile(r"""(?:GET|POST|params|data)\.(?:get|getlist)\(\s*["'](\w+)["']""")


def _page_modules() -> list[ModuleType]:
    modules = []
    for app in apps.get_app_configs():
        if not app.path.startswith(str(django_settings.BASE_DIR)):
            continue
        for name in PAGE_MODULE_NAMES:
            if importlib.util.find_spec(f"{app.name}.{name}") is None:
                continue
            module = importlib.import_module(f"{app.name}.{name}")
            modules.append(module)
            if hasattr(module, "__path__"):  # a package, e.g. listings.views
                modules += [
                    importlib.import_module(info.name)
                    for info in pkgutil.iter_modules(module.__path__, f"{module.__name__}.")
                ]
    return modules


def _is_form(value) -> bool:
    return isinstance(value, type) and issubclass(value, forms.BaseForm)


def _parameter_names() -> list[str]:
    names = set()
    for module in _page_modules():
        names.update(_REQUEST_READ.findall(Path(module.__file__).read_text()))
        for value in vars(module).values():
            if _is_form(value) and value.__module__ == module.__name__:
                names.update(value.base_fields)
            # A page that reads its query through the API's filter (the history page's).
            if isinstance(value, type) and issubclass(value, AuditFilterSerializer):
                names.update(value._declared_fields)
    # Fields a form adds in __init__ (the import mapping's one choice per column).
    names.update(("column_0", "column_1"))
    return sorted(names)


def _routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.removeprefix("^").startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


PARAMETER_NAMES = _parameter_names()
ROUTES = _routes()
# The routes in groups, one test each: all of them in one example is more choices than
# Hypothesis's buffer holds, so most examples overran and were drawn again (up to 458
# of them, each sending its requests before it overran): a suite's run took 25 minutes.
ROUTE_GROUPS = [ROUTES[start::8] for start in range(8)]

# --- Hostile values, as the bytes a client sends (percent-encoded on the wire) ---
nul_text = st.text(max_size=6).map(lambda text: f"{text}\x00{text}".encode())
unicode_digits = st.text(alphabet="0123456789²³¹٣۴०১①⑴", min_size=1, max_size=8).map(str.encode)
huge_ints = st.one_of(
    st.integers(min_value=2**63 - 2, max_value=10**40), st.integers(min_value=-(10**40), max_value=-1)
).map(lambda number: str(number).encode())
deep_nesting = st.integers(min_value=100, max_value=1500).flatmap(
    lambda depth: st.sampled_from(
        ["[" * depth, "[" * depth + "]" * depth, '{"q":' * depth + "1" + "}" * depth]
    ).map(str.encode)
)
bad_utf8 = st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf0\x28\x8c\x28", b"a\xfeb"])
# Ordinary values too, so requests also get past the first check into the views.
ordinary = st.sampled_from(
    ["", "1", "0", "title", "price", "yes", "on", "true", "csv", "filter", "selected", "New", "set"]
).map(str.encode)
HOSTILE_KINDS = {
    "NUL": nul_text,
    "unicode digits": unicode_digits,
    "huge ints": huge_ints,
    "deep nesting": deep_nesting,
    "bad UTF-8": bad_utf8,
}


def hostile_parameters(kind: st.SearchStrategy[bytes]) -> st.SearchStrategy[dict[str, bytes]]:
    """Any of the parameter names (each present or not), each one hostile value of
    ``kind`` or an ordinary one: one kind per request, so a NUL refused up front does
    not hide what, say, a unicode digit does further in."""
    value = st.one_of(kind, ordinary)
    return st.fixed_dictionaries({}, optional=dict.fromkeys(PARAMETER_NAMES, value))


# One request: its hostile kind, its parameters of that kind, method, htmx or not, and a
# huge id in the path or not. Drawn as one value per route because Hypothesis times
# every labelled draw for its health check, and its report over them grows with the
# square of their number: five draws a route (a label per route and kind) made the
# suite's run of this test take over twenty minutes once drawing passed 30 s in all.
ONE_REQUEST = st.sampled_from(sorted(HOSTILE_KINDS)).flatmap(
    lambda kind: st.tuples(
        st.just(kind),
        hostile_parameters(HOSTILE_KINDS[kind]),
        st.sampled_from(["GET", "POST"]),
        st.booleans(),
        st.booleans(),
    )
)


@pytest.fixture
def world(owner, settings):
    """The owner's data, so that every route with ids in its path finds something."""
    settings.RATELIMIT_ENABLE = False
    listings = [listing_create(owner=owner, data={"title": f"Lamp {n}", "price": n + 1}) for n in range(3)]
    listing_update(listing=listings[0], data={"title": "Desk lamp"}, actor=owner)
    template = ListingTemplateFactory(owner=owner)
    scan = read_scan(owner)
    upload = import_create(
        owner=owner,
        files=[SimpleUploadedFile("chairs.csv", b"Title,Price\nChair,10\nTable,20\n")],
    )
    entry = AuditEntry.objects.filter(object_id=str(listings[0].pk)).first()
    [photo] = photos_add(listing=listings[0], uploads=[picture_upload(jpeg())], actor=owner)
    photo_process(photo_id=photo.pk)
    bulk = photo_bulk_create(owner=owner, uploads=[picture_upload(jpeg(), f"{listings[1].pk}.jpg")])
    ids = {
        "pk": listings[0].pk,
        "entry_pk": entry.pk,
        "scan_id": scan.pk,
        "candidate_id": scan.candidates.first().pk,
        "number": 1,
        "file_pk": upload.files.first().pk,
        "photo_id": photo.pk,
        "bulk_id": bulk.pk,
        "file_id": bulk.files.first().pk,
    }
    # A pk under templates/ or import/ is that object's, not a listing's.
    by_prefix = {"listings/templates/": template.pk, "listings/import/": upload.pk}
    # Feed and photo-link tokens: an unknown one must answer 404 like any missing object.
    slugs = {
        "field": "title",
        "action": "set",
        "kind": "thumbnail",
        "token": "x" * 43,
        "export_format": "meta-catalog",
    }
    return ids, by_prefix, slugs


def _path(route: str, world, huge_id: bool) -> str:
    ids, by_prefix, slugs = world

    def fill(match: re.Match) -> str:
        converter, name = match.groups()
        if converter == "uuid":  # an operation's batch: unknown ones must answer 4xx too
            return str(uuid.UUID(int=2**128 - 1 if huge_id else 1))
        if converter == "int":
            if huge_id:
                return str(2**64)
            prefix = next((p for p in by_prefix if route.startswith(p)), None)
            return str(by_prefix[prefix] if name == "pk" and prefix else ids[name])
        return slugs[name]

    return "/" + _PATH_ARGUMENT.sub(fill, route).removesuffix("$")


def _encode(parameters: dict[str, bytes]) -> str:
    return "&".join(
        f"{quote_from_bytes(name.encode())}={quote_from_bytes(value)}" for name, value in parameters.items()
    )


@pytest.fixture
def server_errors():
    """Exceptions any request raised, even where a view answers for them itself."""
    raised = []

    def record(sender, request, **kwargs):
        raised.append((request.path, repr(sys.exc_info()[1])))

    got_request_exception.connect(record)
    yield raised
    got_request_exception.disconnect(record)


def test_every_page_and_parameter_is_fuzzed():
    # The discovery above found the grid's filters, its partials and the forms' fields.
    assert {"listings/", "listings/count/", "listings/paste/", "history/", "exports/"} <= set(ROUTES)
    assert {"q", "offset", "ids", "versions", "text", "value", "from", "filter", "find", "object_id"} <= set(
        PARAMETER_NAMES
    )


@settings(
    max_examples=8,
    deadline=None,
    database=None,
    # Every page gets every parameter name the app reads: large inputs by design.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@pytest.mark.parametrize("routes", ROUTE_GROUPS, ids=[f"routes-{n}" for n in range(len(ROUTE_GROUPS))])
@given(data=st.data())
def test_no_page_answers_a_server_error(owner, world, server_errors, routes, data):
    """Each example sends one request to every route of the group, each with its own
    parameters."""
    client = Client(raise_request_exception=True)
    client.force_login(owner)
    server_errors.clear()
    for route in routes:
        _kind, parameters, method, htmx, huge_id = data.draw(ONE_REQUEST, label=route)
        headers = {"HX-Request": "true"} if htmx else {}
        path = _path(route, world, huge_id=huge_id)
        if method == "GET":
            response = client.get(path, QUERY_STRING=_encode(parameters), headers=headers)
        else:
            form = "application/x-www-form-urlencoded"
            response = client.post(path, _encode(parameters), content_type=form, headers=headers)
        assert response.status_code < 500, (method, path, parameters)
        assert not server_errors, (method, path, parameters)
        if route == "accounts/logout/":
            client.force_login(owner)
