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

from governance.permissions import is_secretariat
from meetings.calendar.preferences import (
    DEFAULT,
    Delivery,
    people_with_preferences,
    preference_of,
    preference_save,
    receives,
)


class PreferenceForm(forms.Form):
    reminders = forms.BooleanField(required=False, label="Reminders before a meeting")
    chasers = forms.BooleanField(required=False, label='"Please reply" reminders while I have not answered')
    delivery = forms.ChoiceField(choices=Delivery.choices, label="Send reminders", widget=forms.RadioSelect)
    alarm = forms.BooleanField(required=False, label="An alarm in the calendar entry of invitations")


@login_required
def my_notifications(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("No person for this account")
    pref = preference_of(person.pk)
    form = PreferenceForm(
        request.POST or None,
        initial=dict(
            reminders=pref.reminders, chasers=pref.chasers, delivery=pref.delivery, alarm=pref.alarm
        ),
    )
    if request.method == "POST" and form.is_valid():
        preference_save(person=person, **form.cleaned_data)
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
