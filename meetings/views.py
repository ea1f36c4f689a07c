"""Pages of the record side: thin. They check who may see (404) and who may act (403), parse a form, call a
service and show its message."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from governance.models import Body, MemberState
from governance.permissions import (
    body_ids_with,
    is_secretariat,
    meeting_visible,
    report_visible,
    submission_visible,
    today_in_asean,
)
from meetings import forms as f
from meetings import services
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaVersion,
    Decision,
    Document,
    Invitation,
    Meeting,
    Report,
    Submission,
)
from meetings.numbering import meeting_title
from meetings.selectors import (
    agenda_items_for,
    agenda_versions_for,
    can_manage,
    delegation_states_for,
    document_level,
    meeting_date,
    meeting_page,
    meetings_for_list,
    number_agenda,
    presenter_label,
    readable_documents,
)


def _meeting(request, pk: int, *, manage: bool = False) -> Meeting:
    """The meeting if the user may see it (else 404); with ``manage``, only for its managers (else 403)."""
    # Loaded by key and checked against the rights already read for this request: cheaper than compiling
    # the visibility filter into the query, and the same rule (governance.permissions).
    try:
        meeting = Meeting.objects.select_related("body", "host", "series").get(pk=pk)
    except Meeting.DoesNotExist:
        raise Http404("No such meeting") from None
    if not meeting_visible(request.user, meeting):
        raise Http404("No such meeting")
    if manage and not can_manage(request.user, meeting.body_id):
        raise PermissionDenied("Only the Secretariat and the chair manage this meeting.")
    return meeting


def _error_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _back(meeting: Meeting, name: str = "detail") -> HttpResponse:
    return redirect(f"meetings:{name}", pk=meeting.pk)


def _warn_conflicts(request, meeting: Meeting) -> None:
    for c in services.meeting_conflicts(meeting=meeting):
        messages.warning(request, c.message)


# --- Meetings ----------------------------------------------------------------------------------------------


@login_required
def meeting_list(request):
    body_id = request.GET.get("body") or None
    year = request.GET.get("year") or None
    status = request.GET.get("status") or ""
    try:
        body_id = int(body_id) if body_id else None
        year = int(year) if year else None
    except ValueError:
        body_id = year = None
    meetings = list(meetings_for_list(request.user, body_id=body_id, year=year, status=status)[:200])
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "meetings": meetings,
            "bodies": Body.objects.filter(series__isnull=False).distinct().order_by("acronym"),
            "statuses": Meeting.Status.choices,
            "selected": {"body": body_id, "year": year, "status": status},
            "may_plan": is_secretariat(request.user),
        },
    )


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    page = meeting_page(meeting=meeting, user=request.user, on=today_in_asean())
    conflicts = services.meeting_conflicts(meeting=meeting) if page.can_manage else []
    return render(
        request, "meetings/meeting_detail.html", {"meeting": meeting, "page": page, "conflicts": conflicts}
    )


def _require_secretariat(request) -> None:
    if not is_secretariat(request.user):
        raise PermissionDenied("Only the Secretariat plans the year's meetings.")


@login_required
def meeting_plan(request):
    """Propose next year's meetings of a body and store the ones the Secretariat keeps, as changed."""
    _require_secretariat(request)
    plan = f.PlanForm(request.GET or None)
    proposals, forms_ = [], []
    if request.method == "POST":
        keys = request.POST.getlist("keys")
        forms_ = [f.ProposalForm(request.POST, prefix=k) for k in keys]
        if all(form.is_valid() for form in forms_):
            kept = [
                services.MeetingProposal(
                    key=form.cleaned_data["key"],
                    body=form.cleaned_data["body"],
                    series=form.cleaned_data["series"],
                    number=form.cleaned_data["number"],
                    label=form.cleaned_data["label"],
                    title=_proposal_title(form.cleaned_data),
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    timezone=form.cleaned_data["timezone"],
                    host=form.cleaned_data["host"],
                    city=form.cleaned_data["city"],
                    prepares_for_key=form.cleaned_data["prepares_for_key"],
                )
                for form in forms_
                if form.cleaned_data["include"]
            ]
            try:
                created = services.meeting_year_confirm(proposals=kept)
            except ValidationError as exc:
                messages.error(request, _error_message(exc))
            else:
                messages.success(request, f"{len(created)} meeting(s) scheduled as planned.")
                for m in created:
                    _warn_conflicts(request, m)
                return redirect(
                    reverse("meetings:list") + f"?year={created[0].start.year}"
                    if created
                    else "meetings:list"
                )
        proposals = [None] * len(forms_)
    elif plan.is_valid():
        try:
            proposals = services.meeting_year_propose(
                body=plan.cleaned_data["body"], year=plan.cleaned_data["year"]
            )
        except ValidationError as exc:
            messages.error(request, _error_message(exc))
            proposals = []
        for p in proposals:
            tz = zoneinfo.ZoneInfo(p.timezone)
            forms_.append(
                f.ProposalForm(
                    prefix=p.key,
                    initial={
                        "include": True,
                        "key": p.key,
                        "body": p.body.pk,
                        "series": p.series.pk if p.series else None,
                        "prepares_for_key": p.prepares_for_key,
                        "number": p.number,
                        "label": p.label,
                        "title": p.title,
                        "auto_title": p.title,
                        "start": p.start.astimezone(tz).replace(tzinfo=None),
                        "end": p.end.astimezone(tz).replace(tzinfo=None),
                        "timezone": p.timezone,
                        "host": p.host.pk if p.host else None,
                        "city": p.city,
                    },
                )
            )
    return render(
        request,
        "meetings/plan.html",
        {"plan": plan, "rows": list(zip(forms_, proposals, strict=True)), "zones": f.ASEAN_ZONES},
    )


