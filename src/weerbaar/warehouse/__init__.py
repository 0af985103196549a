"""Warehouse: DuckDB schema, atomic loads, snapshot hashes, query helpers."""

from .schema import CONTENT_TABLES, SCHEMA_VERSION, TABLES
from .store import WAREHOUSE_FILE, LoadReport, Warehouse

__all__ = ["CONTENT_TABLES", "LoadReport", "SCHEMA_VERSION", "TABLES", "WAREHOUSE_FILE", "Warehouse"]
