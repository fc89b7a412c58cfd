"""The support API: contact sessions (suggestions, deflection) and the customer's tickets."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
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
from kb.models import CategoryPage
from kb.selectors import live_articles
from tickets import services
from tickets.models import TicketMessage
from tickets.selectors import (
    contact_session_for_visitor,
    ticket_for_customer,
    ticket_list_for_customer,
)
from tickets.support.answer_offer_api import AnswerOfferedSerializer, answer_offered_data
from tickets.text import DESCRIPTION_MAX, SUBJECT_MAX, clean_text

REFERENCE_SCHEMA = {"type": "string", "maxLength": 32}
# What became of a request sent to POST /tickets or the widget (services.ContactOutcome).
OUTCOME_CHOICES = [(value, value) for value in services.ContactOutcome.values]
PAGE_MAX = 1_000_000


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


class ContactSessionSuggestionsView(APIView):
    """Suggestions for what the visitor has typed into the contact form so far."""

    throttle_scope = "suggest"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ContactSessionSuggestionsInput"

        subject = StrictCharField(max_length=SUBJECT_MAX, allow_blank=True, required=False)
        description = StrictCharField(max_length=DESCRIPTION_MAX, allow_blank=True, required=False)
        email = StrictCharField(max_length=254, allow_blank=True, required=False)
        source_page = StrictCharField(max_length=2000, allow_blank=True, required=False)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ContactSessionSuggestionsOutput"

        session = serializers.UUIDField()
        query = serializers.CharField()
        results = SuggestionSerializer(many=True)

    @extend_schema(
        request=InputSerializer,
        responses=responses_with_errors({200: OutputSerializer}, 400, 404, 429),
    )
    def post(self, request, session_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {key: clean_text(value) for key, value in data.validated_data.items()}
        subject, description = fields.get("subject", ""), fields.get("description", "")
        session_id, result = services.contact_session_typing(
            session_id=session_id,
            user=request.user,
            browser_session_key=_session_key(request),
            subject=subject,
            description=description,
            email=fields.get("email", "") if "@" in fields.get("email", "") else "",
            source_page=fields.get("source_page", ""),
            browser_session=request.session,
        )
        return Response(
            {
                "session": session_id,
                "query": services.suggestion_query(subject, description),
                "results": SuggestionSerializer(result.suggestions, many=True).data,
            }
        )


class DeflectionSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    outcome = serializers.CharField()
    article = serializers.IntegerField()


class ContactSessionDeflectView(APIView):
    """“This solved it”: record a deflection; no ticket will be filed for this contact."""

    throttle_scope = "deflect"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ContactSessionDeflectInput"

        article = StrictIdField()

    @extend_schema(
        request=InputSerializer,
        responses=responses_with_errors({200: DeflectionSerializer}, 400, 404, 409, 429),
    )
    def post(self, request, session_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = contact_session_for_visitor(
            session_id=session_id,
            user=request.user,
            browser_session_key=request.session.session_key,
        )
        if session is None:
            raise NotFound()
        article = get_object_or_404(live_articles(), pk=data.validated_data["article"])
        try:
            session = services.deflection_record(session=session, article=article)
        except DjangoValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response({"session": session.pk, "outcome": session.outcome, "article": article.pk})


class ResolvedArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()


class TicketMessageSerializer(serializers.Serializer):
    from_customer = serializers.BooleanField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class TicketOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    subject = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    category = serializers.CharField(source="category.title", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(source="last_activity_at")
    resolved_article = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()

    @extend_schema_field(ResolvedArticleSerializer(allow_null=True))
    def get_resolved_article(self, ticket) -> dict | None:
        article = ticket.resolved_article
        return {"id": article.pk, "title": article.title, "url": article.url} if article else None

    @extend_schema_field(TicketMessageSerializer(many=True))
    def get_messages(self, ticket) -> list[dict]:
        # A list prefetches them (public_messages); one ticket reads its own.
        messages = getattr(ticket, "public_messages", None)
        if messages is None:
            messages = ticket.messages.filter(internal=False)
        return [
            {"from_customer": m.from_customer, "body": m.body, "created_at": m.created_at}
            for m in messages
        ]


class FiledTicketOutputSerializer(TicketOutputSerializer):
    outcome = serializers.ChoiceField(
        choices=OUTCOME_CHOICES,
        help_text=(
            "`new_ticket`: filed as a new ticket (201; 200 when this is a retry of a request "
            "already filed). `follow_up`: the customer's open ticket about the same problem got "
            "it as a new message instead; `reference` is that ticket's (200)."
        ),
    )
    answer_offered = AnswerOfferedSerializer(
        allow_null=True,
        help_text=(
            "Answer after filing: an article that confidently answers the new ticket, with the "
            "customer's page to close the ticket with it. Null when nothing is confident, the "
            "category turned it off, or the request returned an earlier ticket."
        ),
    )


class TicketPagination(PageNumberPagination):
    page_size = 20


class TicketPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TicketOutputSerializer(many=True)


@method_decorator(never_cache, name="dispatch")
class TicketListCreateView(APIView):
    """The signed-in customer's tickets; POST sends a request (send an Idempotency-Key).

    A request about the same problem as one of the customer's open tickets is added to that
    ticket; `outcome` in the answer says which happened.
    """

    permission_classes = [IsAuthenticated]
    throttle_scope = "tickets"

    def get_throttles(self):
        # Filing is rate-limited; reading your own tickets is not.
        return super().get_throttles() if self.request.method == "POST" else []

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TicketListCreateInput"

        subject = RequiredTextField(max_length=SUBJECT_MAX)
        description = RequiredTextField(max_length=DESCRIPTION_MAX)
        category = StrictIdField(required=False, allow_null=True)
        source_page = StrictCharField(max_length=2000, required=False, allow_blank=True)
        contact_session = StrictUUIDField(required=False, allow_null=True)

        def validate_subject(self, value):
            value = " ".join(clean_text(value).split())
            if not value:
                raise DRFValidationError("This field may not be blank.")
            return value

        def validate_description(self, value):
            value = clean_text(value)
            if not value:
                raise DRFValidationError("This field may not be blank.")
            return value

    class PageInputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TicketListPageInput"

        # Checked before DRF's paginator, which would read page= (empty) as page 1.
        page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)

    @extend_schema(
        operation_id="tickets_list",
        parameters=[PageInputSerializer],
        responses=responses_with_errors({200: TicketPageSerializer}, 400, 403, 404),
    )
    def get(self, request):
        """The newest first, 20 a page; `next` and `previous` link the neighbouring pages."""
        self.PageInputSerializer(data=request.query_params.dict()).is_valid(raise_exception=True)
        tickets = ticket_list_for_customer(user=request.user, session=None).select_related(
            "category", "resolved_article"
        )
        tickets = tickets.prefetch_related(
            Prefetch(
                "messages",
                queryset=TicketMessage.objects.filter(internal=False),
                to_attr="public_messages",
            )
        )
        paginator = TicketPagination()
        page = paginator.paginate_queryset(tickets, request, view=self)
        return paginator.get_paginated_response(TicketOutputSerializer(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses=responses_with_errors(
            {201: FiledTicketOutputSerializer, 200: FiledTicketOutputSerializer}, 400, 403, 429
        ),
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request):
        """Send a request: a new ticket (201), or a follow-up added to the customer's open
        ticket about the same problem (200, `outcome` = `follow_up`). Resolved and closed
        tickets never receive one. A retry with the same Idempotency-Key, or the same words
        within ten minutes, writes nothing and answers as the first time did (200)."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 64:
            raise DRFValidationError({"Idempotency-Key": "At most 64 characters."})
        category = None
        if values.get("category"):
            category = CategoryPage.objects.live().filter(pk=values["category"]).first()
            if category is None:
                raise DRFValidationError({"category": "No such category."})
        session = None
        if values.get("contact_session"):
            session = contact_session_for_visitor(
                session_id=values["contact_session"],
                user=request.user,
                browser_session_key=request.session.session_key,
            )
        result = services.contact_submit(
            user=request.user,
            email=request.user.email,
            subject=values["subject"],
            description=values["description"],
            category=category,
            source_page=clean_text(values.get("source_page", ""))[:500],
            session=session,
            submission=key or None,
        )
        new = result.outcome == services.ContactOutcome.NEW_TICKET and not result.repeated
        # Only with a ticket this request filed: the offer's link closes it.
        answer = answer_offered_data(result.ticket, request=request) if new else None
        return Response(
            {
                **TicketOutputSerializer(result.ticket).data,
                "outcome": result.outcome,
                "answer_offered": answer,
            },
            status=status.HTTP_201_CREATED if new else status.HTTP_200_OK,
        )


@method_decorator(never_cache, name="dispatch")
class TicketDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        # A reference is "SUP-" and a number; anything much longer is no ticket of anyone's.
        parameters=[OpenApiParameter("reference", REFERENCE_SCHEMA, OpenApiParameter.PATH)],
        responses=responses_with_errors({200: TicketOutputSerializer}, 403, 404),
    )
    def get(self, request, reference: str):
        ticket = ticket_for_customer(reference=reference, user=request.user, session=None)
        if ticket is None:
            raise NotFound()
        return Response(TicketOutputSerializer(ticket).data)
