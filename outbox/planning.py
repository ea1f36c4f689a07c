"""Writing messages: each with the typed reference its owner keeps about it, in bulk and idempotently."""

from __future__ import annotations

from collections import defaultdict

from django.db import models

from outbox.models import Message

BATCH = 1000


def messages_save(pairs: list[tuple[Message, models.Model]]) -> list[str]:
    """Write ``(message, reference)`` pairs; the reference is a model of the owning app whose primary key is
    a one-to-one ``message`` field. A key already written plans nothing new (so a step run twice is
    harmless). Returns the keys."""
    if not pairs:
        return []
    Message.objects.bulk_create([m for m, _ in pairs], batch_size=BATCH, ignore_conflicts=True)
    keys = [m.key for m, _ in pairs]
    ids: dict[str, int] = {}
    for i in range(0, len(keys), BATCH):
        ids.update(Message.objects.filter(key__in=keys[i : i + BATCH]).values_list("key", "pk"))
    by_model: dict[type, list] = defaultdict(list)
    for message, reference in pairs:
        reference.message_id = message.pk = ids[message.key]
        by_model[type(reference)].append(reference)
    for model, references in by_model.items():
        model.objects.bulk_create(references, batch_size=BATCH, ignore_conflicts=True)
    return keys


def message_save(message: Message, reference: models.Model) -> bool:
    """One message and its reference, unless its key is written already. Returns True when written now."""
    existing = Message.objects.filter(key=message.key).first()
    if existing is not None:
        message.pk = existing.pk
        return False
    messages_save([(message, reference)])
    return True