def _proposal_title(cd: dict) -> str:
    """A title left as proposed follows the number or label the Secretariat typed."""
    if cd["series"] is not None and cd["title"] == cd["auto_title"]:
        return meeting_title(cd["series"], number=cd["number"], label=cd["label"] or "")
    return cd["title"]


def _meeting_data(cd: dict) -> dict:
    return {
        "series": cd["series"],
        "number": cd["number"],
        "label": cd["label"] or "",
        "title": cd["title"] or "",
        "start": cd["start"],
        "end": cd["end"],
        "host": cd["host"],
        "venue": cd["venue"],
        "city": cd["city"],
        "modality": cd["modality"],
        "join_url": cd["join_url"],
        "is_public": cd["is_public"],
    }


@login_required
def meeting_new(request):
    managed = body_ids_with(request.user, "manage_body")
    bodies = Body.objects.order_by("acronym")
    if managed is not None:
        bodies = bodies.filter(pk__in=managed)
        if not bodies.exists():
            raise PermissionDenied("Only the Secretariat and the chairs schedule meetings.")
    form = f.MeetingForm(request.POST or None, initial={"modality": Meeting.Modality.IN_PERSON})
    form.fields["body"].queryset = bodies
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        if not can_manage(request.user, body):
            raise PermissionDenied("Only the Secretariat and the chair schedule the body's meetings.")
        try:
            meeting = services.meeting_create(
                body=body, timezone_name=form.cleaned_data["timezone"], **_meeting_data(form.cleaned_data)
            )
        except ValidationError as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, f"{meeting.title} scheduled (planned).")
            _warn_conflicts(request, meeting)
            return _back(meeting)
    return render(
        request, "meetings/meeting_form.html", {"form": form, "zones": f.ASEAN_ZONES, "meeting": None}
    )


@login_required
def meeting_edit(request, pk: int):
    meeting = _meeting(request, pk, manage=True)
    form = f.MeetingForm(request.POST or None, initial=f.MeetingForm.initial_for(meeting), editing=True)
    postpone = f.PostponeForm(prefix="pp")
    if request.method == "POST" and form.is_valid():
        data = _meeting_data(form.cleaned_data)
        data["timezone"] = form.cleaned_data["timezone"] or (meeting.host.timezone if meeting.host else "")
        if not data["title"]:
            data.pop("title")
        try:
            meeting = services.meeting_update(meeting=meeting, data=data)
        except ValidationError as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, "Meeting saved.")
            _warn_conflicts(request, meeting)
            return _back(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "postpone": postpone, "zones": f.ASEAN_ZONES, "meeting": meeting},
    )


