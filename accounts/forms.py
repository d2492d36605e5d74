from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password

from accounts.identity import canonical_email
from accounts.models import Currency, User
from accounts.selectors import email_taken

EMAIL_TAKEN = "A user with that e-mail address already exists."

# One wording for the log-in name on every form.
EMAIL_LABEL = "E-mail"
# What the validators in settings.AUTH_PASSWORD_VALIDATORS ask, in one line; the
# strength hint under the field (static/js/password-strength.js) says how close it is.
PASSWORD_HELP = "At least 8 characters, not only digits, not common, not like your name or e-mail."  # noqa: S105


class LoginForm(AuthenticationForm):
    # Django's message already reads the same for an unknown e-mail and a wrong
    # password; this one just drops the confusing case-sensitivity note.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The e-mail address or password is incorrect.",
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["username"].label = EMAIL_LABEL


class CanonicalEmailField(forms.EmailField):
    """An e-mail in its canonical form (accounts.identity), validated as such, so a
    full-width or long-s spelling is the plain address it stands for."""

    def to_python(self, value):
        return canonical_email(super().to_python(value))


class SignupForm(forms.Form):
    email = CanonicalEmailField(
        label=EMAIL_LABEL, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-strength": ""}),
        help_text=PASSWORD_HELP,
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN)
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match.")
        elif password1:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                validate_password(password1, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    # Left out of a post, the currency stays as it is.
    currency = forms.ChoiceField(
        choices=Currency.choices,
        required=False,
        help_text="The currency of your prices, for marketplace files that name one.",
    )
