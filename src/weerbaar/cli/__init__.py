"""The ``weerbaar`` command line. Verbs mirror the pipeline: build, ingest, compute, serve, report, ...

One module per command group; each registers its commands on the one Typer ``app`` of ``base`` when it is
imported, and the order below is the order in which ``weerbaar --help`` lists them.
"""

from __future__ import annotations

from importlib import import_module

from .base import app

COMMAND_MODULES = (
    "warehouse",  # build, info, areas, indicators, sources
    "ingest",  # weerbaar ingest ...
    "compute",  # weerbaar compute ...
    "serve",  # refresh, programme, serve, report
    "drug_use",  # wastewater, market
    "accounts",  # weerbaar users ..., weerbaar reports ...
)
for _module in COMMAND_MODULES:
    import_module(f"{__name__}.{_module}")

__all__ = ["app"]
