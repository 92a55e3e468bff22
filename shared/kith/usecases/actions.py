"""What a one-click link in an email does (PRODUCT.md §6), and the same buttons in the console.

Opening a link (GET) only reads: mail scanners that fetch every link change nothing.
Following it (POST) acts once; the link is spent in the same transaction as its
effect, so a second click, a retry or a double submit changes nothing more. The
console's Done, Snooze and See less often do exactly what the links do, through the
same effects, as a link the signed-in owner follows at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from kith.actions.tokens import KeyRing, verify
from kith.domain.actions import LINK_LIFETIME, SNOOZE, Action, ActionClaim, PauseError, further_out, pause_end
from kith.domain.cadence import cadence_days
from kith.domain.clock import met
from kith.domain.models import Attendee, Circle, Contact, FollowUp, Interaction, InteractionKind, Owner
from kith.domain.records import SpentLink
from kith.errors import AlreadyDone, Conflict, Gone, InvalidInput, NotFound, StaleContact
from kith.ports import ActionStore
from kith.usecases.clocks import done

DONE_TITLE = "Marked done in a Kith email"
CONSOLE_DONE_TITLE = "Marked done in the Kith console"
CONTACT_ACTIONS = (Action.DONE, Action.SNOOZE, Action.LESS_OFTEN)
ADDABLE_CIRCLES = (Circle.INNER, Circle.CORE, Circle.WIDER)
_ATTEMPTS = 3


@dataclass(frozen=True)
class LinkView:
    """What the confirmation page shows before anything happens."""

    claim: ActionClaim
    owner: Owner
    contact: Contact | None = None
    attendee: Attendee | None = None
    follow_up: FollowUp | None = None
    used: bool = False
    # Where the owner clicked: a link in an email, or a button in the console.
    via: str = "email"


@dataclass(frozen=True)
class Outcome:
    view: LinkView
    changed: bool
    summary: str
    # The contact as the action left it, for the actions that change one.
    contact: Contact | None = None


def open_link(store: ActionStore, ring: KeyRing, token: str, now: datetime) -> LinkView:
    """Check a link and gather what its page shows: Forbidden, InvalidLink or Gone when it can't be used."""
    claim = verify(token, ring, now)
    try:
        owner = store.get_owner(claim.owner_id)
    except NotFound as exc:
        raise Gone("this Kith account no longer exists") from exc
    used = store.link_spent(claim)
    if claim.action.needs_contact:
        try:
            contact = store.get_contact(claim.owner_id, str(claim.contact_id))
        except NotFound as exc:
            raise Gone("this contact was deleted from Kith") from exc
        return LinkView(claim, owner, contact=contact, used=used)
    if claim.action is Action.ADD_ATTENDEE:
        follow_up = store.get_follow_up(claim.owner_id, str(claim.interaction_id))
        if follow_up is None or claim.attendee is None or claim.attendee >= len(follow_up.new_attendees):
            raise Gone("this meeting is no longer in Kith")
        return LinkView(claim, owner, attendee=follow_up.new_attendees[claim.attendee], follow_up=follow_up, used=used)
    if claim.action is Action.UNSUBSCRIBE:
        used = owner.unsubscribed_at is not None
    return LinkView(claim, owner, used=used)


def follow_link(store: ActionStore, ring: KeyRing, token: str, form: Mapping[str, str], now: datetime) -> Outcome:
    """Do what the link says, once."""
    view = open_link(store, ring, token, now)
    act = _EFFECTS[view.claim.action]
    try:
        return act(store, view, form, now)
    except AlreadyDone:
        return Outcome(view, changed=False, summary="This was done already; nothing more changed.")


def act_on_contact(store: ActionStore, owner_id: str, contact_id: str, action: Action, now: datetime) -> Contact:
    """Done, Snooze or See less often from the console: what the email's link does, for the signed-in owner."""
    if action not in CONTACT_ACTIONS:
        raise InvalidInput("action: choose done, snooze or see_less_often")
    owner = store.get_owner(owner_id)
    claim = ActionClaim(
        owner_id=owner_id,
        action=action,
        contact_id=contact_id,
        expires_at=now + LINK_LIFETIME,
        nonce=uuid.uuid4().hex,
    )
    # The effect reads the contact itself (and again should a meeting move it meanwhile): a Gone is a 404 here.
    view = LinkView(claim, owner, via="console")
    try:
        outcome = _EFFECTS[action](store, view, {}, now)
    except Gone as gone:
        raise NotFound("unknown contact") from gone
    assert outcome.contact is not None
    return outcome.contact


def _done(store: ActionStore, view: LinkView, form: Mapping[str, str], now: datetime) -> Outcome:
    claim = view.claim
    title = CONSOLE_DONE_TITLE if view.via == "console" else DONE_TITLE
    interaction = Interaction(
        interaction_id=f"done-{claim.nonce}",
        owner_id=claim.owner_id,
        contact_ids=(str(claim.contact_id),),
        start=now,
        end=now,
        kind=InteractionKind.NOTE,
        title=title,
        source=view.via,
        external_id=claim.nonce,
        recorded_at=now,
    )

    contact = _change_contact(store, view, now, lambda before: done(before, now, title), interaction)
    return Outcome(view, changed=True, summary=f"Noted: you were in touch with {contact.name} today.", contact=contact)