@login_required
@require_POST
def meeting_status(request, pk: int):
    meeting = _meeting(request, pk, manage=True)
    action = request.POST.get("action")
    try:
        if action == "confirm":
            services.meeting_confirm(meeting=meeting)
            messages.success(request, "Meeting confirmed; invitations go out to everyone on the list.")
        elif action == "cancel":
            services.meeting_cancel(meeting=meeting)
            messages.success(request, "Meeting cancelled; invitees are told.")
        elif action == "held":
            services.meeting_mark_held(meeting=meeting, now=timezone.now())
            messages.success(request, "Meeting recorded as held.")
        elif action == "postpone":
            form = f.PostponeForm(request.POST, prefix="pp")
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            services.meeting_postpone(
                meeting=meeting, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )
            messages.success(request, "Meeting postponed.")
        else:
            raise ValidationError({"action": "Unknown action."})
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    return _back(meeting)


# --- Agenda ------------------------------------------------------------------------------------------------


@login_required
def agenda_builder(request, pk: int):
    meeting = _meeting(request, pk, manage=True)
    items = agenda_items_for(meeting.pk)
    numbered = number_agenda(items)
    form = f.AgendaItemForm(request.POST or None, meeting=meeting, numbered=numbered)
    if request.method == "POST" and form.is_valid():
        cd = dict(form.cleaned_data)
        parent, documents = cd.pop("parent"), cd.pop("documents")
        title = cd.pop("title")
        try:
            services.agenda_item_add(meeting=meeting, title=title, parent=parent, documents=documents, **cd)
        except ValidationError as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, f"Item “{title}” added.")
            return _back(meeting, "agenda")
    versions = agenda_versions_for(meeting.pk)
    adopted = next((v for v in versions if v.status == AgendaVersion.Status.ADOPTED), None)
    rows = [{"n": n, "presenter": presenter_label(n.item)} for n in numbered]
    return render(
        request,
        "meetings/agenda.html",
        {"meeting": meeting, "rows": rows, "form": form, "versions": versions, "adopted": adopted},
    )


def _item(meeting: Meeting, item_pk: int) -> AgendaItem:
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_pk).first()
    if item is None:
        raise Http404("No such agenda item")
    return item


@login_required
def agenda_item_edit(request, pk: int, item_pk: int):
    meeting = _meeting(request, pk, manage=True)
    item = _item(meeting, item_pk)
    numbered = number_agenda(agenda_items_for(meeting.pk))
    form = f.AgendaItemForm(
        request.POST if request.POST.get("_form") == "item" else None,
        instance=item,
        meeting=meeting,
        numbered=numbered,
        with_parent=False,
    )
    siblings_index = next((i for i, n in enumerate(numbered) if n.item.pk == item.pk), 0)
    move = f.MoveForm(
        request.POST if request.POST.get("_form") == "move" else None,
        meeting=meeting,
        numbered=numbered,
        initial={"parent": item.parent_id, "position": item.position + 1},
    )
    if request.method == "POST":
        try:
            if request.POST.get("_form") == "item" and form.is_valid():
                cd = dict(form.cleaned_data)
                documents = cd.pop("documents")
                services.agenda_item_update(item=item, data=cd, documents=documents)
                messages.success(request, "Item saved.")
                return _back(meeting, "agenda")
            if request.POST.get("_form") == "move" and move.is_valid():
                pos = move.cleaned_data["position"]
                services.agenda_item_move(
                    item=item, parent=move.cleaned_data["parent"], position=pos - 1 if pos else None
                )
                messages.success(request, "Item moved.")
                return _back(meeting, "agenda")
        except ValidationError as exc:
            f.apply_errors(move if request.POST.get("_form") == "move" else form, exc)
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


@login_required
@require_POST
def agenda_item_shift(request, pk: int, item_pk: int):
    meeting = _meeting(request, pk, manage=True)
    item = _item(meeting, item_pk)
    try:
        services.agenda_item_shift(item=item, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    return _back(meeting, "agenda")


@login_required
@require_POST
def agenda_item_remove(request, pk: int, item_pk: int):
    meeting = _meeting(request, pk, manage=True)
    item = _item(meeting, item_pk)
    try:
        services.agenda_item_remove(item=item)
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, f"Item “{item.title}” removed.")
    return _back(meeting, "agenda")


@login_required
@require_POST
def agenda_standing(request, pk: int):
    meeting = _meeting(request, pk, manage=True)
    try:
        if request.POST.get("what") == "default":
            services.agenda_default_create(meeting=meeting)
            messages.success(request, "The usual agenda was set up, with the standing items.")
        else:
            services.agenda_standing_items_add(meeting=meeting)
            messages.success(request, "Standing items added or brought up to date.")
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    return _back(meeting, "agenda")


