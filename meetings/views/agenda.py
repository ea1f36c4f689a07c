"""Pages of the agenda: building the draft, its items, circulating and adopting versions, and what
changed between them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from governance import concurrency
from meetings import forms as f
from meetings.models import AgendaItem, AgendaVersion, Meeting
from meetings.selectors.agenda import agenda_items_for, agenda_versions_for, number_agenda, presenter_label
from meetings.selectors.documents import document_level
from meetings.selectors.meetings import can_manage
from meetings.services import agenda as agenda_services
from meetings.services import agenda_versions as agenda_versions_services
from meetings.views import confirmations
from meetings.views.base import agenda_item_or_404, back, confirm_then, error_message, meeting_or_404


@login_required
def agenda_builder(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    items = agenda_items_for(meeting.pk)
    numbered = number_agenda(items)
    form = f.AgendaItemForm(request.POST or None, meeting=meeting, numbered=numbered)
    if request.method == "POST" and form.is_valid():
        cd = dict(form.cleaned_data)
        parent, documents = cd.pop("parent"), cd.pop("documents")
        title = cd.pop("title")
        try:
            agenda_services.agenda_item_add(
                meeting=meeting, title=title, parent=parent, documents=documents, **cd
            )
        except ValidationError as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, f"Item “{title}” added.")
            return back(meeting, "agenda")
    versions = agenda_versions_for(meeting.pk)
    adopted = next((v for v in versions if v.status == AgendaVersion.Status.ADOPTED), None)
    rows = [{"n": n, "presenter": presenter_label(n.item)} for n in numbered]
    return render(
        request,
        "meetings/agenda.html",
        {"meeting": meeting, "rows": rows, "form": form, "versions": versions, "adopted": adopted},
    )


def _agenda_item_page(request, meeting: Meeting, item: AgendaItem, *, numbered=None, form=None, move=None):
    """The item's page with its two forms: the item itself and where it stands."""
    if numbered is None:
        numbered = number_agenda(agenda_items_for(meeting.pk))
    if form is None:
        form = f.AgendaItemForm(None, instance=item, meeting=meeting, numbered=numbered, with_parent=False)
    if move is None:
        move = _move_form(None, meeting=meeting, item=item, numbered=numbered)
    siblings_index = next((i for i, n in enumerate(numbered) if n.item.pk == item.pk), 0)
    return render(
        request,
        "meetings/agenda_item.html",
        {
            "meeting": meeting,
            "item": item,
            "form": form,
            "move": move,
            "number": numbered[siblings_index].number if numbered else "",
        },
    )


def _move_form(data, *, meeting: Meeting, item: AgendaItem, numbered) -> f.MoveForm:
    return f.MoveForm(
        data,
        meeting=meeting,
        numbered=numbered,
        initial={"parent": item.parent_id, "position": item.position + 1},
    )


