"""API of the record side: meetings, agendas and their versions, documents, invitations, attendance,
decisions, action items, reports and submissions. Registered on the shared router in ``config/api_urls.py``.

Thin like the pages: querysets are filtered to what the user may see (anything else is a 404), writes are
for those who manage the body (else a 403), and every write goes through ``meetings.services``, whose
errors come back as a 400 naming the field.
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from governance.models import Body, MemberState
from governance.permissions import (
    body_ids_with,
    is_secretariat,
    reports_visible,
    submissions_visible,
    today_in_asean,
    visible_invitations,
)
from meetings import services
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaVersion,
    Attendance,
    Decision,
    Document,
    Invitation,
    Meeting,
    Report,
    Submission,
)
from meetings.selectors import (
    can_manage,
    delegation_states_for,
    document_level,
    number_agenda,
    readable_documents,
    visible_meetings,
)

MANAGERS_ONLY = "Only the Secretariat and the body's chair may do this."


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


def run(fn, **kwargs):
    """Call a service; its ValidationError becomes a 400 naming the field."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


def require_manage(user, body_id: int) -> None:
    if not can_manage(user, body_id):
        raise PermissionDenied(MANAGERS_ONLY)


def int_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise serializers.ValidationError({name: "A whole number is expected."}) from None


class ManagesBody(permissions.BasePermission):
    """Reading follows visibility (the queryset); changing an object needs the right to manage its body."""

    message = MANAGERS_ONLY

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_manage(request.user, view.body_id_of(obj))


class RecordViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, ManagesBody]

    def body_id_of(self, obj) -> int:
        return obj.meeting.body_id

    def meeting_for_write(self, meeting: Meeting) -> Meeting:
        require_manage(self.request.user, meeting.body_id)
        return meeting

    def for_meeting_param(self, qs: QuerySet) -> QuerySet:
        """Narrow a list to ``?meeting=<id>`` when the request gives one."""
        meeting = int_param(self.request, "meeting")
        return qs.filter(meeting_id=meeting) if meeting else qs

    def of_visible_meetings(self, qs: QuerySet) -> QuerySet:
        """Rows that belong to meetings the user may see (anything else is a 404), narrowed by ``?meeting=``."""
        return self.for_meeting_param(qs.filter(meeting__in=visible_meetings(self.request.user)))

    def meeting_named_for_write(self, serializer_class: type[serializers.Serializer], data) -> Meeting:
        """The meeting a POST names by id (``{"meeting": 21}``): one the user may not see is a 400 like a
        missing one (no leak), one they see but do not manage a 403."""
        s = serializer_class(data=data)
        s.is_valid(raise_exception=True)
        meeting = visible_meetings(self.request.user).filter(pk=s.validated_data["meeting"]).first()
        if meeting is None:
            raise serializers.ValidationError({"meeting": "No such meeting."})
        return self.meeting_for_write(meeting)


class EditableRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    RecordViewSet,
):
    """A part of the record the body's managers list, read, add, change and remove (agenda items,
    decisions)."""


def visible_meeting_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    """A meeting chosen by id among those the user may see (another id is "does not exist": no leak)."""

    class Field(serializers.PrimaryKeyRelatedField):
        def get_queryset(self):
            return visible_meetings(self.context["request"].user)

    return Field(**kwargs)


class VenueDateTimeField(serializers.DateTimeField):
    """Naive input is the wall-clock time at the venue (the service reads it in the meeting's zone); an
    offset is respected. Output is in the meeting's own zone."""

    def enforce_timezone(self, value):
        return value


# --- Meetings ----------------------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    start = VenueDateTimeField()
    end = VenueDateTimeField()
    page = serializers.SerializerMethodField()

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
        read_only_fields = ["status", "uid", "sequence", "date_precision", "previous"]
        extra_kwargs = {"title": {"required": False}, "timezone": {"required": False}}
        validators = []  # numbers and labels are checked by the service, with a clearer message

    def get_page(self, obj) -> str:
        return reverse("meetings:detail", args=[obj.pk])

    def to_representation(self, instance):
        data = super().to_representation(instance)
        tz = zoneinfo.ZoneInfo(instance.timezone)
        data["start"] = instance.start.astimezone(tz).isoformat()
        data["end"] = instance.end.astimezone(tz).isoformat()
        return data


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


