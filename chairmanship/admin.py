"""Admin for the Secretariat: the rotation rule and its exceptions, chair terms, handovers with their
checklist. Chair terms go through the same overlap check and the same service as the API, so the admin says
why it refuses and the chair rights follow."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from chairmanship.handovers import (
    HandoverError,
    handover_cancel,
    handover_checklist_refresh,
    handover_complete,
)
from chairmanship.models import ChairTerm, Handover, HandoverItem, RotationException, RotationRule
from chairmanship.terms import chair_term_check, chair_term_delete, chair_term_save
from governance.input_rules import InputRulesMixin


@admin.register(RotationRule)
class RotationRuleAdmin(SimpleHistoryAdmin):
    list_display = ["body", "anchor_state", "anchor_year", "term_start_month", "term_start_day", "certainty"]
    list_select_related = ["body", "anchor_state"]


@admin.register(RotationException)
class RotationExceptionAdmin(SimpleHistoryAdmin):
    list_display = ["body", "year", "kind", "member_state", "other_state", "other_year", "certainty", "note"]
    list_filter = ["body", "kind", "certainty"]
    list_select_related = ["body", "member_state", "other_state"]


class ChairTermForm(InputRulesMixin, admin.ModelAdmin.form):
    unbounded_dates = ("start_date", "end_date")  # planned from the rotation, any year ahead

    def clean(self):
        cleaned = super().clean()
        term = self.instance
        for f in ("body", "member_state", "role", "start_date", "end_date"):
            if f in cleaned:
                setattr(term, f, cleaned[f])
        if term.body_id and term.start_date and term.end_date:
            try:
                chair_term_check(term=term)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return cleaned


@admin.register(ChairTerm)
class ChairTermAdmin(SimpleHistoryAdmin):
    form = ChairTermForm
    list_display = ["body", "member_state", "role", "start_date", "end_date", "is_provisional", "certainty"]
    list_filter = ["body", "role", "is_provisional", "certainty"]
    list_select_related = ["body", "member_state"]
    search_fields = ["member_state__short_name", "body__acronym", "reason"]
    autocomplete_fields = ["chair_person"]
    date_hierarchy = "start_date"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        chair_term_save(term=obj)  # moves the chair rights too

    def delete_model(self, request, obj) -> None:
        chair_term_delete(term=obj)

    def delete_queryset(self, request, queryset) -> None:
        for term in queryset:
            chair_term_delete(term=term)


class HandoverItemInline(admin.TabularInline):
    model = HandoverItem
    extra = 0
    fields = ["position", "kind", "label", "is_done", "done_by", "done_at", "comment"]
    # Ticking goes through the handover page or the API, which records who and when.
    readonly_fields = ["is_done", "done_by", "done_at"]


@admin.register(Handover)
class HandoverAdmin(SimpleHistoryAdmin):
    list_display = ["body", "outgoing_term", "incoming_term", "effective_date", "status", "completed_at"]
    list_filter = ["body", "status"]
    list_select_related = [
        "body",
        "outgoing_term__member_state",
        "incoming_term__member_state",
        "outgoing_term__body",
        "incoming_term__body",
    ]
    # Status changes go through the service (it moves the rights), never through a bare field edit.
    readonly_fields = ["status", "completed_at", "completed_by"]
    inlines = [HandoverItemInline]
    actions = ["complete_now", "cancel"]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if not change:  # a handover added here gets its checklist from the data, as one planned elsewhere
            handover_checklist_refresh(handover=form.instance)

    @admin.action(description="Complete the selected handovers now (brings them forward if not yet due)")
    def complete_now(self, request, queryset):
        for handover in queryset:
            try:
                handover_complete(handover=handover, actor=request.user, bring_forward=True)
                self.message_user(request, f"{handover}: completed.", messages.SUCCESS)
            except (HandoverError, ValidationError) as exc:
                self.message_user(request, f"{handover}: {exc}", messages.ERROR)

    @admin.action(description="Cancel the selected handovers (their reminders are cancelled too)")
    def cancel(self, request, queryset):
        for handover in queryset:
            try:
                handover_cancel(handover=handover, actor=request.user)
                self.message_user(request, f"{handover}: cancelled.", messages.SUCCESS)
            except HandoverError as exc:
                self.message_user(request, f"{handover}: {exc}", messages.ERROR)
