"""Keep object rights in step with memberships and chair terms. Rights are derived, so every change funnels
into ``sync_user_rights`` for the people it touches, after the transaction commits."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from governance.models import Membership
from governance.permissions import sync_rights_for_person_ids


def _resync_people(person_ids: set[int]) -> None:
    ids = {p for p in person_ids if p}
    if ids:
        transaction.on_commit(lambda: sync_rights_for_person_ids(ids))


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    _resync_people({instance.person_id})


def chair_term_people(term) -> set[int]:
    people = {term.chair_person_id}
    people.update(
        Membership.objects.filter(
            body_id=term.body_id,
            member_state_id=term.member_state_id,
            role=Membership.Role.HEAD_OF_DELEGATION,
        ).values_list("person_id", flat=True)
    )
    return people


def connect_chair_signals() -> None:
    from chairmanship.models import ChairTerm

    def term_changed(sender, instance, **kwargs) -> None:
        _resync_people(chair_term_people(instance))

    post_save.connect(term_changed, sender=ChairTerm, dispatch_uid="chairterm_rights")
    post_delete.connect(term_changed, sender=ChairTerm, dispatch_uid="chairterm_rights_del")


@receiver(m2m_changed, sender=get_user_model().groups.through)
def groups_changed(sender, instance, **kwargs) -> None:
    if hasattr(instance, "_is_secretariat"):
        del instance._is_secretariat
