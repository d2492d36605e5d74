"""The templates pages, adding rows from a template, and applying one to the grid's
selection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from listing_templates import forms
from listing_templates.selectors import template_get_for_user, templates_visible_to
from listing_templates.services import template_apply, template_create, template_delete, template_update
from listings.selectors import NEW_ROW_TITLE, listing_get_for_user
from listings.services.changes import listings_create_many
from listings.validation import clean_listing
from listings.views.bulk import Selection, listings_phrase, run_bulk_action, valid_form_data
from marketplace.errors import InvalidInput
from marketplace.input import int_parameter


def _apply_template(request, selection: Selection) -> str:
    data = valid_form_data(forms.TemplateApplyForm(request.POST), "Choose a template.")
    template = template_get_for_user(request.user, data["template"])
    changed = template_apply(
        template=template, listings=selection.listings, actor=request.user, mode=data["mode"]
    )
    return f"Applied “{template.name}” to {listings_phrase(changed)}."


@login_required
@require_POST
def template_apply_to_selection(request):
    """The grid's "Apply a template" bulk action."""
    return run_bulk_action(request, _apply_template)


@login_required
@require_GET
def template_list(request):
    templates = templates_visible_to(request.user).select_related("owner")
    return render(
        request,
        "listing_templates/templates.html",
        {"templates": templates, "add_form": forms.AddFromTemplateForm()},
    )


def _save_template(request, form, template=None):
    """Create or update through the services; model errors land on the form."""
    data = form.cleaned_data
    try:
        if template is None:
            return template_create(
                owner=request.user,
                name=data["name"],
                description=data["description"],
                is_public=data["is_public"],
                defaults=form.defaults(),
            )
        return template_update(
            template=template,
            data={
                "name": data["name"],
                "description": data["description"],
                "is_public": data["is_public"],
                "defaults": form.defaults(),
            },
            actor=request.user,
        )
    except ValidationError as exc:
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
        return None


@login_required
def template_form(request, pk: int | None = None):
    """Create (optionally from a row: ``?from=<listing id>``) or edit a template."""
    template = template_get_for_user(request.user, pk, writable=True) if pk else None
    defaults = None
    source = int_parameter(request.GET.get("from"), name="from")
    if template is None and source is not None:
        listing = listing_get_for_user(request.user, source)
        defaults = {name: value for name, value in listing.field_values().items() if value not in ("", None)}
    if request.method == "POST":
        form = forms.ListingTemplateForm(request.POST, template=template)
        if form.is_valid() and _save_template(request, form, template):
            messages.success(request, f"Template “{form.cleaned_data['name']}” saved.")
            return redirect("listing_templates:list")
    else:
        form = forms.ListingTemplateForm(template=template, defaults=defaults)
    return render(request, "listing_templates/template_form.html", {"form": form, "template": template})


@login_required
def template_remove(request, pk: int):
    template = template_get_for_user(request.user, pk, writable=True)
    if request.method == "POST":
        template_delete(template=template, actor=request.user)
        messages.success(request, f"Template “{template.name}” deleted.")
        return redirect("listing_templates:list")
    return render(request, "listing_templates/template_confirm_delete.html", {"template": template})


@login_required
@require_POST
def template_add_rows(request):
    """New rows that start with a template's defaults."""
    form = forms.AddFromTemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a template and how many rows (1–500).")
        return redirect("listing_templates:list")
    template = template_get_for_user(request.user, form.cleaned_data["template"])
    try:
        row = clean_listing({"title": NEW_ROW_TITLE, "price": 0, **template.defaults})
    except InvalidInput as exc:
        messages.error(request, f"Template “{template.name}” has invalid defaults: {exc}")
        return redirect("listing_templates:list")
    count = form.cleaned_data["count"]
    listings_create_many(owner=request.user, rows=[row] * count, actor=request.user)
    messages.success(request, f"Added {count} row{'s' if count != 1 else ''} from “{template.name}”.")
    return redirect("listings:grid")
