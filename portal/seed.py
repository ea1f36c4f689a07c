"""``seed_asean``: the real ASEAN structure from ``governance/data/asean.yaml``, each app loading its own part
with one ``Seeder``, lowest layer first, in one transaction. Creates what is missing, never overwrites a row
that exists (a person may have corrected it), and reports every field where the stored row and the data file
differ. Running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from chairmanship.seed import seed_chairmanship
from governance.seed import DATA_FILE, Seeder, SeedReport, load_data, seed_governance
from meetings.seed import seed_meetings

# Each part refers to rows of the parts before it (a chair term to its body, a meeting to its series' body).
SEED_PARTS: tuple[Callable[[Seeder], None], ...] = (seed_governance, seed_chairmanship, seed_meetings)


def seed_asean(path: Path = DATA_FILE) -> SeedReport:
    seeder = Seeder(load_data(path))
    with transaction.atomic():
        for seed_part in SEED_PARTS:
            seed_part(seeder)
    return seeder.report
