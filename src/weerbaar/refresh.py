"""Online sources and ``weerbaar refresh``: fetch every configured online source, each incrementally,
completely, and then loaded atomically (one source's failure leaves the others' loads in place).

An online source is a function ``(home, progress) -> dict`` in ``ONLINE_SOURCES``; the setting
``refresh_sources`` chooses which run and in which order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import pipeline, settings
from .errors import ConfigError, SourceOfflineError

__all__ = ["ONLINE_SOURCES", "DESCRIPTIONS", "refresh"]

Progress = Callable[[str], None]


def _cbs_police(home: Path | None, progress: Progress) -> dict:
    return pipeline.ingest_cbs_police(home=home, municipality=settings.get("municipality"), progress=progress)


def _cbs_nuisance(home: Path | None, progress: Progress) -> dict:
    return pipeline.ingest_cbs_police(
        tables=("47024NED",), home=home, municipality=settings.get("municipality"), progress=progress
    )


def _amsterdam_areas(home: Path | None, progress: Progress) -> dict:
    return pipeline.ingest_amsterdam_areas(home=home, progress=progress)


def _amsterdam_bbga(home: Path | None, progress: Progress) -> dict:
    from datetime import date

    years = list(range(date.today().year - 3, date.today().year))
    return pipeline.ingest_amsterdam_bbga(home=home, years=years, progress=progress)


def _cbs_kwb(home: Path | None, progress: Progress) -> dict:
    from .sources.cbs_kwb_online import latest_years

    return pipeline.ingest_cbs_kwb(
        years=latest_years(), home=home, municipality=settings.get("municipality"), progress=progress
    )


ONLINE_SOURCES: dict[str, Callable[[Path | None, Progress], dict]] = {
    "amsterdam-areas": _amsterdam_areas,
    "cbs-police": _cbs_police,
    "cbs-nuisance": _cbs_nuisance,
    "amsterdam-bbga": _amsterdam_bbga,
    "cbs-kwb": _cbs_kwb,
}
DESCRIPTIONS = {
    "amsterdam-areas": "api.data.amsterdam.nl gebieden: the current stadsdelen, gebieden, wijken and buurten",
    "cbs-police": "CBS StatLine 47018NED/47022NED: police-registered crime per wijk and buurt, per year and month",
    "cbs-nuisance": "CBS StatLine 47024NED: police-registered nuisance (alcohol/drugs, total) per wijk and buurt, "
    "per month",
    "amsterdam-bbga": "api.data.amsterdam.nl BBGA: key figures per area of the last three years",
    "cbs-kwb": "CBS StatLine Kerncijfers wijken en buurten: population, households, dwellings of the last 3 tables",
}


def refresh(*, home: Path | None = None, sources: tuple[str, ...] | None = None, progress: Progress) -> dict:
    """Run the online sources in order; returns what each loaded. Without a connection the first
    source raises ``SourceOfflineError`` before anything is stored; a later one says which loaded."""
    names = tuple(sources) if sources else tuple(settings.get("refresh_sources"))
    done: dict[str, dict] = {}
    check_sources(names)
    for name in names:
        progress(f"{name}: {DESCRIPTIONS.get(name, '')}")
        try:
            done[name] = ONLINE_SOURCES[name](home, progress)
        except SourceOfflineError as exc:
            if done:
                exc.problem += f" Already loaded in this run: {', '.join(done)}."
            raise
    return done


def check_sources(names: tuple[str, ...]) -> tuple[str, ...]:
    """Every name must be a known online source (registered as the check of the ``refresh_sources`` setting)."""
    unknown = [n for n in names if n not in ONLINE_SOURCES]
    if unknown:
        raise ConfigError(
            "Unknown online source.",
            received=", ".join(repr(n) for n in unknown),
            expected="a comma-separated list of " + ", ".join(ONLINE_SOURCES),
            fix="set WEERBAAR_REFRESH_SOURCES (or --source) to amsterdam-areas,cbs-police, for example",
        )
    return names


settings.register_check("refresh_sources", check_sources)
