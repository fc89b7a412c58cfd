"""The backlog figures as a JSON API, for managers' own dashboards."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from kb.api import responses_with_errors
from tickets.backlog import metrics
from tickets.backlog.reports import summary_to_dict


class CanViewBacklog(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_staff and user.has_perm("tickets.view_backlog"))


class BacklogMetricsView(APIView):
    """Backlog health as JSON: intake, burn, backlog, age, zombies, segments, deflection."""

    permission_classes = [CanViewBacklog]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BacklogMetricsInput"

        weeks = serializers.IntegerField(min_value=1, max_value=104, default=12)
        by = serializers.ChoiceField(choices=["week", "day"], default="week")

    @extend_schema(
        parameters=[InputSerializer],
        responses=responses_with_errors({200: OpenApiTypes.OBJECT}, 400, 403),
    )
    def get(self, request):
        params = self.InputSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        summary = metrics.backlog_summary(**params.validated_data)
        return Response(summary_to_dict(summary))
