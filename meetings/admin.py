"""Admin for the meetings record. Meetings are scheduled and changed through the services, so a change made
here raises the sequence and tells invitees like a change made on the Secretariat's pages."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from governance.rights import stored_values
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaVersion,
    Attendance,
    Decision,
    Document,
    Invitation,
    Meeting,
    MeetingSeries,
    Report,
    Submission,
)
from meetings.rights import sync_invitation_rights, sync_meeting_rights
from meetings.services import meetings as meetings_services


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(SimpleHistoryAdmin):
    list_display = ["name", "body", "numbering", "per_year", "title_template", "certainty"]
    list_filter = ["numbering", "certainty", "body"]
    search_fields = ["name", "body__acronym"]


class OwnAgendaItems:
    """An inline's agenda-item choices (an item's parent, a decision's item) are the agenda of the meeting
    being edited, not every agenda item of every meeting: that list, rendered in every row, made the change
    page take seconds (bench/report.py)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is AgendaItem:
            meeting_id = (request.resolver_match.kwargs if request.resolver_match else {}).get("object_id")
            kwargs["queryset"] = AgendaItem.objects.filter(meeting_id=meeting_id).order_by("position", "id")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ChoicesOncePerPage:
    """An inline's selects read their choices once per page, not once per row: every row's form holds a copy
    of the field, and each copy ran the choices' query again (one member-state list per invitation made the
    meeting's change page 354 queries, bench/report.py). The list is read when the inline's form class is
    built; a POST still checks each value against the queryset. Autocomplete and raw-id widgets are left as
    they are (they read only the selected value)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        widget = getattr(field.widget, "widget", field.widget)  # inside the admin's add/change wrapper
        if isinstance(widget, forms.Select) and not isinstance(
            widget, (AutocompleteSelect, ForeignKeyRawIdWidget)
        ):
            field.choices = list(field.choices)
        return field


class AgendaItemInline(OwnAgendaItems, ChoicesOncePerPage, admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["title", "parent", "position", "purpose", "presenter_state", "minutes_allotted", "is_standing"]
    readonly_fields = ["is_standing"]
    show_change_link = True
    ordering = ["parent_id", "position", "id"]


class InvitationInline(ChoicesOncePerPage, admin.TabularInline):
    """The list as it stands: the delegation and role of each row may be corrected here; people are put on
    the list on the participants page, which asks first and sends the invitation (the calendar side), as
    the services do; an inline row added here would reach nobody's calendar. The person is shown, not
    chosen, so no row looks its person up on its own."""

    model = Invitation
    extra = 0
    fields = ["person", "member_state", "role", "partstat", "is_withdrawn"]
    readonly_fields = ["person", "partstat", "is_withdrawn"]

    def get_queryset(self, request):
        # The meeting too: a row's label (``Invitation.__str__``) names it.
        return super().get_queryset(request).select_related("person", "member_state", "meeting")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["title", "kind", "classification", "version", "original_name", "size"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # uploads go through the checked upload page


class DecisionInline(OwnAgendaItems, ChoicesOncePerPage, admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["agenda_item", "kind", "text", "position"]
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "body", "start", "timezone", "host", "city", "modality", "status", "sequence"]
    list_filter = ["status", "modality", "body", "host", "date_precision", "is_public"]
    search_fields = ["title", "label", "city", "venue", "uid"]
    date_hierarchy = "start"
    readonly_fields = ["uid", "sequence", "status", "created_at", "updated_at"]
    autocomplete_fields = ["previous", "prepares_for"]
    list_select_related = ["body", "host"]
    inlines = [AgendaItemInline, InvitationInline, DocumentInline, DecisionInline]
    actions = ["confirm", "cancel"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change) -> None:
        # Through the services: validation with clear messages, the sequence and the calendar hooks.
        data = {k: form.cleaned_data[k] for k in form.changed_data if k in meetings_services.MEETING_EDITABLE}
        if change:
            saved = meetings_services.meeting_update(meeting=obj, data=data)
        else:
            saved = meetings_services.meeting_create(
                body=obj.body,
                series=obj.series,
                number=obj.number,
                label=obj.label,
                title=obj.title,
                start=obj.start,
                end=obj.end,
                timezone_name=obj.timezone,
                host=obj.host,
                venue=obj.venue,
                city=obj.city,
                modality=obj.modality,
                join_url=obj.join_url,
                is_public=obj.is_public,
                previous=obj.previous,
                prepares_for=obj.prepares_for,
            )
        obj.pk, obj.sequence, obj.uid = saved.pk, saved.sequence, saved.uid

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if any(fs.model is Invitation and fs.has_changed() for fs in formsets):
            sync_meeting_rights(form.instance)  # the invitations give the right to see the meeting

    def _each(self, request, queryset, fn, verb: str) -> None:
        done = 0
        for meeting in queryset:
            try:
                fn(meeting=meeting)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{meeting}: {' '.join(exc.messages)}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} meeting(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Confirm and invite")
    def confirm(self, request, queryset) -> None:
        self._each(request, queryset, meetings_services.meeting_confirm, "confirmed")

    @admin.action(description="Cancel (invitees are told)")
    def cancel(self, request, queryset) -> None:
        self._each(request, queryset, meetings_services.meeting_cancel, "cancelled")


@admin.register(AgendaItem)
class AgendaItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "parent", "position", "purpose", "is_standing"]
    list_filter = ["purpose", "is_standing", "meeting__body"]
    search_fields = ["title", "description", "meeting__title"]
    autocomplete_fields = ["meeting", "parent", "documents", "presenter_person"]
    list_select_related = ["meeting", "parent"]


@admin.register(AgendaVersion)
class AgendaVersionAdmin(admin.ModelAdmin):
    list_display = ["meeting", "number", "status", "created_at", "adopted_at"]
    list_filter = ["status", "meeting__body"]
    search_fields = ["meeting__title"]
    readonly_fields = ["meeting", "number", "status", "items", "created_at", "created_by", "adopted_at"]
    list_select_related = ["meeting"]

    def has_add_permission(self, request) -> bool:
        return False  # versions are frozen by circulating the agenda


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "version", "meeting", "kind", "classification", "size", "uploaded_at"]
    list_filter = ["kind", "classification", "body"]
    search_fields = ["title", "original_name", "sha256", "meeting__title"]
    readonly_fields = [
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "version",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = ["meeting"]

    def has_add_permission(self, request) -> bool:
        return False  # uploads go through the checked upload page


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ["person", "meeting", "member_state", "role", "partstat", "is_withdrawn"]
    list_filter = ["partstat", "role", "is_withdrawn", "member_state", "meeting__body"]
    search_fields = ["person__full_name", "person__email", "meeting__title"]
    autocomplete_fields = ["person", "meeting"]
    readonly_fields = ["link_version", "registered_by", "created_at"]
    list_select_related = ["person", "meeting", "member_state"]

    # A live invitation gives the right to see its meeting: every write here moves that right.
    def save_model(self, request, obj, form, change) -> None:
        before = stored_values(obj, ("person_id", "meeting_id"))
        super().save_model(request, obj, form, change)
        sync_invitation_rights(obj, before=before)

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        sync_invitation_rights(obj)

    def delete_queryset(self, request, queryset) -> None:
        for invitation in queryset:
            self.delete_model(request, invitation)


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["person", "meeting", "member_state", "present", "remote"]
    list_filter = ["present", "remote", "member_state"]
    search_fields = ["person__full_name", "meeting__title"]
    autocomplete_fields = ["person", "meeting"]
    list_select_related = ["person", "meeting", "member_state"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "meeting", "kind", "position"]
    list_filter = ["kind", "meeting__body"]
    search_fields = ["text", "meeting__title"]
    autocomplete_fields = ["meeting", "agenda_item"]
    filter_horizontal = ["participating_states"]
    list_select_related = ["meeting"]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "body",
        "meeting",
        "owner_state",
        "owner_body",
        "owner_person",
        "due_date",
        "status",
    ]
    list_filter = ["status", "body", "owner_state"]
    search_fields = ["title", "progress_note", "owner_person__full_name"]
    autocomplete_fields = ["meeting", "decision", "agenda_item", "owner_person", "closed_at_meeting", "goal"]
    date_hierarchy = "due_date"
    list_select_related = ["body", "meeting", "owner_state", "owner_body", "owner_person"]


class SubmissionInline(admin.TabularInline):
    model = Submission
    fk_name = "report"
    extra = 0
    fields = ["from_body", "to_body", "status", "submitted_on", "outcome_on", "outcome"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # submitted from the report page, up the reporting line


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "status", "adoption_mode", "adopted_on", "generated_at"]
    list_filter = ["status", "adoption_mode"]
    search_fields = ["title", "meeting__title"]
    readonly_fields = ["html", "generated_at", "pdf"]
    autocomplete_fields = ["meeting"]
    inlines = [SubmissionInline]
    list_select_related = ["meeting"]


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["report", "from_body", "to_body", "status", "submitted_on", "outcome_on"]
    list_filter = ["status", "from_body", "to_body"]
    search_fields = ["report__title", "outcome"]
    autocomplete_fields = ["report", "parent", "considered_at"]
    list_select_related = ["report", "from_body", "to_body"]
