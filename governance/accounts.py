"""The account lifecycle: invite a new user by email, let them set a password through a signed link, and
deactivate them when their last membership ends.

- ``user_invite`` creates (or reactivates) the login, links it to the person and emails a set-password link
  made with Django's token generator (its own salt and a longer validity than a password reset: an
  invitation link cannot reset a password and a reset link cannot accept an invitation). The link stops
  working once used (the hash covers the password) and after ``ACCOUNT_INVITATION_DAYS``.
- ``deactivate_lapsed_accounts`` (a daily beat job) deactivates the users whose last membership has ended
  and who hold no other reason to stay registered in ``governance.account_registry`` (a chair term);
  deactivation withdraws every right and revokes the person's calendar feed token and every RSVP link sent
  to them (``user_save`` does it whenever the active flag changes, so deactivating a user in the admin does
  the same).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from governance.account_registry import ACTIVE_REASONS, SECRET_REVOKERS
from governance.audit import audit
from governance.models import AccountNotice, Membership, MemberState, Organisation, Person
from governance.permissions import SECRETARIAT_GROUP, ensure_secretariat_group, today_in_asean
from governance.rights import stored_values, sync_user_rights
from governance.services import person_save
from outbox.keys import message_key, object_ref, recipient_ref
from outbox.models import Message
from outbox.planning import message_save
from outbox.sending import send_batch

User = get_user_model()


def person_of(user) -> Person | None:
    """The signed-in user's person record with its member state: loaded with the user on each request
    (``governance.backends.UserBackend``), else read once and kept on the user object (as
    ``governance.permissions`` keeps the rights)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_person_row"):
        user._person_row = Person.objects.filter(user=user).select_related("member_state").first()
    return user._person_row


