"""Decisions and action items through the API."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers

from governance.api_support import MirrorsConstraints
from governance.concurrency import VersionedWrites, requested_version
from governance.models import MemberState
from governance.permissions import today_in_asean
from meetings.api.base import EditableRecordViewSet, RecordViewSet, run, visible_meeting_field
from meetings.api.filters import ActionItemFilter
from meetings.models import ActionItem, Decision, Meeting
from meetings.selectors.action_items import OPEN as ACTION_OPEN
from meetings.selectors.action_items import can_follow_action_item, next_chase_on
from meetings.selectors.meetings import can_manage, visible_meetings
from meetings.services import action_items as action_items_services
from meetings.services import record as record_services


class DecisionSerializer(MirrorsConstraints, serializers.ModelSerializer):
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
        # A decision through this API is taken at a meeting, under an item (one by written procedure has
        # neither and is written by the procedure's closing).
        extra_kwargs = {"agenda_item": {"required": True, "allow_null": False}}


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("meeting", OpenApiTypes.INT)]))
class DecisionViewSet(VersionedWrites, EditableRecordViewSet):
    """What the meeting agreed, noted, endorsed, tasked, deferred or referred, item by item."""

    serializer_class = DecisionSerializer
    version_checked_by_service = True  # decision_update locks the meeting first, then compares

    def get_queryset(self):
        return self.of_visible_meetings(
            Decision.objects.filter(meeting__isnull=False)
            .select_related("meeting")
            .prefetch_related(Prefetch("participating_states", queryset=MemberState.objects.only("pk")))
            .order_by("meeting_id", "position", "id")
        )

    def perform_create(self, serializer):
        d = serializer.validated_data
        meeting = self.meeting_for_write(d["meeting"])
        serializer.instance = run(
            record_services.decision_record,
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
            record_services.decision_update,
            decision=serializer.instance,
            data=d,
            participating_states=states,
            expected_version=requested_version(self.request),
        )

    def perform_destroy(self, instance):
        run(record_services.decision_delete, decision=instance)


class FollowsActionItem(permissions.BasePermission):
    """Reading follows visibility (the queryset); an update needs ``can_follow_action_item``."""

    message = "Only the owning delegation, the Secretariat and the body's chair update this action item."

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or can_follow_action_item(request.user, obj)


class ActionItemSerializer(MirrorsConstraints, serializers.ModelSerializer):
    meeting = visible_meeting_field()
    at_meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), write_only=True, required=False, help_text="Where it was closed"
    )
    next_chase_on = serializers.SerializerMethodField(
        help_text="While open: the day its owners are next chased (from the day after the due date, then "
        "every chase interval of the body)"
    )

    def get_next_chase_on(self, obj: ActionItem) -> dt.date | None:
        if obj.due_date is None or obj.status not in ACTION_OPEN:
            return None
        every = getattr(obj, "chase_days", None) or obj.body.action_chase_days  # annotated on lists
        return next_chase_on(due_date=obj.due_date, today=today_in_asean(), every=every)

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
            "goal",
            "status",
            "progress_note",
            "closed_at",
            "closed_at_meeting",
            "at_meeting",
            "next_chase_on",
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
    VersionedWrites,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RecordViewSet,
):
    """Actions with an owner (a state, a person or a task force), followed across meetings until closed."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    # A delegate of the owning state updates its progress and status too (``can_follow_action_item``).
    permission_classes = [permissions.IsAuthenticated, FollowsActionItem]

    def body_id_of(self, obj) -> int:
        return obj.body_id

    def get_queryset(self):
        qs = (
            ActionItem.objects.filter(meeting__in=visible_meetings(self.request.user))
            .annotate(chase_days=F("body__action_chase_days"))
            .order_by("due_date", "id")
        )
        return qs  # ?meeting=, ?body=, ?status=, ?open=: ActionItemFilter

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        meeting = self.meeting_for_write(d.pop("meeting"))
        for ignored in ("status", "progress_note", "at_meeting"):
            d.pop(ignored, None)
        serializer.instance = run(record_services.action_item_create, meeting=meeting, **d)

    def perform_update(self, serializer):
        d = serializer.validated_data
        if not can_manage(self.request.user, serializer.instance.body_id):
            unknown = set(d) - {"status", "progress_note"}
            if unknown:
                raise serializers.ValidationError(
                    {k: "A delegation changes only status and progress_note." for k in unknown}
                )
            serializer.instance = run(
                action_items_services.action_item_follow,
                action_item=serializer.instance,
                actor=self.request.user,
                status=d.get("status"),
                progress_note=d.get("progress_note"),
            )
            return
        unknown = set(d) - {"status", "progress_note", "due_date", "at_meeting"}
        if unknown:
            raise serializers.ValidationError(
                {k: "Only status, progress_note, due_date and at_meeting change." for k in unknown}
            )
        serializer.instance = run(
            record_services.action_item_update,
            action_item=serializer.instance,
            status=d.get("status"),
            progress_note=d.get("progress_note"),
            due_date=d.get("due_date"),
            at_meeting=d.get("at_meeting"),
        )
