"""Written procedures through the API: ``/api/v1/written-procedures/`` lists those of the bodies the user may
see, opens one (the Secretariat or the body's chair), and ``…/<id>/answer/`` records a state's answer (its
head of delegation or alternate). Errors are a 400 naming the field, from the same services as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from governance.api_support import MirrorsConstraints
from governance.models import Body, MemberState
from governance.permissions import can_manage_body
from meetings.api.base import run
from meetings.models import Document, ProcedureAnswer, WrittenProcedure
from meetings.selectors.procedures import procedures_visible
from meetings.services import written_procedure as wp


class ProcedureAnswerSerializer(MirrorsConstraints, serializers.ModelSerializer):
    member_state = serializers.SlugRelatedField(slug_field="iso2", read_only=True)

    class Meta:
        model = ProcedureAnswer
        fields = ["member_state", "answer", "reason", "answered_by", "answered_at"]
        read_only_fields = fields


class WrittenProcedureSerializer(MirrorsConstraints, serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="acronym", queryset=Body.objects.all())
    papers = serializers.PrimaryKeyRelatedField(many=True, queryset=Document.objects.all(), required=False)
    answers = ProcedureAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = WrittenProcedure
        fields = [
            "id",
            "body",
            "title",
            "text",
            "papers",
            "rule",
            "timezone",
            "opened_at",
            "opened_on",
            "deadline",
            "status",
            "closed_at",
            "outcome",
            "withdrawn_reason",
            "answers",
        ]
        read_only_fields = [
            "timezone",
            "opened_at",
            "opened_on",
            "status",
            "closed_at",
            "outcome",
            "withdrawn_reason",
            "answers",
        ]


class AnswerSerializer(serializers.Serializer):
    member_state = serializers.SlugRelatedField(slug_field="iso2", queryset=MemberState.objects.all())
    answer = serializers.ChoiceField(choices=ProcedureAnswer.Answer.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()


class WrittenProcedureViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = WrittenProcedureSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return procedures_visible(self.request.user).prefetch_related("papers", "answers__member_state")

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        if not can_manage_body(request.user, data["body"]):
            raise PermissionDenied("Only the Secretariat and the body's chair open a written procedure.")
        procedure = run(
            wp.written_procedure_open,
            body=data["body"],
            title=data["title"],
            text=data["text"],
            rule=data["rule"],
            deadline=data["deadline"],
            papers=data.get("papers", []),
            actor=request.user,
        )
        return Response(self.get_serializer(procedure).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses={201: ProcedureAnswerSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        procedure = self.get_object()
        s = AnswerSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        person = getattr(request.user, "person", None)
        if person is None:
            raise PermissionDenied("Only a head of delegation or an alternate answers.")
        row = run(wp.procedure_answer, procedure=procedure, person=person, **s.validated_data)
        return Response(ProcedureAnswerSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawSerializer, responses={200: WrittenProcedureSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The Secretariat or the body's chair withdraws an open procedure, with a reason (audited)."""
        procedure = self.get_object()
        s = WithdrawSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        procedure = run(
            wp.procedure_withdraw, procedure=procedure, actor=request.user, reason=s.validated_data["reason"]
        )
        return Response(self.get_serializer(procedure).data)
