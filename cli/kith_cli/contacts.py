"""`kith contacts`: list, search, add, show, edit and delete; and naming a contact by id or by a search."""

from __future__ import annotations

import argparse
import re
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from kith_cli import times
from kith_cli.api import Api
from kith_cli.errors import Refused, UsageError
from kith_cli.terminal import Terminal, shown

CIRCLES = ("inner", "core", "wider", "custom", "never")
CONTACT_ID = re.compile(r"[0-9a-f]{32}")
SHOWN_CANDIDATES = 10
# Fields a blank value clears on edit.
CLEARABLE = ("company", "title", "goal", "notes", "linkedin_url", "snoozed_until")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    contacts = commands.add_parser("contacts", parents=[common], help="list, search, add, show, edit, delete contacts")
    actions = contacts.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", parents=[common], help="every contact, page after page")
    listing.add_argument("--circle", choices=CIRCLES)
    listing.add_argument("--goal", help="only contacts with this goal")
    listing.add_argument("--due", action="store_true", help="only contacts due now")
    listing.add_argument("--overdue", action="store_true", help="only contacts overdue now")
    listing.set_defaults(run=list_contacts)
    search = actions.add_parser(
        "search", parents=[common], help="contacts whose name has a word starting so, or an address"
    )
    search.add_argument("text")
    search.set_defaults(run=search_contacts)
    add = actions.add_parser("add", parents=[common], help="add a contact")
    add.add_argument("name")
    _fields(add)
    add.add_argument("--last-met", metavar="WHEN", help="the last real interaction: a day or a date-time")
    add.set_defaults(run=add_contact)
    show = actions.add_parser("show", parents=[common], help="one contact, in full")
    show.add_argument("contact", help="its id, or a search matching only it")
    show.set_defaults(run=show_contact)
    edit = actions.add_parser("edit", parents=[common], help="change a contact (a blank value clears a field)")
    edit.add_argument("contact", help="its id, or a search matching only it")
    edit.add_argument("--name")
    _fields(edit)
    edit.add_argument("--add-email", action="append", default=[], metavar="EMAIL")
    edit.add_argument("--remove-email", action="append", default=[], metavar="EMAIL")
    edit.add_argument("--snooze-until", metavar="WHEN", help="hold its nudges back until then")
    edit.set_defaults(run=edit_contact)
    delete = actions.add_parser("delete", parents=[common], help="erase a contact and every trace of it")
    delete.add_argument("contact", help="its id, or a search matching only it")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.set_defaults(run=delete_contact)


def _fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", action="append", dest="emails", metavar="EMAIL", help="an address (repeatable)")
    parser.add_argument("--circle", choices=CIRCLES, help="inner 21 days, core 60, wider 180, custom, never")
    parser.add_argument("--cadence-days", type=times.number(1, 3650), help="a custom cadence (sets --circle custom)")
    parser.add_argument("--goal")
    parser.add_argument("--company")
    parser.add_argument("--title")
    parser.add_argument("--tag", action="append", dest="tags", metavar="TAG", help="a tag (repeatable)")
    parser.add_argument("--notes")
    parser.add_argument("--linkedin", dest="linkedin_url", metavar="URL")


