"""The council report (issue 9): both languages and formats, numbers equal to the public read model,
reproducible builds, Typst escaping and clear errors."""

from __future__ import annotations

import io
import re

import pandas as pd
import pypdf  # noqa: E402 - a test dependency: a missing one must fail, not skip
import pytest

from weerbaar.errors import InputError, NotBuiltError
from weerbaar.public import PublicData
from weerbaar.report import build_report, typst_escape
from weerbaar.web.i18n import number

PERIOD = "2019-H2"
SECTIONS = {
    "nl": [
        "Samenvatting",
        "Geregistreerde drugscriminaliteit",
        "Inventarisatie criminogene kwetsbaarheid",
        "Drugsgebruik uit rioolwater",
        "Meldingen van bewoners",
        "Stand van de maatregelen",
        "Interventies",
        "Bijlage: methode",
        "Bronnen",
        "Colofon",
    ],
    "en": [
        "Summary",
        "Registered drug crime",
        "Inventory of criminogenic vulnerability",
        "Drug use from wastewater",
        "Residents' reports",
        "Status of the measures",
        "Interventions",
        "Annex: methodology",
        "Sources",
        "Colophon",
    ],
}


def pdf_text(path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


@pytest.fixture(scope="module")
def built(served_home, tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    out = {}
    for lang in ("nl", "en"):
        for fmt in ("pdf", "html"):
            path = d / f"report-{lang}.{fmt}"
            out[lang, fmt] = (path, build_report(period=PERIOD, lang=lang, fmt=fmt, out=path, home=served_home))
    return out


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pdf_holds_sections_and_warehouse_numbers(built, served_home, lang):
    path, info = built[lang, "pdf"]
    assert path.read_bytes()[:5] == b"%PDF-" and info["pages"] >= 8
    text = pdf_text(path)
    for heading in SECTIONS[lang]:
        assert heading in text
    data = PublicData(served_home)
    meta = data.meta()
    city = data.table(meta["default_division"], "registered.drug_trade", "stad", "half")
    value = city.loc[city["period"] == PERIOD, "value"].iloc[0]
    assert f"{number(value, lang)} " in text
    assert meta["snapshot"] in text and meta["version"] in text
    assert ("synthetisch" if lang == "nl" else "synthetic") in text  # the default holds synthetic layers


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_html_is_self_contained(built, lang):
    path, info = built[lang, "html"]
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and f'lang="{lang}"' in html
    assert html.count("<svg") == info["figures"] > 5
    assert not re.search(r"""(src|href)=["']https?://""", html)  # no external requests
    assert "<script" not in html
    for heading in SECTIONS[lang]:
        assert heading.replace("'", "&#x27;") in html


def test_two_builds_are_identical(built, served_home, tmp_path):
    for fmt in ("pdf", "html"):
        first = built["nl", fmt][0]
        again = tmp_path / f"again.{fmt}"
        build_report(period=PERIOD, lang="nl", fmt=fmt, out=again, home=served_home)
        if fmt == "html":
            assert again.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
        else:
            assert pdf_text(again) == pdf_text(first)


def test_measures_from_the_programme_register(built):
    text = pdf_text(built["en", "pdf"][0])
    try:
        import weerbaar.programme  # noqa: F401
    except ImportError:
        assert "programme register is not available" in text
    else:
        assert "Top600" in text and "8,337,375" in text


def test_register_missing_is_said(served_home, monkeypatch):
    from weerbaar.report import content, gather_report

    monkeypatch.setattr(content, "load_programme", lambda home: None)
    report = gather_report(period=PERIOD, lang="en", home=served_home)
    measures = next(s for s in report.sections if s.key == "measures")
    assert "not available" in measures.blocks[0].text


def test_typst_escape_hostile_text(tmp_path):
    import typst
    hostile = 'a # $x$ *b* _i_ @ref <lab> [x] \\ ` ~ = - + / // /* */ "q" {a} (b) 1. https://x.nl é € 50%\nnext'
    assert "\n" not in typst_escape(hostile)
    src = tmp_path / "h.typ"
    src.write_text(
        "#set page(width: 30cm, height: auto)\n"
        + typst_escape(hostile)
        + "\n\n#table(columns: 1, ["
        + typst_escape("1. not a list")
        + "], ["
        + typst_escape("- not a bullet")
        + "])\n",
        encoding="utf-8",
    )
    pdf = typst.compile(str(src))
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    flat = re.sub(r"\s+", " ", text)
    assert hostile.replace("\n", " ") in flat
    assert "1. not a list" in flat and "- not a bullet" in flat


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"period": "2019-H3"}, "period"),
        ({"period": "1990-H2"}, "period"),
        ({"lang": "de"}, "language"),
        ({"fmt": "docx"}, "format"),
    ],
)
def test_errors(served_home, tmp_path, kwargs, what):
    args = {"period": PERIOD, "lang": "nl", "fmt": "pdf", "out": tmp_path / "r.pdf", "home": served_home} | kwargs
    with pytest.raises(InputError) as exc:
        build_report(**args)
    assert what in str(exc.value).lower()


