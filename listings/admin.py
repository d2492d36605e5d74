"""Admin for listings. Every save, delete and bulk action calls ``listings.services``,
so the admin validates like every other door and each change leaves audit rows.
Applying a template (``listing_templates.admin``) and importing and exporting
(``imports.admin``) are added to this admin by those apps."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.db.models import Q
from django.template.response import TemplateResponse

from audit.services import new_batch
from listings.admin_forms import (
    CategoryInput,
    DeleteListingsForm,
    SetCategoryForm,
    SetConditionForm,
    SetShippingForm,
)
from listings.categories import all_categories
from listings.fields import LISTING_FIELDS, Status
from listings.forms import PriceAdjustForm
from listings.models import Listing
from listings.services.bulk import listings_bulk_delete, listings_bulk_set, listings_price_adjust
from listings.services.changes import listing_create, listing_delete, listing_update
from listings.skus import sku_holders, sku_key, sku_taken_message
from marketplace.errors import InvalidInput
from marketplace.html_errors import form_add_errors

# Posted by the bulk action pages' submit button, like "post" on Django's delete confirmation.
CONFIRM_FIELD = "confirm"


class CategoryRootFilter(admin.SimpleListFilter):
    """Filter by top-level Facebook category: a handful of choices, where listing
    every distinct category path would put hundreds in the sidebar."""

    title = "category"
    parameter_name = "category_root"
    NONE = "-"

    def lookups(self, request, model_admin):
        roots = sorted({category.split("//", 1)[0] for category in all_categories()})
        return [(root, root) for root in roots] + [(self.NONE, "No category")]

    def queryset(self, request, queryset):
        root = self.value()
        if root is None:
            return queryset
        if root == self.NONE:
            return queryset.filter(category="")
        return queryset.filter(Q(category=root) | Q(category__startswith=f"{root}//"))


class ListingAdminForm(forms.ModelForm):
    # Text, so that ``clean_listing`` (run by the model's clean) judges them in its words.
    sku = forms.CharField(required=False, label="SKU")
    quantity = forms.CharField(initial=1)
    brand = forms.CharField(required=False)
    ebay_category_id = forms.CharField(required=False, label="eBay category id")
    product_link = forms.CharField(
        required=False, help_text="The item's page on your site: http:// or https://"
    )

    class Meta:
        model = Listing
        fields = ("owner", *LISTING_FIELDS)
        widgets = {"category": CategoryInput()}

    def clean(self):
        cleaned = super().clean()
        # The write path's SKU check, before the save: an admin form shows it by the field.
        owner_id = self.instance.owner_id or getattr(cleaned.get("owner"), "pk", None)
        sku = str(cleaned.get("sku") or "").strip()
        if owner_id and sku:
            holder = sku_holders(
                owner_id, [sku], excluding=[self.instance.pk] if self.instance.pk else []
            ).get(sku_key(sku))
            if holder is not None:
                self.add_error("sku", sku_taken_message(sku, holder))
        return cleaned


def mark_status_action(status: Status):
    """An admin action that sets the selected listings' status at once (a bulk set
    through ``listings_bulk_set``, as the grid's and the API's)."""

    @admin.action(description=f"Mark selected listings as {status.label.lower()}", permissions=["change"])
    def action(model_admin, request, queryset):
        try:
            changed = listings_bulk_set(listings=queryset, values={"status": status}, actor=request.user)
        except InvalidInput as exc:
            model_admin.message_user(request, exc.messages(), messages.ERROR)
            return
        listings = f"{changed} {model_ngettext(model_admin.opts, changed)}"
        model_admin.message_user(request, f"Marked {listings} as {status.label.lower()}.", messages.SUCCESS)

    action.__name__ = f"mark_{status.value}"
    return action


def set_field_action(
    field: str, form_class: type[forms.Form], *, title: str, done: Callable[[object, str], str]
):
    """An admin action that asks for one field's value (``form_class`` has that
    field) and sets it on the selected listings through ``listings_bulk_set``;
    ``done(value, "3 listings")`` says what happened."""
    name = "shipping" if field == "offer_shipping" else field

    @admin.action(description=f"Set {name} of selected listings…", permissions=["change"])
    def action(model_admin, request, queryset):
        return model_admin.bulk_action(
            request,
            queryset,
            action=f"set_{name}",
            form_class=form_class,
            title=title,
            apply=lambda form: listings_bulk_set(
                listings=queryset, values={field: form.cleaned_data[field]}, actor=request.user
            ),
            done=lambda form, listings: done(form.cleaned_data[field], listings),
        )

    action.__name__ = f"set_{name}"
    return action


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    form = ListingAdminForm

    list_display = (
        "title",
        "owner",
        "price",
        "condition",
        "offer_shipping",
        "category",
        "status",
        "sku",
        "quantity",
        "source",
        "warning_count",
        "updated_at",
    )
    list_display_links = ("title",)
    list_editable = ("price", "condition", "offer_shipping")
    list_filter = (
        "status",
        "condition",
        CategoryRootFilter,
        "offer_shipping",
        "source",
        ("owner", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("title", "description", "category", "sku", "brand", "owner__email")
    search_help_text = "Searches title, description, category, SKU, brand and the owner's e-mail."
    list_select_related = ("owner",)
    list_per_page = 100
    # Filtered pages would otherwise also count the whole table ("N total") each time.
    show_full_result_count = False
    # The primary key index serves this order on every filter; "-updated_at" across
    # all owners has no index (the listing indexes lead with the owner).
    ordering = ("-id",)
    autocomplete_fields = ("owner",)
    readonly_fields = (
        "sold_at",
        "source",
        "ocr_scan",
        "extra",
        "warnings",
        "version",
        "created_at",
        "updated_at",
    )
    actions = (
        "set_condition",
        "set_category",
        "set_shipping",
        "adjust_price",
        "mark_listed",
        "mark_sold",
        "mark_archived",
        "delete_listings",
    )

    @admin.display(description="warnings")
    def warning_count(self, listing: Listing) -> int:
        return len(listing.warnings)

    def get_readonly_fields(self, request, obj=None):
        # listing_update never moves a listing to another owner.
        if obj is not None:
            return ("owner", *self.readonly_fields)
        return self.readonly_fields

    def get_actions(self, request):
        # Django's delete_selected lists every object on its confirmation page; ours
        # shows a count and deletes through listings_bulk_delete.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def render_change_form(self, request, context, *args, **kwargs):
        context["facebook_categories"] = all_categories()
        return super().render_change_form(request, context, *args, **kwargs)

    # --- Writes: every one through listings.services ----------------------------

    def save_model(self, request, obj, form, change):
        # The rows of one list_editable save share a batch: one undo step.
        batch = request.__dict__.setdefault("listing_batch", new_batch())
        if change:
            # The change form and list_editable rows: only the fields that changed.
            changed = {name: getattr(obj, name) for name in form.changed_data if name in LISTING_FIELDS}
            saved = listing_update(listing=obj, data=changed, actor=request.user, batch=batch)
        else:
            saved = listing_create(owner=obj.owner, data=obj.field_values(), actor=request.user, batch=batch)
        # The admin goes on with ``obj`` (redirect, log entry): give it what was stored.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        listing_delete(listing=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        listings_bulk_delete(listings=queryset, actor=request.user)

    # --- Bulk actions that ask for a value first ---------------------------------

    def bulk_action(
        self,
        request,
        queryset,
        *,
        action: str,
        form_class: type[forms.Form],
        title: str,
        apply: Callable[[forms.Form], int],
        done: Callable[[forms.Form, str], str],
    ):
        """Show ``form_class`` for the selected listings; once it is posted valid,
        run ``apply`` (a service call returning the number of listings it changed)
        and report that number through ``done(form, "3 listings")``."""
        form = form_class(request.POST if CONFIRM_FIELD in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                changed = apply(form)
            except InvalidInput as exc:
                form_add_errors(form, exc)
            else:
                self.message_user(
                    request,
                    done(form, f"{changed} {model_ngettext(self.opts, changed)}"),
                    messages.SUCCESS,
                )
                return None

        count = queryset.count()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "form": form,
            "action": action,
            "confirm_field": CONFIRM_FIELD,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            # Posted back as they came: with "select all" the selection is the
            # changelist's filter (kept in the URL), not a list of 100,000 ids.
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across") == "1",
            "count": count,
            "count_label": model_ngettext(self.opts, count),
            "sample": queryset.select_related("owner").order_by("-id")[:10],
            "facebook_categories": (
                all_categories()
                if any(isinstance(f.widget, CategoryInput) for f in form.fields.values())
                else ()
            ),
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/listings/listing/bulk_action.html", context)

    set_condition = set_field_action(
        "condition",
        SetConditionForm,
        title="Set the condition",
        done=lambda value, listings: f"Condition set to “{value}” on {listings}.",
    )
    set_category = set_field_action(
        "category",
        SetCategoryForm,
        title="Set the category",
        done=lambda value, listings: f"Category set to “{value}” on {listings}.",
    )
    set_shipping = set_field_action(
        "offer_shipping",
        SetShippingForm,
        title="Set shipping",
        done=lambda value, listings: (
            f"Shipping offered on {listings}." if value else f"Pick-up only on {listings}."
        ),
    )

    mark_listed = mark_status_action(Status.LISTED)
    mark_sold = mark_status_action(Status.SOLD)
    mark_archived = mark_status_action(Status.ARCHIVED)

    @admin.action(description="Adjust price of selected listings…", permissions=["change"])
    def adjust_price(self, request, queryset):
        return self.bulk_action(
            request,
            queryset,
            action="adjust_price",
            form_class=PriceAdjustForm,
            title="Adjust prices",
            apply=lambda form: listings_price_adjust(
                listings=queryset, actor=request.user, **form.price_change()
            ),
            done=lambda form, listings: f"Prices adjusted on {listings}.",
        )

    @admin.action(description="Delete selected listings…", permissions=["delete"])
    def delete_listings(self, request, queryset):
        return self.bulk_action(
            request,
            queryset,
            action="delete_listings",
            form_class=DeleteListingsForm,
            title="Delete listings",
            apply=lambda form: listings_bulk_delete(listings=queryset, actor=request.user),
            done=lambda form, listings: f"Deleted {listings}.",
        )
