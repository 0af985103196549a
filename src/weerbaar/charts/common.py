"""What every chart shares: the metadata line, the look (config), labels in Dutch and English.

Every chart states its source, period and unit in the subtitle, and carries a visible mark when any
of its data is synthetic. The mark is a separate bold text line in a warning colour directly above
the plot area (a title subtitle has one colour for all its lines); the spec's ``usermeta`` repeats
the facts for machines: ``{"synthetic": bool, "source": ..., "period": ..., "unit": ..., "lang": ...}``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import altair as alt

from ..errors import InputError

__all__ = [
    "FONT",
    "INK",
    "MUTED",
    "WARNING",
    "PRIMARY",
    "ACCENT",
    "ACCENT_LIGHT",
    "NEUTRAL",
    "CATEGORY_PALETTE",
    "LOCALES",
    "ChartMeta",
    "apply",
    "base_config",
    "check_lang",
    "format_number",
    "label",
    "subtitle_lines",
    "synthetic_mark",
    "wrap_text",
]

#: System sans-serif stack: the dashboard gets the user's UI font, the report (vl-convert) falls
#: back to Liberation Sans / DejaVu Sans.
FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"Liberation Sans", "DejaVu Sans", sans-serif'
)
INK = "#1f2328"  # titles, emphasised text
MUTED = "#57606a"  # subtitles, axis labels (contrast 6.4:1 on white)
GRID = "#e4e7eb"
WARNING = "#b3261e"  # the synthetic-data mark (contrast 6.5:1 on white)
PRIMARY = "#0072b2"  # bars, points (Okabe-Ito blue)
ACCENT = "#d55e00"  # a highlighted area (Okabe-Ito vermilion)
ACCENT_LIGHT = "#f0b48a"  # its interval
NEUTRAL = "#6e7781"  # the city as reference

#: Okabe & Ito (2008), safe for all common colour vision deficiencies; used in this order for series
#: (yellow last: it is pale on white).
CATEGORY_PALETTE = (
    "#0072b2",  # blue
    "#e69f00",  # orange
    "#009e73",  # bluish green
    "#cc79a7",  # reddish purple
    "#56b4e9",  # sky blue
    "#d55e00",  # vermilion
    "#000000",  # black
    "#f0e442",  # yellow
)

#: d3 number and time locales (Vega-Lite ``config.locale``): Dutch axis labels, tooltips, months.
LOCALES: dict[str, dict[str, Any]] = {
    "nl": {
        "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€\u00a0", ""]},
        "time": {
            "dateTime": "%a %e %B %Y %X",
            "date": "%d-%m-%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
            "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
            "months": [
                "januari",
                "februari",
                "maart",
                "april",
                "mei",
                "juni",
                "juli",
                "augustus",
                "september",
                "oktober",
                "november",
                "december",
            ],
            "shortMonths": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
        },
    },
    "en": {
        "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
        "time": {
            "dateTime": "%a %e %B %Y %X",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
            "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
            "months": [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ],
            "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        },
    },
}

_LABELS: dict[str, dict[str, str]] = {
    "source": {"nl": "Bron", "en": "Source"},
    "period": {"nl": "Periode", "en": "Period"},
    "unit": {"nl": "Eenheid", "en": "Unit"},
    "synthetic": {
        "nl": "SYNTHETISCHE DEMONSTRATIEDATA — geen echte cijfers",
        "en": "SYNTHETIC DEMONSTRATION DATA — not real figures",
    },
    "withheld": {"nl": "Afgeschermd", "en": "Withheld"},
    "no_data": {"nl": "Geen gegevens", "en": "No data"},
    "all_withheld": {
        "nl": "Geen lijn: alle waarden zijn afgeschermd (te kleine aantallen)",
        "en": "No line: every value is withheld (counts too small)",
    },
    "no_values": {
        "nl": "Geen lijn: er zijn geen cijfers voor deze periode",
        "en": "No line: no figures for this period",
    },
    "insufficient": {"nl": "Onvoldoende gegevens", "en": "Insufficient data"},
    "area": {"nl": "Gebied", "en": "Area"},
    "this_area": {"nl": "Dit gebied", "en": "This area"},
    "stadsdeel": {"nl": "Stadsdeel", "en": "Borough"},
    "city": {"nl": "Stad", "en": "City"},
    "series_break": {"nl": "Trendbreuk", "en": "Series break"},
    "rank": {"nl": "Rang", "en": "Rank"},
    "rank_interval": {"nl": "90%-interval", "en": "90% interval"},
    "rank_caption": {
        "nl": "Rang 1 = meest kwetsbaar; lijn = 90%-rangorde-interval",
        "en": "Rank 1 = most vulnerable; line = 90% rank interval",
    },
    "value": {"nl": "Waarde", "en": "Value"},
    "interval": {"nl": "Interval", "en": "Interval"},
    "series": {"nl": "Reeks", "en": "Series"},
    "category": {"nl": "Categorie", "en": "Category"},
    "class": {"nl": "Klasse", "en": "Class"},
    "status": {"nl": "Status", "en": "Status"},
    "domain": {"nl": "Domein", "en": "Domain"},
    "score": {"nl": "Score", "en": "Score"},
    "published": {"nl": "gepubliceerd", "en": "published"},
    "status_withheld": {"nl": "afgeschermd", "en": "withheld"},
    "status_missing": {"nl": "geen gegevens", "en": "no data"},
    "status_provisional": {"nl": "voorlopig", "en": "provisional"},
    "status_final": {"nl": "definitief", "en": "final"},
    "status_synthetic": {"nl": "synthetisch", "en": "synthetic"},
}


def check_lang(lang: str) -> str:
    if lang not in ("nl", "en"):
        raise InputError(
            "Unknown chart language.",
            received=repr(lang),
            expected='"nl" or "en"',
            fix='pass lang="nl" (default) or lang="en"',
        )
    return lang


def label(key: str, lang: str = "nl") -> str:
    """A fixed chart text in Dutch or English, e.g. ``label("withheld", "en") == "Withheld"``.

    Keys: withheld, no_data, insufficient, area, this_area, stadsdeel, city, series_break, rank,
    rank_interval, rank_caption, value, interval, series, category, class, status, domain, score,
    source, period, unit, synthetic and the status words (published, status_withheld, ...).
    """
    check_lang(lang)
    try:
        return _LABELS[key][lang]
    except KeyError:
        raise InputError(
            "Unknown chart label.",
            received=repr(key),
            expected=", ".join(sorted(_LABELS)),
            fix="use one of the listed keys",
        ) from None


@dataclass(frozen=True)
class ChartMeta:
    """What a chart shows and where it comes from; drawn as title and subtitle of every chart.

    ``note`` is an extra subtitle line, e.g. "Afgeschermd: aantallen onder 5" (disclosure control).
    ``synthetic`` must be True when any input of the chart is synthetic.
    """

    title: str
    source: str
    period: str
    unit: str
    synthetic: bool = False
    lang: str = "nl"
    note: str | None = None

    def __post_init__(self) -> None:
        check_lang(self.lang)


def synthetic_mark(lang: str = "nl") -> str:
    """The text of the synthetic-data mark."""
    return label("synthetic", lang)


def subtitle_lines(meta: ChartMeta) -> list[str]:
    """The lines under the title: [synthetic mark (if synthetic), "Bron: X · Periode: Y · Eenheid: Z", note]."""
    lang = meta.lang
    lines = []
    if meta.synthetic:
        lines.append(synthetic_mark(lang))
    lines.append(
        f"{label('source', lang)}: {meta.source} · {label('period', lang)}: {meta.period} · "
        f"{label('unit', lang)}: {meta.unit}"
    )
    if meta.note:
        lines.append(meta.note)
    return lines


def base_config(lang: str = "nl") -> dict[str, Any]:
    """The Vega-Lite ``config`` of every chart: fonts, sizes, quiet axes, no view border, locale."""
    check_lang(lang)
    return {
        "font": FONT,
        "background": "#ffffff",
        "padding": {"left": 4, "right": 8, "top": 4, "bottom": 4},
        "locale": copy.deepcopy(LOCALES[lang]),
        "view": {"stroke": None, "continuousHeight": 260},
        "title": {
            "anchor": "start",
            "frame": "bounds",
            "font": FONT,
            "fontSize": 16,
            "fontWeight": 600,
            "color": INK,
            "subtitleFont": FONT,
            "subtitleFontSize": 12,
            "subtitleColor": MUTED,
            "subtitlePadding": 5,
            "subtitleLineHeight": 16,
            "offset": 10,
        },
        "axis": {
            "labelFont": FONT,
            "titleFont": FONT,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "titleFontWeight": "normal",
            "labelColor": MUTED,
            "titleColor": MUTED,
            "domainColor": "#8c959f",
            "tickColor": "#8c959f",
            "gridColor": GRID,
            "labelLimit": 220,
            "titlePadding": 8,
        },
        "axisX": {"grid": False, "tickSize": 4},
        "axisY": {"domain": False, "ticks": False, "labelPadding": 6},
        "axisBand": {"grid": False},
        "legend": {
            "labelFont": FONT,
            "titleFont": FONT,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "titleFontWeight": 600,
            "labelColor": INK,
            "titleColor": INK,
            "labelLimit": 260,
            "symbolSize": 120,
            "rowPadding": 4,
        },
        "header": {"labelFont": FONT, "titleFont": FONT},
        "text": {"font": FONT, "fontSize": 12, "color": INK},
        "range": {"category": list(CATEGORY_PALETTE)},
        "numberFormat": ",.2~f",
        "tooltipFormat": {"numberFormat": ",.2~f"},
        "line": {"strokeWidth": 2},
        "point": {"size": 36, "filled": True},
        "geoshape": {"stroke": "#ffffff", "strokeWidth": 0.6},
    }


def format_number(value: float, decimals: int, lang: str = "nl") -> str:
    """``1234.5 -> "1.234,5"`` (nl) or ``"1,234.5"`` (en), with exactly ``decimals`` decimals."""
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def wrap_text(text: str, max_chars: int) -> list[str]:
    """Greedy word wrap; a line breaks after " · " where it can, else at a space."""
    if len(text) <= max_chars:
        return [text]
    lines: list[str] = []
    current = ""
    for part in text.split(" · "):
        candidate = f"{current} · {part}" if current else part
        if len(candidate) <= max_chars:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for word in part.split(" "):
            candidate = f"{current} {word}" if current else word
            if len(candidate) <= max_chars or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
    if current:
        lines.append(current)
    return lines


#: Below this total width (px) the synthetic mark takes two lines; a container always gets two,
#: as its width is unknown here (an expression on the width signal breaks Vega's layout).
_MARK_ONE_LINE_WIDTH = 480
#: Characters per line in a dashboard container (fits a 360 px phone at the subtitle size): subtitle and title.
_CONTAINER_CHARS = 48
_CONTAINER_TITLE_CHARS = 30


def _js(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _mark_layer(text: str, width: int | None) -> alt.Chart:
    """A bold warning-coloured text just above the plot area, as a text mark with its own data; right-aligned
    at the plot's right edge, so that long axis labels on the left (a narrow phone) do not push it out."""
    head, _, tail = text.partition(" — ")
    two = tail and (width is None or width < _MARK_ONE_LINE_WIDTH)
    return (
        alt.Chart(alt.Data(values=[{"mark": text}]))
        .mark_text(
            align="right",
            baseline="bottom",
            fontSize=12,
            fontWeight="bold",
            color=WARNING,
            font=FONT,
            lineHeight=15,
            text=[head, tail] if two else text,
            dy=-23 if two else -8,
        )
        .encode(x=alt.value("width"), y=alt.value(0))
    )


