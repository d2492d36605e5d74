from django import forms

from listing_templates.models import ApplyMode, ListingTemplate


class ApplyTemplateForm(forms.Form):
    template = forms.ModelChoiceField(queryset=ListingTemplate.objects.select_related("owner"))
    mode = forms.ChoiceField(
        choices=(
            (ApplyMode.FILL_EMPTY, "Only fill fields that are empty"),
            (ApplyMode.OVERWRITE, "Overwrite every field the template sets"),
        ),
        initial=ApplyMode.FILL_EMPTY,
        widget=forms.RadioSelect,
    )
