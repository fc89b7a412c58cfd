"""Forms of the customer's support pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kb.forms import PageChoiceField
from kb.models import CategoryPage
from tickets.text import DESCRIPTION_MAX, REPLY_MAX, SUBJECT_MAX, clean_text


class ContactForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-suggest": "subject"}),
        help_text=_("A few words about the problem."),
    )
    description = forms.CharField(
        label=_("Describe your problem"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 7, "data-suggest": "description"}),
        help_text=_("What were you trying to do, and what happened instead?"),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We'll send our answer here."),
    )
    category = PageChoiceField(
        queryset=CategoryPage.objects.none(),
        required=False,
        empty_label=_("I'm not sure"),
        label=_("Topic (optional)"),
    )
    source_page = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    session = forms.UUIDField(required=False, widget=forms.HiddenInput)
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # A honeypot: invisible to people, filled in by bots.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CategoryPage.objects.live().public().order_by("path")
        if user is not None and user.is_authenticated:
            del self.fields["email"]

    def clean_subject(self):
        subject = " ".join(clean_text(self.cleaned_data["subject"]).split())
        if not subject:
            raise forms.ValidationError(_("Please write a subject."))
        return subject

    def clean_description(self):
        description = clean_text(self.cleaned_data["description"])
        if not description:
            raise forms.ValidationError(_("Please describe your problem."))
        return description

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_source_page(self):
        return clean_text(self.cleaned_data.get("source_page") or "")[:500]

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This request looks automated."))
        return ""


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_body(self):
        body = clean_text(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError(_("Write a message first."))
        return body


class NewLinkForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"), max_length=20, help_text=_("In your e-mails, like SUP-1234.")
    )
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How did we do?"),
        choices=[("good", _("Good, I'm satisfied")), ("bad", _("Bad, I'm not satisfied"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_comment(self):
        return clean_text(self.cleaned_data["comment"])


class PreferencesForm(forms.Form):
    article_notices = forms.BooleanField(
        label=_("E-mail me when an article answers a question I asked"),
        help_text=_(
            "When we write an article for a question no article answered, we tell you once."
        ),
        required=False,
    )
