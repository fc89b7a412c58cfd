"""Forms customers fill in on knowledge-base pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kb.converters import parse_id
from kb.services import COMMENT_MAX_LENGTH


class PageChoiceField(forms.ModelChoiceField):
    """A choice of page by id that answers "not one of the choices" for an id no database
    column could hold, where ModelChoiceField would let the query overflow (a 500)."""

    def to_python(self, value):
        unreadable = isinstance(value, (str, int)) and parse_id(value) is None
        if unreadable and value not in self.empty_values:
            message = self.error_messages["invalid_choice"]
            raise forms.ValidationError(message, code="invalid_choice", params={"value": value})
        return super().to_python(value)


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        label=_("Was this helpful?"),
    )
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Anything we should add or fix? (optional)"),
    )


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=1000, label=_("Search the help centre"))
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)
