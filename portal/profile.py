"""The user's profile: the time zone they read times in (default: the capital of the state they represent;
the browser's zone is offered when it differs) and their private calendar feed, with a button to rotate it."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from governance.input_rules import InputRulesMixin
from governance.models import MemberState, Person, validate_timezone
from meetings.calendar.feeds import feed_token_rotate, feed_url, webcal


def _zone_choices(person: Person) -> list[tuple[str, str]]:
    default = person.member_state.timezone if person.member_state_id else None
    if person.member_state_id:
        state = person.member_state
        first = ("", f"Default: {state.zone_name}, capital of {state.short_name} ({state.timezone})")
    else:
        first = ("", "Default: the ASEAN Secretariat's zone (Asia/Jakarta)")
    asean = [
        (tz, f"{label or capital + ' time'} ({tz})")
        for tz, label, capital in MemberState.objects.order_by("short_name").values_list(
            "timezone", "zone_label", "capital"
        )
        if tz != default
    ]
    seen = {tz for tz, _ in asean}
    others = [
        (tz, tz.replace("_", " "))
        for tz in sorted(zoneinfo.available_timezones())
        if tz not in seen and "/" in tz
    ]
    return [first, ("ASEAN capitals", asean), ("All zones", others)]


class ProfileForm(InputRulesMixin, forms.Form):
    timezone = forms.ChoiceField(required=False, label="Your time zone", validators=[])

    def __init__(self, *args, person: Person, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = _zone_choices(person)

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"]
        if value:
            validate_timezone(value)
        return value


def _person(request) -> Person:
    person = Person.objects.select_related("member_state").filter(user=request.user).first()
    if person is None:
        raise Http404("Your account has no person record; ask the Secretariat.")
    return person


@login_required
def profile(request):
    person = _person(request)
    if request.method == "POST":
        form = ProfileForm(request.POST, person=person)
        if form.is_valid():
            person.timezone = form.cleaned_data["timezone"]
            person.save(update_fields=["timezone"])
            messages.success(request, f"Times are now shown for {person.effective_timezone}.")
            return HttpResponseRedirect(reverse("profile"))
    else:
        form = ProfileForm(initial={"timezone": person.timezone}, person=person)
    url = feed_url(person)
    return render(
        request,
        "portal/profile.html",
        {
            "person": person,
            "form": form,
            "effective_timezone": person.effective_timezone,
            "feed_url": url,
            "feed_webcal": webcal(url),
        },
    )


@login_required
@require_POST
def rotate_feed(request):
    feed_token_rotate(_person(request))
    messages.success(
        request, "Your feed has a new address. Subscriptions to the old one have stopped working."
    )
    return HttpResponseRedirect(reverse("profile") + "#feed")
