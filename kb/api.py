"""API of the knowledge base: article suggestions as the customer types."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from kb.converters import ID_MAX
from kb.selectors import suggest_articles

# A query travels in the URL: every character may take 12 bytes percent-encoded (4 in UTF-8),
# and the request line must fit gunicorn's limit_request_line (gunicorn.conf.py, 8190 bytes).
QUERY_MAX_LENGTH = 500

ERROR_MEANINGS = {
    400: "Invalid input: field names map to lists of messages (or `detail` says what is wrong).",
    403: "Not signed in, or not allowed.",
    404: "No such object, or not yours.",
    409: "The request conflicts with what was already recorded.",
    429: "Too many requests: `detail` says when to try again.",
}


class StrictCharField(serializers.CharField):
    """Text that must arrive as text: DRF's CharField would store 0 or true as "0"/"True",
    and would measure the length only after trimming, taking 600 characters of which 100 are
    trailing spaces under a limit of 500."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class RequiredTextField(StrictCharField):
    """Text that must say something. Blank, spaces and control characters alone are refused,
    and the schema's pattern says so, so that what it allows the API accepts (null characters
    and lone surrogates are refused anywhere in the text, as DRF refuses them)."""

    # One visible character, none forbidden; linear time (no nested repetition to backtrack).
    VISIBLE = r"^(?![\s\S]*[\x00\ud800-\udfff])[\s\S]*?[^\s\x00-\x1f\x7f]"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(self.VISIBLE, message=_("This field may not be blank."))
        )


class StrictIntegerField(serializers.IntegerField):
    """A JSON number that is an integer; not "7", not 7.0 nor true (query parameters, which
    are always text, use IntegerField)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIdField(StrictIntegerField):
    """The id of something in the database: a JSON integer a 64-bit column can hold."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


class StrictUUIDField(serializers.UUIDField):
    """A UUID written as text; DRF's UUIDField would also take a bare integer."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def responses_with_errors(ok: dict, *codes: int) -> dict:
    """The success responses plus the error bodies the view can answer with, so that API
    clients (and the schema tests) know every status to expect."""
    errors = {
        code: OpenApiResponse(OpenApiTypes.OBJECT, description=ERROR_MEANINGS[code])
        for code in codes
    }
    return {**ok, **errors}


class PassageSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["steps", "callout", "paragraph"])
    heading = serializers.CharField(
        allow_blank=True, help_text="The block's title or the heading above it; may be empty."
    )
    text = serializers.CharField(help_text="Plain text of the passage (the steps, one a line).")
    items = serializers.ListField(
        child=serializers.CharField(),
        help_text="The steps, in order, as plain text; empty unless kind is steps.",
    )
    anchor = serializers.CharField(
        allow_blank=True,
        help_text="Fragment id of the block on the article's page: url#anchor opens the article "
        "there. May be empty.",
    )
    marked_text = serializers.CharField(
        help_text="HTML-escaped text around the matches; the query's words wrapped in <mark>."
    )
    marked_items = serializers.ListField(
        child=serializers.CharField(), help_text="Each step HTML-escaped, matches in <mark>."
    )


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="key")
    title = serializers.CharField()
    url = serializers.CharField()
    summary = serializers.CharField()
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="HTML-escaped text; matches wrapped in <mark>.")
    passage = PassageSerializer(
        allow_null=True,
        read_only=True,
        help_text="The steps, callout or paragraph of the article that answers the query; null "
        "when none does or before anything is typed.",
    )


class SuggestView(APIView):
    """Articles that may answer what the visitor has typed so far."""

    throttle_scope = "suggest"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SuggestInput"

        q = StrictCharField(
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            max_length=QUERY_MAX_LENGTH,
            error_messages={
                "max_length": f"The query is too long: at most {QUERY_MAX_LENGTH} characters."
            },
        )
        limit = serializers.IntegerField(required=False, min_value=1, max_value=10, default=5)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SuggestOutput"

        query = serializers.CharField()
        results = SuggestionSerializer(many=True)

    @extend_schema(
        parameters=[InputSerializer],
        responses=responses_with_errors({200: OutputSerializer}, 400, 429),
    )
    def get(self, request):
        params = self.InputSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        query = params.validated_data.get("q", "")
        result = suggest_articles(
            query,
            user=request.user,
            session=request.session,
            limit=params.validated_data["limit"],
            passages=True,
        )
        return Response(
            {
                "query": query,
                "results": SuggestionSerializer(result.suggestions, many=True).data,
            }
        )
