"""The programme register: the 15 measures of "Weerbare mensen, weerbare wijken", their status and milestones,
the budget lines and the three named risks (issue 9).

The packaged YAML (``weerbaar/data/programme/weerbare-wijken-2019.yaml``) holds the register as the programme
text describes it at its start; it is validated on every load. The operational store holds what changes: each
measure's status and status note and each milestone's done flag, with an append-only history of every change
(``measure_changes``). ``load_register()`` seeds the store from the YAML on first use (idempotent) and returns
the YAML's text merged with the store's state; ``seed_register()`` returns the YAML alone.

Owners and partners are organisations, never people: the register holds nothing personal.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from importlib import resources
from typing import Any

from .errors import InputError, NotFoundError

__all__ = [
    "STATUSES",
    "SEED_FILE",
    "Milestone",
    "Measure",
    "Risk",
    "BudgetLine",
    "Register",
    "known_indicators",
    "parse_register",
    "seed_register",
    "seed_store",
    "load_register",
    "update_measure",
    "measure_history",
    "register_dict",
]

STATUSES = ("planned", "in_preparation", "running", "completed", "delayed", "stopped")
SEED_FILE = "weerbare-wijken-2019.yaml"
NOTE_MAX = 2000
_DUE = re.compile(r"^(\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?)?$")
_DUE_EXPECTED = "'' (no date), YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM, e.g. 2020-Q1"


@dataclass(frozen=True)
class Milestone:
    due: str  # "2020-Q1" / "2019-12" / "2020-H1" / "2020" / "" (no date named)
    title_nl: str
    title_en: str
    done: bool


@dataclass(frozen=True)
class Measure:
    number: int
    title_nl: str
    title_en: str
    owner: str
    partners: tuple[str, ...]
    status: str
    status_note: str
    milestones: tuple[Milestone, ...]
    indicators: tuple[str, ...]
    budget_line: str | None
    updated_at: str  # ISO 8601 (UTC) or "" when never changed since seeding


@dataclass(frozen=True)
class Risk:
    number: int
    title_nl: str
    title_en: str
    description_nl: str
    description_en: str


@dataclass(frozen=True)
class BudgetLine:
    key: str
    title_nl: str
    title_en: str
    amount_eur: float


@dataclass(frozen=True)
class Register:
    measures: tuple[Measure, ...]
    risks: tuple[Risk, ...]
    budget: tuple[BudgetLine, ...]
    source: str  # "store" or "seed"

    def measure(self, number: int) -> Measure:
        for m in self.measures:
            if m.number == number:
                return m
        raise NotFoundError(
            "Unknown measure number.",
            received=repr(number),
            expected=f"one of {', '.join(str(m.number) for m in self.measures)}",
            fix="see `weerbaar programme` for the measures",
        )


def register_dict(register: Register) -> dict[str, Any]:
    """The register as plain JSON-ready data (the API's answer, ``weerbaar programme --format json``)."""
    return {
        "source": register.source,
        "statuses": list(STATUSES),
        "measures": [asdict(m) for m in register.measures],
        "risks": [asdict(r) for r in register.risks],
        "budget": [asdict(b) for b in register.budget],
    }


# ---------------------------------------------------------------------------------------------
# the packaged YAML, validated


def known_indicators() -> frozenset[str]:
    """Indicator names a measure may link to: the canonical ones and the residents' reports per facility type."""
    from .indicators import CANONICAL
    from .store.models import NEAR_FACILITY_TYPES

    return frozenset(CANONICAL) | {f"reports.near_facility.{t}" for t in NEAR_FACILITY_TYPES}


class _Reader:
    """Typed access to one mapping of the YAML; every error names the field (``measures[3].status``)."""

    def __init__(self, data: Any, where: str, file: str) -> None:
        if not isinstance(data, dict):
            raise InputError(
                f"{where or 'The register'} is not a mapping.",
                received=type(data).__name__,
                expected="a mapping of field: value",
                fix="check the indentation of the YAML file",
                file=file,
            )
        self.data, self.where, self.file = data, where, file

    def _err(self, key: str, problem: str, received: Any, expected: str, fix: str | None = None) -> InputError:
        field = f"{self.where}.{key}" if self.where else key
        return InputError(
            f"Field {field}: {problem}",
            received=repr(received),
            expected=expected,
            fix=fix or f"correct {field} in the register",
            file=self.file,
            column=field,
        )

    def check_keys(self, allowed: set[str]) -> None:
        extra = sorted(set(self.data) - allowed)
        if extra:
            raise self._err(extra[0], "unknown field.", extra[0], f"one of {', '.join(sorted(allowed))}")

    def get(self, key: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
        if key not in self.data or self.data[key] is None:
            if optional:
                return None
            raise self._err(key, "missing.", None, f"a value of type {getattr(kind, '__name__', kind)}")
        value = self.data[key]
        if isinstance(value, bool) and kind is not bool and bool not in (kind if isinstance(kind, tuple) else ()):
            raise self._err(key, "wrong type.", value, f"{getattr(kind, '__name__', kind)}")
        if not isinstance(value, kind):
            raise self._err(key, "wrong type.", value, f"{getattr(kind, '__name__', kind)}")
        return value

    def text(self, key: str, *, empty: bool = False) -> str:
        value = self.get(key, (str, int) if key == "due" else str)
        value = str(value).strip()
        if not value and not empty:
            raise self._err(key, "empty.", value, "a non-empty text")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list)
        out = []
        for i, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                raise self._err(f"{key}[{i}]", "not a text.", v, "a non-empty text")
            out.append(v.strip())
        return tuple(out)

    def items(self, key: str) -> list[_Reader]:
        values = self.get(key, list)
        return [
            _Reader(v, f"{self.where + '.' if self.where else ''}{key}[{i}]", self.file) for i, v in enumerate(values)
        ]


def parse_register(data: Any, *, file: str = SEED_FILE, source: str = "seed") -> Register:
    """Validate the register's data (as read from YAML) and build it; ``InputError`` names the bad field."""
    top = _Reader(data, "", file)
    top.check_keys({"programme", "budget", "measures", "risks"})
    budget = []
    for b in top.items("budget"):
        b.check_keys({"key", "title_nl", "title_en", "amount_eur"})
        amount = b.get("amount_eur", (int, float))
        if amount < 0:
            raise b._err("amount_eur", "negative.", amount, "an amount in euros >= 0")
        budget.append(BudgetLine(b.text("key"), b.text("title_nl"), b.text("title_en"), float(amount)))
    keys = [b.key for b in budget]
    if len(set(keys)) != len(keys):
        raise top._err("budget", "duplicate key.", keys, "unique keys")
    indicators = known_indicators()
    measures = []
    for m in top.items("measures"):
        m.check_keys(
            {"number", "title_nl", "title_en", "owner", "partners", "status", "status_note", "budget_line"}
            | {"indicators", "milestones"}
        )
        status = m.text("status")
        if status not in STATUSES:
            raise m._err("status", "unknown status.", status, f"one of {', '.join(STATUSES)}")
        linked = m.texts("indicators")
        for i, name in enumerate(linked):
            if name not in indicators:
                raise m._err(
                    f"indicators[{i}]",
                    "unknown indicator.",
                    name,
                    "an indicator of the catalogue (weerbaar indicators), e.g. registered.drug_trade",
                )
        line = m.get("budget_line", str, optional=True)
        if line is not None and line not in keys:
            raise m._err("budget_line", "unknown budget line.", line, f"null or one of {', '.join(keys)}")
        milestones = []
        for ms in m.items("milestones"):
            ms.check_keys({"due", "title_nl", "title_en", "done"})
            due = ms.text("due", empty=True)
            if not _DUE.match(due):
                raise ms._err("due", "not a period.", due, _DUE_EXPECTED)
            milestones.append(Milestone(due, ms.text("title_nl"), ms.text("title_en"), ms.get("done", bool)))
        measures.append(
            Measure(
                number=m.get("number", int),
                title_nl=m.text("title_nl"),
                title_en=m.text("title_en"),
                owner=m.text("owner"),
                partners=m.texts("partners"),
                status=status,
                status_note=m.text("status_note", empty=True),
                milestones=tuple(milestones),
                indicators=linked,
                budget_line=line,
                updated_at="",
            )
        )
    risks = []
    for r in top.items("risks"):
        r.check_keys({"number", "title_nl", "title_en", "description_nl", "description_en"})
        risks.append(
            Risk(
                r.get("number", int),
                r.text("title_nl"),
                r.text("title_en"),
                r.text("description_nl"),
                r.text("description_en"),
            )
        )
    for name, rows in (("measures", measures), ("risks", risks)):
        numbers = [x.number for x in rows]
        if numbers != list(range(1, len(numbers) + 1)):
            raise top._err(name, "numbers are not 1, 2, 3, ... in order.", numbers, "consecutive numbers from 1")
    return Register(tuple(measures), tuple(risks), tuple(budget), source)


def seed_register() -> Register:
    """The validated packaged YAML alone (the register at the programme's start)."""
    import yaml

    text = (resources.files("weerbaar") / "data" / "programme" / SEED_FILE).read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(
            "The programme register is not valid YAML.", received=str(exc)[:300], expected="YAML", file=SEED_FILE
        ) from exc
    return parse_register(data)


# ---------------------------------------------------------------------------------------------
# the operational store


def seed_store(s, register: Register | None = None) -> int:
    """Insert the measures and milestones the store lacks (never overwrites); returns how many rows were added."""
    from .store.models import ProgrammeMeasure, ProgrammeMilestone

    register = register or seed_register()
    added = 0
    for m in register.measures:
        row = s.get(ProgrammeMeasure, m.number)
        if row is None:
            row = ProgrammeMeasure(
                number=m.number, title_nl=m.title_nl[:300], status=m.status, status_note=m.status_note
            )
            s.add(row)
            s.flush()
            added += 1
        have = {ms.position for ms in row.milestones}
        for pos, ms in enumerate(m.milestones):
            if pos not in have:
                s.add(
                    ProgrammeMilestone(
                        measure_number=m.number, position=pos, due=ms.due, title_nl=ms.title_nl, done=ms.done
                    )
                )
                added += 1
    s.flush()
    return added


_ready: set[str] = set()


def _prepared(url: str | None) -> str:
    from . import store

    url = store.database_url() if url is None else store.db.check_url(url)
    if url not in _ready:
        store.upgrade(url)
        with store.session(url) as s:
            seed_store(s)
        _ready.add(url)
    return url


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def load_register(url: str | None = None) -> Register:
    """The register from the operational store (seeded from the YAML on first use); ``url`` None = the configured
    store. The text (titles, owners, partners, indicators, budget, risks) is the YAML's; the status, the note,
    the milestones' done flags and ``updated_at`` are the store's."""
    from . import store
    from .store.models import ProgrammeMeasure

    seed = seed_register()
    url = _prepared(url)
    with store.session(url, write=False) as s:
        rows = {r.number: (r, {ms.position: ms.done for ms in r.milestones}) for r in s.query(ProgrammeMeasure)}
    measures = []
    for m in seed.measures:
        if m.number not in rows:
            measures.append(m)
            continue
        row, done = rows[m.number]
        milestones = tuple(replace(ms, done=bool(done.get(i, ms.done))) for i, ms in enumerate(m.milestones))
        measures.append(
            replace(
                m,
                status=row.status,
                status_note=row.status_note,
                milestones=milestones,
                updated_at=_iso(row.updated_at),
            )
        )
    return replace(seed, measures=tuple(measures), source="store")


def update_measure(
    s,
    number: int,
    *,
    status: str | None = None,
    status_note: str | None = None,
    milestones_done: dict[int, bool] | None = None,
    actor=None,
) -> list:
    """Change a measure's status, note or milestones' done flags; each change is appended to the history.

    ``s`` is a session of a seeded store (``load_register`` seeds it); ``actor`` the ``User`` doing it.
    Returns the ``MeasureChange`` rows added (none when nothing changed)."""
    from .store.models import MeasureChange, ProgrammeMeasure, utcnow

    row = s.get(ProgrammeMeasure, number)
    if row is None:
        raise NotFoundError(
            "Unknown measure number.", received=repr(number), expected="1-15", fix="see `weerbaar programme`"
        )
    if status is not None and status not in STATUSES:
        raise InputError("Unknown measure status.", received=repr(status), expected=f"one of {', '.join(STATUSES)}")
    if status_note is not None:
        status_note = status_note.strip()
        if len(status_note) > NOTE_MAX:
            raise InputError(
                "The status note is too long.",
                received=f"{len(status_note)} characters",
                expected=f"at most {NOTE_MAX}",
                fix="shorten the note",
            )
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    changes = []

    def record(field: str, old: str, new: str) -> None:
        change = MeasureChange(
            measure_number=number, at=now, field=field, old_value=old, new_value=new, actor_id=actor_id
        )
        s.add(change)
        changes.append(change)

    if status is not None and status != row.status:
        record("status", row.status, status)
        row.status = status
    if status_note is not None and status_note != row.status_note:
        record("status_note", row.status_note, status_note)
        row.status_note = status_note
    by_pos = {ms.position: ms for ms in row.milestones}
    for pos, done in (milestones_done or {}).items():
        if pos not in by_pos:
            raise InputError(
                "Unknown milestone.", received=repr(pos), expected=f"one of {sorted(by_pos)} for measure {number}"
            )
        if bool(done) != by_pos[pos].done:
            record(f"milestone[{pos}].done", str(by_pos[pos].done).lower(), str(bool(done)).lower())
            by_pos[pos].done = bool(done)
            by_pos[pos].updated_at = now
    if changes:
        row.updated_at = now
        row.updated_by = actor_id
    s.flush()
    return changes


def measure_history(s, number: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The newest changes first (optionally of one measure), with the username of who made them."""
    from sqlalchemy import select

    from .store.models import MeasureChange, User

    q = select(MeasureChange, User.username).outerjoin(User, User.id == MeasureChange.actor_id)
    if number is not None:
        q = q.where(MeasureChange.measure_number == number)
    q = q.order_by(MeasureChange.at.desc(), MeasureChange.id.desc()).limit(limit)
    return [
        {
            "measure": c.measure_number,
            "at": _iso(c.at),
            "field": c.field,
            "old": c.old_value,
            "new": c.new_value,
            "user": name,
        }
        for c, name in s.execute(q)
    ]