def _title_text(title: str, width: int | None) -> str | list[str]:
    """The title, wrapped to the width (about 8 px a character at 16 px bold)."""
    n = _CONTAINER_TITLE_CHARS if width is None else max(24, (width - 20) // 8)
    lines = wrap_text(title, n)
    return lines if len(lines) > 1 else lines[0]


def message_chart(meta: ChartMeta, text: str, width: int | None, height: int | None) -> dict[str, Any]:
    """A chart that says why there is nothing to draw (all withheld, no data) instead of an empty axis."""
    n = 40 if width is None else max(30, int((int(width) - 40) / 7))
    lines = wrap_text(text, n)
    mark = (
        alt.Chart(alt.Data(values=[{"text": text}]))
        .mark_text(
            align="left", baseline="top", fontSize=14, color=MUTED, font=FONT, lineHeight=19,
            text=lines if len(lines) > 1 else lines[0],
        )
        .encode(x=alt.value(0), y=alt.value(8))
    )  # fmt: skip
    spec = apply(mark, meta, width, min(int(height or 60), 60) if not isinstance(height, dict) else 60)
    spec["usermeta"]["empty"] = text
    return spec


def apply(
    chart: alt.Chart | alt.LayerChart | alt.FacetChart,  # alt.layer() is typed LayerChart | FacetChart
    meta: ChartMeta,
    width: int | None,
    height: int | dict | None,
    *,
    extra_lines: list[str] | None = None,
) -> dict[str, Any]:
    """Finish a chart: title, subtitle, synthetic mark, size, config and usermeta; returns the spec dict.

    ``width=None`` gives ``"container"`` (the dashboard); an int is the total width in pixels
    including axes and legends (``autosize: fit-x``), as the report needs. ``height`` is the height
    of the plot area in pixels, a Vega-Lite step (``{"step": 20}``) or None (keep the chart's own).
    ``extra_lines`` come after the source line (e.g. how to read the chart). Subtitle lines are
    wrapped to the width (to 48 characters in a container, so that they fit a phone); in a
    container the synthetic mark takes two lines.
    """
    max_chars = _CONTAINER_CHARS if width is None else max(40, int((int(width) - 60) / 5.4))
    lines = [line for line in subtitle_lines(meta) if not (meta.synthetic and line == synthetic_mark(meta.lang))]
    lines += list(extra_lines or [])
    lines = [part for line in lines for part in wrap_text(line, max_chars)]
    out = alt.layer(chart, _mark_layer(synthetic_mark(meta.lang), width)) if meta.synthetic else chart
    props: dict[str, Any] = {
        "title": alt.TitleParams(text=_title_text(meta.title, width), subtitle=lines),
        "width": "container" if width is None else int(width),
    }
    if height is not None:
        props["height"] = height
    out = out.properties(**props)
    spec = out.to_dict(validate=False)  # validated in the tests; validation costs ~0.4 s on a map
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["config"] = base_config(meta.lang)
    spec["description"] = ". ".join([meta.title, *subtitle_lines(meta), *(extra_lines or [])])
    spec["usermeta"] = {
        "synthetic": bool(meta.synthetic),
        "source": meta.source,
        "period": meta.period,
        "unit": meta.unit,
        "lang": meta.lang,
        "title": meta.title,
        "note": meta.note,
    }
    return spec
