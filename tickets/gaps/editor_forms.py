"""Forms editors use on an article to write, in Wagtail admin."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminPageChooser

from kb.forms import PageChoiceField
from kb.models import ArticlePage, CategoryPage
from tickets.models import ArticleRequest


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *ArticleRequest.Status.choices], required=False
    )
    category = PageChoiceField(
        queryset=CategoryPage.objects.order_by("path"),
        required=False,
        empty_label=_("Any category"),
    )


class StartWritingForm(forms.Form):
    category = PageChoiceField(
        queryset=CategoryPage.objects.live().order_by("path"),
        required=False,
        empty_label=_("— choose a category —"),
        label=_("Category of the new article"),
    )
    new_category = forms.CharField(
        label=_("…or a new category"),
        required=False,
        max_length=255,
        help_text=_("Creates a topic with this name on the help centre's home page."),
    )

    def __init__(self, *args, article_request: ArticleRequest, **kwargs):
        super().__init__(*args, **kwargs)
        if article_request.category is not None:
            self.fields["category"].empty_label = _("Its own: %(title)s") % {
                "title": article_request.category.title
            }


class LinkArticleForm(forms.Form):
    article = PageChoiceField(
        queryset=ArticlePage.objects.all(),
        widget=AdminPageChooser(target_models=[ArticlePage]),
        label=_("Article that answers it"),
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Why dismiss it?"),
        help_text=_("Look-alike tickets will keep joining this request without reopening it."),
    )
