"""Meetings through the API: list, read, schedule, change; confirm, postpone, cancel, mark held; the
conflicts; the year's plan."""

from __future__ import annotations

import functools
import zoneinfo

from django.db.models import Manager
from django.urls import get_script_prefix, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from governance.api_filters import is_id, year_param
from governance.api_support import MirrorsConstraints
from governance.concurrency import requested_version, with_version
from governance.models import Body
from governance.permissions import body_ids_with, is_secretariat
from meetings.api.base import RecordViewSet, VenueDateTimeField, require_manage, run, visible_meeting_field
from meetings.api.filters import MeetingFilter
from meetings.api.pagination import MeetingCursorPagination
from meetings.models import Meeting
from meetings.selectors.meetings import first_meetings, visible_meetings
from meetings.services import meetings as meetings_services
from meetings.services import participation as participation_services
from meetings.services import year_plan as year_plan_services
from meetings.services.meetings import MEETING_EDITABLE

# Chosen when a meeting is scheduled and never changed after (a meeting does not move to another body).
MEETING_SET_ON_CREATE = frozenset({"body"})


class MeetingListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        # The page address's parts and the rows' writer looked up once for the list, not per row.
        page, row = _page_url_parts(get_script_prefix()), self.child.row
        return [row(m, page) for m in (data.all() if isinstance(data, Manager) else data)]


class MeetingSerializer(MirrorsConstraints, serializers.ModelSerializer):
    # Numbers and labels: the service names the meeting that holds them. Times: a naive time is read in
    # the meeting's zone, which only the service settles (the fields already hold the 1967-2100 range).
    constraints_left_to_service = frozenset(
        {"meeting_unique_number", "meeting_unique_label", "meeting_end_after_start", "meeting_dates_in_range"}
    )
    start = VenueDateTimeField()
    end = VenueDateTimeField()
    page = serializers.SerializerMethodField()
    previous = visible_meeting_field(required=False, allow_null=True)
    prepares_for = visible_meeting_field(required=False, allow_null=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "page",
            "body",
            "series",
            "number",
            "label",
            "title",
            "start",
            "end",
            "timezone",
            "host",
            "venue",
            "city",
            "modality",
            "join_url",
            "is_public",
            "status",
            "uid",
            "sequence",
            "date_precision",
            "previous",
            "prepares_for",
        ]
        # Writable: the body, chosen once at creation, and what the service lets change (one source).
        read_only_fields = [f for f in fields if f not in MEETING_EDITABLE | MEETING_SET_ON_CREATE]
        extra_kwargs = {"title": {"required": False}, "timezone": {"required": False}}
        validators = []  # numbers and labels are checked by the service, with a clearer message
        list_serializer_class = MeetingListSerializer

    def get_page(self, obj) -> str:
        return self._page_of(obj.pk)

    @staticmethod
    def _page_of(pk: int) -> str:
        # ``reverse`` once per script prefix rather than once per row (50 to 500 rows a list page).
        before, after = _page_url_parts(get_script_prefix())
        return f"{before}{pk}{after}"

    def to_representation(self, instance):
        return self.row(instance, _page_url_parts(get_script_prefix()))

    @staticmethod
    def row(m, page: tuple[str, str]) -> dict:
        """The meeting ``m`` as the API gives it; ``page``: its page's address around the id.

        Written out rather than field by field: a list page is 50 of these, and DRF's walk over 22 fields
        per row was a third of the request. Every value is what the declared field gives for it
        (``tests/meetings/test_api_meeting_rows.py`` holds the two side by side); the times are in the
        meeting's own zone. ``m`` is a meeting, or a row of ``LIST_COLUMNS`` (``first_meetings``)."""
        tz = zoneinfo.ZoneInfo(m.timezone)
        return {
            "id": m.id,
            "page": f"{page[0]}{m.id}{page[1]}",
            "body": m.body_id,
            "series": m.series_id,
            "number": m.number,
            "label": m.label,
            "title": m.title,
            "start": m.start.astimezone(tz).isoformat(),
            "end": m.end.astimezone(tz).isoformat(),
            "timezone": m.timezone,
            "host": m.host_id,
            "venue": m.venue,
            "city": m.city,
            "modality": m.modality,
            "join_url": m.join_url,
            "is_public": m.is_public,
            "status": m.status,
            "uid": m.uid,
            "sequence": m.sequence,
            "date_precision": m.date_precision,
            "previous": m.previous_id,
            "prepares_for": m.prepares_for_id,
        }


_PK_STAND_IN = 987654321


@functools.lru_cache(maxsize=8)
def _page_url_parts(script_prefix: str) -> tuple[str, str]:
    """The meeting page's URL around its pk, for the script prefix it was reversed under."""
    before, after = reverse("meetings:detail", args=[_PK_STAND_IN]).split(str(_PK_STAND_IN))
    return before, after


class PostponeSerializer(serializers.Serializer):
    start = VenueDateTimeField(required=False, allow_null=True)
    end = VenueDateTimeField(required=False, allow_null=True)


class ConflictSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()
    other = serializers.IntegerField(source="other.pk", allow_null=True, default=None)


