"""The account lifecycle: invitation by email with a set-password link, password reset, and deactivation
when a person's last membership ends."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from freezegun import freeze_time

from governance import accounts
from governance import permissions as P
from governance.models import AuditEvent, Membership, Person
from tests.world.clock import DAY
from tests.world.people import seat

pytestmark = pytest.mark.django_db
User = get_user_model()
STRONG = "Kopi-tiam-1967-Bangkok"


def link_in(message) -> str:
    assert "http://" in message.body or "https://" in message.body  # an absolute link, from SITE_URL
    return re.search(r"/accounts/welcome/[^/\s]+/[^/\s]+/", message.body).group(0)


def invite(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return accounts.user_invite(**kwargs)


# --- Invitation ------------------------------------------------------------------------------------


def test_inviting_a_known_person_links_their_login_and_emails_a_working_link(
    roles, client, django_capture_on_commit_callbacks
):
    person = Person.objects.create(full_name="Lan Nguyen", email="lan@example.gov", member_state=roles.th)
    seat(person, roles.accmsme, roles.th)
    user = invite(django_capture_on_commit_callbacks, email="Lan@Example.gov", invited_by=roles.secretariat)

    person.refresh_from_db()
    assert person.user == user and user.is_active and not user.has_usable_password()
    assert P.has_body_right(user, P.VIEW, roles.accmsme)  # rights from the membership, at once
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert "secretariat" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="account", object_id=user.pk, actor=roles.secretariat).exists()

    url = link_in(mail.outbox[0])
    r = client.get(url)
    assert r.status_code == 302  # Django swaps the token for a session marker
    form_url = r["Location"]
    r = client.post(form_url, {"new_password1": "password123", "new_password2": "password123"})
    assert r.status_code == 200 and "too common" in r.content.decode()  # the validators apply
    r = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert client.get("/").status_code == 200  # logged in
    client.logout()
    r = client.get(url, follow=True)  # a used link no longer works
    assert "no longer valid" in r.content.decode()


def test_an_invitation_link_is_not_a_password_reset_link_and_expires(roles, client, settings):
    from django.contrib.auth.tokens import default_token_generator

    user = roles.delegate
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset_token = default_token_generator.make_token(user)
    r = client.get(f"/accounts/welcome/{uid}/{reset_token}/", follow=True)
    assert "no longer valid" in r.content.decode()
    invite_token = accounts.invitation_token_generator.make_token(user)
    r = client.get(f"/accounts/password/reset/{uid}/{invite_token}/", follow=True)
    assert "no longer valid" in r.content.decode()

    class Later(accounts.InvitationTokenGenerator):
        days = 0

        def _now(self):
            return super()._now() + dt.timedelta(days=self.days)

    later = Later()
    token = accounts.invitation_token_generator.make_token(user)
    later.days = settings.ACCOUNT_INVITATION_DAYS - 1
    assert later.check_token(user, token)
    later.days = settings.ACCOUNT_INVITATION_DAYS + 1
    assert not later.check_token(user, token)
    assert not accounts.invitation_token_generator.check_token(user, token[:-1] + "x")


def test_inviting_a_new_person_creates_them_and_a_unique_username(roles, django_capture_on_commit_callbacks):
    a = invite(
        django_capture_on_commit_callbacks,
        email="head@other.example",
        full_name="Another Head",
        member_state=roles.sg,
    )
    assert a.username == "head2"  # "head" is taken
    assert a.person.full_name == "Another Head" and a.person.member_state == roles.sg
    sec = invite(
        django_capture_on_commit_callbacks,
        email="officer@asean.org",
        full_name="Sec Officer",
        secretariat=True,
    )
    assert P.is_secretariat(sec) and sec.is_staff


def test_reinviting_a_deactivated_user_reactivates_them_with_a_new_link(
    roles, django_capture_on_commit_callbacks
):
    roles.delegate.is_active = False
    roles.delegate.save()
    assert not P.has_body_right(User.objects.get(pk=roles.delegate.pk), P.VIEW, roles.accmsme)
    user = invite(django_capture_on_commit_callbacks, email=roles.delegate.email)
    assert user.pk == roles.delegate.pk and user.is_active
    assert P.has_body_right(User.objects.get(pk=user.pk), P.VIEW, roles.accmsme)
    assert len(mail.outbox) == 1


def test_an_invitation_refuses_a_person_who_has_another_login(roles):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        accounts.user_invite(email="someone-else@example.org", person=roles.delegate.person)
    with pytest.raises(ValidationError):
        accounts.user_invite(email="no-name@example.org")  # a new person needs a name


def test_the_invite_page_is_for_the_secretariat(roles, client, django_capture_on_commit_callbacks):
    assert client.get("/accounts/invite/").status_code == 302
    client.force_login(roles.delegate)
    assert client.get("/accounts/invite/").status_code == 403
    assert client.post("/accounts/invite/", {"email": "x@example.org", "full_name": "X"}).status_code == 403
    client.force_login(roles.secretariat)
    assert client.get("/accounts/invite/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/accounts/invite/",
            {"email": "new@example.org", "full_name": "New Person", "member_state": roles.my.pk},
        )
    assert r.status_code == 302
    assert User.objects.get(email="new@example.org").person.member_state == roles.my
    assert len(mail.outbox) == 1
    r = client.post(
        "/accounts/invite/",
        {
            "email": "x@example.org",
            "full_name": "X",
            "member_state": roles.my.pk,
            "organisation": roles.meti.pk,
        },
    )
    assert r.status_code == 200 and "not both" in r.content.decode()


def test_invite_user_command(roles):
    out = StringIO()
    call_command("invite_user", "cmd@example.org", "--name", "Cmd User", "--state", "th", stdout=out)
    assert "Invitation sent to cmd@example.org" in out.getvalue()
    assert User.objects.get(email="cmd@example.org").person.member_state == roles.th


def test_password_reset_sends_a_link_that_sets_a_new_password(roles, client):
    roles.head.set_password("old-password-abc")
    roles.head.save()
    r = client.post("/accounts/password/reset/", {"email": roles.head.email})
    assert r.status_code == 302 and len(mail.outbox) == 1
    path = re.search(r"/accounts/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(path)["Location"]
    r = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert r.status_code == 302
    roles.head.refresh_from_db()
    assert roles.head.check_password(STRONG)


# --- Deactivation ----------------------------------------------------------------------------------

ON = DAY


def test_users_whose_last_membership_ended_are_deactivated_and_lose_everything(roles):
    Membership.objects.filter(person=roles.delegate.person).update(end_date=ON - dt.timedelta(days=1))
    Membership.objects.filter(person=roles.head.person).update(end_date=ON)  # still their last day
    person = roles.delegate.person
    person.feed_token = "secret-feed-token"
    person.save()
    version = roles.inv_delegate.link_version

    assert set(accounts.lapsed_users(on=ON).values_list("username", flat=True)) == {"delegate"}
    assert accounts.deactivate_lapsed_accounts(on=ON, dry_run=True) == ["delegate"]
    assert User.objects.get(pk=roles.delegate.pk).is_active
    assert accounts.deactivate_lapsed_accounts(on=ON) == ["delegate"]

    user = User.objects.get(pk=roles.delegate.pk)
    assert not user.is_active
    assert not user.bodyuserobjectpermission_set.exists()
    assert not user.meetinguserobjectpermission_set.exists()
    person.refresh_from_db()
    assert person.feed_token is None
    roles.inv_delegate.refresh_from_db()
    assert roles.inv_delegate.link_version == version + 1
    assert AuditEvent.objects.filter(
        action="account", object_id=user.pk, summary__startswith="Deactivated"
    ).exists()
    assert accounts.deactivate_lapsed_accounts(on=ON) == []  # nothing twice


def test_who_is_never_deactivated(roles, make_user):
    # A future membership, a running chair term, the Secretariat, no membership ever: all stay active.
    Membership.objects.filter(person=roles.delegate.person).update(end_date=ON - dt.timedelta(days=1))
    seat(roles.delegate.person, roles.aem, roles.id, start=ON + dt.timedelta(days=30))
    Membership.objects.filter(person=roles.chair.person).update(end_date=dt.date(2001, 1, 1))
    roles.term.chair_person = roles.chair.person
    roles.term.save()
    seat(
        roles.secretariat.person,
        roles.accmsme,
        role=Membership.Role.SECRETARIAT,
        organisation=roles.asec,
        end=dt.date(2001, 1, 1),
    )
    make_user("never-a-member")
    assert accounts.deactivate_lapsed_accounts(on=ON) == []


def test_a_deactivated_users_session_stops_working(roles, client):
    client.force_login(roles.delegate)
    assert client.get(f"/meetings/{roles.m_acc.pk}/").status_code == 200
    accounts.user_deactivate(roles.delegate, reason="test")
    r = client.get(f"/meetings/{roles.m_acc.pk}/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_deactivate_command_and_task(roles):
    from governance import tasks

    Membership.objects.filter(person=roles.delegate.person).update(end_date=ON - dt.timedelta(days=1))
    out = StringIO()
    call_command("deactivate_accounts", "--on", ON.isoformat(), "--dry-run", stdout=out)
    assert "Would deactivate 1 account(s): delegate" in out.getvalue()
    with freeze_time(ON):  # 07:00 in Jakarta: the task deactivates as on ON
        assert tasks.accounts_deactivate_lapsed.apply().get() == ["delegate"]
