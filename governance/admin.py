"""Admin for the Secretariat. Memberships, people and logins are written through the services, so a change
made here moves the rights like one made through the API."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from governance.accounts import user_save
from governance.models import (
    AuditEvent,
    Body,
    Membership,
    MemberState,
    Organisation,
    Person,
    ReportingLine,
    StrategicGoal,
    StrategicPlan,
)
from governance.rights import sync_rights_below, sync_rights_for_person_ids
from governance.services import membership_delete, membership_save, person_delete, person_save

admin.site.site_header = "ACCMSME Governance — Secretariat"
admin.site.site_title = "ACCMSME Governance"


@admin.register(MemberState)
class MemberStateAdmin(SimpleHistoryAdmin):
    list_display = [
        "short_name",
        "iso2",
        "iso3",
        "capital",
        "timezone",
        "admitted_on",
        "left_on",
        "certainty",
    ]
    search_fields = ["short_name", "official_name", "iso2", "iso3", "capital"]
    list_filter = ["certainty", "timezone"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind"]
    search_fields = ["name", "acronym"]
    list_filter = ["kind"]


class StrategicGoalInline(admin.TabularInline):
    model = StrategicGoal
    extra = 0


@admin.register(StrategicPlan)
class StrategicPlanAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "version", "period_start", "period_end", "certainty"]
    search_fields = ["short_name", "name"]
    list_filter = ["certainty"]
    inlines = [StrategicGoalInline]


@admin.register(StrategicGoal)
class StrategicGoalAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "code", "title", "certainty"]
    list_filter = ["plan", "certainty"]
    search_fields = ["title", "code"]


class LinesUpInline(admin.TabularInline):
    model = ReportingLine
    fk_name = "from_body"
    extra = 0
    verbose_name_plural = "Reporting lines up from this body"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "member_state", "organisation", "role", "start_date", "end_date"]


class MembershipRightsAdmin(admin.ModelAdmin):
    """An admin whose inline memberships give rights: after the inlines are saved, the rights of everyone
    they touched (before and after) are brought in line."""

    def membership_people(self, obj) -> set[int]:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change) -> None:
        touched = any(fs.model is Membership and fs.has_changed() for fs in formsets)
        before = self.membership_people(form.instance) if touched else set()
        super().save_related(request, form, formsets, change)
        if touched:
            sync_rights_for_person_ids(before | self.membership_people(form.instance))


@admin.register(Body)
class BodyAdmin(MembershipRightsAdmin, GuardedModelAdmin, SimpleHistoryAdmin):
    list_display = ["acronym", "name", "kind", "meetings_per_year", "chair_policy", "is_active", "certainty"]
    list_filter = ["kind", "chair_policy", "is_active", "certainty"]
    search_fields = ["acronym", "name", "mandate"]
    filter_horizontal = ["goals"]
    inlines = [LinesUpInline, MembershipInline]

    def membership_people(self, obj) -> set[int]:
        return set(Membership.objects.filter(body=obj).values_list("person_id", flat=True))

    def save_related(self, request, form, formsets, change) -> None:
        above = set(
            ReportingLine.objects.filter(from_body=form.instance).values_list("to_body_id", flat=True)
        )
        super().save_related(request, form, formsets, change)
        # Its lines up and its ``parent_access`` say who above sees its meetings.
        above |= set(
            ReportingLine.objects.filter(from_body=form.instance).values_list("to_body_id", flat=True)
        )
        sync_rights_below(body_ids=above)


@admin.register(ReportingLine)
class ReportingLineAdmin(SimpleHistoryAdmin):
    list_display = ["from_body", "kind", "to_body", "valid_from", "valid_until"]
    list_filter = ["kind", "from_body", "to_body"]

    def save_model(self, request, obj, form, change) -> None:
        before = ReportingLine.objects.filter(pk=obj.pk).values_list("to_body_id", flat=True).first()
        super().save_model(request, obj, form, change)
        sync_rights_below(body_ids={before, obj.to_body_id})

    def delete_model(self, request, obj) -> None:
        to_body_id = obj.to_body_id
        super().delete_model(request, obj)
        sync_rights_below(body_ids={to_body_id})


class PersonMembershipInline(MembershipInline):
    autocomplete_fields = []
    fields = ["body", "member_state", "organisation", "role", "start_date", "end_date"]


@admin.register(Person)
class PersonAdmin(MembershipRightsAdmin, SimpleHistoryAdmin):
    list_display = ["full_name", "member_state", "organisation", "email", "user"]
    list_filter = ["member_state", "organisation"]
    search_fields = ["full_name", "email", "user__username"]
    raw_id_fields = ["user"]
    inlines = [PersonMembershipInline]

    def membership_people(self, obj) -> set[int]:
        return {obj.pk}

    def save_model(self, request, obj, form, change) -> None:
        person_save(person=obj)

    def delete_model(self, request, obj) -> None:
        person_delete(person=obj)

    def delete_queryset(self, request, queryset) -> None:
        for person in queryset:
            person_delete(person=person)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "body", "member_state", "organisation", "role", "start_date", "end_date"]
    list_filter = ["body", "role", "member_state"]
    search_fields = ["person__full_name", "body__acronym"]
    autocomplete_fields = ["person"]
    date_hierarchy = "start_date"

    def save_model(self, request, obj, form, change) -> None:
        membership_save(membership=obj)

    def delete_model(self, request, obj) -> None:
        membership_delete(membership=obj)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset:
            membership_delete(membership=membership)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Django's user admin, saving through ``user_save``: (de)activating a login moves its rights and, on
    deactivation, revokes its feed token and RSVP links."""

    def save_model(self, request, obj, form, change) -> None:
        user_save(user=obj)