def list_contacts(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    query: dict[str, Any] = {"circle": arguments.circle, "goal": arguments.goal}
    query.update({flag: "true" for flag in ("due", "overdue") if getattr(arguments, flag)})
    found = api.every("/v1/contacts", "contacts", {name: value for name, value in query.items() if value})
    _listed(found, terminal)
    return 0


def search_contacts(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    _listed(api.every("/v1/contacts", "contacts", {"q": arguments.text}), terminal)
    return 0


def _listed(found: list[dict[str, Any]], terminal: Terminal) -> None:
    def human() -> None:
        if not found:
            terminal.say("no contacts")
            return
        rows = [[c["contact_id"], c["name"], _circle(c), c["goal"], _last(c), ", ".join(c["emails"])] for c in found]
        terminal.table(["ID", "NAME", "CIRCLE", "GOAL", "LAST SEEN", "E-MAIL"], rows)

    terminal.emit({"contacts": found}, human)


def _circle(contact: dict[str, Any]) -> str:
    return f"custom {contact['cadence_days']}d" if contact["circle"] == "custom" else contact["circle"]


def _last(contact: dict[str, Any]) -> str:
    return (contact.get("last_interaction_at") or "-")[:10]


def add_contact(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    body = _changes(arguments, clearing=False)
    body["name"] = arguments.name
    if arguments.last_met:
        body["last_interaction_at"] = times.iso(times.instant(arguments.last_met, _zone()))
    created = api.call("POST", "/v1/contacts", body)
    terminal.emit(
        created, lambda: terminal.say(f"added {shown(created['name'])} ({created['contact_id']}) in {_circle(created)}")
    )
    return 0


def show_contact(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    contact = find(api, arguments.contact)

    def human() -> None:
        for field in ("contact_id", "name", "emails", "circle", "cadence_days", "goal", "company", "title",
                      "linkedin_url", "tags", "notes", "added_at", "last_interaction_at", "last_interaction_title",
                      "snoozed_until", "planned_meeting_at", "first_due_on"):  # fmt: skip
            value = contact.get(field)
            if value not in (None, [], ""):
                terminal.say(
                    f"{field.replace('_', ' '):<23} {shown(', '.join(value) if isinstance(value, list) else value)}"
                )

    terminal.emit(contact, human)
    return 0


def edit_contact(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    contact_id = find(api, arguments.contact)["contact_id"]
    reply = api.send("GET", f"/v1/contacts/{contact_id}")
    contact = reply.json()
    changes = _changes(arguments, clearing=True)
    if arguments.name is not None:
        changes["name"] = arguments.name
    if arguments.snooze_until is not None:
        changes["snoozed_until"] = (
            times.iso(times.instant(arguments.snooze_until, _zone())) if arguments.snooze_until else None
        )
    if arguments.add_email or arguments.remove_email:
        emails = changes.get("emails", contact["emails"])
        removed = {address.lower() for address in arguments.remove_email}
        unknown = removed - {address.lower() for address in emails}
        if unknown:
            raise UsageError(f"{shown(contact['name'])} has no address {', '.join(sorted(unknown))}")
        kept = [address for address in emails if address.lower() not in removed]
        changes["emails"] = kept + [address for address in arguments.add_email if address not in kept]
    if not changes:
        raise UsageError("nothing to change: give at least one field, like --goal or --circle")
    updated = api.send(
        "PATCH", f"/v1/contacts/{contact_id}", changes, headers={"if-match": reply.headers["etag"]}
    ).json()
    terminal.emit(updated, lambda: terminal.say(f"changed {shown(updated['name'])}: {', '.join(sorted(changes))}"))
    return 0


def delete_contact(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    contact_id = find(api, arguments.contact)["contact_id"]
    reply = api.send("GET", f"/v1/contacts/{contact_id}")
    name = shown(reply.json()["name"])
    if not arguments.yes and not terminal.confirm(f"Erase {name} ({contact_id}) and everything Kith keeps of them?"):
        raise Refused("nothing deleted")
    api.send("DELETE", f"/v1/contacts/{contact_id}", headers={"if-match": reply.headers["etag"]})
    terminal.say(f"deleted {name}")
    return 0


def _changes(arguments: argparse.Namespace, *, clearing: bool) -> dict[str, Any]:
    """The fields given as flags; on edit a blank one is sent as null, which clears it."""
    changes: dict[str, Any] = {}
    for field in ("emails", "circle", "cadence_days", "goal", "company", "title", "tags", "notes", "linkedin_url"):
        value = getattr(arguments, field)
        if value is None:
            continue
        changes[field] = None if clearing and value == "" and field in CLEARABLE else value
    if arguments.cadence_days is not None and arguments.circle is None:
        changes["circle"] = "custom"
    return changes


def _zone() -> ZoneInfo:
    """Instants typed without an offset are read in this machine's time zone."""
    return ZoneInfo(times.machine_time_zone())


def find(api: Api, reference: str) -> dict[str, Any]:
    """A contact named by its id, or by a search that finds it alone (or alone by its whole name or address)."""
    if CONTACT_ID.fullmatch(reference):
        found: dict[str, Any] = api.call("GET", f"/v1/contacts/{reference}")
        return found
    if not reference.strip():
        raise UsageError("a contact is named by its id or by a search; this one is blank")
    matches = api.every("/v1/contacts", "contacts", {"q": reference})
    if len(matches) == 1:
        return matches[0]
    exact = [contact for contact in matches if _is_exactly(contact, reference)]
    if len(exact) == 1:
        return exact[0]
    if not matches:
        raise Refused(f"no contact matches {shown(reference)!r}")
    listed = "\n".join(
        f"  {contact['contact_id']}  {shown(contact['name'])}  {', '.join(contact['emails'])}"
        for contact in matches[:SHOWN_CANDIDATES]
    )
    more = f"\n  ... and {len(matches) - SHOWN_CANDIDATES} more" if len(matches) > SHOWN_CANDIDATES else ""
    raise Refused(f"{shown(reference)!r} matches {len(matches)} contacts; name one by its id:\n{listed}{more}")


def _is_exactly(contact: dict[str, Any], reference: str) -> bool:
    wanted = _fold(reference)
    return _fold(contact["name"]) == wanted or any(address.lower() == wanted for address in contact["emails"])


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