def _snooze(store: ActionStore, view: LinkView, form: Mapping[str, str], now: datetime) -> Outcome:
    until = now + SNOOZE

    def change(contact: Contact) -> Contact:
        if contact.snoozed_until is not None and contact.snoozed_until >= until:
            return contact
        return contact.model_copy(update={"snoozed_until": until})

    contact = _change_contact(store, view, now, change)
    return Outcome(view, changed=True, summary=f"{contact.name} is snoozed for 14 days.", contact=contact)


def _less_often(store: ActionStore, view: LinkView, form: Mapping[str, str], now: datetime) -> Outcome:
    def change(contact: Contact) -> Contact:
        circle, days = further_out(contact)
        return contact.model_copy(update={"circle": circle, "cadence_days": days})

    contact = _change_contact(store, view, now, change)
    every = cadence_days(contact.circle, contact.cadence_days)
    summary = f"You will hear about {contact.name} every {every} days."
    return Outcome(view, changed=True, summary=summary, contact=contact)


def _change_contact(
    store: ActionStore,
    view: LinkView,
    now: datetime,
    change: Callable[[Contact], Contact],
    interaction: Interaction | None = None,
) -> Contact:
    """Apply a change to the contact as it is now; a meeting that moved it meanwhile is read again."""
    claim = view.claim
    for attempt in range(_ATTEMPTS):
        try:
            before = store.get_contact(claim.owner_id, str(claim.contact_id))
        except NotFound as exc:
            raise Gone("this contact was deleted from Kith") from exc
        after = change(before).model_copy(update={"version": before.version + 1})
        try:
            store.change_contact_once(before, after, view.owner.settings, SpentLink(claim, now), interaction)
        except StaleContact:
            if attempt + 1 == _ATTEMPTS:
                raise
            continue
        return after
    raise AssertionError("unreachable")


def _pause(store: ActionStore, view: LinkView, form: Mapping[str, str], now: datetime) -> Outcome:
    settings = view.owner.settings
    try:
        until = pause_end(date.fromisoformat(form.get("until", "")), settings.zone, now)
    except ValueError as exc:
        problem = str(exc) if isinstance(exc, PauseError) else "choose the day nudges should start again"
        raise InvalidInput(problem) from exc
    try:
        store.pause_owner_once(
            view.owner.owner_id, settings.model_copy(update={"paused_until": until}), SpentLink(view.claim, now)
        )
    except NotFound as exc:
        raise Gone("this Kith account no longer exists") from exc
    local = until.astimezone(settings.zone)
    return Outcome(view, changed=True, summary=f"Nudges are paused until {local:%A} {local.day} {local:%B %Y}.")


def _add_attendee(store: ActionStore, view: LinkView, form: Mapping[str, str], now: datetime) -> Outcome:
    assert view.attendee is not None and view.follow_up is not None
    try:
        circle = Circle(form.get("circle", Circle.CORE.value))
    except ValueError as exc:
        raise InvalidInput("choose a circle: inner, core or wider") from exc
    if circle not in ADDABLE_CIRCLES:
        raise InvalidInput("choose a circle: inner, core or wider")
    attendee, follow_up = view.attendee, view.follow_up
    name = attendee.name or attendee.email.partition("@")[0]
    # You met them: their clock starts at the meeting.
    first = met(follow_up.meeting_end, follow_up.title, now)
    contact = Contact(
        contact_id=uuid.uuid4().hex,
        owner_id=view.owner.owner_id,
        name=name,
        emails=(attendee.email,),
        circle=circle,
        added_at=now,
        last_interaction_at=first.at,
        last_interaction_title=first.title,
    )
    try:
        store.create_contact(contact, view.owner.settings, SpentLink(view.claim, now))
    except AlreadyDone:
        raise
    except Conflict:
        return Outcome(view, changed=False, summary=f"{name} is already one of your contacts.")
    return Outcome(view, changed=True, summary=f"{name} is now a contact, in your {circle.value} circle.")


def _unsubscribe(store: ActionStore, view: LinkView, form: Mapping[str, str], now: datetime) -> Outcome:
    if not store.unsubscribe_owner(view.owner.owner_id, now):
        return Outcome(view, changed=False, summary="You were already unsubscribed; Kith sends you nothing.")
    return Outcome(view, changed=True, summary="You are unsubscribed: Kith will send you no more email.")


_EFFECTS: dict[Action, Callable[[ActionStore, LinkView, Mapping[str, str], datetime], Outcome]] = {
    Action.DONE: _done,
    Action.SNOOZE: _snooze,
    Action.LESS_OFTEN: _less_often,
    Action.PAUSE: _pause,
    Action.ADD_ATTENDEE: _add_attendee,
    Action.UNSUBSCRIBE: _unsubscribe,
}