MEETING_FILTERS = [
    OpenApiParameter("body", OpenApiTypes.STR, description="Body id or acronym"),
    OpenApiParameter("year", OpenApiTypes.INT),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Meeting.Status.values),
]


@extend_schema_view(list=extend_schema(parameters=MEETING_FILTERS))
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

    def body_id_of(self, obj) -> int:
        return obj.body_id

    def get_queryset(self):
        qs = visible_meetings(self.request.user).select_related("body", "host", "series")
        body = self.request.query_params.get("body")
        if body:
            qs = qs.filter(body_id=int(body)) if body.isdigit() else qs.filter(body__acronym=body)
        year = int_param(self.request, "year")
        if year:
            qs = qs.filter(start__year=year)
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs.order_by("start", "id")

    def create(self, request, *args, **kwargs):
        managed = body_ids_with(request.user, "manage_body")
        if managed is not None and not managed:
            raise PermissionDenied("Only the Secretariat and the chairs schedule meetings.")
        body_id = str(request.data.get("body", ""))
        if body_id.isdigit() and Body.objects.filter(pk=body_id).exists():
            require_manage(request.user, int(body_id))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        require_manage(self.request.user, d["body"].pk)
        serializer.instance = run(
            services.meeting_create,
            body=d.pop("body"),
            timezone_name=d.pop("timezone", ""),
            **{k: v for k, v in d.items() if k != "status"},
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in services.MEETING_EDITABLE}
        if (
            "body" in serializer.validated_data
            and serializer.validated_data["body"] != serializer.instance.body
        ):
            raise serializers.ValidationError({"body": "A meeting does not move to another body."})
        serializer.instance = run(services.meeting_update, meeting=serializer.instance, data=data)

    def _status(self, fn, **kwargs) -> Response:
        meeting = self.get_object()
        return Response(
            MeetingSerializer(run(fn, meeting=meeting, **kwargs), context={"request": self.request}).data
        )

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm: everyone on the list is invited."""
        return self._status(services.meeting_confirm)

    @extend_schema(request=PostponeSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def postpone(self, request, pk=None):
        """Postpone; without a new start and end the invitees get a cancellation."""
        s = PostponeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._status(
            services.meeting_postpone, start=s.validated_data.get("start"), end=s.validated_data.get("end")
        )

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._status(services.meeting_cancel)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        return self._status(services.meeting_mark_held, now=timezone.now())

    @extend_schema(responses=ConflictSerializer(many=True))
    @action(detail=True, methods=["get"])
    def conflicts(self, request, pk=None):
        """Warnings for the Secretariat: double bookings and a host outside its chair year."""
        meeting = self.get_object()
        require_manage(request.user, meeting.body_id)
        return Response(ConflictSerializer(services.meeting_conflicts(meeting=meeting), many=True).data)

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="invite-delegations")
    def invite_delegations(self, request, pk=None):
        """Invite every current member of the body for the states that are members on the meeting's date."""
        meeting = self.get_object()
        created = run(services.invitations_for_delegations, meeting=meeting, actor=request.user)
        return Response({"invited": [i.pk for i in created]}, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("body", OpenApiTypes.STR, required=True),
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
        ],
        responses=ProposalSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def propose(self, request):
        """Next year's meetings of a body, proposed (nothing is saved): create the ones you keep."""
        if not is_secretariat(request.user):
            raise PermissionDenied("Only the Secretariat plans the year's meetings.")
        key = request.query_params.get("body", "")
        body = (
            Body.objects.filter(pk=int(key)).first()
            if key.isdigit()
            else Body.objects.filter(acronym=key).first()
        )
        if body is None:
            raise serializers.ValidationError({"body": "No such body."})
        year = int_param(request, "year")
        if not year:
            raise serializers.ValidationError({"year": "Give the year."})
        return Response(
            ProposalSerializer(run(services.meeting_year_propose, body=body, year=year), many=True).data
        )


# --- Agenda ------------------------------------------------------------------------------------------------