@login_required
@require_POST
def agenda_circulate(request, pk: int):
    meeting = _meeting(request, pk, manage=True)
    try:
        version = services.agenda_circulate(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, f"Agenda version {version.number} circulated.")
    return _back(meeting, "agenda")


@login_required
@require_POST
def agenda_adopt(request, pk: int, number: int):
    meeting = _meeting(request, pk, manage=True)
    version = AgendaVersion.objects.filter(meeting=meeting, number=number).first()
    if version is None:
        raise Http404("No such agenda version")
    try:
        services.agenda_adopt(version=version, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, f"Agenda version {number} adopted.")
    return _back(meeting, "agenda")


@login_required
def agenda_version(request, pk: int, number: int):
    meeting = _meeting(request, pk)
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
    meeting = _meeting(request, pk)
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
        changes = services.agenda_versions_diff(
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


# --- Documents ---------------------------------------------------------------------------------------------


@login_required
def document_upload(request, pk: int):
    meeting = _meeting(request, pk, manage=True)
    form = f.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.document_upload(
                meeting=meeting,
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                classification=form.cleaned_data["classification"],
                actor=request.user,
            )
        except ValidationError as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, f"{doc.title} stored as version {doc.version}.")
            return _back(meeting)
    docs = list(
        Document.objects.filter(meeting=meeting).select_related("uploaded_by").order_by("title", "-version")
    )
    return render(
        request,
        "meetings/document_upload.html",
        {"meeting": meeting, "form": form, "docs": docs, "max_bytes": settings.DOCUMENT_MAX_BYTES},
    )


def document_response(doc: Document) -> FileResponse:
    """The bytes of a document the caller already checked: always an attachment, never sniffed."""
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=doc.original_name, content_type=doc.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def document_download(request, pk: int):
    """The only way to a document's bytes: the reader must be cleared for it; otherwise it does not exist
    for them (404)."""
    doc = readable_documents(request.user).filter(pk=pk).first()
    if doc is None:
        raise Http404("No such document")
    return document_response(doc)


# --- Participants ------------------------------------------------------------------------------------------


@login_required
def participants(request, pk: int):
    meeting = _meeting(request, pk)
    manage = can_manage(request.user, meeting.body_id)
    today = today_in_asean()
    heads_of = delegation_states_for(request.user, body=meeting.body_id, on=today)
    if not manage and not heads_of:
        raise PermissionDenied("Only the Secretariat, the chair and heads of delegation manage the list.")
    invite = f.InvitePersonForm(request.POST if request.POST.get("_form") == "person" else None)
    delegation = f.DelegationForm(
        request.POST if request.POST.get("_form") == "delegation" else None,
        state_ids=heads_of
        if not is_secretariat(request.user)
        else list(MemberState.objects.members_on(meeting_date(meeting)).values_list("pk", flat=True)),
    )
    if request.method == "POST":
        which = request.POST.get("_form")
        try:
            if which == "delegations":
                if not manage:
                    raise PermissionDenied("Only the Secretariat and the chair invite all delegations.")
                created = services.invitations_for_delegations(meeting=meeting, actor=request.user)
                messages.success(request, f"{len(created)} delegate(s) added to the list.")
                return _back(meeting, "participants")
            if which == "person" and invite.is_valid():
                if not manage:
                    raise PermissionDenied("Only the Secretariat and the chair invite individuals.")
                services.invitation_add(
                    meeting=meeting,
                    person=invite.cleaned_data["person"],
                    role=invite.cleaned_data["role"],
                    actor=request.user,
                )
                messages.success(request, f"{invite.cleaned_data['person']} invited.")
                return _back(meeting, "participants")
            if which == "delegation" and delegation.is_valid():
                created = services.delegation_register(
                    meeting=meeting,
                    member_state=delegation.cleaned_data["member_state"],
                    persons=list(delegation.cleaned_data["persons"]),
                    actor=request.user,
                    on=today,
                )
                messages.success(request, f"{len(created)} member(s) of the delegation registered.")
                return _back(meeting, "participants")
        except ValidationError as exc:
            f.apply_errors(delegation if which == "delegation" else invite, exc)
            if which == "delegations":
                messages.error(request, _error_message(exc))
    invitations = list(
        Invitation.objects.filter(meeting=meeting)
        .select_related("person__organisation", "member_state", "registered_by")
        .order_by("member_state__short_name", "person__full_name")
    )
    if not manage:
        invitations = [i for i in invitations if i.member_state_id in heads_of]
    return render(
        request,
        "meetings/participants.html",
        {
            "meeting": meeting,
            "manage": manage,
            "invitations": invitations,
            "invite": invite,
            "delegation": delegation,
            "heads_of": heads_of,
        },
    )


