"""Admin for listing templates, and the "apply a template" action of the listing admin.
Every write goes through the services, so each change leaves audit rows."""

from django.contrib import admin
from django.db import transaction

from listing_templates.admin_forms import ApplyTemplateForm
from listing_templates.models import TEMPLATE_EDITABLE_FIELDS, TEMPLATE_KEPT_FIELDS, ListingTemplate
from listing_templates.services import template_apply, template_create, template_delete, template_update
from listings.admin import ListingAdmin
from listings.models import Listing


class ListingWithTemplatesAdmin(ListingAdmin):
    actions = (*ListingAdmin.actions, "apply_template")

    @admin.action(description="Apply a template to selected listings…", permissions=["change"])
    def apply_template(self, request, queryset):
        return self.bulk_action(
            request,
            queryset,
            action="apply_template",
            form_class=ApplyTemplateForm,
            title="Apply a template",
            apply=lambda form: template_apply(
                template=form.cleaned_data["template"],
                listings=queryset,
                actor=request.user,
                mode=form.cleaned_data["mode"],
            ),
            done=lambda form, listings: f"Template “{form.cleaned_data['template']}” applied to {listings}.",
        )


# The listing admin, with this app's action added (imports.admin adds import/export on top).
admin.site.unregister(Listing)
admin.site.register(Listing, ListingWithTemplatesAdmin)


@admin.register(ListingTemplate)
class ListingTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "is_public", "use_count", "updated_at")
    list_filter = ("is_public",)
    search_fields = ("name", "description", "owner__email")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    fields = ("owner", *TEMPLATE_EDITABLE_FIELDS, *TEMPLATE_KEPT_FIELDS)
    readonly_fields = TEMPLATE_KEPT_FIELDS

    def get_readonly_fields(self, request, obj=None):
        # template_update never moves a template to another owner.
        if obj is not None:
            return ("owner", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Validated by ListingTemplate.clean (clean_template_defaults) on the form,
        # then written and audited by the services.
        if change:
            edited = set(form.changed_data) & set(TEMPLATE_EDITABLE_FIELDS)
            changed = {name: getattr(obj, name) for name in edited}
            # The form has already put the new values on ``obj``; the service compares
            # them with the stored template to audit the change.
            stored = ListingTemplate.objects.get(pk=obj.pk)
            template_update(template=stored, data=changed, actor=request.user)
        else:
            saved = template_create(
                owner=obj.owner,
                name=obj.name,
                defaults=obj.defaults,
                description=obj.description,
                is_public=obj.is_public,
                actor=request.user,
            )
            obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        template_delete(template=obj, actor=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for template in queryset:
            template_delete(template=template, actor=request.user)
