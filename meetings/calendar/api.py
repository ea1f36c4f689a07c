"""API of the calendar side (iTIP REPLY): registered on the shared router in ``config/api_urls.py``."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from meetings.calendar.itip import ReplyRejected, itip_reply_apply
from meetings.calendar.rsvp import RsvpError


class ICalendarParser(parsers.BaseParser):
    """``text/calendar`` bodies arrive as bytes, for ``icalendar`` to read."""

    media_type = "text/calendar"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read()


class ItipReplyView(APIView):
    """Post an iTIP REPLY (``METHOD:REPLY``) as the request body (``Content-Type: text/calendar``) or as
    the ``file`` field of a form: each ATTENDEE's PARTSTAT is recorded on their invitation."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [ICalendarParser, parsers.MultiPartParser]

    @extend_schema(
        request={"text/calendar": OpenApiTypes.BINARY, "multipart/form-data": OpenApiTypes.OBJECT},
        responses={
            200: OpenApiResponse(description="The answers recorded"),
            400: OpenApiResponse(description="Not a usable REPLY"),
            403: OpenApiResponse(description="Someone else's answer"),
            404: OpenApiResponse(description="Unknown meeting or attendee"),
            409: OpenApiResponse(description="Answers an earlier version of the meeting"),
        },
    )
    def post(self, request):
        data = request.data
        if not isinstance(data, bytes | str):
            upload = request.FILES.get("file")
            if upload is None:
                return Response({"detail": "Send the REPLY as text/calendar or as a 'file'."}, status=400)
            data = upload.read()
        try:
            answers = itip_reply_apply(data=data, user=request.user)
        except ReplyRejected as exc:
            return Response({"detail": str(exc)}, status=exc.status)
        except RsvpError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response({"answers": answers})


extra_urls: list = [path("itip/reply/", ItipReplyView.as_view(), name="itip-reply")]


def register(router) -> None:
    """The calendar side has no viewsets; its one endpoint is in ``extra_urls``."""
