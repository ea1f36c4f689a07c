"""API of the calendar side (iTIP REPLY): registered on the shared router in ``config/api_urls.py``."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.uploads import TooLarge, read_capped
from meetings.calendar.itip import ReplyRejected, itip_reply_apply
from meetings.calendar.rsvp import RsvpError

# A REPLY is a few kilobytes; anything much larger is refused before icalendar sees it.
ITIP_MAX_BYTES = 256 * 1024


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"An iTIP REPLY is at most {ITIP_MAX_BYTES // 1024} KB."


class ICalendarParser(parsers.BaseParser):
    """``text/calendar`` bodies arrive as bytes, for ``icalendar`` to read: at most ITIP_MAX_BYTES, read
    with that cap (an announced larger length is refused without reading)."""

    media_type = "text/calendar"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        request = (parser_context or {}).get("request")
        announced = getattr(request, "META", {}).get("CONTENT_LENGTH") or "0"
        if announced.isdigit() and int(announced) > ITIP_MAX_BYTES:
            raise PayloadTooLarge()
        if stream is None:
            return b""
        try:
            return read_capped(stream, ITIP_MAX_BYTES)
        except TooLarge:
            raise PayloadTooLarge() from None


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
            413: OpenApiResponse(description="Larger than a REPLY can be"),
        },
    )
    def post(self, request):
        data = request.data
        if not isinstance(data, bytes | str):
            upload = request.FILES.get("file")
            if upload is None:
                return Response({"detail": "Send the REPLY as text/calendar or as a 'file'."}, status=400)
            if upload.size > ITIP_MAX_BYTES:
                raise PayloadTooLarge()
            data = upload.read(ITIP_MAX_BYTES)
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
