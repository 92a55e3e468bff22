"""Hand-made digests: whom each one names, and in what order (PRODUCT.md §1, §2, §5), for the tests and the bench.

Every expectation below was written from the product's rules, not by running the ranking:

- a contact is due once its cadence has passed since the last real interaction (or, never met, since it
  was added): inner 21 days, core 60, wider 180, or a custom number; days are the owner's calendar days;
  "never" is never due, and a goal does not make anyone due;
- a contact snoozed until later, or with a planned meeting still ahead, is held back;
- one score orders them: cadences late, plus a tenth of a cadence per circle step (inner, core, custom,
  wider), plus a quarter of a cadence for a goal; so at equal lateness a goal outweighs one circle step,
  and a contact much later than another comes first whatever the circle or goal;
- a goal counts when the owner declared no goals at all, or when it is one of their active goals;
- at most the owner's limit (default 5) and nothing due means an empty digest.

A case the code ranks differently keeps its expectation and says so in `disagreement`; the test marks
it as an expected failure, so the disagreement stays visible until someone settles it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kith.domain.digest import rank_due_contacts
from kith.domain.models import Circle, Contact, Goal, OwnerSettings

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday, the default digest hour


@dataclass(frozen=True)
class Person:
    """A contact in a case, described the way the product talks about them."""

    name: str
    circle: Circle = Circle.CORE
    seen_days_ago: int | None = None  # the last real interaction, whole days before the case's `now`
    seen_at: datetime | None = None  # or the exact instant of it
    added_days_ago: int = 400
    cadence_days: int | None = None  # for the custom circle
    goal: str | None = None
    snoozed_for_days: int | None = None  # a snooze ending this many days after `now` (negative: it ended)
    meeting_in_days: int | None = None  # a planned meeting this many days after `now` (negative: it was)

    def contact(self, now: datetime) -> Contact:
        last = self.seen_at
        if self.seen_days_ago is not None:
            last = now - timedelta(days=self.seen_days_ago)
        return Contact(
            contact_id="c-" + self.name.casefold().replace(" ", "-"),
            owner_id="o-1",
            name=self.name,
            circle=self.circle,
            cadence_days=self.cadence_days,
            goal=self.goal,
            added_at=now - timedelta(days=self.added_days_ago),
            last_interaction_at=last,
            snoozed_until=None if self.snoozed_for_days is None else now + timedelta(days=self.snoozed_for_days),
            planned_meeting_at=None if self.meeting_in_days is None else now + timedelta(days=self.meeting_in_days),
        )


@dataclass(frozen=True)
class RankingCase:
    name: str
    people: tuple[Person, ...]
    expected: tuple[str, ...]
    why: str
    limit: int | None = None  # None: the owner kept the default
    zone: str = "UTC"
    now: datetime = NOW
    disagreement: str | None = None
    goals: tuple[Goal, ...] = ()  # the goals the owner declared; none declared, any goal counts

    @property
    def settings(self) -> OwnerSettings:
        if self.limit is None:
            return OwnerSettings(time_zone=self.zone)
        return OwnerSettings(time_zone=self.zone, digest_limit=self.limit)

    def contacts(self) -> list[Contact]:
        return [person.contact(self.now) for person in self.people]


def _custom(name: str, every: int, seen_days_ago: int) -> Person:
    return Person(name, Circle.CUSTOM, seen_days_ago=seen_days_ago, cadence_days=every)


CASES: tuple[RankingCase, ...] = (
    RankingCase(
        "nothing due gives an empty digest",
        (
            Person("Ana", Circle.INNER, seen_days_ago=10),
            Person("Ben", Circle.CORE, seen_days_ago=30),
            Person("Cy", Circle.WIDER, seen_days_ago=100),
            _custom("Dee", every=30, seen_days_ago=20),
        ),
        (),
        "everyone was seen within their cadence",
    ),
    RankingCase("no contacts at all", (), (), "an empty network has nothing due"),
    RankingCase(
        "only due contacts are named",
        (
            Person("Due Dana", seen_days_ago=61),
            Person("Early Eli", seen_days_ago=59),
            Person("Never Nia", Circle.NEVER, seen_days_ago=900),
        ),
        ("Due Dana",),
        "61 days is past a core cadence, 59 is not, never is never",
    ),
    RankingCase(
        "due on the day the cadence ends",
        (
            Person("On Time Otto", seen_days_ago=60),
            Person("Day Short Di", seen_days_ago=59),
            Person("Inner Ida", Circle.INNER, seen_days_ago=21),
            Person("Inner Iver", Circle.INNER, seen_days_ago=20),
        ),
        ("Inner Ida", "On Time Otto"),
        "a whole cadence has passed for Otto and Ida (1.0 cadences each); inner before core",
    ),
    RankingCase(
        "the never circle is never named, goal or not",
        (
            Person("Never Nia", Circle.NEVER, seen_days_ago=5000, goal="mentorship"),
            Person("Never Ned", Circle.NEVER, added_days_ago=3000),
        ),
        (),
        "never opts a contact out",
    ),
    RankingCase(
        "a goal does not make a contact due",
        (Person("Goal Gil", seen_days_ago=59, goal="job search"),),
        (),
        "59 days is inside a core cadence whatever the goal",
    ),
    RankingCase(
        "more overdue first within a circle",
        (
            Person("Ana", seen_days_ago=70),
            Person("Ben", seen_days_ago=150),
            Person("Cy", seen_days_ago=100),
        ),
        ("Ben", "Cy", "Ana"),
        "150 > 100 > 70 days on the same 60-day cadence",
    ),
    RankingCase(
        "lateness is relative to the cadence, not in days",
        (
            Person("Wider Wes", Circle.WIDER, seen_days_ago=200),
            Person("Core Cleo", seen_days_ago=90),
            Person("Inner Ines", Circle.INNER, seen_days_ago=42),
        ),
        ("Inner Ines", "Core Cleo", "Wider Wes"),
        "2.0 cadences (42/21) > 1.5 (90/60) > 1.11 (200/180), though the days run the other way",
    ),
    RankingCase(
        "a custom cadence counts its own days",
        (
            _custom("Custom Cara", every=10, seen_days_ago=30),
            Person("Core Cole", seen_days_ago=150),
            Person("Inner Ivo", Circle.INNER, seen_days_ago=42),
        ),
        ("Custom Cara", "Core Cole", "Inner Ivo"),
        "3.0 cadences (30/10) > 2.5 (150/60) > 2.0 (42/21)",
    ),
    RankingCase(
        "a custom cadence not yet due",
        (
            _custom("Quarterly Quinn", every=90, seen_days_ago=80),
            Person("Core Cole", seen_days_ago=61),
        ),
        ("Core Cole",),
        "80 days is inside a 90-day custom cadence",
    ),
    RankingCase(
        "the circle orders equal lateness",
        (
            Person("Wider Wyn", Circle.WIDER, seen_days_ago=360),
            _custom("Custom Cass", every=15, seen_days_ago=30),
            Person("Core Coco", seen_days_ago=120),
            Person("Inner Ike", Circle.INNER, seen_days_ago=42),
        ),
        ("Inner Ike", "Core Coco", "Custom Cass", "Wider Wyn"),
        "all exactly 2.0 cadences late: inner, core, custom, wider",
    ),
    RankingCase(
        "a goal orders equal lateness within a circle",
        (
            Person("Aaron", seen_days_ago=90),
            Person("Zed", seen_days_ago=90, goal="job search"),
        ),
        ("Zed", "Aaron"),
        "same circle, same lateness: the one serving a goal first",
    ),
    RankingCase(
        "a goal outweighs one circle step at equal lateness",
        (
            Person("Ada", Circle.INNER, seen_days_ago=42),
            Person("Bo", Circle.CORE, seen_days_ago=120, goal="mentorship"),
        ),
        ("Bo", "Ada"),
        "both 2.0 cadences late; a goal (a quarter cadence) is worth more than inner over core (a tenth)",
    ),
    RankingCase(
        "an inner contact just due outranks a wider one a quarter cadence late",
        (
            Person("Wanda", Circle.WIDER, seen_days_ago=225),
            Person("Ian", Circle.INNER, seen_days_ago=21),
        ),
        ("Ian", "Wanda"),
        "1.0 cadence (21/21) plus three circle steps (0.3) against 1.25 (225/180)",
    ),
    RankingCase(
        "a goal outweighs a fifth of a cadence of lateness",
        (
            Person("Later Lou", seen_days_ago=90),
            Person("Goal Gus", seen_days_ago=78, goal="industry insight"),
        ),
        ("Goal Gus", "Later Lou"),
        "1.3 cadences (78/60) plus a goal (0.25) against 1.5 (90/60), same circle",
    ),
    RankingCase(
        "lateness beyond a goal's weight comes first",
        (
            Person("Much Later Mo", seen_days_ago=120),
            Person("Goal Gia", seen_days_ago=78, goal="industry insight"),
        ),
        ("Much Later Mo", "Goal Gia"),
        "2.0 cadences (120/60) against 1.3 (78/60) plus a goal (0.25)",
    ),
    RankingCase(
        "a goal the owner set aside lifts nobody",
        (
            Person("Aaron", seen_days_ago=90),
            Person("Zed", seen_days_ago=90, goal="job search"),
        ),
        ("Aaron", "Zed"),
        "the owner's job search is inactive: Zed's goal weighs nothing, and at equal lateness the name decides",
        goals=(Goal(name="job search", active=False), Goal(name="mentorship")),
    ),
    RankingCase(
        "only the owner's active goals lift a contact",
        (
            Person("Later Lou", seen_days_ago=90),
            Person("Seeker Sid", seen_days_ago=78, goal="job search"),
            Person("Free Fay", seen_days_ago=78, goal="sailing"),
            Person("Mentee Mae", seen_days_ago=78, goal="mentorship"),
        ),
        ("Mentee Mae", "Later Lou", "Free Fay", "Seeker Sid"),
        "1.3 cadences plus an active goal (0.25) against 1.5; a goal set aside (job search) or never declared "
        "(sailing) weighs nothing once the owner declared goals",
        goals=(Goal(name="mentorship"), Goal(name="job search", active=False)),
    ),
    RankingCase(
        "at most the limit, and the most overdue",
        tuple(Person(f"P{index}", seen_days_ago=61 + index * 10) for index in range(7)),
        ("P6", "P5", "P4"),
        "seven due, a limit of three: the three latest",
        limit=3,
    ),
    RankingCase(
        "a limit of one names the single most overdue",
        (
            Person("Inner Iggy", Circle.INNER, seen_days_ago=50),
            Person("Core Cato", seen_days_ago=130),
            Person("Wider Wim", Circle.WIDER, seen_days_ago=400),
        ),
        ("Inner Iggy",),
        "2.38 cadences (50/21) > 2.22 (400/180) > 2.17 (130/60)",
        limit=1,
    ),
    RankingCase(
        "the default limit is five",
        tuple(Person(f"Q{days}", seen_days_ago=days) for days in range(61, 69)),
        ("Q68", "Q67", "Q66", "Q65", "Q64"),
        "eight due, the owner kept the default of five",
    ),
    RankingCase(
        "snoozed contacts are held back",
        (
            Person("Snoozed Sam", seen_days_ago=200, snoozed_for_days=7),
            Person("Goal Gia", Circle.INNER, seen_days_ago=100, goal="partnerships", snoozed_for_days=1),
            Person("Due Dot", seen_days_ago=61),
        ),
        ("Due Dot",),
        "a snooze still running holds back even the most overdue",
    ),
    RankingCase(
        "a snooze that ended names the contact again",
        (
            Person("Back Bea", seen_days_ago=100, snoozed_for_days=-1),
            Person("Also Al", seen_days_ago=70),
        ),
        ("Back Bea", "Also Al"),
        "the snooze is over; 100 days > 70 days",
    ),
    RankingCase(
        "an ended snooze does not make a contact due",
        (Person("Early Ezra", seen_days_ago=30, snoozed_for_days=-2),),
        (),
        "a snooze pushes a nudge out, never pulls it in",
    ),
    RankingCase(
        "a planned meeting ahead holds the contact back",
        (
            Person("Planned Pia", seen_days_ago=200, meeting_in_days=1),
            Person("Past Paul", seen_days_ago=200, meeting_in_days=-1),
        ),
        ("Past Paul",),
        "you are already meeting Pia; Paul's planned meeting is behind us",
    ),
    RankingCase(
        "held-back contacts do not take a place",
        (
            Person("Snoozed Sol", Circle.INNER, seen_days_ago=100, snoozed_for_days=14),
            Person("Planned Pat", Circle.INNER, seen_days_ago=90, meeting_in_days=3),
            Person("Planned Pam", seen_days_ago=300, meeting_in_days=10),
            Person("Due Dev", seen_days_ago=100),
            Person("Due Dax", seen_days_ago=80),
            Person("Due Dina", seen_days_ago=65),
        ),
        ("Due Dev", "Due Dax"),
        "the limit of two is filled from the contacts not held back",
        limit=2,
    ),
    RankingCase(
        "a contact never met counts from when it was added",
        (
            Person("New Nell", added_days_ago=70),
            Person("Fresh Finn", added_days_ago=30),
            Person("Met Mo", seen_days_ago=65),
        ),
        ("New Nell", "Met Mo"),
        "Nell added 70 days ago (1.17 cadences) > Mo seen 65 days ago (1.08); Finn only 30 days",
    ),
    RankingCase(
        "an owner east of UTC counts days on their own calendar",
        (
            Person("Kiri", seen_at=datetime(2026, 4, 1, 10, tzinfo=UTC)),  # 1 April, 23:00 in Auckland
            Person("Tane", seen_at=datetime(2026, 4, 2, 10, tzinfo=UTC)),  # 2 April, 23:00 in Auckland
        ),
        ("Kiri",),
        "it is already 31 May in Auckland: 60 days since 1 April, 59 since 2 April",
        zone="Pacific/Auckland",
        now=datetime(2026, 5, 30, 20, tzinfo=UTC),
    ),
    RankingCase(
        "the same people for an owner on UTC",
        (
            Person("Kiri", seen_at=datetime(2026, 4, 1, 10, tzinfo=UTC)),
            Person("Tane", seen_at=datetime(2026, 4, 2, 10, tzinfo=UTC)),
        ),
        (),
        "still 30 May in UTC: 59 days since 1 April",
        now=datetime(2026, 5, 30, 20, tzinfo=UTC),
    ),
    RankingCase(
        "an owner west of UTC counts days on their own calendar",
        (
            Person("Leilani", seen_at=datetime(2026, 4, 1, 20, tzinfo=UTC)),  # 1 April, 10:00 in Honolulu
            Person("Makoa", seen_at=datetime(2026, 3, 31, 20, tzinfo=UTC)),  # 31 March, 10:00 in Honolulu
        ),
        ("Makoa",),
        "it is still 30 May in Honolulu (31 May in UTC): 59 days since 1 April, 60 since 31 March",
        zone="Pacific/Honolulu",
        now=datetime(2026, 5, 31, 9, tzinfo=UTC),
    ),
    RankingCase(
        "equal contacts come in a stable order",
        (Person("bea", seen_days_ago=70), Person("Ana", seen_days_ago=70)),
        ("Ana", "bea"),
        "nothing tells them apart; the product asks only for a stable order (Kith uses the name, any case)",
    ),
)


def ranked_names(case: RankingCase) -> tuple[str, ...]:
    entries = rank_due_contacts(case.contacts(), case.settings, case.now, case.goals)
    return tuple(entry.contact.name for entry in entries)


def disagreeing_cases() -> list[str]:
    """The names of the cases the code ranks differently from the table."""
    return [case.name for case in CASES if ranked_names(case) != case.expected]


def ranking_agreement() -> tuple[int, int]:
    """(cases the code ranks as the table expects, cases in the table)."""
    return len(CASES) - len(disagreeing_cases()), len(CASES)
