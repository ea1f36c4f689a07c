"""Which objects' histories an object's trail shows besides its own (a meeting's agenda items, a body's chair
terms...). Each app registers its own models from its ``AppConfig.ready()``, so governance names none of the
apps above it."""

from __future__ import annotations

from django.db import models

# parent model -> [(child model, name of the child's foreign key to the parent)], in registration order.
RELATED_HISTORY: dict[type[models.Model], list[tuple[type[models.Model], str]]] = {}


def register_related_history(*, parent: type[models.Model], child: type[models.Model], fk: str) -> None:
    """Show ``child``'s history (rows whose ``fk`` points at the object) in the trail of a ``parent``."""
    entries = RELATED_HISTORY.setdefault(parent, [])
    if (child, fk) not in entries:
        entries.append((child, fk))


def related_history(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    return RELATED_HISTORY.get(model._meta.concrete_model, [])
