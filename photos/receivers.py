"""Photos follow their listings through the hooks of the write path
(``listings.signals``): a duplicate gets copies of its source's photos, a delete
queues the purge, and undo and redo of a photo step put the photos back."""

from listings.signals import listings_written, step_replayed
from photos import services


def _on_listings_written(*, actor, created, deleted, copied_from, **kwargs) -> None:
    if copied_from:
        services.photos_copy(copied_from=copied_from, actor=actor)
    if (
        deleted
        and actor is not None
        and actor.pk
        and services.ListingPhoto.objects.filter(owner=actor).exists()
    ):
        # A deleted listing's photos stay while a kept step can re-create it; the
        # purge (after this commits) removes those nothing can bring back any more.
        services.purge_after_commit(actor.pk)


def _on_step_replayed(*, step, undo, dry_run, **kwargs) -> int:
    return services.photos_replay(step=step, undo=undo, dry_run=dry_run)


def connect() -> None:
    listings_written.connect(_on_listings_written, dispatch_uid="photos.listings_written")
    step_replayed.connect(_on_step_replayed, dispatch_uid="photos.step_replayed")
