"""The one place where ``InvalidInput`` becomes HTML: errors on a form's fields, one
line of text for a grid cell or banner, or flash messages after a redirect. Every
HTML door (pages, grid, admin) answers a service's refusal through these."""

from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest

from marketplace.errors import NON_FIELD, FieldError, InvalidInput


def form_add_errors(form: forms.Form, exc: InvalidInput, *, into: str | None = None) -> None:
    """Put each error on the form field of its name (or on ``into``), else above the form."""
    for error in exc.errors:
        name = error.field if error.field in form.fields else into
        form.add_error(name, error.message)


def error_text(exc: InvalidInput, labels: Mapping[str, str] | None = None) -> str:
    """One line: "Price: The price cannot be negative." (a field in ``labels`` is
    named by its label; other messages stand alone), or with no ``labels`` the
    messages alone, for a cell that already says which field it is."""
    parts = []
    for error in exc.errors:
        row = f"Row {error.index + 1}: " if error.index is not None else ""
        label = f"{labels[error.field]}: " if labels and error.field in labels else ""
        parts.append(f"{row}{label}{error.message}")
    return " ".join(parts)


def form_invalid(form: forms.Form) -> InvalidInput:
    """An invalid form's errors as ``InvalidInput``, for doors whose page drew the
    form itself and shows errors as one message (the grid's bulk bar)."""
    return InvalidInput(
        [
            FieldError(NON_FIELD if name == NON_FIELD_ERRORS else name, str(message))
            for name, messages in form.errors.items()
            for message in messages
        ]
    )


def message_errors(request: HttpRequest, exc: InvalidInput, *, prefix: str = "") -> None:
    """Flash each error, for a page that redirects after a refused POST."""
    for error in exc.errors:
        row = f"row {error.index + 1}, " if error.index is not None else ""
        messages.error(request, f"{prefix}{row}{error.field}: {error.message}")
