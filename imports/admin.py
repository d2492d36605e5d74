"""django-import-export on the listing admin: xlsx, csv and json files, cleaned by the
listing rules and written through the listing services (``imports.resources``)."""

from django.contrib import admin
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from imports.admin_forms import ListingImportForm
from imports.resources import ListingResource
from listing_templates.admin import ListingWithTemplatesAdmin
from listings.models import Listing


class ListingWithImportExportAdmin(ImportExportMixin, ListingWithTemplatesAdmin):
    resource_classes = [ListingResource]
    import_form_class = ListingImportForm
    formats = [base_formats.XLSX, base_formats.CSV, base_formats.JSON]

    def has_import_permission(self, request) -> bool:
        # An import adds and changes listings: it needs both permissions.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)


admin.site.unregister(Listing)
admin.site.register(Listing, ListingWithImportExportAdmin)
