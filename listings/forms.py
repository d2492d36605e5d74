"""Forms of the spreadsheet and templates pages. They only shape input; the
listing rules live in ``listings.validation`` and run inside the services."""

from django import forms

from marketplace.input import whole_number

BULK_FIELDS = (
    ("condition", "Condition"),
    ("category", "Category"),
    ("offer_shipping", "Offer shipping"),
    ("price", "Price"),
    ("description", "Description"),
)


class SelectionForm(forms.Form):
    """Which listings a bulk action is for: ticked ids, or every listing that
    matches the grid's current filters."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    all_matching = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer is acceptable; ownership is enforced by the selector.
        self.fields["ids"].valid_value = lambda value: whole_number(value) is not None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_matching") and not cleaned.get("ids"):
            raise forms.ValidationError("Select at least one listing.")
        return cleaned


class BulkSetForm(forms.Form):
    field = forms.ChoiceField(choices=BULK_FIELDS)
    value = forms.CharField(required=False, strip=False)


class PriceAdjustForm(forms.Form):
    KINDS = (("percent", "%"), ("amount", "amount"))
    kind = forms.ChoiceField(choices=KINDS)
    change = forms.DecimalField(max_digits=10, decimal_places=2)


class FindReplaceForm(forms.Form):
    FIELDS = (("title", "Title"), ("description", "Description"), ("category", "Category"))
    find = forms.CharField(strip=False)
    replace = forms.CharField(required=False, strip=False)
    fields = forms.MultipleChoiceField(choices=FIELDS)
    match_case = forms.BooleanField(required=False)
    whole_word = forms.BooleanField(required=False)
    regex = forms.BooleanField(required=False)
