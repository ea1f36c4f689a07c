"""The restored site, as a separate process sees it (the restore drill, tests/portal/test_backup_restore.py).

Run as ``python -m tests.portal.restored_site USER_PK DOC_PK...`` with ``DATABASE_URL`` and ``MEDIA_ROOT``
pointing at the restored database and media folder: the app (Django's test client, in this process) serves
each document to the user, answers ``/readyz``, and the outbox sends whatever is due. Prints one JSON object:
``{"served": {pk: [status, sha256]}, "readyz": [status, body], "sent": [recipient...], "statuses": {...}}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys


def main(user_pk: int, doc_pks: list[int]) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # locmem mail, "testserver" allowed: nothing leaves this process
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from outbox.models import Heartbeat, Message
    from tests.world.clock import NOW
    from tests.world.mail import deliver

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_pk))
    served = {}
    for pk in doc_pks:
        r = client.get(reverse("meetings:document_download", args=[pk]))
        body = b"".join(r.streaming_content) if r.streaming else r.content
        served[pk] = [r.status_code, hashlib.sha256(body).hexdigest()]
    # A worker of the restored site is running (its heartbeat is fresh), so readiness judges the rest.
    Heartbeat.objects.update_or_create(name="worker", defaults={"at": timezone.now()})
    ready = client.get("/readyz")
    # What a worker would send now, and a day later: the held messages must not go.
    for now in (NOW, NOW + dt.timedelta(days=1)):
        deliver(now)
    return {
        "served": served,
        "readyz": [ready.status_code, ready.json()],
        "sent": [m.to[0] for m in mail.outbox],
        "statuses": dict(Message.objects.values_list("key", "status")),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), [int(a) for a in sys.argv[2:]])))
