from django import forms

from imports.headers import TARGET_LABELS, TARGETS
from imports.models import Import, ImportFile
from listing_templates.selectors import templates_visible_to
from listings.fields import DESCRIPTION_MAX_LENGTH, STORED_FIELDS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; Django's documented recipe."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.ods,.csv,.tsv,.txt"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ImportUploadForm(forms.Form):
    file = MultipleFileField(label="Files")
    # Empty: the file decides (an export of the seller's own listings updates them).
    mode = forms.ChoiceField(choices=[("", "Decide from the file"), *Import.Mode.choices], required=False)
    template = forms.ModelChoiceField(queryset=None, required=False, empty_label="No template")
    sheet = forms.CharField(required=False, max_length=255, help_text="Leave empty to find it.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates_visible_to(user)


class ImportCommitForm(forms.Form):
    skip_invalid = forms.BooleanField(required=False, label="Skip invalid rows")


class ImportModeForm(forms.Form):
    mode = forms.ChoiceField(choices=Import.Mode.choices)


class ImportRowFixForm(forms.Form):
    """One row's corrected cells: the row, its file, and a text per field sent."""

    file = forms.IntegerField(min_value=0)  # the file's position in the import
    row = forms.IntegerField(min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in STORED_FIELDS:
            self.fields[name] = forms.CharField(
                required=False, strip=False, max_length=DESCRIPTION_MAX_LENGTH
            )

    def values(self) -> dict[str, str]:
        """The fields the form sent (a field left out is not corrected)."""
        return {name: self.cleaned_data[name] for name in STORED_FIELDS if name in self.data}


class ImportMappingForm(forms.Form):
    """The sheet and, per column, what it holds, for one file of an import."""

    def __init__(self, *args, import_file: ImportFile, **kwargs):
        super().__init__(*args, **kwargs)
        self.import_file = import_file
        self.fields["sheet"] = forms.ChoiceField(
            choices=[(name, name) for name in import_file.sheet_names], initial=import_file.sheet
        )
        choices = [(target, TARGET_LABELS[target]) for target in TARGETS]
        for column, header in enumerate(import_file.headers):
            self.fields[f"column_{column}"] = forms.ChoiceField(
                label=header or f"Column {column + 1}",
                choices=choices,
                initial=import_file.mapping[column] if column < len(import_file.mapping) else "extra",
            )

    def column_fields(self):
        return [self[f"column_{column}"] for column in range(len(self.import_file.headers))]

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"column_{column}"] for column in range(len(self.import_file.headers))]
