"""Authentication backend: Django's ModelBackend, loading what every page asks of the signed-in user at once.

Each request rebuilds ``request.user`` from the session. Every page then reads the user's person record
(time zone, delegation) and asks whether the user is in the Secretariat group. ``get_user`` loads all three
in one query and leaves them where ``person_of`` and ``is_secretariat`` look first, instead of three round
trips per request. Logging in (``authenticate``) is Django's own.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef

from governance.permissions import SECRETARIAT_GROUP
from governance.prepared import Prepared


def _user_with_person(pk: int):
    return (
        get_user_model()
        ._default_manager.select_related("person__member_state")
        .annotate(
            in_secretariat_group=Exists(Group.objects.filter(name=SECRETARIAT_GROUP, user=OuterRef("pk")))
        )
        .filter(pk=pk)
    )


# Compiled once per process: this query runs on every signed-in request.
_USER_WITH_PERSON = Prepared(_user_with_person)


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        rows = _USER_WITH_PERSON(pk=pk)
        if not rows:
            return None
        user = rows[0]
        if not self.user_can_authenticate(user):
            return None
        user._is_secretariat = user.is_superuser or user.in_secretariat_group
        try:
            user._person_row = user.person
        except ObjectDoesNotExist:
            user._person_row = None
        return user
