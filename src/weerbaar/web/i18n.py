"""Dutch and English texts of the dashboard, and number formatting per language.

Dutch is the default. Every visible text is looked up here by key; a test checks that each key
has both languages.
"""

from __future__ import annotations

import math

LANGS = ("nl", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # site
    "site.title": ("Weerbare wijken", "Resilient neighbourhoods"),
    "site.tagline": (
        "Drugscriminaliteit en kwetsbaarheid per wijk in Amsterdam",
        "Drug crime and vulnerability per neighbourhood in Amsterdam",
    ),
    "skip": ("Naar de inhoud", "Skip to content"),
    "nav.overview": ("Kaart", "Map"),
    "nav.inventory": ("Inventarisatie", "Inventory"),
    "nav.trends": ("Trends", "Trends"),
    "nav.compare": ("Vergelijken", "Compare"),
    "nav.sources": ("Bronnen", "Sources"),
    "nav.methods": ("Methoden", "Methods"),
    "nav.api": ("API", "API"),
    "lang.switch": ("English", "Nederlands"),
    "lang.switch.label": ("Switch to English", "Naar het Nederlands"),
    "synthetic.banner": (
        "De politie- en meldingencijfers per buurt zijn gegenereerd (er zijn geen openbare) en dus geen echte "
        "cijfers. Gebieden, de OIS- en CBS-bronnen en de rioolwaterdata zijn echt.",
        "Police and report figures per neighbourhood are generated (none are public), so they are not real figures. "
        "Areas, the OIS and CBS sources and the wastewater data are real.",
    ),
    "synthetic.mark": ("Synthetische demonstratiedata", "Synthetic demonstration data"),
    "footer.snapshot": ("Momentopname", "Snapshot"),
    "footer.version": ("versie", "version"),
    "footer.disclosure": (
        "Aantallen onder {threshold} zijn afgeschermd (ook waar ze uit totalen terug te rekenen zouden zijn).",
        "Counts below {threshold} are withheld (also where totals would give them away).",
    ),
    "footer.disclosure.round": (
        "Aantallen zijn afgerond op vijftallen.",
        "Counts are rounded to multiples of five.",
    ),
    # controls
    "ctl.layer": ("Kaartlaag", "Map layer"),
    "ctl.indicator": ("Indicator", "Indicator"),
    "ctl.level": ("Niveau", "Level"),
    "ctl.period": ("Periode", "Period"),
    "ctl.measure": ("Maat", "Measure"),
    "ctl.classes": ("Klassen", "Classes"),
    "ctl.k": ("Aantal klassen", "Number of classes"),
    "ctl.bins": ("Grenzen (vast)", "Breaks (fixed)"),
    "ctl.bins.help": ("bijv. 1, 5, 10, 20", "e.g. 1, 5, 10, 20"),
    "ctl.division": ("Gebiedsindeling", "Area division"),
    "ctl.show": ("Toon", "Show"),
    "ctl.areas": ("Gebieden", "Areas"),
    "ctl.areas.help": (
        "Kies een of meer gebieden (Ctrl/Cmd-klik voor meer)",
        "Choose one or more areas (Ctrl/Cmd-click for more)",
    ),
    "ctl.kind": ("Tijdvak", "Time slice"),
    "ctl.stadsdeel": ("Stadsdeel", "Borough"),
    "ctl.all": ("Alle", "All"),
    "ctl.focus": ("Eerste fase: Zuidoost, Nieuw-West en Centrum", "First phase: Zuidoost, Nieuw-West and Centrum"),
    "measure.value": ("Waarde zoals gepubliceerd", "Value as published"),
    "measure.rate": ("Per 1.000 inwoners", "Per 1,000 inhabitants"),
    "classes.quantiles": ("Kwantielen (gelijke aantallen)", "Quantiles (equal counts)"),
    "classes.natural_breaks": ("Natuurlijke grenzen (Fisher-Jenks)", "Natural breaks (Fisher-Jenks)"),
    "classes.fixed": ("Vaste grenzen", "Fixed breaks"),
    "group.indicators": ("Indicatoren", "Indicators"),
    "group.results": ("Analyses", "Analyses"),
    "group.other": ("Overige bronnen", "Other sources"),
    # levels and kinds
    "level.stad": ("Stad", "City"),
    "level.stadsdeel": ("Stadsdeel", "Borough"),
    "level.gebied": ("Gebied", "Area"),
    "level.wijk": ("Wijk", "District"),
    "level.buurt": ("Buurt", "Neighbourhood"),
    "levels.stadsdeel": ("Stadsdelen", "Boroughs"),
    "levels.gebied": ("Gebieden", "Areas"),
    "levels.wijk": ("Wijken", "Districts"),
    "levels.buurt": ("Buurten", "Neighbourhoods"),
    "kind.year": ("Jaar", "Year"),
    "kind.half": ("Halfjaar", "Half year"),
    "kind.quarter": ("Kwartaal", "Quarter"),
    "kind.month": ("Maand", "Month"),
    # statuses
    "status.published": ("", ""),
    "status.rounded": ("afgerond", "rounded"),
    "status.withheld": ("afgeschermd", "withheld"),
    "status.missing": ("geen gegevens", "no data"),
    # results
    "result.vulnerability": ("Kwetsbaarheid (inventarisatie)", "Vulnerability (inventory)"),
    "result.zwijgwijken": ("Zwijgwijken en inzet-effect", "Silent neighbourhoods and effort effect"),
    "result.hotspots.gi": ("Hotspots", "Hot spots"),
    "result.emerging": ("Opkomende hotspots", "Emerging hot spots"),
    "result.of": ("van", "of"),
    # overview
    "overview.title": ("Kaart van Amsterdam", "Map of Amsterdam"),
    "overview.highest": ("Hoogste", "Highest"),
    "overview.lowest": ("Laagste", "Lowest"),
    "overview.citytrend": ("Ontwikkeling in de stad", "City trend"),
    "overview.table": ("Alle gebieden in een tabel", "All areas in a table"),
    "overview.maphelp": (
        "Klik op een gebied voor het profiel. Met het toetsenbord: gebruik de tabel onder de kaart.",
        "Click an area to open its profile. With the keyboard: use the table below the map.",
    ),
    "overview.counts": ("Verdeling", "Distribution"),
    "col.area": ("Gebied", "Area"),
    "col.value": ("Waarde", "Value"),
    "col.rank": ("Rang", "Rank"),
    "col.interval": ("90%-interval", "90% interval"),
    "col.category": ("Categorie", "Category"),
    "col.stadsdeel": ("Stadsdeel", "Borough"),
    "col.city": ("Stad", "City"),
    "col.period": ("Periode", "Period"),
    "col.unit": ("Eenheid", "Unit"),
    "col.trend": ("Verloop", "Trend"),
    "col.source": ("Bron", "Source"),
    "col.indicator": ("Indicator", "Indicator"),
    "col.composite": ("Score", "Score"),
    "col.domains": ("Domeinen", "Domains"),
    "col.flag": ("Signaal", "Signal"),
    "col.reason": ("Toelichting", "Explanation"),
    "col.p": ("p (FDR)", "p (FDR)"),
    # profile
    "profile.parent": ("Ligt in", "Part of"),
    "profile.children": ("Bestaat uit", "Consists of"),
    "profile.neighbours": ("Buren", "Neighbours"),
    "profile.indicators": ("Indicatoren", "Indicators"),
    "profile.inventory": ("Positie in de inventarisatie", "Position in the inventory"),
    "profile.inventory.rank": (
        "Rang {rank} van {n} (90%-interval {low}–{high}); rang 1 is het meest kwetsbaar.",
        "Rank {rank} of {n} (90% interval {low}–{high}); rank 1 is the most vulnerable.",
    ),
    "profile.inventory.notranked": ("Niet gerangschikt: {reason}", "Not ranked: {reason}"),
    "profile.zwijgwijk": ("Zwijgwijk- en inzetsignaal", "Silent-neighbourhood and effort signal"),
    "profile.hotspot": ("Hotspotstatus", "Hot spot status"),
    "profile.compare": ("Vergelijk met de buren", "Compare with the neighbours"),
    "profile.trend": ("Verloop", "Trend"),
    "profile.tablenote": (
        "Aantallen zijn totalen van het hele gebied (stadsdeel, stad); percentages en indexen zijn gemiddelden. "
        "‘Afgeschermd’: een klein aantal dat niet gepubliceerd wordt.",
        "Counts are totals of the whole area (borough, city); percentages and indices are averages. "
        "‘Withheld’: a small count that is not published.",
    ),
    "profile.none": ("Geen gegevens op dit niveau.", "No data at this level."),
    "profile.noresult": ("Geen analyse op dit niveau.", "No analysis at this level."),
    "profile.domains": ("Domeinen tegen stadsdeel en stad", "Domains against borough and city"),
    "profile.explain": (
        "Domeinscores zijn percentielscores (0 = laagst, 1 = hoogst in de stad).",
        "Domain scores are percentile scores (0 = lowest, 1 = highest in the city).",
    ),
    # inventory
    "inventory.title": ("Inventarisatie criminogene kwetsbaarheid", "Inventory of criminogenic vulnerability"),
    "inventory.intro": (
        "Maatregel 7: een samengestelde score per buurt uit kwetsbaarheid, registraties, ervaren overlast en "
        "signalen, met een 90%-interval van de rang uit 1.000 trekkingen. Registraties hangen af van "
        "politie-inzet.",
        "Measure 7: a composite score per neighbourhood from vulnerability, registrations, experienced nuisance and "
        "signals, with a 90% rank interval from 1,000 draws. Registrations depend on police effort.",
    ),
    "inventory.shown": ("{n} gebieden getoond", "{n} areas shown"),
    # trends
    "trends.title": ("Trends per gebied", "Trends per area"),
    "trends.breaks": (
        "Gestippelde lijnen: trendbreuk (herindeling 2022); waarden ervoor zijn omgerekend.",
        "Dashed lines: series break (2022 redivision); earlier values were converted.",
    ),
    # compare
    "compare.title": ("Gebieden vergelijken", "Compare areas"),
    "compare.pick": ("Kies minstens twee gebieden.", "Choose at least two areas."),
    # sources
    "sources.title": ("Bronnen", "Sources"),
    "sources.kind.real": ("echt", "real"),
    "sources.kind.synthetic": ("synthetisch", "synthetic"),
    "sources.kind.derived": ("afgeleid", "derived"),
    "sources.licence": ("Licentie", "Licence"),
    "sources.attribution": ("Naamsvermelding", "Attribution"),
    "sources.loaded": ("Geladen", "Loaded"),
    "sources.rows": ("Rijen", "Rows"),
    "sources.kind": ("Soort", "Kind"),
    "sources.files": ("Bestanden", "Files"),
    "sources.version": ("Versie", "Version"),
    # methods
    "methods.title": ("Methoden", "Methods"),
    "methods.intro": (
        "Hoe elk cijfer tot stand komt. De methodebeschrijvingen zijn in het Engels.",
        "How each figure is made.",
    ),
    # errors
    "error.title": ("Er ging iets mis", "Something went wrong"),
    "error.notfound": ("Niet gevonden", "Not found"),
    "error.back": ("Terug naar de kaart", "Back to the map"),
    "chart.loading": ("Grafiek wordt geladen…", "Loading chart…"),
    "chart.nojs": (
        "Deze grafiek heeft JavaScript nodig; de tabel ernaast bevat dezelfde cijfers.",
        "This chart needs JavaScript; the table beside it holds the same figures.",
    ),
}


def t(key: str, lang: str = "nl", **fields: object) -> str:
    """The text for ``key`` in ``lang`` with ``{fields}`` filled in (the key itself when unknown)."""
    pair = TEXTS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**fields) if fields else text


def number(value: object, lang: str = "nl", decimals: int | None = None) -> str:
    """A number for display: Dutch uses a decimal comma and a point for thousands."""
    if value is None:
        return "–"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "–"
    if decimals is None:
        ax = abs(x)
        decimals = 0 if (ax >= 100 or float(x).is_integer()) else (1 if ax >= 10 else 2)
    text = f"{x:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
