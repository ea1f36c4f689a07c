"""Model signals of the governance app: side concerns only.

Secretariat group changes are audited and drop the request's cached answers. Rights are never kept current
here: the services that write memberships, people and users call ``governance.rights`` themselves.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from governance.audit import record_group_change
from governance.permissions import SECRETARIAT_GROUP, forget_cached_rights

User = get_user_model()


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
