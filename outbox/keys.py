"""The one key grammar of every message: ``kind:object:recipient:version``.

- *object* is ``<model>-<pk>`` of what the message is about (``meeting-12``, ``handover-3``, ``user-7``);
- *recipient* is ``person-<pk>`` when the message goes to a person, else the address itself;
- *version* says which version of the object it describes (``s3.l1``, ``2026-03-05.d1``, ``d30``...).

A message's Message-ID is derived from its key, so a message sent again after a worker died mid-send is the
same message to a mail client.
"""

from __future__ import annotations

import hashlib

from django.conf import settings


def object_ref(model: str, pk: int) -> str:
    return f"{model}-{pk}"


def recipient_ref(*, person_id: int | None = None, address: str = "") -> str:
    return f"person-{person_id}" if person_id is not None else address.lower()


def message_key(kind: str, obj: str, recipient: str, version: str) -> str:
    return f"{kind}:{obj}:{recipient}:{version}"


def message_id(key: str) -> str:
    domain = settings.SECRETARIAT_MAILBOX.rsplit("@", 1)[-1] or "accmsme.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"
