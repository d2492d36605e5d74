from django import forms

from listing_templates.models import ListingTemplate


class ScanUploadForm(forms.Form):
    file = forms.FileField(
        label="PDF catalog or photo",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.webp"}),
    )


class ConvertForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=ListingTemplate.objects.none(), required=False, empty_label="No template"
    )

    def __init__(self, *args, templates=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates
