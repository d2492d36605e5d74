from django import forms

from listing_templates.models import ListingTemplate


class ConvertForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=ListingTemplate.objects.none(), required=False, empty_label="No template"
    )

    def __init__(self, *args, templates=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates
