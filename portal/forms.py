"""Account forms: customers sign up with an e-mail address and a password."""

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from portal.models import User


class SignupForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name")
        labels = {"first_name": _("Your name (optional)")}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email
