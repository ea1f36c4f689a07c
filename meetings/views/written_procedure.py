"""Pages of written procedures: the list, opening one (the Secretariat or the body's chair), a procedure with
every state's answer, and answering it for a state. Thin: the rules are in
``meetings.services.written_procedure``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance.input_rules import InputRulesMixin
from governance.models import Body, MemberState
from governance.permissions import MANAGE, body_ids_with, can_manage_body, is_secretariat
from meetings.models import Document, ProcedureAnswer, WrittenProcedure
from meetings.selectors.procedures import procedure_page, procedures_visible
from meetings.services import written_procedure as wp


class OpenForm(InputRulesMixin, forms.Form):
    body = forms.ModelChoiceField(queryset=Body.objects.none())
    title = forms.CharField(max_length=300)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label="Proposal")
    papers = forms.ModelMultipleChoiceField(queryset=Document.objects.none(), required=False)
    deadline = forms.DateTimeField(
        help_text="In the body's own time zone (Jakarta unless the body says otherwise).",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    rule = forms.ChoiceField(choices=WrittenProcedure.Rule.choices)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = body_ids_with(user, MANAGE)
        bodies = Body.objects.order_by("acronym")
        self.fields["body"].queryset = bodies if ids is None else bodies.filter(pk__in=ids)
        docs = Document.objects.order_by("-pk")
        self.fields["papers"].queryset = docs if ids is None else docs.filter(body_id__in=ids)


class AnswerForm(InputRulesMixin, forms.Form):
    member_state = forms.ModelChoiceField(queryset=MemberState.objects.none(), label="For")
    answer = forms.ChoiceField(choices=ProcedureAnswer.Answer.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Required to object"
    )

    def __init__(self, *args, states, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_state"].queryset = MemberState.objects.filter(pk__in=[s.pk for s in states])


def _errors_onto(form: forms.Form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
def procedure_list(request):
    procedures = list(procedures_visible(request.user).order_by("-opened_at", "-pk")[:200])
    may_open = is_secretariat(request.user) or bool(body_ids_with(request.user, MANAGE))
    return render(request, "meetings/procedures.html", {"procedures": procedures, "may_open": may_open})


@login_required
def procedure_new(request):
    form = OpenForm(request.POST or None, user=request.user, initial={"body": request.GET.get("body")})
    if not form.fields["body"].queryset.exists():
        raise PermissionDenied("Only the Secretariat and a body's chair open a written procedure.")
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        if not can_manage_body(request.user, body):
            raise PermissionDenied("Only the Secretariat and the body's chair open a written procedure.")
        deadline = form.cleaned_data["deadline"]
        try:
            procedure = wp.written_procedure_open(
                body=body,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                rule=form.cleaned_data["rule"],
                deadline=deadline.replace(tzinfo=None) if isinstance(deadline, dt.datetime) else deadline,
                papers=list(form.cleaned_data["papers"]),
                actor=request.user,
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, f"Written procedure opened: {procedure.title}.")
            return redirect("meetings:procedure", pk=procedure.pk)
    return render(request, "meetings/procedure_new.html", {"form": form}, status=400 if form.errors else 200)


def _page_or_404(request, pk: int):
    page = procedure_page(user=request.user, pk=pk)
    if page is None:
        raise Http404("No such written procedure")
    return page


def _answer_states(request, procedure: WrittenProcedure) -> list[MemberState]:
    person = getattr(request.user, "person", None)
    if person is None or procedure.status != WrittenProcedure.Status.OPEN:
        return []
    today = wp.local_today(procedure)
    return wp.answerable_states(procedure=procedure, person=person, on=today)


@login_required
def procedure_detail(request, pk: int):
    page = _page_or_404(request, pk)
    states = _answer_states(request, page.procedure)
    answered = {r.state.pk for r in page.rows if r.answer}
    open_states = [s for s in states if s.pk not in answered]
    form = AnswerForm(states=open_states) if open_states else None
    return _render_detail(request, page, form)


class WithdrawForm(InputRulesMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Reason for withdrawing")


def _render_detail(request, page, form, status: int = 200, withdraw_form: WithdrawForm | None = None):
    p = page.procedure
    may_withdraw = p.status == WrittenProcedure.Status.OPEN and can_manage_body(request.user, p.body_id)
    return render(
        request,
        "meetings/procedure.html",
        {
            "page": page,
            "p": p,
            "form": form,
            "deadline": wp.fmt_moment(p.deadline, p.timezone),
            "withdraw_form": (withdraw_form or WithdrawForm()) if may_withdraw else None,
        },
        status=status,
    )


@login_required
@require_POST
def procedure_withdraw(request, pk: int):
    """The Secretariat or the body's chair withdraws an open procedure, with a reason (audited; the
    delegations are told through the outbox)."""
    page = _page_or_404(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            wp.procedure_withdraw(
                procedure=page.procedure, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, "The procedure is withdrawn; the delegations are told.")
            return redirect("meetings:procedure", pk=pk)
    return _render_detail(request, _page_or_404(request, pk), None, status=400, withdraw_form=form)


@login_required
@require_POST
def procedure_answer(request, pk: int):
    page = _page_or_404(request, pk)
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied("Only a head of delegation or an alternate answers.")
    # Every state of the procedure is offered to the form, so the service names the exact refusal
    # (not a member then, not your delegation, already answered, too late).
    form = AnswerForm(request.POST, states=[r.state for r in page.rows] + list(MemberState.objects.all()))
    if form.is_valid():
        try:
            wp.procedure_answer(
                procedure=page.procedure,
                person=person,
                member_state=form.cleaned_data["member_state"],
                answer=form.cleaned_data["answer"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, "Your answer is recorded.")
            return redirect("meetings:procedure", pk=pk)
    return _render_detail(request, page, form, status=400)
