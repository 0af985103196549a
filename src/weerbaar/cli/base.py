"""The CLI's shared pieces: the Typer app, consoles, output formats and small helpers."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from .. import __version__, settings
from ..errors import WeerbaarError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Lang(StrEnum):
    nl = "nl"
    en = "en"


class _Group(TyperGroup):
    """Turns every WeerbaarError into a readable message and exit code 2 (no traceback)."""

    # typer hands its own Context (a subclass of the click Context the base method names)
    def invoke(self, ctx: typer.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except WeerbaarError as exc:
            err.print(f"error: {exc.render()}", highlight=False, markup=False)
            ctx.exit(2)


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="weerbaar: neighbourhood data for Amsterdam's drugs programme 'Weerbare mensen, weerbare wijken'.",
)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _progress(line: str) -> None:
    err.print(line, highlight=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weerbaar {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home", help="Data folder (default: WEERBAAR_HOME or a per-user data folder).", envvar="WEERBAAR_HOME"
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    settings.override("home", home)


def _show(frame: pd.DataFrame, fmt: Format, title: str | None = None, table_columns: list[str] | None = None) -> None:
    """Print a frame as a table (only ``table_columns``, if given), CSV or JSON (always every column)."""
    if fmt is Format.csv:
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        shown = frame[table_columns] if table_columns else frame
        table = Table(title=title, show_lines=False)
        for i, col in enumerate(shown.columns):
            numeric = pd.api.types.is_integer_dtype(shown[col])
            table.add_column(
                str(col),
                justify="right" if numeric else "left",
                overflow="fold",
                min_width=26 if i == 0 else min(12, max(4, len(str(col)))),
                max_width=44 if i == 0 else 36,
            )
        for row in shown.itertuples(index=False):
            table.add_row(*[_cell(v) for v in row])
        out.print(table)


def _cell(v: object) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    return str(v)


def _write_out(frame: pd.DataFrame, out_file: Path | None, columns: list[str] | None = None) -> None:
    table = frame.reset_index()
    if columns is not None:
        table = table[columns]
    if out_file is None:
        return
    try:
        table.to_csv(out_file, index=False)
    except OSError as exc:
        raise WeerbaarError(
            "Cannot write the output file.",
            received=f"{out_file}: {exc.strerror}",
            expected="a writable path",
            fix="choose another --out path",
        ) from None
    err.print(f"wrote {len(table):,} rows to {out_file}", highlight=False)


def _synthetic_banner(synthetic: bool) -> None:
    if synthetic:
        err.print(
            "NOTE: inputs include SYNTHETIC demonstration data; these results are not real figures.",
            style="bold yellow",
            highlight=False,
        )


def _fmt_num(x: float | None, digits: int = 1) -> str:
    return "" if x is None else f"{x:,.{digits}f}"


def _recent_years(n: int = 3) -> list[int]:
    from datetime import date

    return list(range(date.today().year - n, date.today().year))


def _need_online(online: bool, command: str) -> None:
    if not online:
        raise WeerbaarError(
            "This source is fetched online.",
            received="no --online",
            expected="--online",
            fix=f"run `weerbaar ingest {command} --online` (it needs an internet connection)",
        )


DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Operational store URL (default WEERBAAR_DATABASE_URL or SQLite).")
]


def _store_url(database_url: str | None) -> str:
    from .. import store

    url = store.db.check_url(database_url) if database_url else store.database_url()
    store.upgrade(url)
    return url
