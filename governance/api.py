"""API for the governance domain: readable by any logged-in user, writable by the Secretariat."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions, serializers, viewsets

from governance.api_chain import chain_urls
from governance.api_support import MirrorsConstraints, as_drf_error
from governance.concurrency import VersionedWrites
from governance.models import (
    Body,
    Membership,
    MemberState,
    Person,
    ReportingLine,
    StrategicGoal,
    StrategicPlan,
    membership_check_admission,
    membership_check_head,
    reporting_line_check_cycle,
)
from governance.permissions import is_secretariat, person_ids_with_visible_email
from governance.rights import sync_rights_below
from governance.services import membership_delete, membership_save, person_delete


class IsSecretariatOrReadOnly(permissions.BasePermission):
    message = "Only the Secretariat may change this."

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or is_secretariat(request.user)


class MemberStateSerializer(MirrorsConstraints, serializers.ModelSerializer):
    class Meta:
        model = MemberState
        fields = [
            "id",
            "short_name",
            "official_name",
            "iso2",
            "iso3",
            "capital",
            "timezone",
            "zone_label",
            "admitted_on",
            "left_on",
            "source",
            "certainty",
        ]


class StrategicGoalSerializer(MirrorsConstraints, serializers.ModelSerializer):
    class Meta:
        model = StrategicGoal
        fields = ["id", "plan", "code", "title", "certainty"]


class StrategicPlanSerializer(MirrorsConstraints, serializers.ModelSerializer):
    goals = StrategicGoalSerializer(many=True, read_only=True)

    class Meta:
        model = StrategicPlan
        fields = [
            "id",
            "short_name",
            "name",
            "version",
            "period_start",
            "period_end",
            "vision",
            "adopted_on",
            "source",
            "certainty",
            "goals",
        ]


class BodySerializer(MirrorsConstraints, serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = [
            "id",
            "acronym",
            "name",
            "kind",
            "mandate",
            "meetings_per_year",
            "chair_policy",
            "is_active",
            "established_on",
            "goals",
            "agenda_lead_days",
            "papers_lead_days",
            "quorum",
            "handover_timezone",
            "parent_access",
            "action_chase_days",
            "source",
            "certainty",
        ]


class ReportingLineSerializer(MirrorsConstraints, serializers.ModelSerializer):
    class Meta:
        model = ReportingLine
        fields = ["id", "from_body", "to_body", "kind", "valid_from", "valid_until", "source", "certainty"]
        validators = []  # the cycle rule below reports a clearer error than the unique check

    def validate(self, attrs):
        line = ReportingLine(**{**self._current(), **attrs})
        if line.from_body_id == line.to_body_id:
            raise serializers.ValidationError({"to_body": "A body cannot report to itself."})
        if line.valid_from and line.valid_until and line.valid_until < line.valid_from:
            raise serializers.ValidationError({"valid_until": "A line cannot end before it starts."})
        try:
            reporting_line_check_cycle(line=line)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        inst = self.instance
        return {
            f: getattr(inst, f) for f in ("from_body", "to_body", "kind", "valid_from", "valid_until")
        } | {"pk": inst.pk}


class PersonSerializer(MirrorsConstraints, serializers.ModelSerializer):
    """A person; ``email`` is null for a reader who may not see it (``person_ids_with_visible_email``)."""

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "honorific",
            "email",
            "member_state",
            "organisation",
            "position",
            "timezone",
        ]
        extra_kwargs = {"email": {"allow_null": True}}  # null when hidden from the reader

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Cached on the user for the request, so a list costs the same whatever its length.
        user = getattr(self.context.get("request"), "user", None)
        visible = person_ids_with_visible_email(user)
        if visible is not None and instance.pk not in visible:
            data["email"] = None
        return data

    def validate_email(self, value: str | None) -> str:
        return value or ""  # the column holds "" for no address, never null


class MembershipSerializer(MirrorsConstraints, serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "person", "body", "member_state", "organisation", "role", "start_date", "end_date"]

    def validate(self, attrs):
        current = {}
        if self.instance is not None:
            current = {
                f: getattr(self.instance, f)
                for f in ("person", "body", "member_state", "organisation", "role", "start_date", "end_date")
            } | {"pk": self.instance.pk}
        m = Membership(**{**current, **attrs})
        if bool(m.member_state_id) == bool(m.organisation_id):
            raise serializers.ValidationError(
                {"member_state": "A seat is held for exactly one member state or one organisation."}
            )
        if m.end_date and m.end_date < m.start_date:
            raise serializers.ValidationError({"end_date": "The membership cannot end before it starts."})
        try:
            membership_check_admission(membership=m)
            membership_check_head(membership=m)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return attrs

    # Through the service, which brings the rights in line after the write.
    def create(self, validated_data):
        return self._save(Membership(**validated_data))

    def update(self, instance, validated_data):
        for k, v in validated_data.items():
            setattr(instance, k, v)
        return self._save(instance)

    def _save(self, membership: Membership) -> Membership:
        try:
            return membership_save(membership=membership)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class SecretariatWritable(VersionedWrites, viewsets.ModelViewSet):
    permission_classes = [IsSecretariatOrReadOnly]


class MemberStateViewSet(SecretariatWritable):
    queryset = MemberState.objects.order_by("short_name")
    serializer_class = MemberStateSerializer


class StrategicPlanViewSet(SecretariatWritable):
    queryset = StrategicPlan.objects.prefetch_related("goals")
    serializer_class = StrategicPlanSerializer


class BodyViewSet(SecretariatWritable):
    queryset = Body.objects.prefetch_related("goals").order_by("acronym")
    serializer_class = BodySerializer

    def perform_update(self, serializer) -> None:
        super().perform_update(serializer)
        # ``parent_access`` says who above sees the body's meetings (governance.rights.rights_from_above).
        above = ReportingLine.objects.filter(from_body=serializer.instance).values_list(
            "to_body_id", flat=True
        )
        sync_rights_below(body_ids=set(above))


class ReportingLineViewSet(SecretariatWritable):
    queryset = ReportingLine.objects.order_by("id")
    serializer_class = ReportingLineSerializer

    # A line moves who above sees the lower body's meetings (governance.rights.rights_from_above).
    def perform_create(self, serializer) -> None:
        super().perform_create(serializer)
        sync_rights_below(body_ids={serializer.instance.to_body_id})

    def perform_update(self, serializer) -> None:
        before = serializer.instance.to_body_id
        super().perform_update(serializer)
        sync_rights_below(body_ids={before, serializer.instance.to_body_id})

    def perform_destroy(self, instance) -> None:
        to_body_id = instance.to_body_id
        super().perform_destroy(instance)
        sync_rights_below(body_ids={to_body_id})


class PersonViewSet(SecretariatWritable):
    """People. Their email addresses are shown to the Secretariat, to the person, and to the members of the
    same delegation; null for anyone else."""

    queryset = Person.objects.order_by("full_name", "id")
    serializer_class = PersonSerializer

    def perform_destroy(self, instance) -> None:
        person_delete(person=instance)


class MembershipViewSet(SecretariatWritable):
    queryset = Membership.objects.order_by("id")
    serializer_class = MembershipSerializer

    def perform_destroy(self, instance) -> None:
        membership_delete(membership=instance)


extra_urls: list = [*chain_urls]  # governance/api_chain.py


def register(router) -> None:
    router.register("member-states", MemberStateViewSet)
    router.register("strategic-plans", StrategicPlanViewSet)
    router.register("bodies", BodyViewSet)
    router.register("reporting-lines", ReportingLineViewSet)
    router.register("people", PersonViewSet)
    router.register("memberships", MembershipViewSet)
