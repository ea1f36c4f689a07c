"""Following an action item between meetings: its owning state's delegates (and its owner) report
progress and close it; the body's Secretariat and chair may too. The record page's own follow-up (at a
meeting, with a new due date) stays ``record.action_item_update``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from meetings.models import ActionItem
from meetings.selectors.action_items import can_follow_action_item
from meetings.services.record import action_item_update


def action_item_follow(
    *,
    action_item: ActionItem,
    actor,
    status: str | None = None,
    progress_note: str | None = None,
    expected_version: str | None = None,
) -> ActionItem:
    """Set the status and the progress note of an action item the actor follows (refused with 403 for
    another state's item). Closing it here records when, not at which meeting."""
    if not can_follow_action_item(actor, action_item):
        owner = action_item.owner_state or action_item.owner_body or action_item.owner_person
        raise PermissionDenied(
            f"Only the delegation of {owner}, the Secretariat or the chair update this action item."
        )
    return action_item_update(
        action_item=action_item, status=status, progress_note=progress_note, expected_version=expected_version
    )
