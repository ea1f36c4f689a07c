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

from governance import accounts
from governance import permissions as P
from governance.models import AuditEvent, Membership, Person
from tests.permission_world import SINCE, build_world

pytestmark = pytest.mark.django_db
User = get_user_model()
STRONG = "Kopi-tiam-1967-Bangkok"


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_world()


def link_in(message) -> str:
    assert "http://" in message.body or "https://" in message.body  # an absolute link, from SITE_URL
    return re.search(r"/accounts/welcome/[^/\s]+/[^/\s]+/", message.body).group(0)


def invite(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return accounts.user_invite(**kwargs)


# --- Invitation ------------------------------------------------------------------------------------


def test_inviting_a_known_person_links_their_login_and_emails_a_working_link(
    w, client, django_capture_on_commit_callbacks
):
    person = Person.objects.create(full_name="Lan Nguyen", email="lan@example.gov", member_state=w.th)
    Membership.objects.create(
        person=person, body=w.accmsme, member_state=w.th, role="delegate", start_date=SINCE
    )
    user = invite(django_capture_on_commit_callbacks, email="Lan@Example.gov", invited_by=w.secretariat)

    person.refresh_from_db()
    assert person.user == user and user.is_active and not user.has_usable_password()
    assert P.has_body_right(user, P.VIEW, w.accmsme)  # rights from the membership, at once
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert "secretariat" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="account", object_id=user.pk, actor=w.secretariat).exists()

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


def test_an_invitation_link_is_not_a_password_reset_link_and_expires(w, client, settings):
    from django.contrib.auth.tokens import default_token_generator

    user = w.delegate
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


def test_inviting_a_new_person_creates_them_and_a_unique_username(w, django_capture_on_commit_callbacks):
    a = invite(
        django_capture_on_commit_callbacks,
        email="head@other.example",
        full_name="Another Head",
        member_state=w.sg,
    )
    assert a.username == "head2"  # "head" is taken
    assert a.person.full_name == "Another Head" and a.person.member_state == w.sg
    sec = invite(
        django_capture_on_commit_callbacks,
        email="officer@asean.org",
        full_name="Sec Officer",
        secretariat=True,
    )
    assert P.is_secretariat(sec) and sec.is_staff


def test_reinviting_a_deactivated_user_reactivates_them_with_a_new_link(
    w, django_capture_on_commit_callbacks
):
    w.delegate.is_active = False
    w.delegate.save()
    assert not P.has_body_right(User.objects.get(pk=w.delegate.pk), P.VIEW, w.accmsme)
    user = invite(django_capture_on_commit_callbacks, email=w.delegate.email)
    assert user.pk == w.delegate.pk and user.is_active
    assert P.has_body_right(User.objects.get(pk=user.pk), P.VIEW, w.accmsme)
    assert len(mail.outbox) == 1


def test_an_invitation_refuses_a_person_who_has_another_login(w):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        accounts.user_invite(email="someone-else@example.org", person=w.delegate.person)
    with pytest.raises(ValidationError):
        accounts.user_invite(email="no-name@example.org")  # a new person needs a name


def test_the_invite_page_is_for_the_secretariat(w, client, django_capture_on_commit_callbacks):
    assert client.get("/accounts/invite/").status_code == 302
    client.force_login(w.delegate)
    assert client.get("/accounts/invite/").status_code == 403
    assert client.post("/accounts/invite/", {"email": "x@example.org", "full_name": "X"}).status_code == 403
    client.force_login(w.secretariat)
    assert client.get("/accounts/invite/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/accounts/invite/",
            {"email": "new@example.org", "full_name": "New Person", "member_state": w.my.pk},
        )
    assert r.status_code == 302
    assert User.objects.get(email="new@example.org").person.member_state == w.my
    assert len(mail.outbox) == 1
    r = client.post(
        "/accounts/invite/",
        {"email": "x@example.org", "full_name": "X", "member_state": w.my.pk, "organisation": w.meti.pk},
    )
    assert r.status_code == 200 and "not both" in r.content.decode()


