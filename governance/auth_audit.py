"""Account events in the audit trail: logins, failed logins, lockouts, log-outs, and every change of a
password (set from an invitation, reset by mail, changed by its owner, set by the Secretariat), each
with the client address. Receivers of Django's and django-axes' signals, connected from
``GovernanceConfig.ready()``: the views that cause them stay as Django ships them."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from governance.audit import audit, current_actor

User = get_user_model()


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    audit(action="login", obj=user, actor=user, summary=f"{user.get_username()} logged in", request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit(
            action="logout",
            obj=user,
            actor=user,
            summary=f"{user.get_username()} logged out",
            request=request,
        )


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", ""))[:150]
    user = User.objects.filter(username=username).first() if username else None
    audit(
        action="login_failed",
        obj=user,
        actor=None,
        summary=f"Failed log-in as {username or '(no name)'}",
        data={"username": username},
        request=request,
    )


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    user = User.objects.filter(username=username).first() if username else None
    audit(
        action="lockout",
        obj=user,
        actor=None,
        summary=f"Log-in locked for {username or '(no name)'} from {ip_address or 'unknown address'}",
        data={"username": username or "", "ip": ip_address or ""},
        request=request,
    )


@receiver(pre_save, sender=User, dispatch_uid="audit_password_seen")
def _password_before(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._audit_password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=User, dispatch_uid="audit_password_changed")
def _password_after(sender, instance, created, **kwargs) -> None:
    if created or not getattr(instance, "_audit_password_changed", False):
        return
    instance._audit_password_changed = False
    actor = current_actor()
    if actor is None or actor.pk == instance.pk:
        # By its owner, logged in or through a reset or invitation link (nobody is logged in then).
        summary, actor = f"{instance.get_username()} set a new password", instance
    else:
        summary = f"{actor.get_username()} set the password of {instance.get_username()}"
    audit(action="password", obj=instance, actor=actor, summary=summary)