def test_not_built(tmp_path):
    with pytest.raises(NotBuiltError):
        build_report(period=PERIOD, out=tmp_path / "r.pdf", home=tmp_path / "empty")


def test_cli_report(served_home, tmp_path):
    from typer.testing import CliRunner

    from weerbaar import settings
    from weerbaar.cli import app

    out = tmp_path / "r.html"
    settings.override("home", None)
    try:
        result = CliRunner().invoke(
            app,
            [
                "--home",
                str(served_home),
                "report",
                "--period",
                PERIOD,
                "--lang",
                "en",
                "--format",
                "html",
                "--out",
                str(out),
            ],
        )
    finally:
        settings.override("home", None)
    assert result.exit_code == 0, result.output
    assert out.exists() and "snapshot" in result.output


def test_the_report_describes_its_own_period(built, served_home):
    """A report per 31 December 2019 rests on analyses of 2019 (computed when missing), not of the latest year,
    and computing them leaves the dashboard on the latest period."""
    from weerbaar.analysis.inputs import period_end, period_months
    from weerbaar.report import gather_report
    from weerbaar.standard import analysis_year, ensure_period

    assert analysis_year("2019-H2") == "2019" and analysis_year("2019-H1") == "2018"
    done = ensure_period(PERIOD, served_home)  # the fixture's builds stored them: found, not computed again
    assert done["computed"] == [] and len(done["runs"]) == 6
    data = PublicData(served_home)
    runs = data.runs().set_index("run_id").loc[list(done["runs"].values())]
    assert all(period_end(p) == period_months("2019-H2")[1] for p in runs["period"]), runs["period"].tolist()
    latest = data.latest_run("vulnerability")
    assert period_end(latest["period"]) > period_months("2019-H2")[1]  # the dashboard still shows the latest
    report = gather_report(period=PERIOD, lang="nl", home=served_home)
    methods = next(s for s in report.sections if s.key == "methods")
    table = next(b for b in methods.blocks if hasattr(b, "rows"))
    assert {row[1] for row in table.rows} == set(done["runs"].values())  # only the analyses it rests on
    text = pdf_text(built["nl", "pdf"][0])
    assert "gevallen van drugshandel" in text and "geregistreerde drugshandel (" not in text
    assert "2024" not in " ".join(str(row[2]) for row in table.rows)


def test_count_legends_are_whole_numbers():
    from weerbaar.report.content import count_classes

    c = count_classes(pd.Series([0, 0, 1, 2, 3, 5, 9, 12, 30, 0, 0, None]), "nl")
    assert c.labels == ["0", "1", "2 – 4", "5 – 9", "10 – 30"] and sum(c.counts) == 11
    assert not any("," in label for label in c.labels)
    assert count_classes(pd.Series([0.5, 1.25]), "nl") is None  # not counts: the ordinary quantiles
