"""The one domain error. Services and validation raise ``InvalidInput`` with one
``FieldError`` per problem (the field, the message, and for a bulk request or an
import the item's index or row); ``marketplace.api`` maps it to the API's 400 and
the HTML doors to their form or cell errors."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    # Position of the item in a bulk request (or the row of an import), when the
    # error belongs to one.
    index: int | None = None


@dataclass
class InvalidInput(Exception):
    errors: list[FieldError] = field(default_factory=list)

    @classmethod
    def one(cls, field_name: str, message: str, index: int | None = None) -> "InvalidInput":
        return cls([FieldError(field_name, message, index)])

    def __str__(self) -> str:
        return "; ".join(f"{e.field}: {e.message}" for e in self.errors)

    def messages(self) -> str:
        """The messages alone, for a cell or a banner that already names the field."""
        return " ".join(error.message for error in self.errors)

    def as_django_error(self, prefix: str | None = None) -> ValidationError:
        by_field: dict[str, list[str]] = {}
        for error in self.errors:
            key = prefix or error.field
            message = f"{error.field}: {error.message}" if prefix else error.message
            by_field.setdefault(key, []).append(message)
        return ValidationError(by_field)
