"""What the record's viewsets share: reading follows visibility, writing needs the right to manage the
body, and a service's ValidationError comes back as a 400 naming the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from governance.api_filters import int_param
from governance.api_support import BoundedDateTimeField, as_drf_error
from meetings.api.filters import MeetingParamFilter
from meetings.models import Meeting
from meetings.selectors.meetings import can_manage, visible_meetings

MANAGERS_ONLY = "Only the Secretariat and the body's chair may do this."


def run(fn, **kwargs):
    """Call a service; its ValidationError becomes a 400 naming the field."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


def require_manage(user, body_id: int) -> None:
    if not can_manage(user, body_id):
        raise PermissionDenied(MANAGERS_ONLY)


class ManagesBody(permissions.BasePermission):
    """Reading follows visibility (the queryset); changing an object needs the right to manage its body."""

    message = MANAGERS_ONLY

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_manage(request.user, view.body_id_of(obj))


class RecordViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, ManagesBody]
    filterset_class = MeetingParamFilter

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


class VenueDateTimeField(BoundedDateTimeField):
    """Naive input is the wall-clock time at the venue (the service reads it in the meeting's zone); an
    offset is respected. Output is in the meeting's own zone."""

    def enforce_timezone(self, value):
        return value


# A POST that names one meeting by id. Comments, not docstrings: the schema keeps its two component names
# (Circulate, Generate) and gains no description.
class MeetingRefSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