class ReadableDocumentsField(serializers.PrimaryKeyRelatedField):
    """Linked documents: the reader sees the ids of those they may read."""

    def get_queryset(self):
        return Document.objects.all()

    def to_representation(self, value):
        return value.pk


class AgendaItemSerializer(serializers.ModelSerializer):
    meeting = visible_meeting_field()
    number = serializers.SerializerMethodField()
    documents = ReadableDocumentsField(many=True, required=False)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "number",
            "parent",
            "position",
            "title",
            "description",
            "purpose",
            "presenter_state",
            "presenter_person",
            "presenter_body",
            "minutes_allotted",
            "starts_at",
            "goal",
            "documents",
            "minutes",
            "is_standing",
        ]
        read_only_fields = ["is_standing", "minutes"]
        extra_kwargs = {"position": {"required": False}}

    def get_number(self, obj) -> str:
        return self.context.get("numbers", {}).get(obj.pk, "")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        readable = self.context.get("readable_documents")
        if readable is not None:
            data["documents"] = [d for d in data["documents"] if d in readable]
        return data


class MoveSerializer(serializers.Serializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=AgendaItem.objects.all(), allow_null=True)
    position = serializers.IntegerField(min_value=0, required=False, allow_null=True, help_text="0 = first")


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True)


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("meeting", OpenApiTypes.INT)]))
class AgendaItemViewSet(EditableRecordViewSet):
    """The draft agenda, item by item, with its numbers (1, 1.1, 1.2)."""

    serializer_class = AgendaItemSerializer

    def get_queryset(self):
        return self.of_visible_meetings(
            AgendaItem.objects.select_related("meeting")
            .prefetch_related(Prefetch("documents", queryset=Document.objects.only("pk")))
            .order_by("meeting_id", "parent_id", "position", "id")
        )

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        ctx["numbers"] = getattr(self, "_numbers", {})
        ctx["readable_documents"] = getattr(self, "_readable", None)
        return ctx

    def _prepare(self, items) -> None:
        """Number the items' agendas and find which linked documents the reader may read (two queries)."""
        meeting_ids = {i.meeting_id for i in items}
        rows = AgendaItem.objects.filter(meeting_id__in=meeting_ids).values_list(
            "pk", "parent_id", "position", "meeting_id"
        )
        by_meeting: dict[int, list[AgendaItem]] = {}
        for pk, parent_id, position, meeting_id in rows:
            by_meeting.setdefault(meeting_id, []).append(
                AgendaItem(pk=pk, parent_id=parent_id, position=position)
            )
        self._numbers = {n.item.pk: n.number for group in by_meeting.values() for n in number_agenda(group)}
        self._readable = set(
            readable_documents(self.request.user)
            .filter(meeting_id__in=meeting_ids)
            .values_list("pk", flat=True)
        )

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        items = page if page is not None else list(qs)
        self._prepare(items)
        data = self.get_serializer(items, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        self._prepare([item])
        return Response(self.get_serializer(item).data)

    def _respond(self, item: AgendaItem, code=status.HTTP_200_OK) -> Response:
        item = AgendaItem.objects.prefetch_related("documents").get(pk=item.pk)
        self._prepare([item])
        return Response(self.get_serializer(item).data, status=code)

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        meeting = self.meeting_for_write(d.pop("meeting"))
        item = run(
            services.agenda_item_add,
            meeting=meeting,
            title=d.pop("title"),
            parent=d.pop("parent", None),
            position=d.pop("position", None),
            documents=d.pop("documents", None),
            **d,
        )
        return self._respond(item, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        item = self.get_object()
        s = self.get_serializer(item, data=request.data, partial=kwargs.get("partial", False))
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        for fixed in ("meeting", "parent", "position"):
            if fixed in d and d[fixed] != getattr(item, fixed):
                raise serializers.ValidationError({fixed: "Use the move action to move an item."})
            d.pop(fixed, None)
        documents = d.pop("documents", None)
        return self._respond(run(services.agenda_item_update, item=item, data=d, documents=documents))

    def destroy(self, request, *args, **kwargs):
        run(services.agenda_item_remove, item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MoveSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the item (with its sub-items) under another item, or to the top level (parent null)."""
        item = self.get_object()
        s = MoveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        moved = run(
            services.agenda_item_move,
            item=item,
            parent=s.validated_data["parent"],
            position=s.validated_data.get("position"),
        )
        return self._respond(moved)

    @extend_schema(request=MinutesSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        """Record the minutes of the discussion of this item."""
        item = self.get_object()
        s = MinutesSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._respond(
            run(services.agenda_item_record_minutes, item=item, minutes=s.validated_data["minutes"])
        )


class AgendaVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaVersion
        fields = ["id", "meeting", "number", "status", "items", "created_at", "adopted_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        level = self.context.get("levels", {}).get(instance.meeting.body_id, 0)
        data["items"] = [
            {**e, "documents": [d for d in e.get("documents", []) if d["classification"] <= level]}
            for e in instance.items
        ]
        return data


# A POST that names one meeting by id. Comments, not docstrings: the schema keeps its two component names
# (Circulate, Generate) and gains no description.
class MeetingRefSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()


class CirculateSerializer(MeetingRefSerializer):
    pass


class DiffSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["added", "removed", "changed", "unchanged"])
    number_a = serializers.CharField()
    number_b = serializers.CharField()
    title = serializers.CharField()
    depth = serializers.IntegerField()
    changes = serializers.ListField(child=serializers.CharField())


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("meeting", OpenApiTypes.INT)]))
class AgendaVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RecordViewSet):
    """Circulated versions: frozen and numbered; one is adopted at the meeting."""

    serializer_class = AgendaVersionSerializer

    def get_queryset(self):
        return self.of_visible_meetings(
            AgendaVersion.objects.select_related("meeting").order_by("meeting_id", "number")
        )

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        user = self.request.user
        ctx["levels"] = _Levels(user)
        return ctx

    @extend_schema(request=CirculateSerializer, responses={201: AgendaVersionSerializer})
    @action(detail=False, methods=["post"])
    def circulate(self, request):
        """Freeze the draft agenda of a meeting as its next version and send it to the invitees."""
        meeting = self.meeting_named_for_write(CirculateSerializer, request.data)
        version = run(services.agenda_circulate, meeting=meeting, actor=request.user)
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AgendaVersionSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        version = self.get_object()
        return Response(
            self.get_serializer(run(services.agenda_adopt, version=version, now=timezone.now())).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("other", OpenApiTypes.STR, description="Version number, or 'draft'")],
        responses=DiffSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        """What changed from this version to another (default: the next one; 'draft' for managers)."""
        version = self.get_object()
        other = request.query_params.get("other") or str(version.number + 1)
        if other == "draft":
            require_manage(request.user, version.meeting.body_id)
            version_b = None
        else:
            version_b = AgendaVersion.objects.filter(
                meeting_id=version.meeting_id, number=other if other.isdigit() else -1
            ).first()
            if version_b is None:
                raise serializers.ValidationError({"other": "No such version of this agenda."})
        changes = run(
            services.agenda_versions_diff,
            version_a=version,
            version_b=version_b,
            level=document_level(request.user, version.meeting.body_id),
        )
        return Response(DiffSerializer(changes, many=True).data)


class _Levels(dict):
    """Body id -> the reader's clearance, computed on first use (rights are cached per request)."""

    def __init__(self, user):
        super().__init__()
        self.user = user

    def get(self, body_id, default=0):
        if body_id not in self:
            self[body_id] = document_level(self.user, body_id)
        return self[body_id]


# --- Documents ---------------------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    meeting = visible_meeting_field()
    file = serializers.FileField(write_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "meeting",
            "body",
            "title",
            "kind",
            "classification",
            "version",
            "file",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "download",
        ]
        read_only_fields = [
            "body",
            "version",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
        ]
        validators = []

    def get_download(self, obj) -> str:
        return reverse("meetings:document_download", args=[obj.pk])


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("meeting", OpenApiTypes.INT), OpenApiParameter("kind", OpenApiTypes.STR)]
    )
)
class DocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RecordViewSet
):
    """Documents the reader is cleared for. Upload with multipart; a title already used becomes its next
    version. The bytes come only from the download link, which checks again."""

    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def body_id_of(self, obj) -> int:
        return obj.body_id

    def get_queryset(self):
        qs = readable_documents(self.request.user).order_by("meeting_id", "title", "-version")
        meeting = int_param(self.request, "meeting")
        if meeting:
            qs = qs.filter(meeting_id=meeting)
        if self.request.query_params.get("kind"):
            qs = qs.filter(kind=self.request.query_params["kind"])
        return qs

    def perform_create(self, serializer):
        d = serializer.validated_data
        meeting = self.meeting_for_write(d["meeting"])
        serializer.instance = run(
            services.document_upload,
            meeting=meeting,
            file=d["file"],
            title=d["title"],
            kind=d["kind"],
            classification=d.get("classification", Document.Classification.RESTRICTED),
            actor=self.request.user,
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        from meetings.views import document_response

        return document_response(self.get_object())


# --- Participation -----------------------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    meeting = visible_meeting_field()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "meeting",
            "person",
            "member_state",
            "role",
            "partstat",
            "responded_at",
            "is_withdrawn",
            "registered_by",
            "created_at",
        ]
        read_only_fields = ["partstat", "responded_at", "is_withdrawn", "registered_by", "created_at"]
        validators = []


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("meeting", OpenApiTypes.INT)]))
class InvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RecordViewSet
):
    """Who is invited. The Secretariat and the chair invite anyone; a head of delegation registers the
    members of their own state's delegation. Taking someone off the list keeps the row (withdrawn), so the
    invitee is sent a cancellation."""

    serializer_class = InvitationSerializer
    permission_classes = [permissions.IsAuthenticated]  # the services decide who may change the list

    def get_queryset(self):
        # Not every invitee of a visible meeting: a guest or an observer lists their own invitation only.
        qs = (
            visible_invitations(self.request.user, Invitation.objects.all())
            .select_related("meeting")
            .order_by("meeting_id", "member_state__short_name", "person__full_name", "id")
        )
        return self.for_meeting_param(qs)

    def perform_create(self, serializer):
        d = serializer.validated_data
        meeting, person = d["meeting"], d["person"]
        state = d.get("member_state") or person.member_state
        user = self.request.user
        if can_manage(user, meeting.body_id):
            serializer.instance = run(
                services.invitation_add,
                meeting=meeting,
                person=person,
                member_state=state,
                role=d.get("role", Invitation.Role.REQUIRED),
                actor=user,
            )
            return
        if state is None or state.pk not in delegation_states_for(
            user, body=meeting.body_id, on=today_in_asean()
        ):
            raise PermissionDenied(
                "Only the Secretariat, the chair or the head of the delegation may do this."
            )
        created = run(
            services.delegation_register,
            meeting=meeting,
            member_state=state,
            persons=[person],
            actor=user,
            on=today_in_asean(),
        )
        if not created:
            raise serializers.ValidationError({"person": f"{person} is already invited."})
        serializer.instance = created[0]

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        inv = self.get_object()
        inv = run(services.invitation_withdraw, invitation=inv, actor=request.user, on=today_in_asean())
        return Response(self.get_serializer(inv).data)


