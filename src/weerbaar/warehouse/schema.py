"""DuckDB schema of the warehouse: the canonical tables in long format."""

from __future__ import annotations

from ..sources.base import TABLES as SOURCE_TABLES

SCHEMA_VERSION = 2

#: table -> (columns with types, primary key or None). Order matters: it is the load order.
TABLES: dict[str, tuple[list[tuple[str, str]], list[str] | None]] = {
    "areas": (
        [
            ("division", "VARCHAR NOT NULL"),
            ("code", "VARCHAR NOT NULL"),
            ("name", "VARCHAR NOT NULL"),
            ("level", "VARCHAR NOT NULL"),
            ("parent", "VARCHAR"),
            ("cbs_code", "VARCHAR"),
            ("geometry", "BLOB"),
            ("source", "VARCHAR NOT NULL"),
        ],
        ["division", "code"],
    ),
    "crosswalk": (
        [
            ("from_division", "VARCHAR NOT NULL"),
            ("from_code", "VARCHAR NOT NULL"),
            ("to_division", "VARCHAR NOT NULL"),
            ("to_code", "VARCHAR NOT NULL"),
            ("area_m2", "DOUBLE"),
            ("weight", "DOUBLE"),
            ("to_share", "DOUBLE"),
            ("source", "VARCHAR NOT NULL"),
        ],
        ["from_division", "from_code", "to_division", "to_code"],
    ),
    "indicators": (
        [
            ("indicator", "VARCHAR NOT NULL"),
            ("label_nl", "VARCHAR"),
            ("label_en", "VARCHAR"),
            ("unit", "VARCHAR"),
            ("description", "VARCHAR"),
            ("source", "VARCHAR"),
            ("effort_dependent", "BOOLEAN"),
            ("canonical", "BOOLEAN"),
        ],
        ["indicator"],
    ),
    "observations": (
        [
            ("division", "VARCHAR NOT NULL"),
            ("area_code", "VARCHAR NOT NULL"),
            ("period", "VARCHAR NOT NULL"),
            ("indicator", "VARCHAR NOT NULL"),
            ("value", "DOUBLE"),
            ("unit", "VARCHAR"),
            ("source", "VARCHAR NOT NULL"),
            ("status", "VARCHAR NOT NULL"),
        ],
        None,
    ),
    "events": (
        [
            ("event_id", "VARCHAR NOT NULL"),
            ("type", "VARCHAR NOT NULL"),
            ("occurred_at", "TIMESTAMP NOT NULL"),
            ("x", "DOUBLE NOT NULL"),
            ("y", "DOUBLE NOT NULL"),
            ("source", "VARCHAR NOT NULL"),
            ("status", "VARCHAR NOT NULL"),
        ],
        ["source", "event_id"],
    ),
    "facilities": (
        [
            ("facility_id", "VARCHAR NOT NULL"),
            ("name", "VARCHAR"),
            ("type", "VARCHAR NOT NULL"),
            ("category", "VARCHAR"),
            ("kind", "VARCHAR"),
            ("address", "VARCHAR"),
            ("postcode", "VARCHAR"),
            ("x", "DOUBLE NOT NULL"),
            ("y", "DOUBLE NOT NULL"),
            ("source", "VARCHAR NOT NULL"),
        ],
        ["source", "facility_id"],
    ),
    "wastewater": (
        [
            ("year", "INTEGER NOT NULL"),
            ("substance", "VARCHAR NOT NULL"),
            ("site_id", "VARCHAR NOT NULL"),
            ("country", "VARCHAR"),
            ("city", "VARCHAR NOT NULL"),
            ("measure", "VARCHAR NOT NULL"),
            ("value", "DOUBLE"),
            ("unit", "VARCHAR"),
            ("source", "VARCHAR NOT NULL"),
            ("status", "VARCHAR NOT NULL"),
        ],
        None,
    ),
    "wastewater_sites": (
        [
            ("site_id", "VARCHAR NOT NULL"),
            ("country", "VARCHAR"),
            ("city", "VARCHAR"),
            ("location", "VARCHAR"),
            ("lat", "DOUBLE"),
            ("lon", "DOUBLE"),
            ("population", "DOUBLE"),
            ("institution", "VARCHAR"),
            ("source", "VARCHAR NOT NULL"),
        ],
        ["source", "site_id"],
    ),
    "synthetic_truth": (
        [
            ("division", "VARCHAR NOT NULL"),
            ("area_code", "VARCHAR NOT NULL"),
            ("attribute", "VARCHAR NOT NULL"),
            ("value", "DOUBLE"),
            ("label", "VARCHAR"),
            ("source", "VARCHAR NOT NULL"),
        ],
        ["source", "division", "area_code", "attribute"],
    ),
    "sources": (
        [
            ("name", "VARCHAR NOT NULL"),
            ("title", "VARCHAR"),
            ("kind", "VARCHAR NOT NULL"),
            ("files", "VARCHAR"),
            ("version", "VARCHAR"),
            ("checksum", "VARCHAR"),
            ("licence", "VARCHAR"),
            ("attribution", "VARCHAR"),
            ("period", "VARCHAR"),
            ("rows", "BIGINT"),
            ("notes", "VARCHAR"),
            ("loaded_at", "TIMESTAMP"),
        ],
        ["name"],
    ),
    "results": (
        [
            ("run_id", "VARCHAR NOT NULL"),
            ("kind", "VARCHAR NOT NULL"),
            ("division", "VARCHAR"),
            ("period", "VARCHAR"),
            ("level", "VARCHAR"),
            ("area_code", "VARCHAR NOT NULL"),
            ("measure", "VARCHAR NOT NULL"),
            ("value", "DOUBLE"),
            ("label", "VARCHAR"),
        ],
        ["run_id", "area_code", "measure"],
    ),
    "runs": (
        [
            ("run_id", "VARCHAR NOT NULL"),
            ("kind", "VARCHAR NOT NULL"),
            ("parameters", "VARCHAR"),
            ("snapshot", "VARCHAR"),
            ("software_version", "VARCHAR"),
            ("started_at", "TIMESTAMP"),
            ("finished_at", "TIMESTAMP"),
            ("status", "VARCHAR"),
            ("synthetic", "BOOLEAN"),
        ],
        ["run_id"],
    ),
    "meta": ([("key", "VARCHAR NOT NULL"), ("value", "VARCHAR")], ["key"]),
}

#: Tables whose content defines a snapshot (provenance timestamps and runs excluded).
CONTENT_TABLES = [*SOURCE_TABLES, "sources"]
#: Columns left out of the snapshot hash (they record when, not what).
VOLATILE_COLUMNS = {"loaded_at"}


def ddl() -> list[str]:
    stmts = []
    for table, (cols, pk) in TABLES.items():
        body = ", ".join(f"{c} {t}" for c, t in cols)
        if pk:
            body += f", PRIMARY KEY ({', '.join(pk)})"
        stmts.append(f"CREATE TABLE IF NOT EXISTS {table} ({body})")
    return stmts


def columns(table: str) -> list[str]:
    return [c for c, _ in TABLES[table][0]]
