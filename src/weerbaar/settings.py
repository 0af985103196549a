"""One registry of settings.

Each setting has a name, an environment variable, a default, a help text and a validator.
Values come from (in order of precedence) an explicit override (a CLI option), the environment,
and the default. Secrets only ever come from the environment. ``docs/settings.md`` documents
every setting; a test checks that it does.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import platformdirs

from .errors import ConfigError

__all__ = ["Setting", "SETTINGS", "get", "override", "home", "describe", "RateLimit", "register_check"]

# Settings sit at the bottom of the package and import nothing of it. What a setting needs from a higher layer
# to validate itself (the store's URL rules, the names of the online sources) is registered from above with
# ``register_check`` when that layer is imported; the check runs on every value read after that.
_checks: dict[str, list[Callable[[Any], Any]]] = {}


def register_check(name: str, check: Callable[[Any], Any]) -> None:
    """Add a check to setting ``name``: it receives the parsed value and returns it (possibly normalised) or
    raises a ``ConfigError``. Registering the same function twice has no effect."""
    if name not in SETTINGS:
        get(name)  # raises the ConfigError naming the known settings
    checks = _checks.setdefault(name, [])
    if check not in checks:
        checks.append(check)


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Callable[[], Any]
    help: str
    parse: Callable[[str], Any]
    secret: bool = False

    def read(self, raw: str) -> Any:
        """Parse a raw value and run the checks registered from above."""
        value = self.parse(raw)
        for check in _checks.get(self.name, ()):
            value = check(value)
        return value


def _path(value: str) -> Path:
    return Path(value).expanduser()


def _division(value: str) -> str:
    if not value or not value.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(
            "Invalid area division name.",
            received=repr(value),
            expected="a short name such as 2022 or 2015",
            fix="set WEERBAAR_DIVISION to the name of a loaded division (see `weerbaar areas`)",
        )
    return value


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ConfigError(
            "Invalid number.",
            received=repr(value),
            expected="a whole number >= 0",
            fix="give a whole number, for example 1000",
        )
    return number


def _disclosure_mode(value: str) -> str:
    if value not in ("suppress", "round"):
        raise ConfigError(
            "Unknown disclosure mode.",
            received=repr(value),
            expected="suppress or round",
            fix="set WEERBAAR_DISCLOSURE_MODE to suppress (default) or round",
        )
    return value


def _threshold(value: str) -> int:
    number = _positive_int(value)
    if number < 1:
        raise ConfigError(
            "The disclosure threshold must be at least 1.",
            received=repr(value),
            expected="a whole number >= 1 (default 5)",
            fix="set WEERBAAR_DISCLOSURE_THRESHOLD to 5 or more",
        )
    return number


def _database_url(value: str) -> str:
    # The store registers its URL check (``store.db.check_url``), which validates and masks URLs in one place.
    return value.strip()


def _retention_months(value: str) -> int:
    number = _positive_int(value)
    if number < 1:
        raise ConfigError(
            "The contact retention must be at least 1 month.",
            received=repr(value),
            expected="a whole number of months >= 1 (default 12)",
            fix="set WEERBAAR_CONTACT_RETENTION_MONTHS to 12, for example",
        )
    return number


def _municipality(value: str) -> str:
    import re

    code = value.strip().upper()
    if re.fullmatch(r"\d{1,4}", code):
        code = f"GM{int(code):04d}"
    if not re.fullmatch(r"GM\d{4}", code):
        raise ConfigError(
            "Invalid municipality code.",
            received=repr(value),
            expected="a CBS municipality code such as GM0363 (Amsterdam) or 363",
            fix="set WEERBAAR_MUNICIPALITY to GM0363, for example",
        )
    return code


def _refresh_sources(value: str) -> tuple[str, ...]:
    # ``refresh`` registers the check that every name is a known online source.
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    if not names:
        raise ConfigError(
            "No online source given.",
            received=repr(value),
            expected="a comma-separated list of online source names (see `weerbaar refresh --list`)",
            fix="set WEERBAAR_REFRESH_SOURCES to amsterdam-areas,cbs-police, for example",
        )
    return names


def _session_hours(value: str) -> int:
    number = _positive_int(value)
    if not 1 <= number <= 24 * 30:
        raise ConfigError(
            "The session length is out of range.",
            received=repr(value),
            expected="a whole number of hours from 1 to 720 (default 8)",
            fix="set WEERBAAR_SESSION_HOURS to 8, for example",
        )
    return number


class RateLimit(NamedTuple):
    """At most ``limit`` events per ``window`` seconds (per client address)."""

    limit: int
    window: float

    def __str__(self) -> str:
        return f"{self.limit}/{self.window:g}"


def _rate_limit(value: str) -> RateLimit | None:
    """``N/S`` (at most N reports per S seconds per client address); ``0`` or ``off`` means no limit."""
    text = value.strip().lower()
    if text in ("0", "off"):
        return None
    count, _, window = text.partition("/")
    try:
        limit, seconds = int(count), float(window)
    except ValueError:
        limit, seconds = 0, 0.0
    if limit < 1 or not (0 < seconds < float("inf")):
        raise ConfigError(
            "Invalid report rate limit.",
            received=repr(value),
            expected="N/S: at most N reports (a whole number >= 1) per S seconds (> 0), such as 10/600; "
            "or 0 or off for no limit",
            fix="set WEERBAAR_REPORT_RATE_LIMIT to 10/600 (the default), or to off behind a proxy that limits",
        )
    return RateLimit(limit, seconds)


def _trusted_proxies(value: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (CIDR) of the reverse proxies in front of `weerbaar serve`."""
    import ipaddress

    items = tuple(v.strip() for v in value.split(",") if v.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(
                "Invalid trusted proxy address.",
                received=repr(item)[:80],
                expected="IP addresses or networks, comma-separated, such as 10.0.0.5 or 10.0.0.0/24",
                fix="set WEERBAAR_TRUSTED_PROXIES to the address of your reverse proxy, or leave it empty",
            ) from None
    return items


def _contact_key(value: str) -> str:
    from cryptography.fernet import Fernet

    try:
        Fernet(value.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ConfigError(
            "Invalid contact key.",
            received=f"a value of {len(value)} characters (not shown: it is a secret)",
            expected="a Fernet key: 32 bytes, url-safe base64 encoded (44 characters)",
            fix='generate one with `python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"` and set WEERBAAR_CONTACT_KEY to it',
        ) from None
    return value.strip()


def _network_key(value: str) -> str:
    from cryptography.fernet import Fernet

    try:
        Fernet(value.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ConfigError(
            "Invalid network key.",
            received=f"a value of {len(value)} characters (not shown: it is a secret)",
            expected="a Fernet key: 32 bytes, url-safe base64 encoded (44 characters)",
            fix='generate one with `python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"` and set WEERBAAR_NETWORK_KEY to it',
        ) from None
    return value.strip()


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "facility_radius_m",
            "WEERBAAR_FACILITY_RADIUS_M",
            lambda: 200,
            "Residents' reports are linked to the nearest facility within this many metres.",
            _positive_int,
        ),
        Setting(
            "home",
            "WEERBAAR_HOME",
            lambda: Path(platformdirs.user_data_dir("weerbaar", appauthor=False)),
            "Data folder: holds the warehouse (warehouse.duckdb) and later the operational store.",
            _path,
        ),
        Setting(
            "division",
            "WEERBAAR_DIVISION",
            lambda: "2022",
            "Default area division, used when an area code exists in more than one division.",
            _division,
        ),
        Setting(
            "min_population",
            "WEERBAAR_MIN_POPULATION",
            lambda: 250,
            "Areas with fewer inhabitants are shown but not ranked (vulnerability inventory, zwijgwijken).",
            _positive_int,
        ),
        Setting(
            "seed",
            "WEERBAAR_SEED",
            lambda: 20191203,
            "Seed of the synthetic layers of the embedded default (same seed, same data).",
            _positive_int,
        ),
        Setting(
            "disclosure_threshold",
            "WEERBAAR_DISCLOSURE_THRESHOLD",
            lambda: 5,
            "Public views: counts of events below this number are withheld (or rounded, see disclosure_mode).",
            _threshold,
        ),
        Setting(
            "disclosure_mode",
            "WEERBAAR_DISCLOSURE_MODE",
            lambda: "suppress",
            "Public views: 'suppress' withholds small counts (with secondary suppression); 'round' rounds every "
            "count to a multiple of 5 as CBS does.",
            _disclosure_mode,
        ),
        Setting(
            "disclosure_protection",
            "WEERBAAR_DISCLOSURE_PROTECTION",
            lambda: 1,
            "Public views: protection level p of counts about persons; every withheld small count x keeps a "
            "feasible range holding [x - min(x, p), x + p] given everything published.",
            _positive_int,
        ),
        Setting(
            "disclosure_delay_days",
            "WEERBAAR_DISCLOSURE_DELAY_DAYS",
            lambda: 31,
            "Public views: counts about persons are released this many days after their period ends, then "
            "frozen in the release ledger (later changes never show).",
            _positive_int,
        ),
        Setting(
            "database_url",
            "WEERBAAR_DATABASE_URL",
            lambda: None,
            "Operational store (citizen reports): a SQLAlchemy URL such as "
            "postgresql+psycopg://user:password@host/db; unset means SQLite at <home>/operational.sqlite.",
            _database_url,
            secret=True,
        ),
        Setting(
            "contact_retention_months",
            "WEERBAAR_CONTACT_RETENTION_MONTHS",
            lambda: 12,
            "Contact details given with a report are erased this many months after the report is closed.",
            _retention_months,
        ),
        Setting(
            "municipality",
            "WEERBAAR_MUNICIPALITY",
            lambda: "GM0363",
            "CBS municipality code for the online sources (Amsterdam GM0363).",
            _municipality,
        ),
        Setting(
            "amsterdam_api_key",
            "WEERBAAR_AMSTERDAM_API_KEY",
            lambda: None,
            "Key for api.data.amsterdam.nl (sent as X-Api-Key by the city's online sources).",
            lambda value: value.strip() or None,
            secret=True,
        ),
        Setting(
            "refresh_sources",
            "WEERBAAR_REFRESH_SOURCES",
            lambda: ("amsterdam-areas", "cbs-police", "cbs-nuisance"),
            "The online sources `weerbaar refresh` fetches, comma-separated.",
            _refresh_sources,
        ),
        Setting(
            "session_hours",
            "WEERBAAR_SESSION_HOURS",
            lambda: 8,
            "A partner's login session ends this many hours after logging in.",
            _session_hours,
        ),
        Setting(
            "contact_key",
            "WEERBAAR_CONTACT_KEY",
            lambda: None,
            "Fernet key encrypting reporters' contact details; unset means a key file <home>/contact.key "
            "(created with permissions 0600 on first use).",
            _contact_key,
            secret=True,
        ),
        Setting(
            "network_key",
            "WEERBAAR_NETWORK_KEY",
            lambda: None,
            "Fernet key encrypting the pseudonym keys of covert networks (issue 20); unset means a key file "
            "<home>/network.key (created with permissions 0600 on first use).",
            _network_key,
            secret=True,
        ),
        Setting(
            "report_rate_limit",
            "WEERBAAR_REPORT_RATE_LIMIT",
            lambda: RateLimit(10, 600.0),
            "Residents' reports (form and POST /api/v1/reports): at most N per S seconds from one client address, "
            "written N/S (default 10/600); 0 or off means no limit.",
            _rate_limit,
        ),
        Setting(
            "trusted_proxies",
            "WEERBAAR_TRUSTED_PROXIES",
            lambda: (),
            "Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed; empty (the default) believes no forwarded header, so rate limits "
            "count the direct peer. See docs/security.md.",
            _trusted_proxies,
        ),
    ]
}

