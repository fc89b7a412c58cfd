"""API of the knowledge base: article suggestions as the customer types."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .selectors import suggest_articles

QUERY_MAX_LENGTH = 1000


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="key")
    title = serializers.CharField()
    url = serializers.CharField()
    summary = serializers.CharField()
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="HTML-escaped text; matches wrapped in <mark>.")


class SuggestView(APIView):
    """Articles that may answer what the visitor has typed so far."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "suggest"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SuggestInput"

        q = serializers.CharField(
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

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data.get("q", "")
        result = suggest_articles(
            query,
            user=request.user,
            session=request.session,
            limit=params.validated_data["limit"],
        )
        return Response(
            {
                "query": query,
                "results": SuggestionSerializer(result.suggestions, many=True).data,
            }
        )
