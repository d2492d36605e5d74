"""Forms of the spreadsheet and templates pages. They only shape input; the
listing rules live in ``listings.validation`` and run inside the services."""

from decimal import Decimal

from django import forms

from listings.fields import Status
from listings.validation import PERCENT_MAX, PERCENT_MIN, clean_listing_ids, clean_price_change
from marketplace.errors import InvalidInput
from marketplace.html_errors import form_add_errors

BULK_FIELDS = (
    ("condition", "Condition"),
    ("category", "Category"),
    ("offer_shipping", "Offer shipping"),
    ("price", "Price"),
    ("description", "Description"),
    ("status", "Status"),
    ("quantity", "Quantity"),
    ("notes", "Notes"),
    ("brand", "Brand"),
    ("ebay_category_id", "eBay category id"),
)
# The grid's one-click "Mark as …" buttons: a bulk set of the status (BulkSetForm).
MARK_STATUSES = tuple((value, label) for value, label in Status.choices if value != Status.DRAFT)


class ListingIdsField(forms.Field):
    """Ticked listing ids (``ids=1&ids=2``), cleaned by ``clean_listing_ids``: the
    selection rule (and cap) the API and exports share."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        try:
            return clean_listing_ids(list(value or []))
        except InvalidInput as exc:
            raise forms.ValidationError(exc.messages()) from exc


class SelectionForm(forms.Form):
    """Which listings a bulk action is for: ticked ids, or every listing that
    matches the grid's current filters."""

    # Any id is acceptable; ownership is enforced by the selector.
    ids = ListingIdsField(required=False)
    all_matching = forms.BooleanField(required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_matching") and not cleaned.get("ids"):
            raise forms.ValidationError("Select at least one listing.")
        return cleaned


class BulkSetForm(forms.Form):
    field = forms.ChoiceField(choices=BULK_FIELDS)
    value = forms.CharField(required=False, strip=False)


class PriceAdjustForm(forms.Form):
    """A price adjust, for the grid and the admin; the API's ``PriceAdjustSerializer``
    and the service apply the same rule (``clean_price_change``), so every door
    accepts and refuses the same changes with the same words."""

    kind = forms.ChoiceField(
        choices=(("percent", "By a percentage"), ("amount", "By a fixed amount")),
        widget=forms.RadioSelect,
        initial="percent",
        label="Adjust",
    )
    # Text, not a DecimalField: the rule's messages, not Django's, must reach the seller.
    # (Named "change": the grid's bulk bar has one form, where "value" is the set action's.)
    change = forms.CharField(
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        required=False,
        help_text=(
            f"Negative lowers prices: -10 with “percentage” is 10% off ({PERCENT_MIN} to {PERCENT_MAX:,}). "
            "Prices never go below 0."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned:
            try:
                cleaned["price_change"] = clean_price_change(**{cleaned["kind"]: cleaned.get("change", "")})
            except InvalidInput as exc:
                form_add_errors(self, exc, into="change")
        return cleaned

    def price_change(self) -> dict[str, Decimal]:
        """``percent=`` or ``amount=`` for ``listings_price_adjust``."""
        return self.cleaned_data["price_change"]


class FindReplaceForm(forms.Form):
    FIELDS = (("title", "Title"), ("description", "Description"), ("category", "Category"))
    find = forms.CharField(strip=False)
    replace = forms.CharField(required=False, strip=False)
    fields = forms.MultipleChoiceField(choices=FIELDS)
    match_case = forms.BooleanField(required=False)
    whole_word = forms.BooleanField(required=False)
    regex = forms.BooleanField(required=False)