@login_required
@require_POST
def invitation_withdraw(request, pk: int, inv_pk: int):
    meeting = _meeting(request, pk)
    inv = Invitation.objects.filter(meeting=meeting, pk=inv_pk).select_related("meeting", "person").first()
    if inv is None:
        raise Http404("No such invitation")
    try:
        services.invitation_withdraw(invitation=inv, actor=request.user, on=today_in_asean())
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, f"{inv.person} taken off the list; they are sent a cancellation.")
    return _back(meeting, "participants")


# --- The record --------------------------------------------------------------------------------------------


@login_required
def record(request, pk: int):
    """Attendance, minutes per item, decisions and action items, and the open actions from before."""
    meeting = _meeting(request, pk, manage=True)
    which = request.POST.get("_form") if request.method == "POST" else None
    items = agenda_items_for(meeting.pk)
    numbered = number_agenda(items)
    day = meeting_date(meeting)
    decision = f.DecisionForm(
        request.POST if which == "decision" else None, meeting=meeting, numbered=numbered, on=day
    )
    action = f.ActionItemForm(request.POST if which == "action" else None, meeting=meeting)
    try:
        if which == "attendance":
            invitations = Invitation.objects.filter(meeting=meeting, is_withdrawn=False).select_related(
                "person", "member_state"
            )
            entries = [
                services.AttendanceEntry(
                    person=inv.person,
                    present=f"present_{inv.person_id}" in request.POST,
                    remote=f"remote_{inv.person_id}" in request.POST,
                    member_state=inv.member_state,
                )
                for inv in invitations
            ]
            services.attendance_record(meeting=meeting, entries=entries)
            messages.success(request, "Attendance saved.")
            return _back(meeting, "record")
        if which == "minutes":
            item = _item(meeting, int(request.POST.get("item", "0") or 0))
            services.agenda_item_record_minutes(item=item, minutes=request.POST.get("minutes", ""))
            messages.success(request, "Minutes saved.")
            return redirect(reverse("meetings:record", args=[meeting.pk]) + f"#item-{item.pk}")
        if which == "decision" and decision.is_valid():
            cd = decision.cleaned_data
            services.decision_record(
                meeting=meeting,
                agenda_item=cd["agenda_item"],
                kind=cd["kind"],
                text=cd["text"],
                participating_states=list(cd["participating_states"]),
            )
            messages.success(request, "Decision recorded.")
            return _back(meeting, "record")
        if which == "action" and action.is_valid():
            services.action_item_create(meeting=meeting, **action.cleaned_data)
            messages.success(request, "Action item recorded.")
            return _back(meeting, "record")
        if which == "decision_delete":
            d = Decision.objects.filter(meeting=meeting, pk=request.POST.get("decision")).first()
            if d is None:
                raise Http404("No such decision")
            services.decision_delete(decision=d)
            messages.success(request, "Decision removed.")
            return _back(meeting, "record")
        if which == "action_update":
            a = ActionItem.objects.filter(body_id=meeting.body_id, pk=request.POST.get("action_item")).first()
            if a is None:
                raise Http404("No such action item")
            upd = f.ActionItemUpdateForm(request.POST)
            if not upd.is_valid():
                raise ValidationError({"status": "Choose a status."})
            services.action_item_update(
                action_item=a,
                status=upd.cleaned_data["status"],
                progress_note=upd.cleaned_data["progress_note"],
                at_meeting=meeting,
                now=timezone.now(),
            )
            messages.success(request, "Action item updated.")
            return _back(meeting, "record")
    except ValidationError as exc:
        if which == "decision":
            f.apply_errors(decision, exc)
        elif which == "action":
            f.apply_errors(action, exc)
        else:
            messages.error(request, _error_message(exc))
    page = meeting_page(meeting=meeting, user=request.user, on=today_in_asean())
    return render(
        request,
        "meetings/record.html",
        {
            "meeting": meeting,
            "page": page,
            "present_ids": {a.person_id for a in page.attendance if a.present},
            "remote_ids": {a.person_id for a in page.attendance if a.remote},
            "decision_form": decision,
            "action_form": action,
            "statuses": ActionItem.Status.choices,
            "open_before": page.matters_arising,
        },
    )


