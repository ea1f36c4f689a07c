"""Reports and submissions through the API."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api_support import BoundedDateField, MirrorsConstraints
from meetings import tasks
from meetings.api.base import MeetingRefSerializer, RecordViewSet, require_manage, run
from meetings.api.filters import SubmissionFilter
from meetings.models import Meeting, Report, ReportJob, Submission
from meetings.permissions import reports_visible, submissions_visible
from meetings.selectors.meetings import visible_meetings
from meetings.services import report_jobs
from meetings.services import reports as reports_services


class ReportSerializer(MirrorsConstraints, serializers.ModelSerializer):
    read = serializers.SerializerMethodField()
    # Blank until the report is adopted: the schema must allow "" as well as the modes.
    adoption_mode = serializers.ChoiceField(
        choices=Report.AdoptionMode.choices, allow_blank=True, read_only=True
    )

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


class ReportJobSerializer(MirrorsConstraints, serializers.ModelSerializer):
    """One request to write a meeting's report, as the worker left it: how far it got, then the report
    (done) or the reason (failed)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    live = serializers.BooleanField(source="is_live", read_only=True)
    url = serializers.SerializerMethodField(help_text="This job: GET it until it is no longer live.")

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "url",
            "meeting",
            "status",
            "status_label",
            "live",
            "progress",
            "step",
            "error",
            "attempts",
            "report",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("report-job-detail", args=[obj.pk])


class AdoptReportSerializer(serializers.Serializer):
    adoption_mode = serializers.ChoiceField(choices=Report.AdoptionMode.choices)
    adopted_on = BoundedDateField()


class SubmitSerializer(serializers.Serializer):
    submitted_on = BoundedDateField()


class SubmissionSerializer(MirrorsConstraints, serializers.ModelSerializer):
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

    @extend_schema(
        request=GenerateSerializer,
        responses={202: ReportJobSerializer},
        description="Ask for the report (HTML and PDF) to be written by a worker, as the report page does: "
        "the answer is at once (202) and names the job (its `url`, also in `Location`); GET the job until "
        "`live` is false, then read `report` (done) or `error` (failed). Asking while a job is waiting or "
        "running gives that job. Refused (400) when no report may be written (a planned meeting, an adopted "
        "report).",
    )
    @action(detail=False, methods=["post"])
    def generate(self, request):
        meeting = self.meeting_named_for_write(GenerateSerializer, request.data)
        job, created = run(report_jobs.report_job_request, meeting=meeting, actor=request.user)
        if created:
            tasks.report_job_queue(job.pk)
        data = ReportJobSerializer(job, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    @extend_schema(request=AdoptReportSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        report = self.get_object()
        s = AdoptReportSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        report = run(
            reports_services.report_adopt,
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
        sub = run(reports_services.report_submit, report=report, on=s.validated_data["submitted_on"])
        return Response(SubmissionSerializer(sub).data, status=status.HTTP_201_CREATED)


class ReportJobViewSet(mixins.RetrieveModelMixin, RecordViewSet):
    """Report jobs (``POST /reports/generate/`` starts one): progress while a worker writes the report, then
    the report or the reason it failed. For the meeting's managers, as on the report page."""

    serializer_class = ReportJobSerializer
    filterset_class = None

    def get_queryset(self):
        return ReportJob.objects.filter(meeting__in=visible_meetings(self.request.user)).select_related(
            "meeting"
        )

    def get_object(self):
        job = super().get_object()
        require_manage(self.request.user, job.meeting.body_id)
        return job


class OutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[c for c in Submission.Status.choices if c[0] != Submission.Status.SUBMITTED]
    )
    outcome_on = BoundedDateField()
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
    filterset_class = SubmissionFilter

    def body_id_of(self, obj) -> int:
        return obj.to_body_id

    def get_queryset(self):
        # ?body=: SubmissionFilter.
        return submissions_visible(self.request.user, Submission.objects.all()).order_by(
            "-submitted_on", "-id"
        )

    @extend_schema(request=OutcomeSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="outcome")
    def record_outcome(self, request, pk=None):
        sub = self.get_object()
        s = OutcomeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(
            self.get_serializer(
                run(reports_services.submission_record_outcome, submission=sub, **s.validated_data)
            ).data
        )

    @extend_schema(request=SubmitSerializer, responses={201: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        """Carry the report one level further up (SEOM → AEM), citing this submission."""
        sub = self.get_object()
        s = SubmitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        nxt = run(reports_services.submission_forward, submission=sub, on=s.validated_data["submitted_on"])
        return Response(self.get_serializer(nxt).data, status=status.HTTP_201_CREATED)
