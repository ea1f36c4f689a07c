"""Pages: the rotation timeline of a body, and the handover list and checklist. Thin: selectors read,
services write; a handover the user may not see is a 404, an action they may not take a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from chairmanship import handovers, selectors
from chairmanship.models import Handover
from chairmanship.rotation import RotationError
from chairmanship.timeline_rows import timeline_bars, timeline_years
from governance.models import Body, Person
from governance.permissions import can_manage_body, require, today_in_asean
from governance.prepared import Prepared
from governance.selectors import body_by_acronym

TIMELINE_MAX_YEARS = 40


def _year(value: str | None, default: int) -> tuple[int, str | None]:
    if value in (None, ""):
        return default, None
    try:
        year = int(value)
    except ValueError:
        return default, f"“{value}” is not a year."
    if not 1967 <= year <= 2200:
        return default, f"{year} is out of range (1967–2200)."
    return year, None


@login_required
def timeline(request, acronym: str):
    body = body_by_acronym(acronym)
    if body is None:
        raise Http404("No Body matches the given query.")
    today = today_in_asean()
    year_from, err_from = _year(request.GET.get("from"), today.year - 4)
    year_to, err_to = _year(request.GET.get("to"), today.year + 6)
    errors = {k: v for k, v in (("from", err_from), ("to", err_to)) if v}
    if not errors and year_from > year_to:
        errors["to"] = f"“to” ({year_to}) must not be before “from” ({year_from})."
    if not errors and year_to - year_from >= TIMELINE_MAX_YEARS:
        errors["to"] = f"Show at most {TIMELINE_MAX_YEARS} years at a time."
    if errors:
        year_from, year_to = today.year - 4, today.year + 6
    try:
        t = selectors.rotation_timeline(body=body, year_from=year_from, year_to=year_to, today=today)
    except RotationError as exc:
        raise Http404(str(exc)) from exc
    # The running chair matters only to who may plan its handover: nobody else's request reads it.
    may_manage = can_manage_body(request.user, body)
    running = selectors.current_chair(body_id=body.pk, on=today) if may_manage else None
    return render(
        request,
        "chairmanship/timeline.html",
        {
            "body": body,
            "t": t,
            # The bars and the years are written in Python (chairmanship/timeline_rows.py).
            "timeline_bars": timeline_bars(t.bars),
            "timeline_years": timeline_years(t.years),
            "errors": errors,
            "today": today,
            "can_plan": running is not None
            and not running.handovers_out.exclude(status="cancelled").exists(),
            "handovers": _handovers_of(request.user, body.pk),
        },
        status=400 if errors else 200,
    )


def _latest_handovers(qs: QuerySet[Handover], body_id: int) -> QuerySet[Handover]:
    return (
        qs.filter(body_id=body_id)
        .select_related("outgoing_term__member_state", "incoming_term__member_state")
        # Each line names the two states, the day and the status: not two terms' whole rows.
        .only(
            "effective_date",
            "status",
            "outgoing_term__member_state__short_name",
            "incoming_term__member_state__short_name",
        )
        .order_by("-effective_date")[:10]
    )


# The timeline's handovers, compiled once per process (governance.prepared), filtered by
# ``selectors.handovers_visible``'s rule from plain arguments.
_HANDOVERS_SEEN = Prepared(
    lambda body_id, body_ids, user_id: _latest_handovers(
        selectors.handovers_visible_by(Handover.objects.all(), body_ids=body_ids, user_id=user_id), body_id
    )
)


def _handovers_of(user, body_id: int) -> list[Handover]:
    return _HANDOVERS_SEEN(body_id=body_id, **selectors.handover_visibility(user))


@login_required
def handover_list(request):
    return render(
        request,
        "chairmanship/handover_list.html",
        {"handovers": selectors.handover_list(user=request.user)},
    )


def _page(request, pk: int) -> selectors.HandoverPage:
    page = selectors.handover_page(user=request.user, pk=pk)
    if page is None:
        raise Http404("No such handover")
    return page


@login_required
def handover_detail(request, pk: int):
    return render(request, "chairmanship/handover_detail.html", {"page": _page(request, pk)})


@login_required
@require_POST
def handover_item(request, pk: int, item_pk: int):
    page = _page(request, pk)
    require(page.can_act, "Only the body's chair and the Secretariat work through the checklist.")
    item = next((i for i in page.items if i.pk == item_pk), None)
    if item is None:
        raise Http404("No such item")
    item.handover = page.handover
    try:
        handovers.handover_item_update(
            item=item,
            actor=request.user,
            is_done=(request.POST.get("is_done") == "on") if "tick" in request.POST else None,
            comment=request.POST.get("comment") if "comment" in request.POST else None,
        )
        messages.success(request, f"Saved: {item.label}")
    except handovers.HandoverError as exc:
        messages.error(request, str(exc))
        return render(request, "chairmanship/handover_detail.html", {"page": _page(request, pk)}, status=409)
    return redirect(reverse("chairmanship:handover", args=[pk]) + f"#item-{item.pk}")


def _people(ids: set[int]) -> str:
    names = sorted(Person.objects.filter(pk__in=ids).values_list("full_name", flat=True))
    return ", ".join(names) or "nobody on record"


def _complete_confirmation(page: selectors.HandoverPage, *, bring_forward: bool) -> dict:
    """What completing says before it happens (rendered by the shared ``confirm.html``)."""
    h = page.handover
    day = "today" if bring_forward else f"{h.effective_date:%-d %B %Y}"
    open_items = page.total - page.done
    effects = [
        f"{h.outgoing_term.member_state}'s term as chair of {h.body.acronym} closes and "
        f"{h.incoming_term.member_state}'s opens, effective {day} ({page.zone}). This cannot be undone.",
        f"The chair's rights pass from {_people(selectors.term_people_ids(h.outgoing_term))} "
        f"to {_people(selectors.term_people_ids(h.incoming_term))}.",
    ]
    if open_items:
        effects.append(f"{open_items} of {page.total} checklist items are not ticked; they stay open.")
    carry = {"bring_forward": "on"} if bring_forward else {}
    return {
        "question": f"Complete the {h.body.acronym} handover "
        f"from {h.outgoing_term.member_state} to {h.incoming_term.member_state}?",
        "effects": effects,
        "mailed": "Nobody is e-mailed.",
        "button": "Complete handover",
        "back_url": reverse("chairmanship:handover", args=[h.pk]),
        "carry": carry,
        "hidden": list(carry.items()),  # what confirm.html writes: (name, value) pairs
        "danger": True,
    }


@login_required
@require_http_methods(["GET", "POST"])
def handover_complete(request, pk: int):
    """GET: what completing does, asked first; the POST acts only with the confirmation that page sends."""
    page = _page(request, pk)
    require(page.can_act, "Only the outgoing chair and the Secretariat complete a handover.")
    data = request.POST if request.method == "POST" else request.GET
    bring_forward = data.get("bring_forward") == "on"
    confirmation = _complete_confirmation(page, bring_forward=bring_forward)
    if request.method != "POST" or request.POST.get("confirmed") != "yes":
        if request.method == "POST":
            messages.error(request, "Nothing was done: completing a handover needs your confirmation.")
        return render(
            request, "confirm.html", {"c": confirmation}, status=400 if request.method == "POST" else 200
        )
    try:
        handovers.handover_complete(handover=page.handover, actor=request.user, bring_forward=bring_forward)
    except (handovers.HandoverError, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        return render(request, "chairmanship/handover_detail.html", {"page": _page(request, pk)}, status=409)
    messages.success(request, "Handover completed: the chair's rights have moved.")
    return redirect("chairmanship:handover", pk=pk)


@login_required
@require_POST
def handover_checklist(request, pk: int):
    """The whole checklist saved at once (ticks and comments), in one transaction: nothing typed in one row
    is lost by saving another, and a refusal shows every row again as typed."""
    page = _page(request, pk)
    require(page.can_act, "Only the body's chair and the Secretariat work through the checklist.")
    tick = page.is_open  # a completed handover's list takes comments only
    changes = []
    for item in page.items:
        item.handover = page.handover
        is_done = f"done_{item.pk}" in request.POST if tick else None
        comment = request.POST.get(f"comment_{item.pk}")
        if (is_done is not None and is_done != item.is_done) or (
            comment is not None and comment.strip() != item.comment
        ):
            changes.append(
                handovers.ChecklistChange(
                    item=item,
                    is_done=is_done,
                    comment=comment,
                    expected_version=request.POST.get(f"version_{item.pk}"),
                )
            )
    try:
        handovers.handover_checklist_save(changes=changes, actor=request.user)
    except handovers.HandoverError as exc:
        messages.error(request, f"Nothing was saved: {exc} Everything you typed is kept below.")
        page = _page(request, pk)
        for item in page.items:  # as typed
            if tick:
                item.is_done = f"done_{item.pk}" in request.POST
            item.comment = request.POST.get(f"comment_{item.pk}", item.comment)
        return render(request, "chairmanship/handover_detail.html", {"page": page}, status=409)
    n = len(changes)
    messages.success(
        request, f"Checklist saved: {n} item{'s' if n != 1 else ''} changed." if n else "Nothing had changed."
    )
    return redirect("chairmanship:handover", pk=pk)


@login_required
@require_POST
def handover_refresh(request, pk: int):
    page = _page(request, pk)
    require(
        page.can_act and page.is_open, "Only the body's chair and the Secretariat refresh an open checklist."
    )
    added = handovers.handover_checklist_refresh(handover=page.handover)
    messages.success(request, f"Checklist refreshed: {added} item{'s' if added != 1 else ''} added.")
    return redirect("chairmanship:handover", pk=pk)


@login_required
@require_POST
def handover_plan_next(request, acronym: str):
    body = get_object_or_404(Body, acronym=acronym)
    require(can_manage_body(request.user, body), "Only the body's chair and the Secretariat plan a handover.")
    try:
        handover = handovers.handover_plan_next(body=body, on=today_in_asean(), actor=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("chairmanship:timeline", acronym=acronym)
    return redirect("chairmanship:handover", pk=handover.pk)
