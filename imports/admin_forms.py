from django import forms
from django.conf import settings
from import_export.forms import ImportForm


class ListingImportForm(ImportForm):
    """import-export's upload form, refusing files over IMPORT_MAX_BYTES before they are read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the most one import takes is {limit:,}."
            )
        return upload
