"""API of the chairmanship app: chair terms (read for members, written by the Secretariat), a rotation
preview, and handovers with their checklist and the complete action. Registered on the shared router in
``config/api_urls.py``. Thin: services decide; a handover the user may not see is a 404, an action they may
not take a 403, an act already done a 409."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.shortcuts import get_object_or_404
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from chairmanship import handovers, selectors, terms
from chairmanship.models import ChairTerm, Handover, HandoverItem
from chairmanship.rotation import MAX_YEARS, RotationError
from governance.api import IsSecretariatOrReadOnly, as_drf_error
from governance.api_filters import year_param
from governance.api_support import MirrorsConstraints
from governance.concurrency import VersionedWrites
from governance.input_rules import single_line
from governance.models import Body
from governance.permissions import can_manage_body, can_manage_handover, today_in_asean


class ChairTermSerializer(MirrorsConstraints, serializers.ModelSerializer):
    constraints_left_to_service = frozenset({"chairterm_unique_start"})  # chair_term_check says it better
    # Chair terms and handovers are planned from the rotation, which runs as far ahead as asked: their
    # dates are not held to the record's 1967–2100 range (docs/decisions/0042).
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: serializers.DateField,
    }

    body_acronym = serializers.CharField(source="body.acronym", read_only=True)
    member_state_name = serializers.CharField(source="member_state.short_name", read_only=True)

    class Meta:
        model = ChairTerm
        fields = [
            "id",
            "body",
            "body_acronym",
            "member_state",
            "member_state_name",
            "role",
            "start_date",
            "end_date",
            "chair_person",
            "is_provisional",
            "reason",
            "source",
            "certainty",
        ]
        validators = []  # chair_term_check words the clash better than the unique check

    MODEL_FIELDS = (
        "body",
        "member_state",
        "role",
        "start_date",
        "end_date",
        "chair_person",
        "is_provisional",
    )

    def validate(self, attrs):
        current = {f: getattr(self.instance, f) for f in self.MODEL_FIELDS} if self.instance else {}
        term = ChairTerm(**{**current, **attrs})
        term.pk = self.instance.pk if self.instance else None
        try:
            terms.chair_term_check(term=term)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return attrs

    def create(self, validated_data):
        term = ChairTerm(**validated_data, recorded_by=self.context["request"].user)
        try:
            return terms.chair_term_save(term=term)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def update(self, instance, validated_data):
        for k, v in validated_data.items():
            setattr(instance, k, v)
        try:
            return terms.chair_term_save(term=instance)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class ChairTermFilter(filters.FilterSet):
    body = filters.CharFilter(
        field_name="body__acronym", max_length=40, validators=[single_line], help_text="Body acronym"
    )


class ChairTermViewSet(VersionedWrites, viewsets.ModelViewSet):
    """Chair terms; ``?body=ACCMSME`` filters by body acronym."""

    serializer_class = ChairTermSerializer
    filterset_class = ChairTermFilter
    permission_classes = [IsSecretariatOrReadOnly]

    def get_queryset(self):
        qs = ChairTerm.objects.select_related("body", "member_state").order_by(
            "body__acronym", "start_date", "role"
        )
        return qs  # ?body=<acronym>: ChairTermFilter

    def perform_destroy(self, instance) -> None:
        terms.chair_term_delete(term=instance)


class HandoverItemSerializer(MirrorsConstraints, serializers.ModelSerializer):
    class Meta:
        model = HandoverItem
        fields = ["id", "kind", "ref_id", "label", "position", "is_done", "done_by", "done_at", "comment"]
        read_only_fields = ["kind", "ref_id", "label", "position", "done_by", "done_at"]


class HandoverSerializer(MirrorsConstraints, serializers.ModelSerializer):
    # The service finds the live handover to an incoming term and answers with it: not a refusal here.
    constraints_left_to_service = frozenset({"handover_one_live_per_incoming"})
    # Chair terms and handovers are planned from the rotation, which runs as far ahead as asked: their
    # dates are not held to the record's 1967–2100 range (docs/decisions/0042).
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: serializers.DateField,
    }

    items = HandoverItemSerializer(many=True, read_only=True)
    outgoing_state = serializers.CharField(source="outgoing_term.member_state.short_name", read_only=True)
    incoming_state = serializers.CharField(source="incoming_term.member_state.short_name", read_only=True)

    class Meta:
        model = Handover
        fields = [
            "id",
            "body",
            "outgoing_term",
            "incoming_term",
            "outgoing_state",
            "incoming_state",
            "effective_date",
            "status",
            "completed_at",
            "completed_by",
            "notes",
            "items",
        ]
        read_only_fields = ["body", "status", "completed_at", "completed_by"]
        extra_kwargs = {
            "effective_date": {"required": False, "help_text": "Default: the incoming term's start"}
        }
        validators = []


class HandoverCompleteSerializer(serializers.Serializer):
    bring_forward = serializers.BooleanField(
        required=False, default=False, help_text="Hand over today when the effective date has not come yet"
    )


class RotationYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    chair = serializers.CharField(allow_null=True)
    chairs = serializers.ListField(child=serializers.CharField())
    vice_chair = serializers.CharField(allow_null=True)
    vice_chair_from = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=["recorded", "computed", "provisional", "none"])
    provisional = serializers.BooleanField()
    to_confirm = serializers.BooleanField()
    reason = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class RotationPreviewSerializer(serializers.Serializer):
    body = serializers.CharField()
    policy = serializers.CharField()
    years = RotationYearSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class HandoverViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Handovers the user may see. Create: the Secretariat or the body's chair. ``complete``: the chair
    (until the effective date) or the Secretariat; ``items/<id>``: tick and comment."""

    serializer_class = HandoverSerializer

    def get_queryset(self):
        return (
            selectors.handovers_visible(self.request.user)
            .select_related("body", "outgoing_term__member_state", "incoming_term__member_state")
            .prefetch_related("items")
            .order_by("-effective_date", "-pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outgoing = data["outgoing_term"]
        if not can_manage_body(request.user, outgoing.body_id):
            raise PermissionDenied("Only the body's chair and the Secretariat plan a handover.")
        try:
            handover = handovers.handover_plan(
                outgoing_term=outgoing,
                incoming_term=data["incoming_term"],
                effective_date=data.get("effective_date"),
                notes=data.get("notes", ""),
                actor=request.user,
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=handover.pk)).data, status=201)

    @extend_schema(request=HandoverCompleteSerializer, responses={200: HandoverSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        handover = self.get_object()
        if not can_manage_handover(request.user, handover):
            raise PermissionDenied("Only the outgoing chair and the Secretariat complete a handover.")
        params = HandoverCompleteSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        bring_forward = params.validated_data["bring_forward"]
        try:
            handovers.handover_complete(handover=handover, actor=request.user, bring_forward=bring_forward)
        except handovers.HandoverAlreadyClosed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except handovers.HandoverError as exc:
            return Response({"bring_forward": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=handover.pk)).data)

    @extend_schema(
        request=HandoverItemSerializer,
        responses={200: HandoverItemSerializer},
        parameters=[OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["patch"], url_path=r"items/(?P<item_id>\d+)")
    def item(self, request, pk=None, item_id=None):
        handover = self.get_object()
        if not can_manage_handover(request.user, handover):
            raise PermissionDenied("Only the body's chair and the Secretariat work through the checklist.")
        item = get_object_or_404(HandoverItem, pk=item_id, handover=handover)
        serializer = HandoverItemSerializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            handovers.handover_item_update(
                item=item,
                actor=request.user,
                is_done=serializer.validated_data.get("is_done"),
                comment=serializer.validated_data.get("comment"),
            )
        except handovers.HandoverAlreadyClosed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(HandoverItemSerializer(item).data)


def _year_param(request, name: str, default: int) -> int:
    year = year_param(request, name)  # within the record's range, else a 400 naming the parameter
    return default if year is None else year


@extend_schema(
    parameters=[
        OpenApiParameter("from", OpenApiTypes.INT, description="First year (default: this year)"),
        OpenApiParameter("to", OpenApiTypes.INT, description="Last year (default: ten years on)"),
    ],
    responses={200: RotationPreviewSerializer},
)
@api_view(["GET"])
def rotation_preview(request, acronym: str):
    """The body's chair and vice-chair per year with the reason and status; ``?from=2024&to=2035``."""
    body = get_object_or_404(Body, acronym=acronym)
    today = today_in_asean()
    year_from = _year_param(request, "from", today.year)
    year_to = _year_param(request, "to", year_from + 10)
    if year_from > year_to:
        raise serializers.ValidationError({"to": [f"{year_to} is before from ({year_from})."]})
    if year_to - year_from >= MAX_YEARS:
        raise serializers.ValidationError({"to": [f"At most {MAX_YEARS} years at a time."]})
    try:
        rotation = selectors.rotation_for_body(body=body, year_from=year_from, year_to=year_to)
    except RotationError as exc:
        raise serializers.ValidationError({"non_field_errors": [str(exc)]}) from exc
    return Response(
        {
            "body": body.acronym,
            "policy": body.chair_policy,
            "from": year_from,
            "to": year_to,
            "years": [
                {
                    "year": y.year,
                    "chair": y.chair,
                    "chairs": list(y.chairs),
                    "vice_chair": y.vice_chair,
                    "vice_chair_from": y.vice_chair_from.isoformat() if y.vice_chair_from else None,
                    "status": y.status.value,
                    "provisional": y.is_provisional,
                    "to_confirm": y.to_confirm,
                    "reason": y.reason,
                    "start": y.start.isoformat(),
                    "end": y.end.isoformat(),
                }
                for y in rotation.years
            ],
            "warnings": rotation.warnings,
        }
    )


extra_urls: list = [path("rotation/<str:acronym>/", rotation_preview, name="rotation-preview")]


def register(router) -> None:
    router.register("chair-terms", ChairTermViewSet, basename="chairterm")
    router.register("handovers", HandoverViewSet, basename="handover")