class ProposalSerializer(serializers.Serializer):
    key = serializers.CharField()
    body = serializers.IntegerField(source="body.pk")
    series = serializers.IntegerField(source="series.pk", allow_null=True, default=None)
    number = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    timezone = serializers.CharField()
    host = serializers.IntegerField(source="host.pk", allow_null=True, default=None)
    city = serializers.CharField()
    prepares_for_key = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RecordViewSet,
):
    """Meetings the user may see. Scheduling and changes are for the Secretariat and the body's chair;
    a change of time or place raises the sequence and tells the invitees."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    pagination_class = MeetingCursorPagination

    def body_id_of(self, obj) -> int:
        return obj.body_id

    def list(self, request, *args, **kwargs):
        # The list as most clients read it, the first page unfiltered: read without building a queryset.
        if not self.paginator.is_first_page(request):
            return super().list(request, *args, **kwargs)
        page = self.paginator.paginate_first(request, functools.partial(first_meetings, request.user))
        return self.paginator.get_paginated_response(self.get_serializer(page, many=True).data)

    def filter_queryset(self, queryset):
        # No ?body=, ?year= or ?status= (the list as most clients read it): the filter form would be built
        # and validated only to change nothing (none of MeetingFilter's parameters is required).
        if self.action == "list" and not MeetingFilter.base_filters.keys() & self.request.query_params.keys():
            return queryset
        return super().filter_queryset(queryset)

    def get_queryset(self):
        # ?body=, ?year=, ?status=: MeetingFilter. A list's rows show ids only (``to_representation``);
        # a single meeting's actions read its body, host and series.
        qs = visible_meetings(self.request.user)
        if self.action != "list":
            qs = qs.select_related("body", "host", "series")
        return qs.order_by("start", "id")

    def create(self, request, *args, **kwargs):
        managed = body_ids_with(request.user, "manage_body")
        if managed is not None and not managed:
            raise PermissionDenied("Only the Secretariat and the chairs schedule meetings.")
        body_id = str(request.data.get("body", ""))
        if is_id(body_id) and Body.objects.filter(pk=body_id).exists():
            require_manage(request.user, int(body_id))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        require_manage(self.request.user, d["body"].pk)
        serializer.instance = run(
            meetings_services.meeting_create,
            body=d.pop("body"),
            timezone_name=d.pop("timezone", ""),
            **{k: v for k, v in d.items() if k != "status"},
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in MEETING_EDITABLE}
        if (
            "body" in serializer.validated_data
            and serializer.validated_data["body"] != serializer.instance.body
        ):
            raise serializers.ValidationError({"body": "A meeting does not move to another body."})
        serializer.instance = run(
            meetings_services.meeting_update,
            meeting=serializer.instance,
            data=data,
            expected_version=requested_version(self.request),
        )

    def retrieve(self, request, *args, **kwargs):
        return with_version(super().retrieve(request, *args, **kwargs), self.get_object())

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        return with_version(response, Meeting.objects.get(pk=kwargs["pk"]))

    def _status(self, fn, **kwargs) -> Response:
        meeting = self.get_object()
        return Response(
            MeetingSerializer(run(fn, meeting=meeting, **kwargs), context={"request": self.request}).data
        )

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm: everyone on the list is invited."""
        return self._status(meetings_services.meeting_confirm)

    @extend_schema(request=PostponeSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def postpone(self, request, pk=None):
        """Postpone; without a new start and end the invitees get a cancellation."""
        s = PostponeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._status(
            meetings_services.meeting_postpone,
            start=s.validated_data.get("start"),
            end=s.validated_data.get("end"),
        )

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._status(meetings_services.meeting_cancel)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        return self._status(meetings_services.meeting_mark_held)

    @extend_schema(responses=ConflictSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def conflicts(self, request, pk=None):
        """Warnings for the Secretariat: double bookings and a host outside its chair year."""
        meeting = self.get_object()
        require_manage(request.user, meeting.body_id)
        return Response(
            ConflictSerializer(meetings_services.meeting_conflicts(meeting=meeting), many=True).data
        )

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="invite-delegations")
    def invite_delegations(self, request, pk=None):
        """Invite every current member of the body for the states that are members on the meeting's date."""
        meeting = self.get_object()
        created = run(participation_services.invitations_for_delegations, meeting=meeting, actor=request.user)
        return Response({"invited": [i.pk for i in created]}, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("body", OpenApiTypes.STR, required=True),
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
        ],
        responses=ProposalSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def propose(self, request):
        """Next year's meetings of a body, proposed (nothing is saved): create the ones you keep."""
        if not is_secretariat(request.user):
            raise PermissionDenied("Only the Secretariat plans the year's meetings.")
        key = request.query_params.get("body", "")
        body = (
            Body.objects.filter(pk=int(key)).first()
            if is_id(key)
            else Body.objects.filter(acronym=key[:40]).first()
        )
        if body is None:
            raise serializers.ValidationError({"body": "No such body."})
        year = year_param(request, "year", required=True)
        return Response(
            ProposalSerializer(
                run(year_plan_services.meeting_year_propose, body=body, year=year), many=True
            ).data
        )
