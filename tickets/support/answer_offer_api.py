"""The answer offered after filing, as the API and the widget return it with a new ticket."""

from django.urls import reverse
from rest_framework import serializers

from tickets.models import Ticket
from tickets.selectors import offered_answer
from tickets.services import answer_offer_after_filing


class PassageSerializer(serializers.Serializer):
    class Meta:
        ref_name = "AnswerPassage"

    kind = serializers.ChoiceField(choices=["steps", "callout", "paragraph"])
    heading = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True, help_text="Plain text; empty for steps.")
    items = serializers.ListField(child=serializers.CharField(), help_text="The steps, in order.")
    anchor = serializers.CharField(allow_blank=True, help_text="The block's id in the article.")


class AnswerOfferedSerializer(serializers.Serializer):
    class Meta:
        ref_name = "AnswerOffered"

    article_title = serializers.CharField()
    article_url = serializers.CharField(help_text="The article, at the passage's block.")
    passage = PassageSerializer(allow_null=True, help_text="Null: show the summary instead.")
    summary = serializers.CharField(allow_blank=True)
    answer_url = serializers.URLField(
        help_text=(
            "The customer's page for this answer, with “This solved it — close my request” and "
            "“I still need help”. A GET only shows it; the customer's POST from that page acts. "
            "Signed for this ticket only; expires after ANSWER_OFFER_LINK_MAX_AGE."
        )
    )


def answer_offered_data(ticket: Ticket, *, request) -> dict | None:
    """The offer awaiting the customer's click, for a JSON response; None without one."""
    # Decided after the filing's commit; asked here too, in case this request still holds it.
    answer_offer_after_filing(ticket_id=ticket.pk)
    answer = offered_answer(ticket=ticket)
    if answer is None:
        return None
    passage = answer.passage
    return {
        "article_title": answer.article_title,
        "article_url": answer.article_url,
        "passage": None
        if passage is None
        else {
            "kind": passage.kind,
            "heading": passage.heading,
            "text": passage.text,
            "items": list(passage.items),
            "anchor": passage.anchor,
        },
        "summary": answer.summary,
        # The portal as this request reached it, like the other links the API returns.
        "answer_url": request.build_absolute_uri(
            reverse("tickets:answer-link", args=(answer.token,))
        ),
    }
