"""The account invitation, built when it is sent: the set-password link is made then, so it is valid for
``ACCOUNT_INVITATION_DAYS`` from the moment it leaves (registered with the outbox by
``GovernanceConfig.ready``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from governance.accounts import ACCOUNT_KIND, invitation_days, invitation_link
from governance.models import AccountNotice
from governance.permissions import is_secretariat, register_secretariat_app
from outbox.models import Message
from outbox.registry import About, KindSpec, Withheld, register_kind, register_page_reader
from outbox.sending import SendContext


def build(message: Message, ctx: SendContext) -> EmailMultiAlternatives | Withheld:
    notice = AccountNotice.objects.select_related("user").filter(pk=message.pk).first()
    if notice is None:
        return Withheld(Message.Status.CANCELLED, "account deleted")
    user = notice.user
    if not user.is_active:
        return Withheld(Message.Status.CANCELLED, "account deactivated")
    context = {
        "user": user,
        "link": invitation_link(user),
        "days": invitation_days(),
        "invited_by": notice.invited_by,
        "site_url": settings.SITE_URL,
    }
    return EmailMultiAlternatives(
        subject="Your ACCMSME Governance account",
        body=render_to_string("registration/invitation_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    )


def describe(messages: list[Message]) -> dict[int, About]:
    notices = AccountNotice.objects.filter(pk__in=[m.pk for m in messages]).select_related("user")
    return {n.pk: About(title=f"Account of {n.user.get_username()}") for n in notices}


def register() -> None:
    register_kind(
        KindSpec(
            kind=ACCOUNT_KIND,
            label="Account",
            build=build,
            describe=describe,
            late_policy="send",
            check_late_at_send=True,
        )
    )
    # The Outbox page and the messages in the admin are the Secretariat's.
    register_page_reader(is_secretariat)
    register_secretariat_app("outbox")