@login_required
def agenda_item_edit(request, pk: int, item_pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    item = agenda_item_or_404(meeting, item_pk)
    if request.method != "POST":
        return _agenda_item_page(request, meeting, item)
    numbered = number_agenda(agenda_items_for(meeting.pk))
    form = f.AgendaItemForm(
        request.POST, instance=item, meeting=meeting, numbered=numbered, with_parent=False
    )

    def update(cd: dict) -> None:
        cd = dict(cd)
        documents = cd.pop("documents")
        cd.pop("edit_version")
        expected = concurrency.form_version(form)
        agenda_services.agenda_item_update(item=item, data=cd, documents=documents, expected_version=expected)

    saved, _ = f.form_submit(form, update)
    if saved:
        messages.success(request, "Item saved.")
        return back(meeting, "agenda")
    concurrency.form_caught_up(form, item)
    return _agenda_item_page(request, meeting, item, numbered=numbered, form=form)


@login_required
@require_POST
def agenda_item_move(request, pk: int, item_pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    item = agenda_item_or_404(meeting, item_pk)
    numbered = number_agenda(agenda_items_for(meeting.pk))
    move = _move_form(request.POST, meeting=meeting, item=item, numbered=numbered)
    saved, _ = f.form_submit(
        move,
        lambda cd: agenda_services.agenda_item_move(
            item=item, parent=cd["parent"], position=cd["position"] - 1 if cd["position"] else None
        ),
    )
    if saved:
        messages.success(request, "Item moved.")
        return back(meeting, "agenda")
    return _agenda_item_page(request, meeting, item, numbered=numbered, move=move)


@login_required
@require_POST
def agenda_item_shift(request, pk: int, item_pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    item = agenda_item_or_404(meeting, item_pk)
    try:
        agenda_services.agenda_item_shift(item=item, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        messages.error(request, error_message(exc))
    return back(meeting, "agenda")


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_remove(request, pk: int, item_pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    item = agenda_item_or_404(meeting, item_pk)
    numbered = number_agenda(agenda_items_for(meeting.pk))
    number = next((n.number for n in numbered if n.item.pk == item.pk), "")
    confirmation = confirmations.agenda_item_remove(meeting, item, number=number)

    def act() -> str:
        agenda_services.agenda_item_remove(item=item)
        return f"Item “{item.title}” removed."

    return confirm_then(request, confirmation, act, then=back(meeting, "agenda"))


@login_required
@require_POST
def agenda_usual(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    try:
        agenda_services.agenda_default_create(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, "The usual agenda was set up, with the standing items.")
    return back(meeting, "agenda")


@login_required
@require_POST
def agenda_standing(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    try:
        agenda_services.agenda_standing_items_add(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, "Standing items added or brought up to date.")
    return back(meeting, "agenda")


@login_required
@require_http_methods(["GET", "POST"])
def agenda_circulate(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    next_number = AgendaVersion.objects.filter(meeting=meeting).count() + 1
    confirmation = confirmations.agenda_circulate(meeting, next_number=next_number)

    def act() -> None:
        version = agenda_versions_services.agenda_circulate(meeting=meeting, actor=request.user)
        if confirmation.reach:
            messages.success(request, f"Agenda version {version.number} circulated to {confirmation.reach}.")
        else:  # nobody to send it to: say so, never "circulated"
            messages.warning(
                request,
                f"Agenda version {version.number} was frozen but reached no one. {confirmation.warning}",
            )

    return confirm_then(request, confirmation, act, then=back(meeting, "agenda"))


@login_required
@require_POST
def agenda_adopt(request, pk: int, number: int):
    meeting = meeting_or_404(request, pk, manage=True)
    version = AgendaVersion.objects.filter(meeting=meeting, number=number).first()
    if version is None:
        raise Http404("No such agenda version")
    try:
        agenda_versions_services.agenda_adopt(version=version)
    except ValidationError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, f"Agenda version {number} adopted.")
    return back(meeting, "agenda")


@login_required
def agenda_version(request, pk: int, number: int):
    meeting = meeting_or_404(request, pk)
    version = AgendaVersion.objects.filter(meeting=meeting, number=number).first()
    if version is None:
        raise Http404("No such agenda version")
    level = document_level(request.user, meeting.body_id)
    for e in version.items:
        e["readable_documents"] = [d for d in e.get("documents", []) if d["classification"] <= level]
    return render(request, "meetings/agenda_version.html", {"meeting": meeting, "version": version})


@login_required
def agenda_changes(request, pk: int):
    """What changed between two circulated versions (or, for managers, between a version and the draft)."""
    meeting = meeting_or_404(request, pk)
    versions = agenda_versions_for(meeting.pk)
    by_number = {v.number: v for v in versions}
    manage = can_manage(request.user, meeting.body_id)
    try:
        a = int(request.GET.get("from") or (versions[-2].number if len(versions) > 1 else 1))
    except (ValueError, IndexError):
        a = 1
    b_raw = request.GET.get("to") or (str(versions[-1].number) if versions else "")
    if b_raw == "draft" and not manage:
        raise PermissionDenied("Only the Secretariat and the chair see the draft.")
    version_a = by_number.get(a)
    version_b = None if b_raw == "draft" else by_number.get(int(b_raw)) if b_raw.isdigit() else None
    changes = None
    if version_a is not None and (version_b is not None or b_raw == "draft"):
        changes = agenda_versions_services.agenda_versions_diff(
            version_a=version_a, version_b=version_b, level=document_level(request.user, meeting.body_id)
        )
    return render(
        request,
        "meetings/agenda_changes.html",
        {
            "meeting": meeting,
            "versions": versions,
            "a": version_a,
            "b": version_b,
            "b_raw": b_raw,
            "changes": changes,
            "manage": manage,
            "counts": {
                k: sum(1 for c in changes or [] if c.kind == k) for k in ("added", "removed", "changed")
            },
        },
    )