class AttendanceSerializer(serializers.ModelSerializer):
    meeting = visible_meeting_field()

    class Meta:
        model = Attendance
        fields = ["id", "meeting", "person", "member_state", "present", "remote"]
        validators = []


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("meeting", OpenApiTypes.INT)]))
class AttendanceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RecordViewSet
):
    """Who attended. Posting a person again corrects their row."""

    serializer_class = AttendanceSerializer

    def get_queryset(self):
        return self.of_visible_meetings(Attendance.objects.order_by("meeting_id", "id"))

    def perform_create(self, serializer):
        d = serializer.validated_data
        meeting = self.meeting_for_write(d["meeting"])
        rows = run(
            services.attendance_record,
            meeting=meeting,
            entries=[
                services.AttendanceEntry(
                    person=d["person"],
                    present=d.get("present", True),
                    remote=d.get("remote", False),
                    member_state=d.get("member_state"),
                )
            ],
        )
        serializer.instance = rows[0]


# --- The record --------------------------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer):
    meeting = visible_meeting_field()
    participating_states = serializers.PrimaryKeyRelatedField(
        many=True, queryset=MemberState.objects.all(), required=False, help_text="ASEAN Minus X; empty: all"
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "meeting",
            "agenda_item",
            "kind",
            "text",
            "participating_states",
            "position",
            "created_at",
        ]
        read_only_fields = ["position", "created_at"]


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("meeting", OpenApiTypes.INT)]))
class DecisionViewSet(EditableRecordViewSet):
    """What the meeting agreed, noted, endorsed, tasked, deferred or referred, item by item."""

    serializer_class = DecisionSerializer

    def get_queryset(self):
        return self.of_visible_meetings(
            Decision.objects.select_related("meeting")
            .prefetch_related(Prefetch("participating_states", queryset=MemberState.objects.only("pk")))
            .order_by("meeting_id", "position", "id")
        )

    def perform_create(self, serializer):
        d = serializer.validated_data
        meeting = self.meeting_for_write(d["meeting"])
        serializer.instance = run(
            services.decision_record,
            meeting=meeting,
            agenda_item=d["agenda_item"],
            kind=d["kind"],
            text=d["text"],
            participating_states=d.get("participating_states", []),
        )

    def perform_update(self, serializer):
        d = dict(serializer.validated_data)
        if "meeting" in d and d.pop("meeting") != serializer.instance.meeting:
            raise serializers.ValidationError({"meeting": "A decision stays with its meeting."})
        states = d.pop("participating_states", None)
        serializer.instance = run(
            services.decision_update, decision=serializer.instance, data=d, participating_states=states
        )

    def perform_destroy(self, instance):
        run(services.decision_delete, decision=instance)


