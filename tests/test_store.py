"""The operational store (issue 7): the same tests on SQLite and on PostgreSQL."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from weerbaar import settings
from weerbaar.errors import ConfigError, InputError, NotFoundError, WeerbaarError
from weerbaar.store import db, reports
from weerbaar.store.models import AuditEntry, Base, Report, ReportContact, StatusChange, User

TABLES = {"reports", "report_contacts", "status_changes", "users", "audit_entries", "sessions", "programme_measures"}
TABLES |= {"interventions", "intervention_changes"}
PASSWORD = "correct horse battery staple"
NIEUWMARKT = (121_456.7, 487_321.2)  # RD New, inside Amsterdam


@pytest.fixture()
def moderator(url):
    with db.session(url) as s:
        return reports.create_user(s, "mod", PASSWORD, "moderator")


def submit(url, **kw):
    args = {"kind": "dealing", "x": NIEUWMARKT[0], "y": NIEUWMARKT[1]} | kw
    with db.session(url) as s:
        return reports.submit_report(s, **args)


# --- migrations ------------------------------------------------------------------------------


def test_migrations_create_every_table_and_rerun_is_noop(db_url):
    db.upgrade(db_url)
    insp = inspect(db.engine(db_url))
    assert TABLES | {"alembic_version"} <= set(insp.get_table_names())
    with db.engine(db_url).connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == _head()
    db.upgrade(db_url)  # a no-op
    with db.engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [_head()]


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(db.alembic_config()).get_current_head()


def test_models_match_migrations(url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine(url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_pragmas(tmp_path, home):
    url = db.database_url(tmp_path)
    with db.engine(url).connect() as conn:
        assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
        assert conn.scalar(text("PRAGMA foreign_keys")) == 1
    db.dispose(url)


def test_database_url_default_and_bad_url(home, monkeypatch):
    assert db.database_url() == f"sqlite:///{home.resolve() / 'operational.sqlite'}"
    monkeypatch.setenv("WEERBAAR_DATABASE_URL", "postgres://u:hunter2@db.example/weerbaar")
    assert db.database_url() == "postgresql+psycopg://u:hunter2@db.example/weerbaar"
    monkeypatch.setenv("WEERBAAR_DATABASE_URL", "mysql://u:hunter2@db.example/weerbaar")
    with pytest.raises(ConfigError) as err:
        settings.get("database_url")
    assert "hunter2" not in str(err.value) and "***" in err.value.received and err.value.expected
    with pytest.raises(ConfigError) as err:
        db.check_url("not a url:hunter2@")
    assert "hunter2" not in str(err.value)
    assert next(r for r in settings.describe() if r["name"] == "database_url")["default"] == "(secret)"


def test_facility_types_agree_with_the_facilities_source():
    from weerbaar.sources.facilities import FACILITY_TYPES
    from weerbaar.store.models import NEAR_FACILITY_TYPES

    assert tuple(NEAR_FACILITY_TYPES) == tuple(FACILITY_TYPES)


# --- submitting ------------------------------------------------------------------------------


def test_submit_coarsens_to_cell_centre(url):
    r = submit(url, near_facility_type="school", description="  two men on a scooter  ")
    assert (r.x, r.y) == (121_450, 487_350)
    assert (r.x, r.y) != NIEUWMARKT and r.x % 100 == 50 and r.y % 100 == 50
    with db.session(url) as s:
        stored = s.get(Report, r.id)
        assert (stored.x, stored.y) == (121_450, 487_350)
        assert stored.status == "new" and stored.description == "two men on a scooter"
        assert stored.created_at.tzinfo is not None and stored.contact is None
        assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_submit_wgs84(url):
    year = datetime.now(UTC).year - (1 if datetime.now(UTC).month < 7 else 0)  # a May in the last 12 months
    r = submit(url, x=4.9003, y=52.3727, crs="EPSG:4326", seen_at=f"{year}-05-01T21:30")
    assert 121_000 < r.x < 122_500 and 487_000 < r.y < 488_500 and r.x % 100 == 50
    assert r.seen_at == datetime(year, 5, 1, 19, 30, tzinfo=UTC)  # Amsterdam summer time is UTC+2
    with db.session(url) as s:
        assert s.get(Report, r.id).seen_at == datetime(year, 5, 1, 19, 30, tzinfo=UTC)


def test_script_is_stored_verbatim(url):
    hostile = "<script>alert('x')</script> ' OR 1=1; DROP TABLE reports; --"
    r = submit(url, description=hostile)
    with db.session(url) as s:
        assert s.get(Report, r.id).description == hostile
        assert s.scalar(select(Report.id).where(Report.description == hostile)) == r.id


@pytest.mark.parametrize(
    "kw",
    [
        {"description": "x" * 2001},
        {"contact": "x" * 501},
        {"kind": "robbery"},
        {"kind": None},
        {"x": 155_000.0, "y": 463_000.0},  # Utrecht
        {"x": 5.12, "y": 52.09, "crs": "EPSG:4326"},  # Utrecht
        {"x": 4.9, "y": 91.0, "crs": "EPSG:4326"},
        {"x": float("nan")},
        {"x": "121000"},
        {"crs": "EPSG:3857"},
        {"near_facility_type": "casino"},
        {"seen_at": "yesterday"},
        {"seen_at": datetime.now(UTC) + timedelta(days=2)},
    ],
)
def test_hostile_input_is_refused(url, kw):
    with pytest.raises(InputError) as err:
        submit(url, **kw)
    assert err.value.problem and err.value.expected
    with db.session(url) as s:
        assert s.scalar(select(Report.id)) is None


def test_description_at_the_limit_and_control_characters(url):
    r = submit(url, description="a\x00b" + "x" * 1998)
    assert len(r.description) == 2000 and r.description.startswith("ab")


def test_idempotency_key(url):
    first = submit(url, idempotency_key="k-123", contact="06 12345678")
    again = submit(url, idempotency_key="k-123", contact="06 12345678")  # a retry of the same report
    assert again.id == first.id
    with pytest.raises(reports.ConflictError):  # the key with another report (issue 16): refused, not dropped
        submit(url, idempotency_key="k-123", contact="06 12345678", description="retry")
    other = submit(url, idempotency_key="k-456")
    assert other.id != first.id
    with db.session(url) as s:
        assert len(s.scalars(select(Report)).all()) == 2
        assert len(s.scalars(select(ReportContact)).all()) == 1


# --- the state machine -----------------------------------------------------------------------


def test_legal_path_and_every_illegal_transition(url, moderator):
    statuses = list(reports.ALLOWED)
    for start in statuses:
        for target in statuses:
            if target in reports.ALLOWED[start]:
                continue
            r = submit(url)
            with db.session(url) as s:
                path = {"new": [], "triaged": ["triaged"], "forwarded": ["triaged", "forwarded"]}.get(start, ["closed"])
                for step in path:
                    reports.change_status(
                        s,
                        r.id,
                        step,
                        reason="setup",
                        actor=moderator,
                        forwarded_to="police" if step == "forwarded" else None,
                    )
            with db.session(url) as s, pytest.raises(InputError, match="not allowed"):
                reports.change_status(s, r.id, target, reason="try", actor=moderator, forwarded_to="police")
            with db.session(url) as s:
                assert s.get(Report, r.id).status == start


def test_status_change_rules(url, moderator):
    r = submit(url)
    with db.session(url) as s:
        with pytest.raises(InputError, match="reason"):
            reports.change_status(s, r.id, "triaged", reason="   ", actor=moderator)
        reports.change_status(s, r.id, "triaged", reason="looked at it", actor=moderator)
        with pytest.raises(InputError, match="forwarded to"):
            reports.change_status(s, r.id, "forwarded", reason="to police", actor=moderator)
        with pytest.raises(InputError):
            reports.change_status(s, r.id, "closed", reason="done", actor=moderator, forwarded_to="police")
        reports.change_status(s, r.id, "forwarded", reason="wijkagent", actor=moderator, forwarded_to="police")
        reports.change_status(s, r.id, "closed", reason="handled", actor=None)
        with pytest.raises(NotFoundError):
            reports.change_status(s, "nope", "closed", reason="x", actor=None)
    with db.session(url) as s:
        report = s.get(Report, r.id)
        assert report.status == "closed" and report.forwarded_to == "police" and report.closed_at is not None
        assert [(h.from_status, h.to_status) for h in report.history] == [
            ("new", "triaged"),
            ("triaged", "forwarded"),
            ("forwarded", "closed"),
        ]
        assert report.history[0].actor_id == moderator.id and report.history[-1].actor_id is None


def test_history_and_audit_are_append_only_in_the_database(url, moderator):
    r = submit(url, contact="a@b.nl")
    with db.session(url) as s:
        reports.change_status(s, r.id, "triaged", reason="ok", actor=moderator)
        reports.view_contact(s, r.id, actor=moderator)
    for statement in (
        update(StatusChange).values(reason="rewritten"),
        StatusChange.__table__.delete(),
        update(AuditEntry).values(action="nothing"),
        AuditEntry.__table__.delete(),
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.session(url) as s:
            s.execute(statement)


@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(list(reports.ALLOWED)), max_size=6))
def test_random_transitions_keep_a_legal_append_only_history(url, steps):
    r = submit(url)
    seen: list[tuple[str, str]] = []
    for target in steps:
        with db.session(url) as s:
            current = s.get(Report, r.id).status
            fwd = "enforcement" if target == "forwarded" else None
            try:
                reports.change_status(s, r.id, target, reason=f"to {target}", actor=None, forwarded_to=fwd)
            except InputError:
                assert target not in reports.ALLOWED[current]
            else:
                assert target in reports.ALLOWED[current]
                seen.append((current, target))
        with db.session(url) as s:
            history = s.scalars(
                select(StatusChange).where(StatusChange.report_id == r.id).order_by(StatusChange.id)
            ).all()
            pairs = [(h.from_status, h.to_status) for h in history]
            assert pairs == seen  # earlier entries are never changed, only appended to
            assert all(b in reports.ALLOWED[a] for a, b in pairs)
            assert all(pairs[i][1] == pairs[i + 1][0] for i in range(len(pairs) - 1))
            assert s.get(Report, r.id).status == (pairs[-1][1] if pairs else "new")


# --- contacts --------------------------------------------------------------------------------


def test_contact_is_encrypted_and_views_are_audited(url, moderator, home):
    r = submit(url, contact="Jan, 06-12345678")
    key = home / "contact.key"
    assert key.exists() and stat.S_IMODE(key.stat().st_mode) == 0o600
    with db.engine(url).connect() as conn:
        blob = bytes(conn.scalar(text("SELECT blob FROM report_contacts")))
    assert b"12345678" not in blob and b"Jan" not in blob
    with db.session(url) as s:
        analyst = reports.create_user(s, "ana", PASSWORD, "analyst")
        assert reports.view_contact(s, r.id, actor=moderator) == "Jan, 06-12345678"
        with pytest.raises(reports.NotAllowedError) as err:
            reports.view_contact(s, r.id, actor=analyst)
        assert isinstance(err.value, WeerbaarError) and isinstance(err.value, PermissionError)
    with db.session(url) as s:
        entries = s.scalars(select(AuditEntry)).all()
        assert [(e.action, e.actor_id, e.report_id) for e in entries] == [("view_contact", moderator.id, r.id)]


def test_contact_key_from_the_environment(url, moderator, home, monkeypatch):
    from cryptography.fernet import Fernet

    monkeypatch.setenv("WEERBAAR_CONTACT_KEY", Fernet.generate_key().decode())
    r = submit(url, contact="secret")
    assert not (home / "contact.key").exists()
    with db.session(url) as s:
        assert reports.view_contact(s, r.id, actor=moderator) == "secret"
    monkeypatch.setenv("WEERBAAR_CONTACT_KEY", Fernet.generate_key().decode())
    with db.session(url) as s, pytest.raises(ConfigError, match="decrypted"):
        reports.view_contact(s, r.id, actor=moderator)
    monkeypatch.setenv("WEERBAAR_CONTACT_KEY", "too-short")
    with pytest.raises(ConfigError) as err:
        settings.get("contact_key")
    assert "too-short" not in str(err.value)


def test_retention_erases_contacts_of_long_closed_reports(url, moderator):
    now = datetime.now(UTC)
    ids = {}
    for label in ("old", "recent", "open"):
        r = submit(url, contact=f"contact {label}")
        ids[label] = r.id
        if label != "open":
            with db.session(url) as s:
                reports.change_status(s, r.id, "closed", reason="done", actor=moderator)
    with db.session(url) as s:  # backdate the closing (the report itself is not append-only)
        s.get(Report, ids["old"]).closed_at = now - timedelta(days=13 * 31)
        s.get(Report, ids["recent"]).closed_at = now - timedelta(days=11 * 30)
    with db.session(url) as s:
        assert reports.erase_expired_contacts(s, now=now) == 1
        assert reports.erase_expired_contacts(s, now=now) == 0  # already erased
    with db.session(url) as s:
        old = s.get(ReportContact, ids["old"])
        assert old.blob is None and old.erased_at is not None
        assert reports.view_contact(s, ids["old"], actor=moderator) is None
        assert reports.view_contact(s, ids["recent"], actor=moderator) == "contact recent"
        assert reports.view_contact(s, ids["open"], actor=moderator) == "contact open"
        assert s.scalar(select(AuditEntry.report_id).where(AuditEntry.action == "erase_contact")) == ids["old"]
    with db.session(url) as s:  # a shorter retention setting erases the recent one too
        assert reports.erase_expired_contacts(s, now=now, months=6) == 1


# --- users -----------------------------------------------------------------------------------


def test_argon2_users(url):
    with db.session(url) as s:
        user = reports.create_user(s, "moderator.1", PASSWORD, "moderator")
        assert user.password_hash != PASSWORD and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in repr(user) and user.password_hash not in repr(user)
        with pytest.raises(InputError, match="taken"):
            reports.create_user(s, "moderator.1", PASSWORD, "admin")
        with pytest.raises(InputError, match="short"):
            reports.create_user(s, "other", "short", "admin")
        with pytest.raises(InputError, match="role"):
            reports.create_user(s, "other", PASSWORD, "root")
    with db.session(url) as s:
        assert reports.authenticate(s, "moderator.1", PASSWORD).id == user.id
        assert reports.authenticate(s, "moderator.1", PASSWORD + "!") is None
        assert reports.authenticate(s, "nobody", PASSWORD) is None
        s.get(User, user.id).active = False
        s.flush()
        assert reports.authenticate(s, "moderator.1", PASSWORD) is None


def test_username_is_unique_in_the_database(url):
    with pytest.raises(IntegrityError), db.session(url) as s:
        s.add_all(
            [
                User(username="dup", password_hash="x", role="admin"),
                User(username="dup", password_hash="y", role="admin"),
            ]
        )
        s.flush()
