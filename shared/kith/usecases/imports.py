"""Importing a contact file: a dry run that says what would happen to each row, then the real run.

Rows merge into an existing contact by e-mail address (case-insensitive), then by LinkedIn
profile, then, for a row with neither, by name; later rows of the same file merge into earlier
ones. A merge only fills in what the contact lacks and adds new addresses and tags: it never
overwrites what the owner wrote. So importing the same file twice changes nothing the second time.
New contacts fall due on days spread over their cadence (PRODUCT.md §7).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from pydantic import ValidationError

from kith.domain.cadence import CadenceError, cadence_days
from kith.domain.models import Circle, Contact
from kith.domain.spreading import spread_first_due
from kith.errors import PayloadTooLarge
from kith.imports.cells import problem_reason, skipped_note
from kith.imports.rows import FileFormat, ImportRow, ParsedFile
from kith.ports import ImportStore

MAX_EMAILS = 20
_FILLABLE = ("linkedin_url", "company", "title", "notes", "goal")


class RowOutcome(StrEnum):
    NEW = "new"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class RowReport:
    line: int
    outcome: RowOutcome
    name: str | None = None
    contact_id: str | None = None
    reason: str | None = None
    changes: tuple[str, ...] = ()
    # Values of the row's e-mail cells that are not addresses: the person was kept without them.
    skipped_addresses: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    format: FileFormat
    rows: list[RowReport] = field(default_factory=list)
    new: list[Contact] = field(default_factory=list)
    # (as stored, as it will be) for each contact the file changes
    merged: dict[str, tuple[Contact, Contact]] = field(default_factory=dict)
    transactions: int = 0
    # Rows of the whole file that could be read (a part's plan still says how many the file has).
    readable_rows: int = 0

    def count(self, outcome: RowOutcome) -> int:
        return sum(row.outcome is outcome for row in self.rows)


class _Index:
    """Contacts by address, LinkedIn profile and (for contacts with neither) name, as the file goes on."""

    def __init__(self, contacts: list[Contact]) -> None:
        self.by_id: dict[str, Contact] = {}
        self._email: dict[str, str] = {}
        self._linkedin: dict[str, str] = {}
        self._name: dict[str, str] = {}
        for contact in contacts:
            self.put(contact)

    def put(self, contact: Contact) -> None:
        self.by_id[contact.contact_id] = contact
        for address in contact.emails:
            self._email.setdefault(address, contact.contact_id)
        if contact.linkedin_url:
            self._linkedin.setdefault(contact.linkedin_url, contact.contact_id)
        self._name.setdefault(contact.name.casefold(), contact.contact_id)

    def owners_of(self, row: ImportRow) -> set[str]:
        return {self._email[address] for address in row.emails if address in self._email}

    def match(self, row: ImportRow) -> str | None:
        for address in row.emails:
            if address in self._email:
                return self._email[address]
        if row.linkedin_url and row.linkedin_url in self._linkedin:
            return self._linkedin[row.linkedin_url]
        if not row.emails and not row.linkedin_url:
            return self._name.get(row.name.casefold())
        return None


MAX_FILE_BYTES = 4 * 1024 * 1024


def import_file(
    store: ImportStore,
    owner_id: str,
    data: bytes,
    filename: str | None,
    now: datetime,
    *,
    dry_run: bool,
    rows: slice | None = None,
) -> ImportPlan:
    """Read a contact file and plan (dry run) or perform its import.

    `rows` takes a part of the file's readable rows (a client showing progress imports a large
    file part by part; the lines reported stay the file's own). Rows that could not be read are
    reported with the part that starts at the first row.
    """
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"a contact file of at most {MAX_FILE_BYTES // (1024 * 1024)} MB is accepted")
    from kith.imports.detect import parse_contacts_file

    parsed = parse_contacts_file(data, filename)
    readable = len(parsed.rows)
    if rows is not None:
        first = rows.start or 0
        parsed = parsed.model_copy(
            update={"rows": parsed.rows[rows], "problems": parsed.problems if first == 0 else []}
        )
    plan = plan_import(store, owner_id, parsed, now) if dry_run else run_import(store, owner_id, parsed, now)
    plan.readable_rows = readable
    return plan


def plan_import(store: ImportStore, owner_id: str, parsed: ParsedFile, now: datetime) -> ImportPlan:
    """What importing the file would do, row by row; nothing is written."""
    owner = store.get_owner(owner_id)
    existing = store.list_contacts(owner_id)
    stored = {contact.contact_id: contact for contact in existing}
    index = _Index(existing)
    plan = ImportPlan(format=parsed.format)
    reports: list[RowReport] = [
        RowReport(problem.line, RowOutcome.SKIPPED, reason=problem.reason) for problem in parsed.problems
    ]
    fresh: dict[str, Contact] = {}
    for row in parsed.rows:
        report = _plan_row(row, owner_id, now, index, stored, fresh)
        reports.append(_with_skipped_addresses(report, row))
    plan.rows = sorted(reports, key=lambda report: report.line)
    plan.new = spread_first_due(list(fresh.values()), owner.settings.zone)
    plan.merged = {
        contact_id: (stored[contact_id], index.by_id[contact_id])
        for contact_id in stored
        if index.by_id[contact_id] != stored[contact_id]
    }
    return plan


def run_import(store: ImportStore, owner_id: str, parsed: ParsedFile, now: datetime) -> ImportPlan:
    """Import the file: all of it, or (if a write fails) none of it."""
    plan = plan_import(store, owner_id, parsed, now)
    owner = store.get_owner(owner_id)
    merged = [
        (before, after.model_copy(update={"version": before.version + 1})) for before, after in plan.merged.values()
    ]
    if plan.new or merged:
        plan.transactions = store.write_import(plan.new, merged, owner.settings)
    return plan


def _plan_row(
    row: ImportRow,
    owner_id: str,
    now: datetime,
    index: _Index,
    stored: dict[str, Contact],
    fresh: dict[str, Contact],
) -> RowReport:
    owners = index.owners_of(row)
    if len(owners) > 1:
        names = ", ".join(sorted(index.by_id[contact_id].name for contact_id in owners))
        return RowReport(
            row.line, RowOutcome.SKIPPED, row.name, reason=f"its addresses belong to different contacts: {names}"
        )
    if row.last_interaction_at is not None and row.last_interaction_at > now:
        return RowReport(row.line, RowOutcome.SKIPPED, row.name, reason="last_interaction_at is in the future")
    match = index.match(row)
    if match is None:
        try:
            contact = _new_contact(row, owner_id, now)
        except CadenceError as exc:
            return RowReport(row.line, RowOutcome.SKIPPED, row.name, reason=str(exc))
        except ValidationError as exc:
            # What the file says that a contact cannot hold is that row's problem, as for the parsers' own checks.
            return RowReport(row.line, RowOutcome.SKIPPED, row.name, reason=problem_reason(exc))
        fresh[contact.contact_id] = contact
        index.put(contact)
        return RowReport(row.line, RowOutcome.NEW, contact.name, contact.contact_id)
    current = index.by_id[match]
    try:
        merged, changes = _merged(current, row)
    except ValidationError as exc:
        return RowReport(row.line, RowOutcome.SKIPPED, current.name, match, reason=problem_reason(exc))
    if not changes:
        return RowReport(row.line, RowOutcome.UNCHANGED, current.name, match, reason="already in Kith, nothing new")
    if match in fresh:
        fresh[match] = merged
    index.put(merged)
    outcome = RowOutcome.NEW if match in fresh else RowOutcome.MERGED
    reason = "merged into a contact added by an earlier row" if match in fresh else None
    return RowReport(
        row.line, outcome if match not in fresh else RowOutcome.MERGED, current.name, match, reason, changes
    )


def _with_skipped_addresses(report: RowReport, row: ImportRow) -> RowReport:
    if not row.skipped_addresses:
        return report
    note = skipped_note(row.skipped_addresses)
    reason = f"{report.reason}; {note}" if report.reason else note
    return replace(report, reason=reason, skipped_addresses=row.skipped_addresses)


def _new_contact(row: ImportRow, owner_id: str, now: datetime) -> Contact:
    circle = row.circle or Circle.CORE
    cadence_days(circle, row.cadence_days)
    notes = row.notes
    if row.connected_on is not None:
        connected = f"Connected on LinkedIn on {row.connected_on.day} {row.connected_on:%b %Y}."
        notes = f"{notes}\n{connected}" if notes else connected
    return Contact(
        contact_id=uuid.uuid4().hex,
        owner_id=owner_id,
        name=row.name,
        emails=row.emails[:MAX_EMAILS],
        linkedin_url=row.linkedin_url,
        company=row.company,
        title=row.title,
        circle=circle,
        cadence_days=row.cadence_days if circle is Circle.CUSTOM else None,
        goal=row.goal,
        tags=row.tags,
        notes=notes,
        added_at=now,
        last_interaction_at=row.last_interaction_at,
        last_interaction_title=row.last_interaction_title if row.last_interaction_at else None,
        snoozed_until=row.snoozed_until if row.snoozed_until and row.snoozed_until > now else None,
    )


def _merged(contact: Contact, row: ImportRow) -> tuple[Contact, tuple[str, ...]]:
    """The contact with what the row adds: empty fields filled, new addresses and tags added."""
    update: dict[str, object] = {}
    for name in _FILLABLE:
        value = getattr(row, name)
        if value and not getattr(contact, name):
            update[name] = value
    emails = tuple(dict.fromkeys((*contact.emails, *row.emails)))[:MAX_EMAILS]
    if emails != contact.emails:
        update["emails"] = emails
    tags = tuple(dict.fromkeys((*contact.tags, *row.tags)))
    if tags != contact.tags:
        update["tags"] = tags
    if row.last_interaction_at is not None and (
        contact.last_interaction_at is None or row.last_interaction_at > contact.last_interaction_at
    ):
        update["last_interaction_at"] = row.last_interaction_at
        update["last_interaction_title"] = row.last_interaction_title
    if not update:
        return contact, ()
    # Validated, not copied: what a file adds has to be what a contact may hold.
    return Contact.model_validate({**contact.model_dump(), **update}), tuple(sorted(update))
