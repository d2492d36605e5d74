"""The one place where ``InvalidInput`` becomes HTML: errors on a form's fields, one
line of text for a grid cell or banner, or flash messages after a redirect. Every
HTML door (pages, grid, admin) answers a service's refusal through these."""

from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from marketplace.errors import InvalidInput


def form_add_errors(form: forms.Form, exc: InvalidInput, *, into: str | None = None) -> None:
    """Put each error on the form field of its name (or on ``into``), else above the form."""
    for error in exc.errors:
        name = error.field if error.field in form.fields else into
        form.add_error(name, error.message)


def error_text(exc: InvalidInput, labels: Mapping[str, str] | None = None) -> str:
    """One line: "Price: The price cannot be negative." (with ``labels`` naming the
    fields), or the messages alone for a cell that already says which field it is."""
    if labels is None:
        return exc.messages()
    parts = []
    for error in exc.errors:
        row = f"row {error.index + 1}, " if error.index is not None else ""
        label = labels.get(error.field, error.field.replace("_", " ").capitalize())
        parts.append(f"{row}{label}: {error.message}")
    return " ".join(parts)


def form_errors_text(form: forms.Form) -> str:
    """An invalid form's errors as one line, for a banner beside a form the page drew itself."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name.replace("_", " ").capitalize()) if field is not None else ""
        parts += [f"{label}: {error}" if label else str(error) for error in errors]
    return " ".join(parts)


def message_errors(request: HttpRequest, exc: InvalidInput, *, prefix: str = "") -> None:
    """Flash each error, for a page that redirects after a refused POST."""
    for error in exc.errors:
        row = f"row {error.index + 1}, " if error.index is not None else ""
        messages.error(request, f"{prefix}{row}{error.field}: {error.message}")