def test_invite_user_command(w):
    out = StringIO()
    call_command("invite_user", "cmd@example.org", "--name", "Cmd User", "--state", "th", stdout=out)
    assert "Invitation sent to cmd@example.org" in out.getvalue()
    assert User.objects.get(email="cmd@example.org").person.member_state == w.th


def test_password_reset_sends_a_link_that_sets_a_new_password(w, client):
    w.head.set_password("old-password-abc")
    w.head.save()
    r = client.post("/accounts/password/reset/", {"email": w.head.email})
    assert r.status_code == 302 and len(mail.outbox) == 1
    path = re.search(r"/accounts/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(path)["Location"]
    r = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert r.status_code == 302
    w.head.refresh_from_db()
    assert w.head.check_password(STRONG)


# --- Deactivation ----------------------------------------------------------------------------------

ON = dt.date(2026, 3, 2)


def test_users_whose_last_membership_ended_are_deactivated_and_lose_everything(w):
    Membership.objects.filter(person=w.delegate.person).update(end_date=ON - dt.timedelta(days=1))
    Membership.objects.filter(person=w.head.person).update(end_date=ON)  # still their last day
    person = w.delegate.person
    person.feed_token = "secret-feed-token"
    person.save()
    version = w.inv_delegate.link_version

    assert set(accounts.lapsed_users(on=ON).values_list("username", flat=True)) == {"delegate"}
    assert accounts.deactivate_lapsed_accounts(on=ON, dry_run=True) == ["delegate"]
    assert User.objects.get(pk=w.delegate.pk).is_active
    assert accounts.deactivate_lapsed_accounts(on=ON) == ["delegate"]

    user = User.objects.get(pk=w.delegate.pk)
    assert not user.is_active
    assert not user.bodyuserobjectpermission_set.exists()
    assert not user.meetinguserobjectpermission_set.exists()
    person.refresh_from_db()
    assert person.feed_token is None
    w.inv_delegate.refresh_from_db()
    assert w.inv_delegate.link_version == version + 1
    assert AuditEvent.objects.filter(
        action="account", object_id=user.pk, summary__startswith="Deactivated"
    ).exists()
    assert accounts.deactivate_lapsed_accounts(on=ON) == []  # nothing twice


def test_who_is_never_deactivated(w, make_user):
    # A future membership, a running chair term, the Secretariat, no membership ever: all stay active.
    Membership.objects.filter(person=w.delegate.person).update(end_date=ON - dt.timedelta(days=1))
    Membership.objects.create(
        person=w.delegate.person,
        body=w.aem,
        member_state=w.id,
        role="delegate",
        start_date=ON + dt.timedelta(days=30),
    )
    Membership.objects.filter(person=w.chair.person).update(end_date=dt.date(2001, 1, 1))
    w.term.chair_person = w.chair.person
    w.term.save()
    Membership.objects.create(
        person=w.secretariat.person,
        body=w.accmsme,
        organisation=w.asec,
        role="secretariat",
        start_date=SINCE,
        end_date=dt.date(2001, 1, 1),
    )
    make_user("never-a-member")
    assert accounts.deactivate_lapsed_accounts(on=ON) == []


def test_a_deactivated_users_session_stops_working(w, client):
    client.force_login(w.delegate)
    assert client.get(f"/meetings/{w.m_acc.pk}/").status_code == 200
    accounts.user_deactivate(w.delegate, reason="test")
    r = client.get(f"/meetings/{w.m_acc.pk}/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_deactivate_command_and_task(w):
    from governance import tasks

    Membership.objects.filter(person=w.delegate.person).update(end_date=ON - dt.timedelta(days=1))
    out = StringIO()
    call_command("deactivate_accounts", "--on", ON.isoformat(), "--dry-run", stdout=out)
    assert "Would deactivate 1 account(s): delegate" in out.getvalue()
    assert tasks.accounts_deactivate_lapsed.apply(kwargs={"on": ON.isoformat()}).get() == ["delegate"]
