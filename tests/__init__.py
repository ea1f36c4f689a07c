"""The test suite; mirrors the apps of the house (governance/, chairmanship/, meetings/, outbox/, portal/)."""

from pathlib import Path

# The repository root: where manage.py, bench/ and the virtualenv live, whatever folder a test sits in.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
