"""Invitations and attendance through the API."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from governance.api_support import MirrorsConstraints
from governance.permissions import today_in_asean
from meetings.api.base import RecordViewSet, run, visible_meeting_field
from meetings.models import Attendance, Invitation
from meetings.permissions import visible_invitations
from meetings.selectors.meetings import can_manage
from meetings.selectors.participation import delegation_states_for
from meetings.services import participation as participation_services


class InvitationSerializer(MirrorsConstraints, serializers.ModelSerializer):
    # Inviting a withdrawn invitee again puts them back on the list (the service's call, not a refusal).
    constraints_left_to_service = frozenset({"invitation_unique_person"})
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
                participation_services.invitation_add,
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
            participation_services.delegation_register,
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
        inv = run(
            participation_services.invitation_withdraw,
            invitation=inv,
            actor=request.user,
            on=today_in_asean(),
        )
        return Response(self.get_serializer(inv).data)


class AttendanceSerializer(MirrorsConstraints, serializers.ModelSerializer):
    constraints_left_to_service = frozenset({"attendance_unique_person"})  # posting again corrects the row
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
            participation_services.attendance_record,
            meeting=meeting,
            entries=[
                participation_services.AttendanceEntry(
                    person=d["person"],
                    present=d.get("present", True),
                    remote=d.get("remote", False),
                    member_state=d.get("member_state"),
                )
            ],
        )
        serializer.instance = rows[0]
