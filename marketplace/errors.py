"""The one domain error. Services and validation raise ``InvalidInput`` with one
``FieldError`` per problem (the field, the message, and for a bulk request or an
import the item's index or row); ``marketplace.api`` maps it to the API's 400 and
``marketplace.html_errors`` to the HTML doors' form, cell or message errors."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

# The field of an error about the input as a whole (DRF's name, also the API's).
NON_FIELD = "non_field_errors"
# ``FieldError.code`` of a field that is missing, so callers can say more without
# matching on the message's wording.
REQUIRED = "required"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    # Position of the item in a bulk request (or the row of an import), when the
    # error belongs to one.
    index: int | None = None
    code: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The error as the API shows it (``ErrorItemSerializer``)."""
        position = {"index": self.index} if self.index is not None else {}
        return {**position, "field": self.field, "message": self.message}


@dataclass
class InvalidInput(Exception):
    errors: list[FieldError] = field(default_factory=list)
    # What the API's ``detail`` says above the list of errors.
    detail: str = "Invalid input."

    @classmethod
    def one(cls, field_name: str, message: str, index: int | None = None) -> "InvalidInput":
        return cls([FieldError(field_name, message, index)])

    @classmethod
    def from_django(cls, exc: ValidationError) -> "InvalidInput":
        """A model's ``full_clean`` errors, by field."""
        if not hasattr(exc, "error_dict"):
            return cls([FieldError(NON_FIELD, message) for message in exc.messages])
        return cls(
            [
                FieldError(NON_FIELD if name == NON_FIELD_ERRORS else name, message)
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        )

    def __str__(self) -> str:
        return "; ".join(f"{e.field}: {e.message}" for e in self.errors)

    def messages(self) -> str:
        """The messages alone, for a cell or a banner that already names the field."""
        return " ".join(error.message for error in self.errors)

    def error_items(self) -> list[dict[str, Any]]:
        """The errors as the API lists them."""
        return [error.as_dict() for error in self.errors]

    def as_django_error(self, prefix: str | None = None) -> ValidationError:
        by_field: dict[str, list[str]] = {}
        for error in self.errors:
            key = prefix or error.field
            message = f"{error.field}: {error.message}" if prefix else error.message
            by_field.setdefault(key, []).append(message)
        return ValidationError(by_field)