_overrides: dict[str, Any] = {}


def get(name: str) -> Any:
    """Return the value of a setting: override, then environment, then default."""
    try:
        setting = SETTINGS[name]
    except KeyError:
        raise ConfigError(
            "Unknown setting.",
            received=repr(name),
            expected=", ".join(sorted(SETTINGS)),
            fix="use one of the documented settings (docs/settings.md)",
        ) from None
    if name in _overrides:
        return _overrides[name]
    raw = os.environ.get(setting.env)
    if raw is not None and raw != "":
        return setting.read(raw)
    return setting.default()


def override(name: str, value: Any | None) -> None:
    """Set (or with ``None`` clear) an explicit override, as the CLI options do."""
    if name not in SETTINGS:
        get(name)  # raises the ConfigError
    if value is None:
        _overrides.pop(name, None)
    else:
        _overrides[name] = SETTINGS[name].read(str(value)) if isinstance(value, str) else value


def home() -> Path:
    """The data folder (created on first use)."""
    path = Path(get("home"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def describe() -> list[dict[str, str]]:
    """Settings with their environment variable, default and help, for docs and ``weerbaar info``."""
    rows = []
    for s in SETTINGS.values():
        default = "(secret)" if s.secret else str(s.default())
        rows.append({"name": s.name, "env": s.env, "default": default, "help": s.help})
    return rows
