"""Keep object rights in step with what they derive from. Every change funnels into ``sync_user_rights`` (or
``sync_meeting_rights`` for an invitation) for the people it touches, inside the same transaction: if the
change is rolled back, so is the right.

Covered: Membership and ChairTerm created, changed (also when it moves to another person, body or state)
or deleted; Handover saved; Invitation saved or deleted; a Person linked to another user or deleted; a user
deactivated or reactivated (deactivation also revokes their feed token and RSVP links); Secretariat group
changes (audited, request cache dropped). Not covered, because Django sends no signal: ``QuerySet.update()``
and ``bulk_create`` — callers then call the sync themselves (``sync_meeting_rights(meeting)`` after a bulk
invitation, ``sync_rights_for_person_ids`` after a bulk membership change); the hourly and daily jobs catch
anything missed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from governance.models import Membership, Person
from governance.permissions import (
    SECRETARIAT_GROUP,
    forget_cached_rights,
    sync_meeting_rights,
    sync_rights_for_person_ids,
    sync_user_rights,
)

User = get_user_model()


def _resync_people(person_ids: set[int]) -> None:
    ids = {p for p in person_ids if p}
    if ids:
        sync_rights_for_person_ids(ids)


def _remember(instance, fields: tuple[str, ...]) -> None:
    """Keep the stored values of ``fields`` on the instance, so post_save can resync who it moved away from."""
    old = None
    if instance.pk is not None:
        old = type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()
    instance._rights_old = old


# --- Memberships ---------------------------------------------------------------------------------------


@receiver(pre_save, sender=Membership)
def membership_before(sender, instance: Membership, **kwargs) -> None:
    _remember(instance, ("person_id",))


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    old = getattr(instance, "_rights_old", None) or {}
    _resync_people({instance.person_id, old.get("person_id")})


# --- Chair terms and handovers -------------------------------------------------------------------------


def chair_term_people(term, *, body_id: int | None = None, state_id: int | None = None) -> set[int]:
    """The people a term gives chair rights to: its chair person and the chairing state's heads on the body
    (every head ever recorded, so a head whose membership just ended is resynced too)."""
    people = {term.chair_person_id}
    people.update(
        Membership.objects.filter(
            body_id=body_id or term.body_id,
            member_state_id=state_id or term.member_state_id,
            role=Membership.Role.HEAD_OF_DELEGATION,
        ).values_list("person_id", flat=True)
    )
    return people


def term_before(sender, instance, **kwargs) -> None:
    _remember(instance, ("body_id", "member_state_id", "chair_person_id"))


def term_changed(sender, instance, **kwargs) -> None:
    people = chair_term_people(instance)
    old = getattr(instance, "_rights_old", None)
    if old:
        people |= chair_term_people(instance, body_id=old["body_id"], state_id=old["member_state_id"])
        people.add(old["chair_person_id"])
    _resync_people(people)


def handover_changed(sender, instance, **kwargs) -> None:
    from chairmanship.models import ChairTerm

    people: set[int] = set()
    for term in ChairTerm.objects.filter(pk__in=[instance.outgoing_term_id, instance.incoming_term_id]):
        people |= chair_term_people(term)
    _resync_people(people)


def connect_chair_signals() -> None:
    """Connected from ``GovernanceConfig.ready`` (the chairmanship models load after governance's). The
    receivers are module-level functions: a signal holds its receivers weakly, so a function defined inside
    this one would be collected at once and never called."""
    from chairmanship.models import ChairTerm, Handover

    pre_save.connect(term_before, sender=ChairTerm, dispatch_uid="chairterm_rights_before")
    post_save.connect(term_changed, sender=ChairTerm, dispatch_uid="chairterm_rights")
    post_delete.connect(term_changed, sender=ChairTerm, dispatch_uid="chairterm_rights_del")
    post_save.connect(handover_changed, sender=Handover, dispatch_uid="handover_rights")


# --- Invitations: single-meeting rights ----------------------------------------------------------------


def invitation_before(sender, instance, **kwargs) -> None:
    _remember(instance, ("person_id", "meeting_id"))


def invitation_changed(sender, instance, **kwargs) -> None:
    old = getattr(instance, "_rights_old", None)
    if old and old["meeting_id"] != instance.meeting_id:
        sync_meeting_rights(old["meeting_id"], person_ids=[old["person_id"]])
    people = {instance.person_id} | ({old["person_id"]} if old else set())
    sync_meeting_rights(instance.meeting_id, person_ids=people)


def connect_invitation_signals() -> None:
    from meetings.models import Invitation

    pre_save.connect(invitation_before, sender=Invitation, dispatch_uid="invitation_rights_before")
    post_save.connect(invitation_changed, sender=Invitation, dispatch_uid="invitation_rights")
    post_delete.connect(invitation_changed, sender=Invitation, dispatch_uid="invitation_rights_del")


# --- People and users ----------------------------------------------------------------------------------


@receiver(pre_save, sender=Person)
def person_before(sender, instance: Person, **kwargs) -> None:
    _remember(instance, ("user_id",))


@receiver(post_save, sender=Person)
def person_changed(sender, instance: Person, **kwargs) -> None:
    old = getattr(instance, "_rights_old", None)
    if old is not None and old["user_id"] == instance.user_id:
        return
    # Linked to another user (or first linked): the old user loses, the new one gains.
    users = [u for u in {instance.user_id, (old or {}).get("user_id")} if u]
    for user in User.objects.filter(pk__in=users):
        sync_user_rights(user)


@receiver(post_delete, sender=Person)
def person_deleted(sender, instance: Person, **kwargs) -> None:
    if instance.user_id:
        user = User.objects.filter(pk=instance.user_id).first()
        if user is not None:
            sync_user_rights(user)


@receiver(pre_save, sender=User)
def user_before(sender, instance, update_fields=None, **kwargs) -> None:
    # A login saves last_login only: no need to look the row up.
    if update_fields is not None and "is_active" not in update_fields:
        instance._rights_old = None
        return
    _remember(instance, ("is_active",))


@receiver(post_save, sender=User)
def user_changed(sender, instance, created: bool, **kwargs) -> None:
    old = getattr(instance, "_rights_old", None)
    if created or old is None or old["is_active"] == instance.is_active:
        return
    sync_user_rights(instance)
    if not instance.is_active:
        from governance.accounts import revoke_account_secrets

        revoke_account_secrets(instance)


@receiver(m2m_changed, sender=User.groups.through)
def groups_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Group changes: drop the request's cached answers and audit joining or leaving the Secretariat."""
    if action == "pre_clear":
        # pk_set is None on clear: remember what is about to go.
        if reverse:
            instance._cleared_users = list(instance.user_set.all())
        else:
            instance._cleared_groups = list(instance.groups.values_list("name", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from governance.audit import record_group_change

    added = action == "post_add"
    if reverse:  # group.user_set.add(users): instance is the group
        if instance.name != SECRETARIAT_GROUP:
            return
        users = (
            getattr(instance, "_cleared_users", [])
            if action == "post_clear"
            else User.objects.filter(pk__in=pk_set)
        )
        for user in users:
            record_group_change(user=user, group_names=[instance.name], added=added)
        return
    forget_cached_rights(instance)
    if action == "post_clear":
        names = getattr(instance, "_cleared_groups", [])
    else:
        names = list(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    record_group_change(user=instance, group_names=[n for n in names if n == SECRETARIAT_GROUP], added=added)
