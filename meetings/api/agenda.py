"""The agenda through the API: its items as a tree, and its circulated versions."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api_filters import is_id
from governance.api_support import MirrorsConstraints
from governance.concurrency import requested_version, with_version
from meetings.api.base import (
    EditableRecordViewSet,
    MeetingRefSerializer,
    RecordViewSet,
    require_manage,
    run,
    visible_meeting_field,
)
from meetings.models import AgendaItem, AgendaVersion, Document
from meetings.selectors.agenda import number_agenda
from meetings.selectors.documents import document_level, readable_documents
from meetings.services import agenda as agenda_services
from meetings.services import agenda_versions as agenda_versions_services
from meetings.services.agenda import AGENDA_ITEM_FIELDS


class ReadableDocumentsField(serializers.PrimaryKeyRelatedField):
    """Linked documents: the reader sees the ids of those they may read, and may link only those (any
    other id "does not exist": no title of a document they are not cleared for comes back)."""

    def get_queryset(self):
        return readable_documents(self.context["request"].user)

    def to_representation(self, value):
        return value.pk


# Given when an item is added (then through ``move``), and its linked papers: not in the service's field set.
AGENDA_ITEM_PLACEMENT = frozenset({"meeting", "parent", "position", "documents"})


class AgendaItemSerializer(MirrorsConstraints, serializers.ModelSerializer):
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
        # Writable: what the service lets change (one source), plus where the item stands (on creation;
        # later through ``move``) and its papers.
        read_only_fields = [f for f in fields if f not in AGENDA_ITEM_FIELDS | AGENDA_ITEM_PLACEMENT]
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
        return with_version(Response(self.get_serializer(item).data), item)

    def _respond(self, item: AgendaItem, code=status.HTTP_200_OK) -> Response:
        item = AgendaItem.objects.prefetch_related("documents").get(pk=item.pk)
        self._prepare([item])
        return with_version(Response(self.get_serializer(item).data, status=code), item)

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        meeting = self.meeting_for_write(d.pop("meeting"))
        item = run(
            agenda_services.agenda_item_add,
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
        expected = requested_version(request)
        return self._respond(
            run(
                agenda_services.agenda_item_update,
                item=item,
                data=d,
                documents=documents,
                expected_version=expected,
            )
        )

    def destroy(self, request, *args, **kwargs):
        run(agenda_services.agenda_item_remove, item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MoveSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the item (with its sub-items) under another item, or to the top level (parent null)."""
        item = self.get_object()
        s = MoveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        moved = run(
            agenda_services.agenda_item_move,
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
            run(agenda_services.agenda_item_record_minutes, item=item, minutes=s.validated_data["minutes"])
        )


class AgendaVersionSerializer(MirrorsConstraints, serializers.ModelSerializer):
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
        version = run(agenda_versions_services.agenda_circulate, meeting=meeting, actor=request.user)
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AgendaVersionSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        version = self.get_object()
        return Response(self.get_serializer(run(agenda_versions_services.agenda_adopt, version=version)).data)

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
                meeting_id=version.meeting_id, number=int(other) if is_id(other) else -1
            ).first()
            if version_b is None:
                raise serializers.ValidationError({"other": "No such version of this agenda."})
        changes = run(
            agenda_versions_services.agenda_versions_diff,
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
