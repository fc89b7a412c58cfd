"""Forms agents use in the Django admin: work a ticket, and resolve many at once."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kb.forms import PageChoiceField
from kb.models import ArticlePage
from kb.selectors import live_articles, suggest_articles
from tickets.models import SavedReply, Ticket
from tickets.selectors import saved_replies_for_ticket
from tickets.services import suggestion_query
from tickets.text import REPLY_MAX, clean_text

Resolution = Ticket.Resolution
# Only the customer's click resolves by self-service after filing; agents choose the others.
AGENT_RESOLUTIONS = [(v, label) for v, label in Resolution.choices if v != Resolution.SELF_SERVICE]


def article_suggestions_for(ticket: Ticket, *, limit: int = 5):
    return suggest_articles(
        suggestion_query(ticket.subject, ticket.description), limit=limit
    ).suggestions


class ResolutionFields(forms.Form):
    """What answered the ticket: asked whenever a ticket is resolved, never skippable."""

    resolution = forms.ChoiceField(
        label=_("What resolved it?"),
        choices=[("", _("— not resolved yet —")), *AGENT_RESOLUTIONS],
        required=False,
        widget=forms.RadioSelect,
    )
    suggested_article = forms.TypedChoiceField(
        label=_("Suggested articles for this ticket"),
        choices=[],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    resolved_article = PageChoiceField(
        label=_("…or find the article"),
        queryset=ArticlePage.objects.none(),
        required=False,
    )

    def setup_resolution_fields(self, ticket: Ticket | None):
        self.fields["resolved_article"].widget = AutocompleteSelect(
            Ticket._meta.get_field("resolved_article"), admin.site
        )
        # Setting the queryset after the widget hands the widget its choices.
        self.fields["resolved_article"].queryset = live_articles()
        if ticket is not None:
            self.fields["suggested_article"].choices = [
                (s.key, s.title) for s in article_suggestions_for(ticket)
            ]

    def resolution_article(self, cleaned) -> ArticlePage | None:
        article = cleaned.get("resolved_article")
        if article is None and cleaned.get("suggested_article"):
            article = live_articles().filter(pk=cleaned["suggested_article"]).first()
        return article

    def check_resolution(self, cleaned, *, resolving: bool) -> None:
        resolution = cleaned.get("resolution")
        if resolving and not resolution:
            self.add_error("resolution", _("Say what resolved it before resolving the ticket."))
        if (
            resolution == Resolution.ANSWERED_BY_ARTICLE
            and self.resolution_article(cleaned) is None
        ):
            self.add_error("resolved_article", _("Choose the article that answered it."))


def saved_reply_label(offered) -> str:
    """Why it comes where it does: "Reset a password (solved 2 similar tickets · used 9 times)"."""
    used = ngettext("used %(n)d time", "used %(n)d times", offered.uses) % {"n": offered.uses}
    if offered.similar_resolved:
        solved = ngettext(
            "solved %(n)d similar ticket", "solved %(n)d similar tickets", offered.similar_resolved
        ) % {"n": offered.similar_resolved}
        used = f"{solved} · {used}"
    return f"{offered.reply.title} ({used})"


class TicketAgentForm(ResolutionFields, forms.ModelForm):
    """The ticket page: change status, priority, category and assignee, reply, resolve."""

    saved_reply = forms.TypedChoiceField(
        label=_("Send a saved reply"),
        choices=[],
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "Filled in for this customer and sent on Save, with the reply's status, category "
            "and priority. Those that solved tickets like this one come first."
        ),
    )
    reply = forms.CharField(
        label=_("Reply"),
        required=False,
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("Sent to the customer by e-mail unless it is an internal note."),
    )
    reply_internal = forms.BooleanField(label=_("Internal note (agents only)"), required=False)
    reply_article = forms.TypedChoiceField(
        label=_("Insert an article in the reply"),
        choices=[],
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Its link and summary are added to the reply."),
    )
    resolve_with_article = forms.BooleanField(
        label=_("…and resolve the ticket as answered by that article"), required=False
    )
    merge_into = forms.CharField(
        label=_("Merge into ticket"),
        required=False,
        max_length=20,
        help_text=_(
            "A reference such as SUP-1042: this ticket's messages move there and it closes."
        ),
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "category", "assignee", "waiting_on_team"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_resolution_fields(self.instance if self.instance.pk else None)
        if "status" in self.fields:  # absent when the user may only view the ticket
            self.fields["status"].help_text = _(
                "Choosing Resolved asks what resolved it. A public reply sets Waiting on customer."
            )
        if self.instance.resolution == Resolution.SELF_SERVICE:  # shown as it is, kept on save
            self.fields["resolution"].choices = [
                ("", _("— not resolved yet —")),
                *Resolution.choices,
            ]
        if self.instance.pk:
            self.initial.setdefault("resolution", self.instance.resolution)
            self.initial.setdefault("resolved_article", self.instance.resolved_article_id)
            self.fields["reply_article"].choices = [
                ("", "—"),
                *self.fields["suggested_article"].choices,
            ]
            self.fields["saved_reply"].choices = [
                ("", "—"),
                *(
                    (o.reply.pk, saved_reply_label(o))
                    for o in saved_replies_for_ticket(self.instance)
                ),
            ]

    def clean_saved_reply(self):
        pk = self.cleaned_data.get("saved_reply")
        return SavedReply.objects.filter(pk=pk, active=True).first() if pk else None

    def clean_reply(self):
        return clean_text(self.cleaned_data.get("reply") or "")

    def clean_merge_into(self):
        reference = (self.cleaned_data.get("merge_into") or "").strip()
        if not reference:
            return None
        pk = Ticket.pk_from_reference(reference)
        target = Ticket.objects.filter(pk=pk).first() if pk else None
        if target is None or target.pk == self.instance.pk:
            raise forms.ValidationError(_("No other ticket has that reference."))
        if target.merged_into_id:
            raise forms.ValidationError(_("That ticket was itself merged into another."))
        return target

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("saved_reply") and (cleaned.get("reply") or cleaned.get("reply_internal")):
            self.add_error("saved_reply", _("Send a saved reply or type one, not both at once."))
        if cleaned.get("resolve_with_article") and not cleaned.get("reply_article"):
            self.add_error("reply_article", _("Choose the article to send."))
        resolving = cleaned.get("status") == Ticket.Status.RESOLVED and (
            self.instance.status != Ticket.Status.RESOLVED or "resolution" in self.changed_data
        )
        if not cleaned.get("resolve_with_article"):
            self.check_resolution(cleaned, resolving=resolving)
        if (
            cleaned.get("status") == Ticket.Status.CLOSED
            and not self.instance.resolution
            and not cleaned.get("resolution")
        ):
            self.add_error("resolution", _("Say what resolved it before closing the ticket."))
        return cleaned


class BulkResolveForm(ResolutionFields):
    """One resolution applied to every selected ticket."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_resolution_fields(None)
        del self.fields["suggested_article"]
        self.fields["resolution"].choices = AGENT_RESOLUTIONS
        self.fields["resolution"].required = True

    def clean(self):
        cleaned = super().clean()
        self.check_resolution(cleaned, resolving=True)
        return cleaned
