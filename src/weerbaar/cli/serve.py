"""Serving and refreshing: ``weerbaar serve``, ``refresh``, ``programme``, ``report``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from .. import pipeline, settings
from ..errors import WeerbaarError
from .base import DatabaseUrl, Format, _progress, _show, _store_url, app, err, out


@app.command()
def refresh(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Only this online source (repeat); default WEERBAAR_REFRESH_SOURCES."),
    ] = None,
    list_sources: Annotated[bool, typer.Option("--list", help="List the online sources and stop.")] = False,
) -> None:
    """Fetch every configured online source: only what is new or revised, each loaded atomically."""
    from ..refresh import DESCRIPTIONS, ONLINE_SOURCES
    from ..refresh import refresh as run

    if list_sources:
        configured = set(settings.get("refresh_sources"))
        for name in ONLINE_SOURCES:
            mark = "*" if name in configured else " "
            typer.echo(f"{mark} {name}: {DESCRIPTIONS.get(name, '')}")
        return
    done = run(sources=tuple(source) if source else None, progress=_progress)
    typer.echo(f"refreshed {len(done)} source(s): {', '.join(done)}")
    typer.echo("run `weerbaar compute standard` to update the stored analyses")


@app.command()
def programme(
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
    database_url: DatabaseUrl = None,
) -> None:
    """The programme register: the 15 measures with owner, status, milestones, indicators and budget line."""

    from ..programme import load_register, register_dict

    register = load_register(_store_url(database_url))
    if fmt is Format.json:
        sys.stdout.write(json.dumps(register_dict(register), ensure_ascii=False, indent=1) + "\n")
        return
    frame = pd.DataFrame(
        {
            "number": m.number,
            "title": m.title_nl,
            "owner": m.owner,
            "status": m.status,
            "milestones_done": f"{sum(ms.done for ms in m.milestones)}/{len(m.milestones)}",
            "budget_line": m.budget_line or "",
            "indicators": " ".join(m.indicators),
            "partners": "; ".join(m.partners),
            "updated_at": m.updated_at,
        }
        for m in register.measures
    )
    _show(frame, fmt, title="Weerbare mensen, weerbare wijken", table_columns=["title", "number", "status", "owner"])


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    no_build: Annotated[
        bool, typer.Option("--no-build", help="Do not build the default or compute missing results first.")
    ] = False,
) -> None:
    """Serve the dashboard and the open API (http://127.0.0.1:8000); builds the default first when missing."""
    import socket

    import uvicorn

    from ..standard import ensure_ready

    home = settings.home()
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as uvicorn binds: a port held only by closing connections of a crashed server is free to restart on
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise WeerbaarError(
                "Cannot listen on that address.",
                received=f"{host}:{port} ({exc.strerror})",
                expected="a free port on a local address",
                fix="stop the other server or choose another --port",
            ) from None
    if not no_build:
        ensure_ready(home, progress=_progress)
    elif not pipeline.warehouse_path(home).exists():
        ensure_ready(home, progress=_progress, build=False)
    from ..web.app import create_app, warm

    pipeline.clean_stale_builds(home, _progress)
    app_ = create_app(home)
    warm(app_, progress=_progress)
    err.print(
        f"weerbaar dashboard on http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs)", highlight=False
    )
    # forwarded headers are believed only from the trusted_proxies setting (weerbaar.web.security), not by uvicorn
    uvicorn.run(app_, host=host, port=port, log_level="warning", proxy_headers=False)


@app.command()
def report(
    period: Annotated[str, typer.Option(help="Report period: YYYY-H1 or YYYY-H2 (also YYYY, YYYY-Qn, YYYY-MM).")],
    out_file: Annotated[Path, typer.Option("--out", help="The file to write (.pdf or .html).")],
    lang: Annotated[str, typer.Option(help="nl or en.")] = "nl",
    fmt: Annotated[str, typer.Option("--format", help="pdf (Typst) or html (one self-contained file).")] = "pdf",
) -> None:
    """The council report for a period: summary, themes with maps and tables, measures, methods, sources."""
    from ..report import build_report

    r = build_report(period=period, lang=lang, fmt=fmt, out=out_file, progress=_progress)
    pages = f", {r['pages']} pages" if r["pages"] else ""
    out.print(
        f"{r['out']}: {r['format']}, {r['lang']}{pages}, snapshot {r['snapshot']}, {r['seconds']} s", highlight=False
    )