# --- Report ------------------------------------------------------------------------------------------------


@login_required
def report(request, pk: int):
    meeting = _meeting(request, pk, manage=True)
    rep = Report.objects.filter(meeting=meeting).select_related("pdf").first()
    which = request.POST.get("_form") if request.method == "POST" else None
    today = today_in_asean()
    adopt = f.ReportAdoptForm(
        request.POST if which == "adopt" else None,
        initial={"adoption_mode": Report.AdoptionMode.AT_MEETING, "adopted_on": meeting_date(meeting)},
    )
    submit = f.SubmitForm(request.POST if which == "submit" else None, initial={"submitted_on": today})
    try:
        if which == "generate":
            services.report_generate(meeting=meeting, now=timezone.now(), actor=request.user)
            messages.success(request, "Report generated (HTML and PDF).")
            return _back(meeting, "report")
        if which == "adopt" and adopt.is_valid() and rep is not None:
            services.report_adopt(
                report=rep, mode=adopt.cleaned_data["adoption_mode"], on=adopt.cleaned_data["adopted_on"]
            )
            messages.success(request, "Report adopted.")
            return _back(meeting, "report")
        if which == "submit" and submit.is_valid() and rep is not None:
            s = services.report_submit(report=rep, on=submit.cleaned_data["submitted_on"])
            messages.success(request, f"Report submitted to {s.to_body}.")
            return _back(meeting, "report")
    except ValidationError as exc:
        target = {"adopt": adopt, "submit": submit}.get(which)
        if target is not None:
            f.apply_errors(target, exc)
        else:
            messages.error(request, _error_message(exc))
    submissions = (
        list(
            Submission.objects.filter(report=rep)
            .select_related("from_body", "to_body", "considered_at", "parent")
            .order_by("submitted_on", "id")
        )
        if rep
        else []
    )
    return render(
        request,
        "meetings/report_manage.html",
        {"meeting": meeting, "report": rep, "adopt": adopt, "submit": submit, "submissions": submissions},
    )


@login_required
def report_view(request, pk: int):
    """The report as generated: for the meeting's body and for the bodies it was submitted to."""
    rep = Report.objects.select_related("meeting").filter(meeting_id=pk).exclude(html="").first()
    if rep is None or not report_visible(request.user, rep):
        raise Http404("No such report")
    response = HttpResponse(rep.html)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _submission(request, pk: int) -> Submission:
    """Seen by the sending body's members and by the members of the body it went to."""
    s = Submission.objects.select_related("report__meeting", "from_body", "to_body").filter(pk=pk).first()
    if s is None or not submission_visible(request.user, s):
        raise Http404("No such submission")
    return s


@login_required
def submission(request, pk: int):
    """The receiving body's side: record what it made of the report, and carry it further up."""
    s = _submission(request, pk)
    manage = can_manage(request.user, s.to_body_id)
    which = request.POST.get("_form") if request.method == "POST" else None
    if which and not manage:
        raise PermissionDenied(f"Only the Secretariat and the chair of {s.to_body} record its outcome.")
    outcome = f.OutcomeForm(
        request.POST if which == "outcome" else None,
        body=s.to_body,
        initial={
            "status": s.status if s.status != Submission.Status.SUBMITTED else Submission.Status.NOTED,
            "outcome_on": s.outcome_on or today_in_asean(),
            "outcome": s.outcome,
        },
    )
    forward = f.SubmitForm(
        request.POST if which == "forward" else None, initial={"submitted_on": today_in_asean()}
    )
    try:
        if which == "outcome" and outcome.is_valid():
            services.submission_record_outcome(submission=s, **outcome.cleaned_data)
            messages.success(request, "Outcome recorded.")
            return redirect("meetings:submission", pk=s.pk)
        if which == "forward" and forward.is_valid():
            nxt = services.submission_forward(submission=s, on=forward.cleaned_data["submitted_on"])
            messages.success(request, f"Forwarded to {nxt.to_body}.")
            return redirect("meetings:submission", pk=nxt.pk)
    except ValidationError as exc:
        f.apply_errors(outcome if which == "outcome" else forward, exc)
    chain = list(
        Submission.objects.filter(report=s.report)
        .select_related("from_body", "to_body", "considered_at")
        .order_by("submitted_on", "id")
    )
    return render(
        request,
        "meetings/submission.html",
        {"s": s, "manage": manage, "outcome": outcome, "forward": forward, "chain": chain},
    )
