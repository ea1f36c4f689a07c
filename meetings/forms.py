"""Forms of the Secretariat's pages. They only parse input; the rules (and their messages) are in services."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

from governance.concurrency import edit_version
from governance.input_rules import InputRulesMixin
from governance.models import Body, MemberState, Person, StrategicGoal
from meetings.models import (
    ActionItem,
    AgendaItem,
    Decision,
    Document,
    Invitation,
    Meeting,
    MeetingSeries,
    Report,
    Submission,
)

ASEAN_ZONES = [
    "Asia/Brunei",
    "Asia/Phnom_Penh",
    "Asia/Jakarta",
    "Asia/Makassar",
    "Asia/Jayapura",
    "Asia/Vientiane",
    "Asia/Kuala_Lumpur",
    "Asia/Kuching",
    "Asia/Yangon",
    "Asia/Manila",
    "Asia/Singapore",
    "Asia/Bangkok",
    "Asia/Dili",
    "Asia/Ho_Chi_Minh",
]


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's error on the field it names (or on the form when the form has no such field)."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


T = TypeVar("T")


def form_submit(form: forms.Form, save: Callable[[dict], T]) -> tuple[bool, T | None]:
    """Run a service on a valid form: ``(True, what it returned)`` once it saved, ``(False, None)`` when the
    form or the service refused, the service's errors then shown on the fields they name."""
    if not form.is_valid():
        return False, None
    try:
        return True, save(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return False, None


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time at the venue, kept naive: the service reads it in the meeting's own zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    formats = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        for fmt in self.formats:
            try:
                return dt.datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
        raise ValidationError("Enter a date and time, e.g. 2026-05-13 09:00.", code="invalid")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ZoneInput(forms.TextInput):
    """A free IANA name, suggested from the ASEAN zones (the page renders the ``asean-zones`` datalist)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"list": "asean-zones", "autocomplete": "off", **(attrs or {})})


class MeetingForm(InputRulesMixin, forms.Form):
    body = forms.ModelChoiceField(Body.objects.order_by("acronym"))
    series = forms.ModelChoiceField(
        MeetingSeries.objects.select_related("body").order_by("name"), required=False
    )
    number = forms.IntegerField(min_value=1, required=False, help_text="Ordinal in the series (21 → 21st)")
    label = forms.CharField(max_length=40, required=False, help_text="For series labelled otherwise: 2/55")
    title = forms.CharField(max_length=250, required=False, help_text="Leave blank to use the series' title")
    start = LocalDateTimeField(help_text="Local time at the venue")
    end = LocalDateTimeField(help_text="Local time at the venue")
    timezone = forms.CharField(
        max_length=64,
        required=False,
        widget=ZoneInput,
        help_text="IANA zone of the venue; blank: the host's capital",
    )
    host = forms.ModelChoiceField(MemberState.objects.order_by("short_name"), required=False)
    venue = forms.CharField(max_length=250, required=False)
    city = forms.CharField(max_length=120, required=False)
    modality = forms.ChoiceField(choices=Meeting.Modality.choices)
    join_url = forms.URLField(required=False, label="Join link", assume_scheme="https")
    is_public = forms.BooleanField(
        required=False, label="Published: on the public pages and the body's public calendar"
    )
    # The version the edit started from: a save over someone else's newer change is refused.
    edit_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # a meeting does not change body
            del self.fields["body"]

    @staticmethod
    def initial_for(meeting: Meeting) -> dict:
        tz = zoneinfo.ZoneInfo(meeting.timezone)
        return {
            "series": meeting.series_id,
            "number": meeting.number,
            "label": meeting.label,
            "title": meeting.title,
            "start": meeting.start.astimezone(tz).replace(tzinfo=None),
            "end": meeting.end.astimezone(tz).replace(tzinfo=None),
            "timezone": meeting.timezone,
            "host": meeting.host_id,
            "venue": meeting.venue,
            "city": meeting.city,
            "modality": meeting.modality,
            "join_url": meeting.join_url,
            "is_public": meeting.is_public,
            "edit_version": edit_version(meeting),
        }


class PlanForm(InputRulesMixin, forms.Form):
    body = forms.ModelChoiceField(Body.objects.filter(series__isnull=False).distinct().order_by("acronym"))
    year = forms.IntegerField(min_value=1990, max_value=2100)


class ProposalForm(InputRulesMixin, forms.Form):
    include = forms.BooleanField(required=False, initial=True)
    key = forms.CharField(widget=forms.HiddenInput)
    body = forms.ModelChoiceField(Body.objects.all(), widget=forms.HiddenInput)
    series = forms.ModelChoiceField(MeetingSeries.objects.all(), widget=forms.HiddenInput, required=False)
    prepares_for_key = forms.CharField(widget=forms.HiddenInput, required=False)
    # The title as proposed: left as it was, it follows a changed number or label.
    auto_title = forms.CharField(widget=forms.HiddenInput, required=False)
    number = forms.IntegerField(min_value=1, required=False)
    label = forms.CharField(max_length=40, required=False)
    title = forms.CharField(max_length=250)
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    timezone = forms.CharField(max_length=64, widget=ZoneInput)
    host = forms.ModelChoiceField(MemberState.objects.order_by("short_name"), required=False)
    city = forms.CharField(max_length=120, required=False)


class PostponeForm(InputRulesMixin, forms.Form):
    start = LocalDateTimeField(required=False, help_text="Leave both blank: postponed without a new date")
    end = LocalDateTimeField(required=False)


class AgendaItemForm(InputRulesMixin, forms.ModelForm):
    parent = forms.ModelChoiceField(AgendaItem.objects.none(), required=False, label="Under item")
    # The version the edit started from: a save over someone else's newer change is refused.
    edit_version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AgendaItem
        fields = [
            "title",
            "description",
            "purpose",
            "presenter_state",
            "presenter_body",
            "presenter_person",
            "minutes_allotted",
            "starts_at",
            "goal",
            "documents",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"starts_at": LocalDateTimeField}
        labels = {"starts_at": "Starts at (local time, optional)"}

    def __init__(self, *args, meeting: Meeting, numbered=None, with_parent: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["edit_version"] = edit_version(self.instance)
        else:  # adding an item: nothing to be stale against
            del self.fields["edit_version"]
        if self.instance.starts_at:  # shown as the wall clock at the venue
            tz = zoneinfo.ZoneInfo(meeting.timezone)
            self.initial["starts_at"] = self.instance.starts_at.astimezone(tz).replace(tzinfo=None)
        self.fields["documents"].queryset = Document.objects.filter(meeting=meeting).order_by(
            "title", "-version"
        )
        self.fields["documents"].required = False
        self.fields["goal"].queryset = StrategicGoal.objects.select_related("plan")
        self.fields["presenter_state"].queryset = MemberState.objects.order_by("short_name")
        self.fields["presenter_body"].queryset = Body.objects.order_by("acronym")
        self.fields["presenter_person"].queryset = Person.objects.order_by("full_name")
        if with_parent:
            self.fields["parent"].queryset = AgendaItem.objects.filter(meeting=meeting)
            labels = {n.item.pk: f"{n.number} {n.item.title}" for n in numbered or []}
            self.fields["parent"].label_from_instance = lambda it: labels.get(it.pk, it.title)
        else:
            del self.fields["parent"]

    def _post_clean(self):  # the service checks the item; the model form must not save or validate it
        pass


class MoveForm(InputRulesMixin, forms.Form):
    parent = forms.ModelChoiceField(AgendaItem.objects.none(), required=False, label="Move under")
    position = forms.IntegerField(
        min_value=1, required=False, help_text="Place among its siblings (1 = first)"
    )

    def __init__(self, *args, meeting: Meeting, numbered=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = AgendaItem.objects.filter(meeting=meeting)
        labels = {n.item.pk: f"{n.number} {n.item.title}" for n in numbered or []}
        self.fields["parent"].label_from_instance = lambda it: labels.get(it.pk, it.title)


class DocumentForm(InputRulesMixin, forms.Form):
    title = forms.CharField(max_length=250)
    kind = forms.ChoiceField(choices=Document.Kind.choices)
    classification = forms.TypedChoiceField(
        choices=Document.Classification.choices, coerce=int, initial=Document.Classification.RESTRICTED
    )
    file = forms.FileField()


class InvitePersonForm(InputRulesMixin, forms.Form):
    person = forms.ModelChoiceField(Person.objects.order_by("full_name"))
    role = forms.ChoiceField(choices=Invitation.Role.choices, initial=Invitation.Role.REQUIRED)


class DelegationForm(InputRulesMixin, forms.Form):
    member_state = forms.ModelChoiceField(MemberState.objects.none(), label="Delegation of")
    persons = forms.ModelMultipleChoiceField(
        Person.objects.none(), widget=forms.CheckboxSelectMultiple, label="Members", required=False
    )
    # A member who has no account: becomes a person of the delegation (docs/decisions, members without
    # an account).
    full_name = forms.CharField(label="New member's full name", max_length=200, required=False)
    title = forms.CharField(label="Title / position", max_length=200, required=False)
    email = forms.EmailField(label="E-mail", required=False)

    def __init__(self, *args, state_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_state"].queryset = MemberState.objects.filter(pk__in=state_ids)
        self.fields["persons"].queryset = Person.objects.filter(member_state_id__in=state_ids).order_by(
            "full_name"
        )


class DecisionForm(InputRulesMixin, forms.Form):
    agenda_item = forms.ModelChoiceField(AgendaItem.objects.none(), label="On item")
    kind = forms.ChoiceField(choices=Decision.Kind.choices)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    participating_states = forms.ModelMultipleChoiceField(
        MemberState.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="ASEAN Minus X: tick only the states taking part; none ticked means all",
    )

    def __init__(self, *args, meeting: Meeting, numbered=None, on: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(meeting=meeting)
        labels = {n.item.pk: f"{n.number} {n.item.title}" for n in numbered or []}
        self.fields["agenda_item"].label_from_instance = lambda it: labels.get(it.pk, it.title)
        self.fields["participating_states"].queryset = MemberState.objects.members_on(on).order_by(
            "short_name"
        )


class ActionItemForm(InputRulesMixin, forms.Form):
    title = forms.CharField(max_length=300, label="Action")
    owner_state = forms.ModelChoiceField(MemberState.objects.order_by("short_name"), required=False)
    owner_body = forms.ModelChoiceField(
        Body.objects.order_by("acronym"), required=False, label="Owner task force or body"
    )
    owner_person = forms.ModelChoiceField(Person.objects.order_by("full_name"), required=False)
    due_date = forms.DateField(required=False, widget=DateInput())
    decision = forms.ModelChoiceField(Decision.objects.none(), required=False, label="From decision")
    goal = forms.ModelChoiceField(
        StrategicGoal.objects.select_related("plan").order_by(
            "plan__period_start", "plan__short_name", "code"
        ),
        required=False,
        label="Strategic goal",
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = Decision.objects.filter(meeting=meeting)
        self.fields["decision"].label_from_instance = lambda d: f"{d.get_kind_display()}: {d.text[:60]}"


class ReportAdoptForm(InputRulesMixin, forms.Form):
    adoption_mode = forms.ChoiceField(choices=Report.AdoptionMode.choices)
    adopted_on = forms.DateField(widget=DateInput())
    # Adoption is final (an adopted report is never generated again): the page asks first, in the form.
    confirmed = forms.BooleanField(
        label="I confirm: the report becomes final and can no longer be generated again. Nobody is e-mailed.",
        error_messages={"required": "Tick to confirm: adopting the report cannot be undone."},
    )


class SubmitForm(InputRulesMixin, forms.Form):
    submitted_on = forms.DateField(widget=DateInput())


class OutcomeForm(InputRulesMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[c for c in Submission.Status.choices if c[0] != Submission.Status.SUBMITTED]
    )
    outcome_on = forms.DateField(widget=DateInput(), label="Date")
    outcome = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Outcome or comments"
    )
    considered_at = forms.ModelChoiceField(Meeting.objects.none(), required=False, label="At the meeting")

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["considered_at"].queryset = Meeting.objects.filter(body=body).order_by("-start")


class RecordForm(InputRulesMixin, forms.Form):
    """The rows of the record page as one form: attendance (present, and remote only when the meeting can
    be joined remotely), the minutes of each item and the follow-up of each action item. Its field names
    carry the row's key (``present_<person>``, ``minutes_<item>``, ``status_<action>``...), so a refused
    save shows every field again as typed."""

    def __init__(
        self,
        data=None,
        *,
        invitations: list[Invitation],
        present_ids: set[int],
        remote_ids: set[int],
        remote_allowed: bool,
        items: list,
        actions: list[ActionItem],
        versions: dict[str, str] | None = None,
    ):
        super().__init__(data)
        self.attendance_rows, self.minutes_rows, self.action_rows = [], [], []
        # The version each row was drawn from, by row key ("present_3", "minutes_12", "status_7"): a row
        # someone else saved since is refused if changed here, skipped if left as drawn (issue 20).
        for key, version in (versions or {}).items():
            self.fields[f"version_{key}"] = forms.CharField(
                required=False, initial=version, widget=forms.HiddenInput
            )
        for inv in invitations:
            name = inv.person_name
            self.fields[f"present_{inv.person_id}"] = forms.BooleanField(
                required=False, initial=inv.person_id in present_ids, label=f"{name} present"
            )
            if remote_allowed:
                self.fields[f"remote_{inv.person_id}"] = forms.BooleanField(
                    required=False, initial=inv.person_id in remote_ids, label=f"{name} remote"
                )
            self.attendance_rows.append(
                (
                    inv,
                    self[f"present_{inv.person_id}"],
                    self[f"remote_{inv.person_id}"] if remote_allowed else None,
                )
            )
        for row in items:
            key = f"minutes_{row.item.pk}"
            self.fields[key] = forms.CharField(
                required=False,
                initial=row.item.minutes,
                strip=False,
                label=f"Minutes of item {row.number}",
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.minutes_rows.append((row, self[key]))
        for a in actions:
            self.fields[f"status_{a.pk}"] = forms.ChoiceField(
                choices=ActionItem.Status.choices, initial=a.status, label=f"Status of {a.title}"
            )
            self.fields[f"note_{a.pk}"] = forms.CharField(
                required=False, initial=a.progress_note, label=f"Progress on {a.title}"
            )
            self.action_rows.append((a, self[f"status_{a.pk}"], self[f"note_{a.pk}"]))

    def attendance_changed(self) -> bool:
        return any(n.startswith(("present_", "remote_")) for n in self.changed_data)

    def drawn_versions(self) -> dict[str, str]:
        """The version each row was drawn from, as posted; rows whose version was not posted are absent."""
        return {
            name.removeprefix("version_"): self.cleaned_data.get(name, "")
            for name in self.fields
            if name.startswith("version_") and self.add_prefix(name) in self.data
        }

    def caught_up(self, keys: set[str], *, redrawn: set[str]) -> None:
        """After a refused save: the rows in ``keys`` now carry the record's current version, so saving
        again after reviewing the other change goes through; the rows in ``redrawn`` (left as drawn by this
        person, changed by someone else) show the current values, so saving again does not revert them.
        Everything else keeps what was typed."""
        data = self.data.copy()
        for key in keys | redrawn:
            data[f"version_{key}"] = self.fields[f"version_{key}"].initial
        for key in redrawn:
            kind, pk = key.split("_", 1)
            names = {"present": ["present", "remote"], "status": ["status", "note"]}.get(kind, [kind])
            for name in (f"{n}_{pk}" for n in names):
                if name not in self.fields:
                    continue
                value = self.fields[name].initial
                if isinstance(self.fields[name], forms.BooleanField):
                    data.pop(name, None)
                    if value:
                        data[name] = "on"
                else:
                    data[name] = value
        self.data = data
