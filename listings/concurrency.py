"""What the listing services do when two requests meet: no race answers 500.

- ``serialised_per_user``: a user's listing writes (edits, bulk changes, imports
  into the grid, undo and redo) run one at a time, behind a PostgreSQL advisory lock
  on the user taken first in the transaction. Undo restores rows in another order
  than the write it undoes and re-creates deleted listings with their old ids, so
  beside another write of the same user it deadlocked, and two undos at once both
  re-created the same id; in one queue they simply take turns. The lock is per user
  (the one whose undo stack the write goes on), so different sellers never wait on
  each other.
- ``listing_for_update``: the row lock of a one-listing write; a listing deleted by a
  request that won the race is ``ListingGone``, a 404 at every door.
- ``save_or_invalid``: a save that a concurrent write beat to a unique value raises the
  same ``ValidationError`` the check before it would have raised a moment later.
"""

import functools
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models, transaction
from django.http import Http404

from listings.models import Listing
from marketplace.locks import Namespace, transaction_lock

F = TypeVar("F", bound=Callable)


class ListingGone(Http404):
    """The listing was deleted (by a concurrent request) before this write got it.
    An ``Http404``, so Django's and DRF's handlers answer 404 in their usual shape."""


def serialised_per_user(service: F) -> F:
    """Run ``service`` in a transaction that first takes its user's write lock. The
    user is the keyword argument ``actor``, else ``user``, else ``owner`` (whose undo
    stack the change goes on, as ``_record_step`` chooses)."""

    @functools.wraps(service)
    def wrapped(*args, **kwargs):
        user = kwargs.get("actor") or kwargs.get("user") or kwargs.get("owner")
        with transaction.atomic(savepoint=False):
            if user is not None and user.pk:
                transaction_lock(Namespace.LISTINGS_OWNER, user.pk)
            return service(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def listing_for_update(pk: int) -> Listing:
    try:
        return Listing.objects.select_for_update().get(pk=pk)
    except Listing.DoesNotExist:
        raise ListingGone(f"Listing {pk} was deleted.") from None


def save_or_invalid(instance: models.Model) -> None:
    """``instance.save()``; if a concurrent transaction stored a clashing unique value
    first, raise the model's own constraint error for it (``ValidationError``)."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # The savepoint is gone, so this re-check sees the row that won.
        instance.validate_constraints()
        instance.validate_unique()
        raise
