"""The twice-yearly council report (issue 9): ``build_report(period=..., lang=..., fmt=..., out=...)``.

Content is gathered from the public read model (disclosure-controlled counts and stored results) into a plain
``Report`` (``weerbaar.report.model``), then typeset as Typst (compiled to PDF with the ``typst`` package, charts
as SVG from vl-convert) or as one self-contained HTML file. Nothing in it depends on the clock, so the same
warehouse snapshot and parameters give the same report. See ``docs/report.md``.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError, WeerbaarError
from .render import to_html, to_typst, typst_escape

__all__ = ["build_report", "gather_report", "typst_escape", "LANGS", "FORMATS"]

LANGS = ("nl", "en")
FORMATS = ("pdf", "html")
_PERIOD = re.compile(r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")


def _quiet(_: str) -> None:
    pass


def _check(period: str, lang: str, fmt: str) -> None:
    if not isinstance(period, str) or not _PERIOD.match(period):
        raise InputError(
            "Invalid report period.",
            received=repr(period),
            expected="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM (the council report is half-yearly: YYYY-H1 or YYYY-H2)",
            fix="for example --period 2019-H2",
        )
    if lang not in LANGS:
        raise InputError(
            "Unknown report language.", received=repr(lang), expected="nl or en", fix="use --lang nl or --lang en"
        )
    if fmt not in FORMATS:
        raise InputError(
            "Unknown report format.",
            received=repr(fmt),
            expected="pdf or html",
            fix="use --format pdf or --format html",
        )


def gather_report(*, period: str, lang: str = "nl", home: Path | None = None, progress: Callable = _quiet):
    """The report's content (a ``weerbaar.report.model.Report``) without typesetting it."""
    from ..public import PublicData
    from ..standard import ensure_period
    from .content import Gatherer, gather, load_interventions, load_programme

    _check(period, lang, "pdf")
    data = PublicData(home)
    data.meta()  # NotBuiltError when there is no warehouse
    Gatherer(data, period, lang, progress).check_period()  # a period without data: say so before computing
    # the analyses of the report's own period: found, or computed now (a report on 2019-H2 cites 2019)
    progress(f"report: the analyses of {period}")
    done = ensure_period(period, home, progress=progress)
    data = PublicData(home)  # sees the results just stored
    return gather(
        data,
        period=period,
        lang=lang,
        register=load_programme(home),
        progress=progress,
        runs=done["runs"],
        interventions=load_interventions(home),
    )


def _svg(spec: dict, key: str) -> str:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec)
    # drop the XML prolog so the SVG can be inlined in HTML
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    # vl-convert numbers clip paths per process: renumber per figure, so builds are identical and ids unique
    ids = list(dict.fromkeys(re.findall(r'id="([^"]+)"', svg)))
    mapping = {old: f"{key}-{i}" for i, old in enumerate(ids)}
    if not mapping:
        return svg
    pattern = re.compile(r'(id="|url\(#|href="#)(' + "|".join(re.escape(i) for i in ids) + r')(?=["\)])')
    return pattern.sub(lambda m: m.group(1) + mapping[m.group(2)], svg)


def _size(svg: str) -> tuple[float, float]:
    m = re.search(r'<svg[^>]*?width="([\d.]+)"[^>]*?height="([\d.]+)"', svg)
    return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)


def build_report(
    *,
    period: str,
    lang: str = "nl",
    fmt: str = "pdf",
    out: Path | str,
    home: Path | None = None,
    progress: Callable[[str], None] = _quiet,
) -> dict:
    """Build the council report for ``period`` into ``out``; returns pages, sections, seconds and snapshot."""
    started = time.perf_counter()
    _check(period, lang, fmt)
    out = Path(out)
    report = gather_report(period=period, lang=lang, home=home, progress=progress)
    figures = report.figures()
    progress(f"report: rendering {len(figures)} charts and maps")
    svgs = {f.key: _svg(f.spec, f.key) for f in figures}
    out.parent.mkdir(parents=True, exist_ok=True)
    pages = None
    if fmt == "html":
        out.write_text(to_html(report, svgs), encoding="utf-8")
    else:
        import typst

        progress("report: typesetting the PDF (Typst)")
        with tempfile.TemporaryDirectory(prefix="weerbaar-report-") as tmp:
            root = Path(tmp)
            names = {}
            for key, svg in svgs.items():
                (root / f"{key}.svg").write_text(svg, encoding="utf-8")
                names[key] = (f"{key}.svg", *_size(svg))
            (root / "report.typ").write_text(to_typst(report, names), encoding="utf-8")
            try:
                pdf = typst.compile(str(root / "report.typ"), root=str(root))
            except Exception as exc:  # typst.TypstError: our markup is wrong, not the user's input
                raise WeerbaarError(
                    "The report could not be typeset.",
                    received=str(exc)[:500],
                    expected="valid Typst markup",
                    fix="report this as a bug; the HTML format (--format html) may still work",
                ) from exc
        out.write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    snapshot = next(v for k, v in report.colophon if k.startswith(("Momentopname", "Warehouse snapshot")))
    result = {
        "out": str(out),
        "format": fmt,
        "lang": lang,
        "period": period,
        "pages": pages,
        "sections": [s.title for s in report.sections],
        "figures": len(figures),
        "snapshot": snapshot,
        "seconds": round(time.perf_counter() - started, 2),
    }
    progress(f"report: wrote {out} ({result['seconds']} s)")
    return result
