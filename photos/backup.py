"""Photos in an account backup (listed in ``ACCOUNT_BACKUP_PARTS``, see
``exports.backup``): each shown photo's file under ``photos/`` with
``photos/photos.json`` naming its listing, position and name; restored through
``photos_attach`` onto the restored listings, in their order, checked like any upload."""

import json
import shutil
import zipfile
from collections.abc import Mapping

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from listings.models import Listing
from marketplace.errors import InvalidInput
from photos.models import ListingPhoto
from photos.services import PhotoUpload, photos_attach

INDEX = "photos/photos.json"


class PhotosBackup:
    name = "photos"

    def dump(self, *, user: User, archive: zipfile.ZipFile) -> int:
        rows = []
        shown = ListingPhoto.objects.filter(owner=user, removed_batch__isnull=True).order_by(
            "listing_id", "position"
        )
        for photo in shown.iterator():
            member = f"photos/{photo.pk}.{photo.file.name.rsplit('.', 1)[-1]}"
            with photo.file.open("rb") as source, archive.open(member, "w") as target:
                shutil.copyfileobj(source, target)
            rows.append(
                {
                    "listing": photo.listing_id,
                    "position": photo.position,
                    "name": photo.original_name,
                    "file": member,
                }
            )
        archive.writestr(INDEX, json.dumps(rows))
        return len(rows)

    def restore(
        self, *, user: User, archive: zipfile.ZipFile, ids: Mapping[str, Mapping[str, str]], batch
    ) -> int:
        try:
            rows = json.loads(archive.read(INDEX))
            ordered = sorted(rows, key=lambda row: (int(row["listing"]), int(row["position"])))
        except KeyError:
            return 0  # a backup from before photos, or of an account without any
        except (ValueError, TypeError) as exc:
            raise InvalidInput.one("backup", f"{INDEX} is not a list of photos: {exc}") from None
        listings = Listing.objects.filter(owner=user).in_bulk([int(pk) for pk in ids["listings"].values()])
        uploads = []
        for row in ordered:
            new_id = ids["listings"].get(str(row["listing"]))
            if new_id is None:
                continue  # its listing is not in the backup (deleted before it was made)
            try:
                data = archive.read(str(row["file"]))
            except KeyError:
                raise InvalidInput.one(
                    "backup", f"{INDEX} names {row['file']!r}, which is not in the zip."
                ) from None
            uploads.append(
                PhotoUpload(listing=listings[int(new_id)], upload=SimpleUploadedFile(str(row["name"]), data))
            )
        if uploads:
            photos_attach(uploads=uploads, actor=user)
        return len(uploads)
