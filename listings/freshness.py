"""A version per seller that changes whenever their listings change.

The write path (``listings.services.changes``) gives each seller whose listings a
change touched a new version once the change commits. A cache of figures derived
from a seller's listings (the insights page) keys on it, so a change is never served
stale and nothing has to find the cached copies to drop them. A reader takes the
version before it reads the listings: a copy computed while a change commits is kept
under the old version, which no one asks for again.
"""

import uuid
from collections.abc import Iterable

from django.core.cache import cache


def _key(owner_id: int) -> str:
    return f"listings:version:{owner_id}"


def listings_version(owner_id: int) -> str:
    """The seller's current version (made on first use)."""
    version = cache.get(_key(owner_id))
    if version is None:
        cache.add(_key(owner_id), uuid.uuid4().hex, timeout=None)
        # Another reader may have added first; with the cache down, no version is
        # kept and every read is new (nothing cached is ever served).
        version = cache.get(_key(owner_id)) or uuid.uuid4().hex
    return version


def listings_changed(owner_ids: Iterable[int]) -> None:
    """New versions for ``owner_ids``: what was cached under the old ones is stale."""
    cache.set_many({_key(owner_id): uuid.uuid4().hex for owner_id in owner_ids}, timeout=None)
