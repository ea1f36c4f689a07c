"""Search and the exports return only what the reader may see: one case per role of the roles scene
(the Secretariat, the chair, a delegate of a state, a delegate of another state, an observer, a delegate
on another body, a guest invited to one meeting)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from portal.search import search
from tests.world.build import client_as, fresh

ACC_DOCS = {
    "Doc-ACC-public",
    "Doc-ACC-restricted",
    "Doc-ACC-confidential",
    "Doc-PUB-public",
    "Doc-PUB-restricted",
}

# role: (meetings, documents, decisions, action items, agenda items) found by searching their markers
SEEN = {
    "secretariat": (
        {"Mtg-ACC-private", "Mtg-ACC-public", "Mtg-SEOM", "Mtg-TFX"},
        ACC_DOCS | {"Doc-TFX-public"},
        {"Decision-ACC"},
        {"Action-ACC"},
        {"Item-ACC-private", "Item-ACC-public", "Item-TFX"},
    ),
    "chair": (  # head of the Philippines, chairing ACCMSME: Confidential papers too
        {"Mtg-ACC-private", "Mtg-ACC-public"},
        ACC_DOCS,
        {"Decision-ACC"},
        {"Action-ACC"},
        {"Item-ACC-private", "Item-ACC-public"},
    ),
    "head": (  # head of Singapore's delegation: another state than the action item's owner
        {"Mtg-ACC-private", "Mtg-ACC-public"},
        ACC_DOCS,
        {"Decision-ACC"},
        {"Action-ACC"},
        {"Item-ACC-private", "Item-ACC-public"},
    ),
    "delegate": (  # delegate of Indonesia: up to ASEAN Restricted
        {"Mtg-ACC-private", "Mtg-ACC-public"},
        ACC_DOCS - {"Doc-ACC-confidential"},
        {"Decision-ACC"},
        {"Action-ACC"},
        {"Item-ACC-private", "Item-ACC-public"},
    ),
    "observer": ({"Mtg-ACC-public"}, {"Doc-PUB-public"}, set(), set(), {"Item-ACC-public"}),
    "seom": ({"Mtg-SEOM"}, set(), set(), set(), set()),  # an outsider to ACCMSME
    "guest": (
        {"Mtg-ACC-private"},
        {"Doc-ACC-public"},
        {"Decision-ACC"},
        {"Action-ACC"},
        {"Item-ACC-private"},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(SEEN))
def test_search_finds_only_what_the_role_may_see(roles, role):
    user = fresh(getattr(roles, role))
    meetings, documents, decisions, actions, items = SEEN[role]
    assert {m.title for m in search(user=user, q="Mtg").meetings} == meetings
    assert {d.title for d in search(user=fresh(user), q="Doc").documents} == documents
    assert {d.text for d in search(user=fresh(user), q="Decision").decisions} == decisions
    assert {a.title for a in search(user=fresh(user), q="Action").action_items} == actions
    assert {i.title for i in search(user=fresh(user), q="Item").agenda_items} == items
    page = client_as(user).get("/search/", {"q": "Doc"}).content.decode()
    for title in ACC_DOCS | {"Doc-TFX-public"}:
        assert (title in page) == (title in documents), title


@pytest.mark.django_db
def test_search_needs_two_letters_and_an_account(roles, client):
    assert search(user=fresh(roles.secretariat), q="D").too_short
    assert client.get("/search/", {"q": "Doc"}).status_code == 302  # to the login page


def rows_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def rows_xlsx(response) -> list[list]:
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    ws = load_workbook(io.BytesIO(response.content)).active
    return [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]


EXPORTS = {
    # role: (action items, participants of the private meeting or None for a 404, e-mails shown)
    "secretariat": ({"Action-ACC"}, {"Chair", "Head", "Delegate", "Guest"}, 4),
    "chair": ({"Action-ACC"}, {"Chair", "Head", "Delegate", "Guest"}, 1),  # their own address only
    "head": ({"Action-ACC"}, {"Chair", "Head", "Delegate", "Guest"}, 1),
    "delegate": ({"Action-ACC"}, {"Chair", "Head", "Delegate", "Guest"}, 1),
    "observer": (set(), None, 0),
    "seom": (set(), None, 0),
    "guest": ({"Action-ACC"}, {"Guest"}, 1),  # their own row of the list
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(EXPORTS))
def test_exports_hold_only_what_the_role_may_see(roles, role):
    actions, people, emails = EXPORTS[role]
    client = client_as(fresh(getattr(roles, role)))
    csv_rows = rows_csv(client.get("/action-items/", {"export": "csv"}))
    assert csv_rows[0][0] == "Action" and {r[0] for r in csv_rows[1:]} == actions
    xlsx_rows = rows_xlsx(client.get("/action-items/", {"export": "xlsx"}))
    assert {r[0] for r in xlsx_rows[1:]} == actions
    r = client.get(f"/meetings/{roles.m_acc.pk}/lists/participants/", {"export": "csv"})
    if people is None:
        assert r.status_code == 404
        assert (
            client.get(f"/meetings/{roles.m_acc.pk}/lists/attendance/", {"export": "xlsx"}).status_code == 404
        )
        return
    rows = rows_csv(r)
    assert {row[0] for row in rows[1:]} == people
    assert sum(1 for row in rows[1:] if row[6]) == emails
    attendance = rows_xlsx(client.get(f"/meetings/{roles.m_acc.pk}/lists/attendance/", {"export": "xlsx"}))
    assert attendance[1:] == [["Delegate", "Indonesia", "yes", "no"]]


@pytest.mark.django_db
def test_filters_narrow_the_lists_and_the_export_follows_them(roles):
    client = client_as(fresh(roles.secretariat))
    page = client.get("/action-items/", {"owner_state": roles.sg.pk}).content.decode()
    assert "Action-ACC" not in page and "No action items match" in page
    rows = rows_csv(client.get("/action-items/", {"owner_state": roles.id.pk, "export": "csv"}))
    assert [r[0] for r in rows[1:]] == ["Action-ACC"]
    rows = rows_csv(
        client.get(
            f"/meetings/{roles.m_acc.pk}/lists/participants/", {"member_state": roles.sg.pk, "export": "csv"}
        )
    )
    assert [r[0] for r in rows[1:]] == ["Head"]
    assert client.get("/action-items/", {"export": "pdf"}).status_code == 404


@pytest.mark.django_db
def test_the_fallback_without_full_text_search_matches_every_word_and_keeps_the_rights(roles, monkeypatch):
    """What SQLite runs (``make run`` without PostgreSQL): a contains-match on each word, same rights."""
    import portal.search

    monkeypatch.setattr(portal.search, "full_text", lambda: False)
    found = search(user=fresh(roles.delegate), q="doc acc")
    assert {d.title for d in found.documents} == {"Doc-ACC-public", "Doc-ACC-restricted"}
    assert search(user=fresh(roles.observer), q="mtg acc").meetings[0].title == "Mtg-ACC-public"
    assert len(search(user=fresh(roles.observer), q="mtg acc").meetings) == 1
    assert search(user=fresh(roles.delegate), q="doc nowhere").count == 0
