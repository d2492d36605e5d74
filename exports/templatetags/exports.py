from django import template

from exports.forms import ExportForm, Scope

register = template.Library()


@register.inclusion_tag("exports/_export_dialog.html", takes_context=True)
def export_dialog(context, start_open: bool = False):
    """The Export dialog, set to the page's current filter and sort (``request.GET``).
    A page showing a bound ``export_form`` (with its errors) gets that form back."""
    request = context["request"]
    form = context.get("export_form") or ExportForm(
        initial={
            "export_format": "facebook",
            "scope": Scope.FILTER,
            "filter": request.GET.urlencode(),
            "ordering": request.GET.getlist("ordering"),
        }
    )
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "export_form": form,
        "start_open": start_open or form.is_bound,
    }