class ActionItemSerializer(serializers.ModelSerializer):
    meeting = visible_meeting_field()
    at_meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), write_only=True, required=False, help_text="Where it was closed"
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "body",
            "meeting",
            "decision",
            "agenda_item",
            "title",
            "owner_state",
            "owner_person",
            "owner_body",
            "due_date",
            "status",
            "progress_note",
            "closed_at",
            "closed_at_meeting",
            "at_meeting",
        ]
        read_only_fields = ["body", "closed_at", "closed_at_meeting"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("meeting", OpenApiTypes.INT),
            OpenApiParameter("body", OpenApiTypes.INT),
            OpenApiParameter("status", OpenApiTypes.STR, enum=ActionItem.Status.values),
            OpenApiParameter("open", OpenApiTypes.BOOL, description="Only open and in-progress items"),
        ]
    )
)
class ActionItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RecordViewSet,
):
    """Actions with an owner (a state, a person or a task force), followed across meetings until closed."""

    serializer_class = ActionItemSerializer

    def body_id_of(self, obj) -> int:
        return obj.body_id

    def get_queryset(self):
        qs = ActionItem.objects.filter(meeting__in=visible_meetings(self.request.user)).order_by(
            "due_date", "id"
        )
        for name in ("meeting", "body"):
            value = int_param(self.request, name)
            if value:
                qs = qs.filter(**{f"{name}_id": value})
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        if self.request.query_params.get("open") in ("1", "true", "yes"):
            qs = qs.filter(status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS])
        return qs

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        meeting = self.meeting_for_write(d.pop("meeting"))
        for ignored in ("status", "progress_note", "at_meeting"):
            d.pop(ignored, None)
        serializer.instance = run(services.action_item_create, meeting=meeting, **d)

    def perform_update(self, serializer):
        d = serializer.validated_data
        unknown = set(d) - {"status", "progress_note", "due_date", "at_meeting"}
        if unknown:
            raise serializers.ValidationError(
                {k: "Only status, progress_note, due_date and at_meeting change." for k in unknown}
            )
        serializer.instance = run(
            services.action_item_update,
            action_item=serializer.instance,
            now=timezone.now(),
            status=d.get("status"),
            progress_note=d.get("progress_note"),
            due_date=d.get("due_date"),
            at_meeting=d.get("at_meeting"),
        )


