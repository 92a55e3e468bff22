"""What a contact file says, row by row, before Kith decides what to do with it (PRODUCT.md §9).

Parsers turn a file into `ParsedFile`: each usable row an `ImportRow`, each unusable one a
`RowProblem` naming the line and why. A file Kith cannot read at all (binary, wrong columns,
unknown format) raises `kith.errors.InvalidInput` naming the problem.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from kith.domain.models import Circle


class FileFormat(StrEnum):
    LINKEDIN = "linkedin"
    GOOGLE = "google"
    VCARD = "vcard"
    KITH = "kith"


class ImportRow(BaseModel):
    """One person from a file, in Kith's words. Addresses and the LinkedIn URL are already normalised."""

    model_config = ConfigDict(frozen=True)

    # Where the row was: the 1-based line of a CSV record, or of the vCard's BEGIN line.
    line: int
    name: str = Field(min_length=1, max_length=200)
    emails: tuple[str, ...] = ()
    # Values in the file's e-mail cells that are not addresses: the person is kept without them.
    skipped_addresses: tuple[str, ...] = ()
    linkedin_url: str | None = None
    company: str | None = None
    title: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    # LinkedIn's "Connected On": the day the connection was made.
    connected_on: date | None = None
    # Only Kith's own CSV carries these; other formats leave them to the owner's defaults.
    circle: Circle | None = None
    cadence_days: int | None = None
    goal: str | None = None
    last_interaction_at: datetime | None = None
    last_interaction_title: str | None = None
    snoozed_until: datetime | None = None


class RowProblem(BaseModel):
    model_config = ConfigDict(frozen=True)

    line: int
    reason: str


class ParsedFile(BaseModel):
    format: FileFormat
    rows: list[ImportRow]
    problems: list[RowProblem]
