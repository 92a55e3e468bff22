"""The small HTML pages a one-click link opens: a confirmation, a result, or why it can't be used."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from kith.domain.actions import Action
from kith.usecases.actions import ADDABLE_CIRCLES, LinkView, Outcome

_QUESTIONS = {
    Action.DONE: "Mark {name} as done? Kith counts it as being in touch today.",
    Action.SNOOZE: "Snooze {name} for 14 days?",
    Action.LESS_OFTEN: "See {name} less often? They move one circle further out.",
    Action.PAUSE: "Pause all nudges until a day you choose?",
    Action.ADD_ATTENDEE: "Add {name} to your contacts?",
    Action.UNSUBSCRIBE: "Unsubscribe from every email Kith sends you?",
}
_BUTTONS = {
    Action.DONE: "Mark done",
    Action.SNOOZE: "Snooze 14 days",
    Action.LESS_OFTEN: "See less often",
    Action.PAUSE: "Pause nudges",
    Action.ADD_ATTENDEE: "Add contact",
    Action.UNSUBSCRIBE: "Unsubscribe",
}
_TITLES = {400: "This link is incomplete", 403: "This link can't be used", 410: "Nothing to do here"}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("kith.actions", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def _subject(view: LinkView) -> str:
    if view.contact is not None:
        return view.contact.name
    if view.attendee is not None:
        return view.attendee.name or view.attendee.email
    return ""


def confirmation(view: LinkView) -> str:
    """GET: what the link will do, and a button that does it (by POST)."""
    if view.used:
        return _render("message.html", title="Already done", message="This was done already; nothing more to do.")
    action = view.claim.action
    return _render(
        "confirm.html",
        question=_QUESTIONS[action].format(name="\u2068" + _subject(view) + "\u2069"),
        button=_BUTTONS[action],
        action=action.value,
        attendee=view.attendee,
        circles=[circle.value for circle in ADDABLE_CIRCLES],
        zone=view.owner.settings.time_zone,
    )


def result(outcome: Outcome) -> str:
    """POST: what happened."""
    return _render("message.html", title="Done" if outcome.changed else "Nothing changed", message=outcome.summary)


def problem(status: int, reason: str) -> str:
    return _render("message.html", title=_TITLES.get(status, "Something is wrong with this request"), message=reason)


def consent_refused(status: int, reason: str) -> str:
    """Where a calendar provider's redirect lands when nothing was connected: why, and the way back."""
    title = "This consent was already used" if status == 409 else "Your calendar was not connected"
    # Kith's errors are clauses ("you declined…"); a page shows them as sentences.
    sentence = reason[:1].upper() + reason[1:] + ("" if reason.endswith((".", "!", "?")) else ".")
    return _render("consent.html", title=title, message=sentence)
