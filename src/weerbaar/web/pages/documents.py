"""The sources, programme and methods pages (the documentation rendered from docs/)."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from ...errors import NotFoundError
from ..i18n import t
from .common import (
    Lang,
    _data,
    cached_page,
    render,
    router,
)


@router.get("/sources", response_class=HTMLResponse)
@cached_page
def sources_page(request: Request, lang: Lang = "nl") -> HTMLResponse:
    data = _data(request)
    return render(request, "sources.html", title=t("sources.title", lang), sources=data.sources())


def docs_dir() -> Path:
    """The methods documentation: shipped in the package, or the repository's docs/ in a checkout."""
    packaged = Path(str(files("weerbaar") / "docs"))
    if (packaged / "methods").is_dir():
        return packaged
    return Path(__file__).resolve().parents[4] / "docs"


def _md(text: str) -> Markup:
    """Markdown as HTML: markdown-it with html disabled escapes any raw HTML in the text (bandit B704)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    return Markup(md.render(text))  # nosec B704


def _title_of(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


@router.get("/programme", response_class=HTMLResponse)
def programme_page(request: Request, lang: Lang = "nl") -> HTMLResponse:
    """The programme register (issue 9): measures, status, milestones, linked indicators, budget, risks."""
    from ...indicators import catalogue_rows
    from ...programme import load_register
    from ..state import store_url

    register = load_register(store_url(request.app))
    cat = catalogue_rows().set_index("indicator")[f"label_{lang}"].to_dict()
    labels = {
        ind: cat.get(ind) or f"{t('nav.reports', lang)}: {t('report.near.' + ind.rsplit('.', 1)[1], lang)}"
        for m in register.measures
        for ind in m.indicators
    }
    from collections import Counter

    from ...interventions import public_rows  # issue 19: measures link to their interventions

    iv_counts = Counter(r["measure"] for r in public_rows(store_url(request.app)) if r["measure"])
    return render(
        request,
        "programme.html",
        title=t("programme.title", lang),
        register=register,
        labels=labels,
        iv_counts=iv_counts,
    )


def _summary(root: Path, folder: str, name: str, lang: str) -> Path | None:
    """The plain-language Dutch summary of a method (docs/methods/nl/<name>.md), for the Dutch site."""
    if lang != "nl" or folder != "methods":
        return None
    path = root / "methods" / "nl" / f"{name}.md"
    return path if path.is_file() else None


@router.get("/methods", response_class=HTMLResponse)
@cached_page
def methods_page(request: Request, lang: Lang = "nl") -> HTMLResponse:
    root = docs_dir()
    items = []
    for folder in ("methods", "decisions"):
        for p in sorted((root / folder).glob("*.md")):
            summary = _summary(root, folder, p.stem, lang)
            source = summary or p
            items.append(
                {
                    "folder": folder,
                    "name": p.stem,
                    "title": _title_of(source.read_text(encoding="utf-8"), p.stem),
                    "lang": "nl" if summary else "en",
                }
            )
    return render(request, "methods.html", title=t("methods.title", lang), items=items, doc=None)


@router.get("/methods/{folder}/{name}", response_class=HTMLResponse)
@cached_page
def method_page(request: Request, folder: str, name: str, lang: Lang = "nl") -> HTMLResponse:
    """A method: on the Dutch site its plain-language summary, with the technical page (English) behind it."""
    root = docs_dir()
    if folder not in ("methods", "decisions") or not re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", name):
        raise NotFoundError(
            "No such document.", received=f"{folder}/{name}", expected="a listed method", fix="see /methods"
        )
    path = root / folder / f"{name}.md"
    if not path.is_file():
        raise NotFoundError(
            "No such document.", received=f"{folder}/{name}", expected="a listed method", fix="see /methods"
        )
    text = path.read_text(encoding="utf-8")
    summary = _summary(root, folder, name, lang)
    if summary is not None:
        short = summary.read_text(encoding="utf-8")
        # one h1 a page; the text is _md's own output (raw HTML disabled, so escaped)
        technical = Markup(str(_md(text)).replace("<h1>", "<h2>").replace("</h1>", "</h2>"))  # nosec B704
        return render(
            request, "methods.html", title=_title_of(short, name), items=None, doc=technical, summary=_md(short)
        )
    return render(request, "methods.html", title=_title_of(text, name), items=None, doc=_md(text), summary=None)
