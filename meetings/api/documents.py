"""Documents through the API: those the user may read, uploaded by the body's managers."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from governance.api_support import MirrorsConstraints
from meetings.api.base import RecordViewSet, run, visible_meeting_field
from meetings.api.filters import DocumentFilter
from meetings.models import Document
from meetings.selectors.documents import readable_documents
from meetings.services import documents as documents_services
from meetings.views.documents import document_download_response


class DocumentSerializer(MirrorsConstraints, serializers.ModelSerializer):
    # A title already used becomes its next version: the service numbers it.
    constraints_left_to_service = frozenset({"document_unique_version"})
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


# The bytes come with the type the upload check gave them (PDF, Word, ...): each is documented.
DOWNLOAD_RESPONSES = {
    (200, media): OpenApiTypes.BINARY
    for media in sorted(
        {ct.split(";")[0] for ct, _label, _check in documents_services.DOCUMENT_TYPES.values()}
    )
}


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
    filterset_class = DocumentFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def body_id_of(self, obj) -> int:
        return obj.body_id

    def get_queryset(self):
        # ?meeting=, ?kind=: DocumentFilter.
        return readable_documents(self.request.user).order_by("meeting_id", "title", "-version")

    def perform_create(self, serializer):
        d = serializer.validated_data
        meeting = self.meeting_for_write(d["meeting"])
        serializer.instance = run(
            documents_services.document_upload,
            meeting=meeting,
            file=d["file"],
            title=d["title"],
            kind=d["kind"],
            classification=d.get("classification", Document.Classification.RESTRICTED),
            actor=self.request.user,
        )

    @extend_schema(responses=DOWNLOAD_RESPONSES)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return document_download_response(self.get_object(), request.user)
