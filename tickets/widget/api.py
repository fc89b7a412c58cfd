"""The help widget's API: page articles, suggestions, articles to read, deflections, tickets.

No cookies, no session: the widget runs inside other sites. Identity, when there is one,
comes from a token the host application signs (tickets/widget/access.py).
"""

import logging

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kb.api import (
    RequiredTextField,
    StrictCharField,
    StrictIdField,
    StrictUUIDField,
    SuggestionSerializer,
    responses_with_errors,
)
from kb.converters import ID_MAX
from kb.engine import Place
from kb.selectors import (
    article_html_for_embedding,
    articles_for_place,
    live_articles,
    suggest_articles,
)
from tickets import services
from tickets.models import ContactSession
from tickets.support.answer_offer_api import AnswerOfferedSerializer, answer_offered_data
from tickets.support.api import OUTCOME_CHOICES, DeflectionSerializer
from tickets.text import DESCRIPTION_MAX, SUBJECT_MAX, clean_text
from tickets.widget.access import UserTokenRefused, allowed_origins, verify_user_token

logger = logging.getLogger(__name__)


class ResultsSerializer(serializers.Serializer):
    class Meta:
        ref_name = "WidgetResults"

    results = SuggestionSerializer(many=True)


class SuggestResultsSerializer(ResultsSerializer):
    class Meta:
        ref_name = "WidgetSuggestResults"

    query = serializers.CharField()


class ArticleSerializer(serializers.Serializer):
    class Meta:
        ref_name = "WidgetArticle"

    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField()
    body_html = serializers.CharField(help_text="Sanitised HTML, links absolute to the portal.")


class FiledTicketSerializer(serializers.Serializer):
    class Meta:
        ref_name = "WidgetFiledTicket"

    reference = serializers.CharField(help_text="The ticket the request is in now.")
    outcome = serializers.ChoiceField(
        choices=OUTCOME_CHOICES,
        help_text=(
            "`new_ticket`: filed as a new ticket. `follow_up`: added to the open ticket of the "
            "customer the token vouched for, about the same problem (never without a token)."
        ),
    )
    as_account = serializers.BooleanField(help_text="Filed as the customer the token vouched for.")
    filed_at = serializers.DateTimeField()
    answer_offered = AnswerOfferedSerializer(
        allow_null=True,
        help_text="Answer after filing, as for POST /api/v1/tickets; only for a new ticket.",
    )


# The place and the query travel in the URL of the widget's GETs: at 12 bytes a character
# percent-encoded (4 in UTF-8) they fit gunicorn's limit_request_line (gunicorn.conf.py).
PATH_MAX, CONTEXT_MAX, QUERY_MAX = 300, 100, 250
ARTICLE_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}


class PlaceSerializer(serializers.Serializer):
    path = StrictCharField(max_length=PATH_MAX, required=False, allow_blank=True, default="")
    context = StrictCharField(max_length=CONTEXT_MAX, required=False, allow_blank=True, default="")


def _place(data) -> Place:
    return Place(path=data.get("path", ""), context=data.get("context", ""))


def _page(request, data) -> str:
    """What the agent sees of where the customer was: host origin, path and context."""
    origin = request.headers.get("origin", "")
    page = f"{origin}{data.get('path', '')}"
    if data.get("context"):
        page += f" [{data['context']}]"
    return clean_text(page)[:500]


class WidgetView(APIView):
    authentication_classes: list = []  # no cookies, no session, so no CSRF to worry about
    throttle_scope = "widget"


class WidgetPageArticlesView(WidgetView):
    """The articles that apply to the host page, shown before anything is typed."""

    class InputSerializer(PlaceSerializer):
        class Meta:
            ref_name = "WidgetPageInput"

    @extend_schema(
        operation_id="widget_page_articles",
        parameters=[InputSerializer],
        responses=responses_with_errors({200: ResultsSerializer}, 400, 429),
    )
    def get(self, request):
        params = self.InputSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        articles = articles_for_place(_place(params.validated_data), limit=5)
        return Response({"results": SuggestionSerializer(articles, many=True).data})


