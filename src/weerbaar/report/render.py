# ruff: noqa: E501 - the Typst template and the CSS are data, kept one rule a line
"""Typeset a ``Report``: Typst markup (compiled to PDF) and a single self-contained HTML file."""

from __future__ import annotations

import html
import string

from .model import Bullets, Figure, Heading, Notice, Para, Report, Table
from .texts import rt

_PUNCT = frozenset(string.punctuation)
TEXT_WIDTH_CM = 16.6
MAX_FIGURE_CM = 13.0


def typst_escape(text: object) -> str:
    """Text as literal Typst markup: every ASCII punctuation character escaped, line breaks as spaces."""
    s = str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return "".join("\\" + ch if ch in _PUNCT else ch for ch in s)


def _str(text: object) -> str:
    """Text as a Typst string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


# -- Typst --------------------------------------------------------------------------------------
PREAMBLE = """#set document(title: {title}, date: none)
#set text(font: ("Liberation Sans", "DejaVu Sans"), size: 10pt, lang: "{lang}")
#set par(justify: false, leading: 0.62em)
#set heading(numbering: (..n) => if n.pos().len() == 1 {{ str(n.pos().first()) + "." }})
#show heading.where(level: 1): it => {{ pagebreak(weak: true); set text(size: 17pt, fill: rgb("#004699")); block(below: 1em, it) }}
#show heading.where(level: 2): set text(size: 12pt)
#show figure: set block(breakable: false)
#show figure.caption: set text(size: 8.5pt, fill: rgb("#555555"))
#show table.cell.where(y: 0): set text(weight: "bold")
#set table(stroke: (x, y) => if y == 0 {{ (bottom: 0.7pt + black) }} else {{ (bottom: 0.3pt + rgb("#cccccc")) }}, inset: (x: 4pt, y: 3.5pt))
"""

PAGE = """#set page(paper: "a4", margin: (x: 2.2cm, top: 2.2cm, bottom: 2.2cm),
  header: context {{ if counter(page).get().first() > 1 [#set text(size: 8pt, fill: rgb("#777777")); {title} #h(1fr) {period}] }},
  footer: context {{ if counter(page).get().first() > 1 [#set text(size: 8pt, fill: rgb("#777777")); {page_word} #counter(page).display() #h(1fr) {snapshot}] }})
"""


def to_typst(report: Report, svg_names: dict[str, tuple[str, float, float]]) -> str:
    """The report as Typst markup; ``svg_names``: figure key -> (file name, width, height)."""
    out = [PREAMBLE.format(title=_str(report.title), lang=report.lang)]
    snap = next((v for k, v in report.colophon if k == rt("c.snapshot", report.lang)), "")
    out.append(
        PAGE.format(
            title=typst_escape(report.title),
            period=typst_escape(report.period),
            page_word=typst_escape(rt("page", report.lang)),
            snapshot=typst_escape(f"snapshot {snap}"),
        )
    )
    # cover
    out.append('#block(width: 100%, height: 3pt, fill: rgb("#ec0000"))\n#v(5cm)\n')
    out.append(f'#text(size: 28pt, weight: "bold", fill: rgb("#004699"))[{typst_escape(report.title)}]\n\n#v(0.6cm)\n')
    out.append(f"#text(size: 14pt)[{typst_escape(report.subtitle)}]\n\n#v(1.2cm)\n")
    rows = ", ".join(f"[{typst_escape(k)}], [*{typst_escape(v)}*]" for k, v in report.cover)
    out.append(f"#table(columns: 2, stroke: none, inset: 3pt, {rows})\n\n")
    if report.synthetic_notice:
        out.append(
            f'#v(1cm)\n#block(fill: rgb("#fff4ce"), stroke: 0.8pt + rgb("#c88a00"), inset: 10pt, radius: 3pt, '
            f"width: 100%)[{typst_escape(report.synthetic_notice)}]\n"
        )
    out.append(f'#v(1fr)\n#text(size: 9pt, fill: rgb("#555555"))[{typst_escape(rt("issued_by", report.lang))}]\n')
    out.append("#pagebreak()\n")
    out.append(f"#outline(title: {_str(rt('contents', report.lang))}, depth: 1)\n")
    for section in report.sections:
        out.append(f"\n= {typst_escape(section.title)}\n\n")
        for block in section.blocks:
            out.append(_typst_block(block, svg_names))
    out.append(f"\n= {typst_escape(rt('s.colophon', report.lang))}\n\n")
    rows = ", ".join(f"[{typst_escape(k)}], [{typst_escape(v)}]" for k, v in report.colophon)
    out.append(f"#table(columns: (auto, 1fr), {rows})\n\n")
    for note in report.colophon_notes:
        out.append(f"{typst_escape(note)}\n\n")
    return "".join(out)


def _typst_block(block, svg_names: dict[str, tuple[str, float, float]]) -> str:
    if isinstance(block, Para):
        text = typst_escape(block.text)
        return f'#text(size: 8.5pt, fill: rgb("#555555"))[{text}]\n\n' if block.small else f"{text}\n\n"
    if isinstance(block, Heading):
        return f"== {typst_escape(block.text)}\n\n"
    if isinstance(block, Bullets):
        return "".join(f"- {typst_escape(item)}\n" for item in block.items) + "\n"
    if isinstance(block, Notice):
        return (
            f'#block(fill: rgb("#fff4ce"), stroke: 0.6pt + rgb("#c88a00"), inset: 7pt, radius: 2pt, width: 100%)'
            f"[#text(size: 9pt)[{typst_escape(block.text)}]]\n\n"
        )
    if isinstance(block, Figure):
        name, w, h = svg_names[block.key]
        size = "width: 100%" if w <= 0 or TEXT_WIDTH_CM * h / w <= MAX_FIGURE_CM else f"height: {MAX_FIGURE_CM}cm"
        return f"#figure(image({_str(name)}, {size}), caption: [{typst_escape(block.caption)}])\n\n"
    if isinstance(block, Table):
        widths = (
            ", ".join(f"{w}fr" for w in block.widths)
            if block.widths
            else ", ".join("1fr" if a == "l" else "auto" for a in block.align)
        )
        align = ", ".join("left" if a == "l" else "right" for a in block.align)
        cells = [f"[{typst_escape(c)}]" for c in block.columns]
        for row in block.rows:
            cells += [f"[{typst_escape(c)}]" for c in row]
        note = f'\n#text(size: 8pt, fill: rgb("#555555"))[{typst_escape(block.note)}]' if block.note else ""
        return (
            f"#figure(kind: table, caption: [{typst_escape(block.caption)}], {{ set text(size: 8.5pt)\n"
            f"table(columns: ({widths},), align: ({align},), {', '.join(cells)}) }})"
            f"{note}\n\n"
        )
    raise TypeError(f"unknown block {type(block).__name__}")


# -- HTML ---------------------------------------------------------------------------------------
CSS = """
body{font-family:"Liberation Sans",Arial,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;margin:0;background:#f4f4f4}
main{max-width:820px;margin:0 auto;background:#fff;padding:2.5rem 3rem}
.cover{border-top:6px solid #ec0000;padding-top:4rem;min-height:60vh}
.cover h1{color:#004699;font-size:2.4rem;margin:0 0 1rem}
.cover p.sub{font-size:1.25rem}
h2{color:#004699;border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:3rem}
.notice{background:#fff4ce;border:1px solid #c88a00;border-radius:4px;padding:.6rem .9rem;margin:1rem 0}
figure{margin:1.5rem 0}figure svg{max-width:100%;height:auto}
figcaption,caption{font-size:.85rem;color:#555;text-align:left;padding:.3rem 0}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:1rem 0}
th{text-align:left;border-bottom:2px solid #000;padding:.25rem .4rem}
td{border-bottom:1px solid #ddd;padding:.25rem .4rem;vertical-align:top}
td.r,th.r{text-align:right}
p.small,.tnote{font-size:.82rem;color:#555}
nav ol{columns:2}
td,th,dd{overflow-wrap:anywhere}
@media (max-width:640px){main{padding:1rem}.cover{padding-top:1.5rem;min-height:0}.cover h1{font-size:1.7rem}
nav ol{columns:1}table{display:block;overflow-x:auto}figure{margin:1rem 0}}
"""


def to_html(report: Report, svgs: dict[str, str]) -> str:
    e = html.escape
    out = [
        f'<!DOCTYPE html>\n<html lang="{report.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(report.title)} — {e(report.period)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
    ]
    out.append(f'<section class="cover">\n<h1>{e(report.title)}</h1>\n<p class="sub">{e(report.subtitle)}</p>\n<dl>')
    for k, v in report.cover:
        out.append(f"<dt>{e(k)}</dt><dd><strong>{e(v)}</strong></dd>")
    out.append("</dl>\n")
    if report.synthetic_notice:
        out.append(f'<div class="notice" role="note">{e(report.synthetic_notice)}</div>\n')
    out.append(f"<p>{e(rt('issued_by', report.lang))}</p>\n</section>\n")
    out.append(f"<nav><h2>{e(rt('contents', report.lang))}</h2><ol>")
    for s in report.sections:
        out.append(f'<li><a href="#{s.key}">{e(s.title)}</a></li>')
    out.append(f'<li><a href="#colophon">{e(rt("s.colophon", report.lang))}</a></li></ol></nav>\n')
    for i, s in enumerate(report.sections, start=1):
        out.append(f'<section id="{s.key}">\n<h2>{i}. {e(s.title)}</h2>\n')
        for block in s.blocks:
            out.append(_html_block(block, svgs))
        out.append("</section>\n")
    out.append(f'<section id="colophon">\n<h2>{e(rt("s.colophon", report.lang))}</h2>\n<table>')
    for k, v in report.colophon:
        out.append(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>")
    out.append("</table>\n")
    for note in report.colophon_notes:
        out.append(f"<p>{e(note)}</p>\n")
    out.append("</section>\n</main>\n</body>\n</html>\n")
    return "".join(out)


def _html_block(block, svgs: dict[str, str]) -> str:
    e = html.escape
    if isinstance(block, Para):
        return f'<p class="small">{e(block.text)}</p>\n' if block.small else f"<p>{e(block.text)}</p>\n"
    if isinstance(block, Heading):
        return f"<h3>{e(block.text)}</h3>\n"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{e(i)}</li>" for i in block.items) + "</ul>\n"
    if isinstance(block, Notice):
        return f'<div class="notice" role="note">{e(block.text)}</div>\n'
    if isinstance(block, Figure):
        return f"<figure>{svgs[block.key]}<figcaption>{e(block.caption)}</figcaption></figure>\n"
    if isinstance(block, Table):
        cls = ['class="r"' if a == "r" else "" for a in block.align]
        head = "".join(f"<th {c}>{e(x)}</th>" for c, x in zip(cls, block.columns, strict=True))
        body = "".join(
            "<tr>" + "".join(f"<td {c}>{e(x)}</td>" for c, x in zip(cls, row, strict=True)) + "</tr>"
            for row in block.rows
        )
        note = f'<p class="tnote">{e(block.note)}</p>' if block.note else ""
        return f"<table><caption>{e(block.caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}\n"
    raise TypeError(f"unknown block {type(block).__name__}")