def invitation_days() -> int:
    return int(getattr(settings, "ACCOUNT_INVITATION_DAYS", 14))


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token, salted for invitations and valid for ``ACCOUNT_INVITATION_DAYS``."""

    key_salt = "governance.accounts.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - ts > invitation_days() * 86400:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_token_generator = InvitationTokenGenerator()


def invitation_link(user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    return settings.SITE_URL + reverse("account_welcome", args=[uidb64, token])


def _username_for(email: str) -> str:
    base = re.sub(r"[^a-z0-9.@+_-]", "", email.split("@")[0].lower())[:120] or "user"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


ACCOUNT_KIND = "account"


def _invitation_plan(*, user, person: Person, invited_by: str) -> None:
    """Write the invitation to the outbox with the account (one transaction: no account without its
    message, no message without its account), and send it from here once that commits. The set-password
    link is made when the message is built (``governance.account_messages``); should the mail server be
    down, the outbox retries it."""
    now = timezone.now()
    key = message_key(
        ACCOUNT_KIND,
        object_ref("user", user.pk),
        recipient_ref(person_id=person.pk),
        f"invite-{now:%Y%m%dT%H%M%S%f}",
    )
    message = Message(key=key, kind=ACCOUNT_KIND, recipient=user.email, due_at=now)
    message_save(message, AccountNotice(user=user, invited_by=invited_by))
    transaction.on_commit(lambda: send_batch([message.pk]))


@transaction.atomic
def user_invite(
    *,
    email: str,
    full_name: str = "",
    member_state: MemberState | None = None,
    organisation: Organisation | None = None,
    person: Person | None = None,
    secretariat: bool = False,
    invited_by=None,
) -> User:
    """Create or reactivate the login for ``email``, link it to its person (given, found by email, or
    created) and email a set-password link after the transaction commits. Inviting someone who already has
    an account sends a fresh link (a lost invitation is resent this way)."""
    email = User.objects.normalize_email(email.strip())
    if not email or "@" not in email:
        raise ValidationError({"email": "An email address is needed to send the invitation."})
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if person is None:
        person = (Person.objects.filter(user=user).first() if user else None) or Person.objects.filter(
            email__iexact=email, user__isnull=True
        ).order_by("pk").first()
    if person is not None and person.user_id and (user is None or person.user_id != user.pk):
        raise ValidationError({"email": f"{person} already has another login ({person.user})."})
    if (
        person is not None
        and user is not None
        and Person.objects.filter(user=user).exclude(pk=person.pk).exists()
    ):
        raise ValidationError({"email": f"{email} already belongs to another person's login."})
    full_name = full_name.strip() or (person.full_name if person else "")
    if not full_name:
        raise ValidationError({"full_name": "Give the person's name."})
    created = user is None
    if created:
        first, _, last = full_name.partition(" ")
        user = User(username=_username_for(email), email=email, first_name=first[:150], last_name=last[:150])
        user.set_unusable_password()
        user.save()
    elif not user.is_active:
        user.is_active = True
        user_save(user=user, update_fields=["is_active"])  # restores their rights
    if person is None:
        person = Person(
            full_name=full_name, email=email, member_state=member_state, organisation=organisation
        )
    person.user = user
    person.email = person.email or email
    person_save(person=person)  # linking the person syncs the user's rights
    if secretariat:
        user.groups.add(ensure_secretariat_group())
        if not user.is_staff:
            user.is_staff = True  # the Secretariat works in the admin too
            user.save(update_fields=["is_staff"])
    by = invited_by.get_username() if invited_by is not None else "the ACCMSME Secretariat"
    audit(
        action="account",
        obj=user,
        actor=invited_by,
        summary=f"{'Invited' if created else 'Sent a new invitation link to'} {user.get_username()} <{email}>"
        f"{' as Secretariat' if secretariat else ''}",
        data={"email": email, "person": person.pk, "created": created},
    )
    _invitation_plan(user=user, person=person, invited_by=by)
    return user


# --- Deactivation --------------------------------------------------------------------------------------


def revoke_account_secrets(user) -> None:
    """Revoke the secrets that work without a login: the calendar feed token here, and those the apps
    above registered (every RSVP link)."""
    Person.objects.filter(user=user).update(feed_token=None, feed_token_created_at=None)
    for revoke in SECRET_REVOKERS:
        revoke(user)


@transaction.atomic
def user_save(*, user, update_fields: list[str] | None = None) -> None:
    """Store a login; when its active flag changed, bring its rights in line (an inactive user holds none)
    and, on deactivation, revoke the secrets that work without a login."""
    before = stored_values(user, ("is_active",))
    user.save(update_fields=update_fields)
    if before is None or before["is_active"] == user.is_active:
        return
    sync_user_rights(user)
    if not user.is_active:
        revoke_account_secrets(user)


def user_deactivate(user, *, reason: str, actor=None) -> None:
    """Deactivate a login: rights are withdrawn and secrets revoked (``user_save``)."""
    if not user.is_active:
        return
    user.is_active = False
    user_save(user=user, update_fields=["is_active"])
    audit(action="account", obj=user, actor=actor, summary=f"Deactivated {user.get_username()}: {reason}")


def lapsed_users(*, on: dt.date) -> QuerySet:
    """Active users whose person had memberships and has none current or to come on ``on``, and who are
    hold nothing else that keeps a login (a registered reason: a chair term still running or to come). The
    Secretariat and superusers are never lapsed: their rights do not come from memberships."""
    live_membership = Membership.objects.filter(person__user=OuterRef("pk")).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    users = (
        User.objects.filter(is_active=True, is_superuser=False, person__memberships__isnull=False)
        .exclude(groups__name=SECRETARIAT_GROUP)
        .exclude(Exists(live_membership))
    )
    for reason in ACTIVE_REASONS:
        users = users.exclude(Exists(reason(on)))
    return users.distinct()


def deactivate_lapsed_accounts(*, on: dt.date | None = None, dry_run: bool = False) -> list[str]:
    """The daily job. Returns the usernames deactivated (or that would be, with ``dry_run``)."""
    on = on or today_in_asean()
    done = []
    for user in lapsed_users(on=on).select_related("person"):
        done.append(user.get_username())
        if not dry_run:
            with transaction.atomic():
                user_deactivate(user, reason=f"their last membership ended before {on:%d %b %Y}")
    return done
