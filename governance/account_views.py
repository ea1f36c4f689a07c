"""Pages of the account lifecycle: the Secretariat invites a person; the invitee sets a password."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from governance.accounts import invitation_token_generator, user_invite
from governance.audit import audit
from governance.input_rules import InputRulesMixin
from governance.models import MemberState, Organisation
from governance.permissions import is_secretariat


class InviteForm(InputRulesMixin, forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=200)
    member_state = forms.ModelChoiceField(MemberState.objects.all(), required=False)
    organisation = forms.ModelChoiceField(Organisation.objects.all(), required=False)
    secretariat = forms.BooleanField(required=False, label="Secretariat officer (may do everything)")

    def clean(self):
        data = super().clean()
        if data.get("member_state") and data.get("organisation"):
            raise ValidationError("A person represents a member state or an organisation, not both.")
        return data


@login_required
def invite(request):
    if not is_secretariat(request.user):
        raise PermissionDenied("Only the Secretariat invites new users.")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_invite(invited_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Invitation sent to {user.email} (login {user.get_username()}).")
            return redirect("account_invite")
    return render(request, "registration/invite_form.html", {"form": form})


class WelcomeSetPasswordView(auth_views.PasswordResetConfirmView):
    """The invitation link: choose a password (the validators apply) and be logged in."""

    token_generator = invitation_token_generator
    template_name = "registration/welcome_set_password.html"
    post_reset_login = True
    post_reset_login_backend = "governance.backends.UserBackend"
    success_url = reverse_lazy("meetings:dashboard")
    reset_url_token = "set-password"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Welcome to ACCMSME Governance.")
        return response


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer once a login is locked: a page that says so plainly (429), not a bare string."""
    from axes.helpers import get_client_username, get_cool_off

    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    context = {"username": get_client_username(request, credentials) or "", "minutes": minutes}
    return render(request, "registration/locked.html", context, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, with each wrong current password in the audit trail: five in 15 minutes and the form
    refuses (``governance.middleware.AccountThrottleMiddleware``), so a stolen session cannot guess it."""

    def form_invalid(self, form):
        if form.has_error("old_password"):
            audit(
                action="password_change_failed",
                obj=self.request.user,
                summary=f"{self.request.user.get_username()}: wrong current password on the change form",
                request=self.request,
            )
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with each request in the audit trail (by address; never saying whether the address is
    known): five an hour from one address and the form refuses."""

    def form_valid(self, form):
        audit(
            action="password_reset_requested",
            obj=None,
            summary="Password reset requested",
            data={"email": form.cleaned_data.get("email", "")[:254]},
            request=self.request,
        )
        return super().form_valid(form)
