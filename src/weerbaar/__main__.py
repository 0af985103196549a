"""``python -m weerbaar`` runs the CLI."""

from .cli import app

app(prog_name="weerbaar")
