"""Indexes for the search page (``portal.search``) on PostgreSQL: per kind, a GIN index on the same weighted
``tsvector`` expression the search filters on, and a trigram GIN index on ``UPPER(title::text)`` for its
"title contains the text as typed" half (Django's ``icontains``), so the two halves of the OR are each an
index scan. Created by hand on PostgreSQL only (GIN and pg_trgm do not exist on SQLite, where the search is a
plain "contains"); the models' state is unchanged. The expressions must stay those of ``portal.search``:
``tests/portal/test_search_index.py`` checks with EXPLAIN that the planner uses them."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import TextField
from django.db.models.functions import Cast, Upper

CONFIG = "english"
# model, the fields searched (the first weighted A, the rest B), the field matched "as typed", index prefix
KINDS = [
    ("Meeting", ("title", "venue", "city"), "title", "meeting"),
    ("AgendaItem", ("title", "description", "minutes"), "title", "agendaitem"),
    ("Decision", ("text",), "text", "decision"),
    ("ActionItem", ("title", "progress_note"), "title", "actionitem"),
    ("Document", ("title",), "title", "document"),
]


def _indexes(fields, title, prefix):
    vector = SearchVector(fields[0], weight="A", config=CONFIG)
    for name in fields[1:]:
        vector += SearchVector(name, weight="B", config=CONFIG)
    return [
        GinIndex(vector, name=f"{prefix}_search_fts"),
        GinIndex(OpClass(Upper(Cast(title, TextField())), name="gin_trgm_ops"), name=f"{prefix}_search_trgm"),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model_name, fields, title, prefix in KINDS:
        model = apps.get_model("meetings", model_name)
        for index in _indexes(fields, title, prefix):
            schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, fields, title, prefix in KINDS:
        model = apps.get_model("meetings", model_name)
        for index in _indexes(fields, title, prefix):
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0022_input_rules")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
