"""Request bodies read with a cap, before anything parses them: a body announced larger than the limit is
refused from its headers alone (413), and an upload that grows past it is cut off while it streams in,
never written out whole first."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse


def request_max_bytes() -> int:
    """The largest body any request may have: one document at its limit, plus the form around it."""
    return settings.DOCUMENT_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class TooLarge(Exception):
    pass


def read_capped(stream, limit: int) -> bytes:
    """At most ``limit`` bytes of ``stream``; more is refused without reading it all."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"The body is larger than {limit} bytes.")
    return data


class CappedUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: stops a multipart upload as soon as the bytes received pass
    ``request_max_bytes()`` (Django then answers as if the connection had been reset)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = request_max_bytes()
        self.received = 0
        if content_length and content_length > self.limit:
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


class RequestSizeLimitMiddleware:
    """A body announced larger than ``request_max_bytes()`` is a 413 before any view reads it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        if announced > request_max_bytes():
            return JsonResponse(
                {"detail": f"The request is larger than {request_max_bytes()} bytes."}, status=413
            )
        return self.get_response(request)
