"""Forms of the templates pages and of applying a template. They only shape input;
the rules live in ``listings.validation`` and run inside the services."""

from django import forms
from django.urls import reverse_lazy

from listing_templates.models import ApplyMode, ListingTemplate
from listings.fields import BRAND_MAX_LENGTH, EBAY_CATEGORY_ID_MAX_LENGTH, Condition, Status


class TemplateApplyForm(forms.Form):
    template = forms.IntegerField()
    mode = forms.ChoiceField(choices=ApplyMode.choices)


class ListingTemplateForm(forms.Form):
    """A template's name plus one optional input per listing field; the filled
    ones become its defaults (cleaned by ``clean_template_defaults`` in the
    service). A plain form, not a ModelForm: the service must see the template
    as it was to audit the change."""

    name = forms.CharField(max_length=100)
    description = forms.CharField(required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 2}))
    is_public = forms.BooleanField(required=False, label="Share with everyone")
    title = forms.CharField(required=False, max_length=150)
    price = forms.CharField(required=False)
    condition = forms.ChoiceField(required=False, choices=[("", "—"), *Condition.choices])
    default_description = forms.CharField(
        required=False, label="Description", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    category = forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={
                "list": "category-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("listings:categories"),
                "hx-trigger": "input changed delay:200ms",
                "hx-target": "#category-options",
                "hx-swap": "innerHTML",
            }
        ),
    )
    offer_shipping = forms.ChoiceField(
        required=False, choices=[("", "—"), ("yes", "Yes"), ("no", "No")], label="Offer shipping"
    )
    status = forms.ChoiceField(required=False, choices=[("", "—"), *Status.choices])
    quantity = forms.CharField(required=False, widget=forms.NumberInput(attrs={"min": 0}))
    default_notes = forms.CharField(
        required=False, label="Private notes", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    brand = forms.CharField(required=False, max_length=BRAND_MAX_LENGTH)
    ebay_category_id = forms.CharField(
        required=False, label="eBay category id", max_length=EBAY_CATEGORY_ID_MAX_LENGTH
    )

    DEFAULT_INPUTS = {
        "title": "title",
        "price": "price",
        "condition": "condition",
        "default_description": "description",
        "category": "category",
        "offer_shipping": "offer_shipping",
        "status": "status",
        "quantity": "quantity",
        "default_notes": "notes",
        "brand": "brand",
        "ebay_category_id": "ebay_category_id",
    }

    def __init__(self, *args, template: ListingTemplate | None = None, defaults=None, **kwargs):
        super().__init__(*args, **kwargs)
        if template is not None:
            self.initial.update(
                name=template.name, description=template.description, is_public=template.is_public
            )
        values = defaults if defaults is not None else (template.defaults if template else {})
        for input_name, field in self.DEFAULT_INPUTS.items():
            value = values.get(field)
            if field == "offer_shipping" and value is not None:
                value = "yes" if value else "no"
            if value not in (None, ""):
                self.initial[input_name] = value

    def defaults(self) -> dict:
        return {
            field: self.cleaned_data[input_name]
            for input_name, field in self.DEFAULT_INPUTS.items()
            if self.cleaned_data.get(input_name) not in (None, "")
        }


class AddFromTemplateForm(forms.Form):
    template = forms.IntegerField()
    count = forms.IntegerField(min_value=1, max_value=500, initial=1)