# --- Reports and submissions -------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "meeting",
            "title",
            "status",
            "adoption_mode",
            "adopted_on",
            "generated_at",
            "pdf",
            "read",
        ]
        read_only_fields = fields

    def get_read(self, obj) -> str:
        return reverse("meetings:report_view", args=[obj.meeting_id])


class GenerateSerializer(MeetingRefSerializer):
    pass


class AdoptReportSerializer(serializers.Serializer):
    adoption_mode = serializers.ChoiceField(choices=Report.AdoptionMode.choices)
    adopted_on = serializers.DateField()


class SubmitSerializer(serializers.Serializer):
    submitted_on = serializers.DateField()


class SubmissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Submission
        fields = [
            "id",
            "report",
            "from_body",
            "to_body",
            "parent",
            "status",
            "submitted_on",
            "considered_at",
            "outcome_on",
            "outcome",
        ]
        read_only_fields = fields


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("meeting", OpenApiTypes.INT)]))
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RecordViewSet):
    """Reports of meetings: generated (HTML and PDF), adopted, then submitted up the reporting line. Read by
    the meeting's body and by the bodies it was submitted to."""

    serializer_class = ReportSerializer

    def get_queryset(self):
        return self.for_meeting_param(
            reports_visible(self.request.user, Report.objects.select_related("meeting")).order_by("-id")
        )

    @extend_schema(request=GenerateSerializer, responses={201: ReportSerializer})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        meeting = self.meeting_named_for_write(GenerateSerializer, request.data)
        report = run(services.report_generate, meeting=meeting, now=timezone.now(), actor=request.user)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AdoptReportSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        report = self.get_object()
        s = AdoptReportSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        report = run(
            services.report_adopt,
            report=report,
            mode=s.validated_data["adoption_mode"],
            on=s.validated_data["adopted_on"],
        )
        return Response(self.get_serializer(report).data)

    @extend_schema(request=SubmitSerializer, responses={201: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the adopted report to the next body up (ACCMSME → SEOM)."""
        report = self.get_object()
        s = SubmitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        sub = run(services.report_submit, report=report, on=s.validated_data["submitted_on"])
        return Response(SubmissionSerializer(sub).data, status=status.HTTP_201_CREATED)


class OutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[c for c in Submission.Status.choices if c[0] != Submission.Status.SUBMITTED]
    )
    outcome_on = serializers.DateField()
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    considered_at = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), required=False, allow_null=True
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("body", OpenApiTypes.INT, description="Sent or received")]
    )
)
class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RecordViewSet):
    """Reports on their way up: what each body sent, and what came back. The receiving body's side (the
    Secretariat or its chair) records the outcome and carries the report further up."""

    serializer_class = SubmissionSerializer

    def body_id_of(self, obj) -> int:
        return obj.to_body_id

    def get_queryset(self):
        qs = submissions_visible(self.request.user, Submission.objects.all()).order_by("-submitted_on", "-id")
        body = int_param(self.request, "body")
        if body:
            from django.db.models import Q

            qs = qs.filter(Q(from_body_id=body) | Q(to_body_id=body))
        return qs

    @extend_schema(request=OutcomeSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="outcome")
    def record_outcome(self, request, pk=None):
        sub = self.get_object()
        s = OutcomeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(
            self.get_serializer(
                run(services.submission_record_outcome, submission=sub, **s.validated_data)
            ).data
        )

    @extend_schema(request=SubmitSerializer, responses={201: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        """Carry the report one level further up (SEOM → AEM), citing this submission."""
        sub = self.get_object()
        s = SubmitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        nxt = run(services.submission_forward, submission=sub, on=s.validated_data["submitted_on"])
        return Response(self.get_serializer(nxt).data, status=status.HTTP_201_CREATED)


extra_urls: list = []


def register(router) -> None:
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    router.register("agenda-versions", AgendaVersionViewSet, basename="agenda-version")
    router.register("documents", DocumentViewSet, basename="document")
    router.register("invitations", InvitationViewSet, basename="invitation")
    router.register("attendance", AttendanceViewSet, basename="attendance")
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("action-items", ActionItemViewSet, basename="action-item")
    router.register("reports", ReportViewSet, basename="report")
    router.register("submissions", SubmissionViewSet, basename="submission")
