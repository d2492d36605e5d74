"""A stand-in ``ACCOUNT_BACKUP_PARTS`` entry: one file per listing, named by its id."""

import json


class ListingNotes:
    name = "notes"
    restored: list[dict] = []

    def dump(self, *, user, archive) -> int:
        from listings.models import Listing

        ids = list(Listing.objects.filter(owner=user).values_list("id", flat=True))
        for pk in ids:
            archive.writestr(f"notes/{pk}.json", json.dumps({"listing": pk, "note": f"note of {pk}"}))
        return len(ids)

    def restore(self, *, user, archive, ids, batch) -> int:
        names = [name for name in archive.namelist() if name.startswith("notes/")]
        for name in names:
            note = json.loads(archive.read(name))
            ListingNotes.restored.append(
                {"listing": ids["listings"][str(note["listing"])], "note": note["note"]}
            )
        return len(names)
