"""Forms of the admin's bulk actions and import. They ask for a value only; the
values are then cleaned once more by ``listings.validation`` inside the service."""

from django import forms

from listings.fields import CATEGORY_MAX_LENGTH, Condition

# The id of the <datalist> of Facebook's categories that category inputs point at.
CATEGORY_DATALIST_ID = "facebook-categories"


class CategoryInput(forms.TextInput):
    """A free-text category with Facebook's category paths offered as suggestions
    (an unknown category is only a warning, so the browser must not restrict it)."""

    def __init__(self, attrs=None):
        super().__init__({"list": CATEGORY_DATALIST_ID, "autocomplete": "off", "size": 60, **(attrs or {})})


class SetConditionForm(forms.Form):
    condition = forms.ChoiceField(choices=Condition.choices)


class SetCategoryForm(forms.Form):
    category = forms.CharField(
        max_length=CATEGORY_MAX_LENGTH,
        required=False,
        widget=CategoryInput(),
        help_text="A Facebook category path such as Electronics//Cell Phones. Leave empty to clear it.",
    )


class SetShippingForm(forms.Form):
    offer_shipping = forms.TypedChoiceField(
        choices=((True, "Offer shipping"), (False, "Local pick-up only")),
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        label="Shipping",
    )


class DeleteListingsForm(forms.Form):
    """No value to choose: the page itself is the confirmation."""
