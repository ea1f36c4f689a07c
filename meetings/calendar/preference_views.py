"""Pages for notification preferences: a person sets their own; the Secretariat sees what each person
will receive."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from governance.input_rules import InputRulesMixin
from governance.permissions import is_secretariat
from meetings.calendar.kinds import Kind
from meetings.calendar.preferences import (
    DAY_CHANNELS,
    DAY_FIELDS,
    DEFAULT,
    Delivery,
    day_channel,
    people_with_preferences,
    preference_of,
    preference_save,
    receives,
    reminder_offsets,
)

FOLLOW = ""  # a day not chosen on its own: it follows the choices above
# Form field prefix for each kind chosen day by day: "day_7" (the 7-day reminder), "chase_7" (the chaser).
PREFIX = {Kind.REMINDER: "day", Kind.CHASER: "chase"}


def _day_label(kind: str, d: int) -> str:
    what = "The reminder" if kind == Kind.REMINDER else 'The "please reply" reminder'
    return f"{what} the day before" if d == 1 else f"{what} {d} days before"


class PreferenceForm(InputRulesMixin, forms.Form):
    reminders = forms.BooleanField(required=False, label="Reminders before a meeting")
    chasers = forms.BooleanField(required=False, label='"Please reply" reminders while I have not answered')
    delivery = forms.ChoiceField(choices=Delivery.choices, label="Send reminders", widget=forms.RadioSelect)
    alarm = forms.BooleanField(required=False, label="An alarm in the calendar entry of invitations")

    def __init__(self, *args, days: dict[str, list[int]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (FOLLOW, "Like my other reminders"),
            *((k, v.capitalize()) for k, v in DAY_CHANNELS.items()),
        ]
        for kind, offered in days.items():
            for d in offered:
                self.fields[f"{PREFIX[kind]}_{d}"] = forms.ChoiceField(
                    choices=choices, required=False, label=_day_label(kind, d)
                )
        self.days = days

    def choice(self) -> dict:
        """The cleaned data as ``preference_save`` takes it."""
        data = {
            k: v for k, v in self.cleaned_data.items() if k in ("reminders", "chasers", "delivery", "alarm")
        }
        for kind, offered in self.days.items():
            picked = {d: self.cleaned_data[f"{PREFIX[kind]}_{d}"] for d in offered}
            data[DAY_FIELDS[kind]] = {d: channel for d, channel in picked.items() if channel}
        return data


def _days_offered(pref) -> dict[str, list[int]]:
    # The days any body reminds (chases) on, and any the person chose before (a body may have dropped one).
    return {
        kind: sorted(set(reminder_offsets(kind)) | {int(d) for d in getattr(pref, field) or {}}, reverse=True)
        for kind, field in DAY_FIELDS.items()
    }


@login_required
def my_notifications(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("No person for this account")
    pref = preference_of(person.pk)
    days = _days_offered(pref)
    initial = dict(reminders=pref.reminders, chasers=pref.chasers, delivery=pref.delivery, alarm=pref.alarm)
    for kind, offered in days.items():
        initial.update({f"{PREFIX[kind]}_{d}": day_channel(pref, d, kind) or FOLLOW for d in offered})
    form = PreferenceForm(request.POST or None, initial=initial, days=days)
    if request.method == "POST" and form.is_valid():
        preference_save(person=person, **form.choice())
        messages.success(request, "Saved: " + receives(preference_of(person.pk)) + ".")
        return HttpResponseRedirect(reverse("meetings:my_notifications"))
    return render(
        request, "meetings/calendar/my_notifications.html", {"form": form, "receives": receives(pref)}
    )


@login_required
def notifications_overview(request):
    if not is_secretariat(request.user):
        raise PermissionDenied("The Secretariat's list.")
    page = Paginator(people_with_preferences(), 100).get_page(request.GET.get("page"))
    for person in page.object_list:
        person.receives = receives(getattr(person, "notification_preference", None) or DEFAULT)
    return render(request, "meetings/calendar/notifications_overview.html", {"page": page})