class WidgetSuggestView(WidgetView):
    """Suggestions as the visitor types, ranked higher when they apply to the host page."""

    class InputSerializer(PlaceSerializer):
        class Meta:
            ref_name = "WidgetSuggestInput"

        q = StrictCharField(max_length=QUERY_MAX, required=False, allow_blank=True, default="")
        limit = serializers.IntegerField(min_value=1, max_value=10, default=5)

    @extend_schema(
        parameters=[InputSerializer],
        responses=responses_with_errors({200: SuggestResultsSerializer}, 400, 429),
    )
    def get(self, request):
        params = self.InputSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        result = suggest_articles(data["q"], limit=data["limit"], place=_place(data), passages=True)
        return Response(
            {
                "query": data["q"],
                "results": SuggestionSerializer(result.suggestions, many=True).data,
            }
        )


class WidgetArticleView(WidgetView):
    """One article to read inside the panel, sanitised, with absolute links to the portal."""

    @extend_schema(
        operation_id="widget_article",
        parameters=[OpenApiParameter("article_id", ARTICLE_ID_SCHEMA, OpenApiParameter.PATH)],
        responses=responses_with_errors({200: ArticleSerializer}, 404, 429),
    )
    def get(self, request, article_id: int):
        article = get_object_or_404(live_articles(), pk=article_id)
        base = request.build_absolute_uri("/")
        return Response(
            {
                "id": article.pk,
                "title": article.title,
                "summary": article.summary,
                "url": request.build_absolute_uri(article.url),
                "body_html": article_html_for_embedding(article=article, base_url=base),
            }
        )


class WidgetDeflectView(WidgetView):
    """“This solved it” in the widget: a deflection, with the page it happened on."""

    class InputSerializer(PlaceSerializer):
        class Meta:
            ref_name = "WidgetDeflectInput"

        article = StrictIdField()
        query = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")

    @extend_schema(
        request=InputSerializer,
        responses=responses_with_errors({201: DeflectionSerializer}, 400, 404, 429),
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        article = get_object_or_404(live_articles(), pk=values["article"])
        session = ContactSession.objects.create(
            subject=clean_text(values["query"])[:200],
            source_page=_page(request, values),
        )
        services.deflection_record(session=session, article=article)
        return Response(
            {"session": session.pk, "outcome": "deflected", "article": article.pk},
            status=status.HTTP_201_CREATED,
        )


class WidgetTicketView(WidgetView):
    """Contact support from the widget, with the page attached; as the host's user if signed."""

    throttle_scope = "tickets"

    class InputSerializer(PlaceSerializer):
        class Meta:
            ref_name = "WidgetTicketInput"

        subject = RequiredTextField(max_length=SUBJECT_MAX)
        description = RequiredTextField(max_length=DESCRIPTION_MAX)
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        user_token = StrictCharField(max_length=2000, required=False, allow_blank=True)
        submission = StrictUUIDField(required=False)

    @extend_schema(
        request=InputSerializer,
        responses=responses_with_errors(
            {201: FiledTicketSerializer, 200: FiledTicketSerializer}, 400, 429
        ),
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        vouched, refusal = None, None
        if values.get("user_token"):
            origin = request.headers.get("origin", "")
            try:
                vouched = verify_user_token(
                    values["user_token"], secret=allowed_origins().get(origin)
                )
            except UserTokenRefused as refused:
                # An untrusted token leaves the visitor anonymous; the host's developers
                # see why in the log and, when no e-mail was given instead, in the answer.
                refusal = str(refused)
                logger.warning("Widget user token from %s refused: %s", origin, refusal)
        email = vouched.email if vouched else values["email"]
        if not email:
            errors = {"email": ["Give an e-mail address so that we can answer."]}
            if refusal:
                errors["user_token"] = [refusal]
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        subject, description = clean_text(values["subject"]), clean_text(values["description"])
        if not subject or not description:
            return Response(
                {"detail": "Subject and description may not be blank."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        session = ContactSession.objects.create(
            subject=subject[:200],
            description=description,
            email=email,
            source_page=_page(request, values),
        )
        customer = services.customer_account_for(email) if vouched else None
        result = services.contact_submit(
            user=customer,
            email=email,
            subject=subject,
            description=description,
            source_page=session.source_page,
            session=session,
            submission=str(values["submission"]) if values.get("submission") else None,
        )
        new = result.outcome == services.ContactOutcome.NEW_TICKET and not result.repeated
        return Response(
            {
                "reference": result.ticket.reference,
                "outcome": result.outcome,
                "as_account": customer is not None,
                "filed_at": timezone.now().isoformat(),
                # Only with a ticket this request filed: its link closes the ticket.
                "answer_offered": (
                    answer_offered_data(result.ticket, request=request) if new else None
                ),
            },
            status=status.HTTP_201_CREATED if new else status.HTTP_200_OK,
        )
