"""The ``weerbaar`` command line. Verbs mirror the pipeline: build, ingest, compute, serve, report, ...

One module per command group. The modules of ``COMMAND_MODULES`` register their commands on the one Typer
``app`` of ``base`` when imported; those of ``REGISTERED_MODULES`` have a ``register(app, ingest_app,
compute_app)`` that adds their commands to the groups they extend. The order below is the order of ``--help``.
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
REGISTERED_MODULES: tuple[str, ...] = (
    "nuisance",  # weerbaar ingest cbs-nuisance
    "interventions",  # weerbaar interventions ..., ingest interventions, compute displacement|did ...
    "networks",  # weerbaar network ..., ingest network (partner analysts)
    "violence",  # compute nearrepeat|selfexciting, weerbaar alerts (measure 8)
    "security",  # weerbaar reports reject, logins ... (issue 16)
)

for _module in COMMAND_MODULES:
    import_module(f"{__name__}.{_module}")


def _register() -> None:
    from .compute import compute_app
    from .ingest import ingest_app

    for name in REGISTERED_MODULES:
        import_module(f"{__name__}.{name}").register(app, ingest_app, compute_app)


_register()

__all__ = ["app"]
