"""Texts of the council report that the dashboard does not have (nl, en). Shared labels come from
``weerbaar.web.i18n.t``."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Weerbare mensen, weerbare wijken", "Resilient people, resilient neighbourhoods"),
    "subtitle": (
        "Voortgangsrapportage aan de gemeenteraad: drugscriminaliteit in de wijken en de maatregelen van het programma",
        "Progress report to the city council: drug crime in the neighbourhoods and the programme's measures",
    ),
    "period": ("Periode", "Period"),
    "date": ("Stand per", "As at"),
    "issued_by": (
        "Gemaakt met weerbaar (open source), niet door de gemeente vastgesteld",
        "Made with weerbaar (open source), not adopted by the city",
    ),
    "contents": ("Inhoud", "Contents"),
    "synthetic.cover": (
        "Let op: dit rapport bevat synthetische demonstratiegegevens ({sources}). Cijfers die daarop berusten "
        "zijn gemarkeerd met ‘synthetisch’ en beschrijven geen werkelijke situatie.",
        "Note: this report contains synthetic demonstration data ({sources}). Figures that rest on it are "
        "marked ‘synthetic’ and do not describe the real situation.",
    ),
    "synthetic.mark": ("synthetisch", "synthetic"),
    "synthetic.section": (
        "De cijfers in dit hoofdstuk berusten (deels) op synthetische demonstratiegegevens.",
        "The figures in this chapter rest (in part) on synthetic demonstration data.",
    ),
    # sections
    "s.summary": ("Samenvatting", "Summary"),
    "s.drug_crime": ("Geregistreerde drugscriminaliteit", "Registered drug crime"),
    "s.nuisance": ("Ervaren drugsoverlast", "Experienced drug nuisance"),
    "s.inventory": ("Inventarisatie criminogene kwetsbaarheid", "Inventory of criminogenic vulnerability"),
    "s.wastewater": ("Drugsgebruik uit rioolwater", "Drug use from wastewater"),
    "s.reports": ("Meldingen van bewoners", "Residents' reports"),
    "s.hotspots": ("Hotspots en zwijgwijken", "Hot spots and silent neighbourhoods"),
    "s.measures": ("Stand van de maatregelen", "Status of the measures"),
    "s.methods": ("Bijlage: methode", "Annex: methodology"),
    "s.sources": ("Bronnen", "Sources"),
    "s.notes": ("Trendbreuken en synthetische invoer", "Series breaks and synthetic inputs"),
    "s.colophon": ("Colofon", "Colophon"),
    # summary
    "sum.city": (
        "In {period} registreerde de politie in de stad {value} {what} ({change} ten opzichte van {prev}: "
        "{prev_value}).",
        "In {period} the police registered {value} {what} in the city ({change} against {prev}: {prev_value}).",
    ),
    "sum.city_noprev": (
        "In {period} registreerde de politie in de stad {value} {what}.",
        "In {period} the police registered {value} {what} in the city.",
    ),
    "sum.reports": (
        "Bewoners deden in {period} {value} meldingen van drugshandel of -overlast ({change} ten opzichte van {prev}).",
        "Residents made {value} reports of drug dealing or nuisance in {period} ({change} against {prev}).",
    ),
    "sum.largest": (
        "De grootste toename van geregistreerde drugshandel per gebied: {items}.",
        "The largest increase in registered drug trade per area: {items}.",
    ),
    "sum.largest_none": (
        "Geen gebied laat een toename van geregistreerde drugshandel zien die gepubliceerd kan worden.",
        "No area shows an increase in registered drug trade that can be published.",
    ),
    "sum.clear": ("duidelijk groter dan de gewone schommeling", "clearly larger than the usual fluctuation"),
    "sum.within": ("binnen de gewone schommeling", "within the usual fluctuation"),
    "sum.haal": (
        "Politieregistraties van drugs zijn haaldelicten: ze volgen de inzet van de politie even sterk als de "
        "criminaliteit zelf. Een toename kan dus ook meer inzet betekenen.",
        "Police registrations of drugs are ‘haaldelicten’: they follow police effort as much as crime itself. "
        "An increase can also mean more effort.",
    ),
    "sum.emerging": (
        "Opkomende hotspots ({what}, analyse over {period}): {new} nieuwe en {intens} toenemende hotspots{names}.",
        "Emerging hot spots ({what}, analysis over {period}): {new} new and {intens} intensifying hot spots{names}.",
    ),
    "sum.gi": (
        "Hotspots van {what} in {period}: {hot} buurten met een significant cluster van hoge waarden "
        "(na correctie voor meervoudig toetsen).",
        "Hot spots of {what} in {period}: {hot} neighbourhoods in a significant cluster of high values "
        "(after correction for multiple testing).",
    ),
    "sum.zwijg": (
        "Zwijgwijk-signalen (analyse over {period}): in {n} buurten melden bewoners naar schatting minder dan "
        "de helft van wat elders bij hetzelfde drugsprobleem gemeld wordt{names}. Dit is een aanwijzing, geen "
        "bewijs: het vraagt om gesprekken in de wijk, niet om conclusies.",
        "Silent-neighbourhood signals (analysis over {period}): in {n} neighbourhoods residents report an "
        "estimated less than half of what is reported elsewhere for the same drug problem{names}. This is an "
        "indication, not proof: it calls for conversations in the neighbourhood, not for conclusions.",
    ),
    "sum.effort": (
        "In {n} buurten zijn er meer registraties dan de overlast doet verwachten: mogelijk inzet-gedreven.",
        "In {n} neighbourhoods there are more registrations than the nuisance leads one to expect: possibly "
        "effort-driven.",
    ),
    "sum.results_period": (
        "De opgeslagen analyses in deze momentopname gaan over andere perioden dan {period}; hun periode staat "
        "steeds vermeld.",
        "The analyses stored in this snapshot cover other periods than {period}; their period is always stated.",
    ),
    "sum.missing": ("Geen opgeslagen resultaat: {what}.", "No stored result: {what}."),
    "change.up": ("+{pct}", "+{pct}"),
    "such_as": (", onder meer {names}", ", among them {names}"),
    # tables
    "col.area": ("Gebied", "Area"),
    "col.stadsdeel": ("Stadsdeel", "Borough"),
    "col.change": ("Verschil", "Change"),
    "col.change_pct": ("Verschil %", "Change %"),
    "col.assessment": ("Beoordeling", "Assessment"),
    "col.rank": ("Rang", "Rank"),
    "col.interval": ("90%-interval", "90% interval"),
    "col.score": ("Score", "Score"),
    "col.substance": ("Middel", "Substance"),
    "col.year": ("Jaar", "Year"),
    "col.consumption": ("mg per 1.000 inw. per dag (interval)", "mg per 1,000 inh. per day (interval)"),
    "col.grams": ("gram per dag", "grams a day"),
    "col.rank_cities": ("Rang onder Europese steden", "Rank among European cities"),
    "col.number": ("Nr.", "No."),
    "col.measure": ("Maatregel", "Measure"),
    "col.owner": ("Trekker", "Owner"),
    "col.status": ("Status", "Status"),
    "col.milestones": ("Mijlpalen gereed", "Milestones done"),
    "col.source": ("Bron", "Source"),
    "col.licence": ("Licentie", "Licence"),
    "col.attribution": ("Naamsvermelding", "Attribution"),
    "col.kind": ("Soort", "Kind"),
    "col.flag": ("Signaal", "Signal"),
    "col.ratio": ("Verhouding waargenomen/verwacht", "Ratio observed/expected"),
    "col.q": ("q (FDR)", "q (FDR)"),
    "col.category": ("Categorie", "Category"),
    "col.analysis": ("Analyse", "Analysis"),
    "col.parameters": ("Parameters", "Parameters"),
    "col.budget": ("Begrotingspost", "Budget line"),
    "col.amount": ("Bedrag", "Amount"),
    "col.risk": ("Risico", "Risk"),
    "tab.by_stadsdeel": ("{what} per stadsdeel, {period} en {prev}", "{what} per borough, {period} and {prev}"),
    "tab.changes": (
        "Grootste veranderingen per gebied: geregistreerde drugshandel, {period} tegen {prev}",
        "Largest changes per area: registered drug trade, {period} against {prev}",
    ),
    "tab.inventory": (
        "De 15 meest kwetsbare buurten (rang 1 = meest kwetsbaar), analyse {period}",
        "The 15 most vulnerable neighbourhoods (rank 1 = most vulnerable), analysis {period}",
    ),
    "tab.wastewater": ("{city}: drugsgebruik uit rioolwater", "{city}: drug use from wastewater"),
    "tab.zwijg": (
        "Buurten met een zwijgwijk-signaal (analyse {period}), op sterkte van het signaal",
        "Neighbourhoods with a silent-neighbourhood signal (analysis {period}), by strength of the signal",
    ),
    "tab.measures": ("De vijftien maatregelen", "The fifteen measures"),
    "tab.budget": ("Begroting", "Budget"),
    "tab.risks": ("Risico's die het programma noemt", "Risks the programme names"),
    "tab.sources": ("Gebruikte bronnen", "Sources used"),
    "tab.runs": ("Opgeslagen analyses waarop dit rapport steunt", "Stored analyses this report rests on"),
    "withheld_note": (
        "Afgeschermd: aantallen onder {threshold}, of terug te rekenen uit totalen, worden niet getoond.",
        "Withheld: counts below {threshold}, or recoverable from totals, are not shown.",
    ),
    "no_data": ("Geen gegevens voor deze periode.", "No data for this period."),
    "zwijg_note": (
        "‘Afgeschermd’ bij een verhouding: de verhouding rust op de aantallen van alle jaren van de analyse samen; "
        "is het aantal in één van die jaren niet gepubliceerd (onder {threshold}), dan zou het totaal dat jaar "
        "verraden, ook al is het totaal zelf groter. De verhouding blijft dan weg.",
        "‘Withheld’ for a ratio: the ratio rests on the counts of all years of the analysis together; when the count "
        "of one of those years is not published (below {threshold}), the total would give that year away, even "
        "though the total itself is larger. The ratio is then left out.",
    ),
    "what.registered.drug_trade": ("gevallen van drugshandel", "cases of drug trafficking"),
    "what.registered.drug_use": ("gevallen van drugsbezit en -gebruik", "cases of drug possession and use"),
    "what.registered.drug_production": ("gevallen van drugsproductie", "cases of drug production"),
    # sections' introductions
    "intro.drug_crime": (
        "Drugshandel, -gebruik en -productie zoals de politie die registreert, per stadsdeel en per wijk. "
        "Dit zijn haaldelicten: ze meten politie-inzet even sterk als criminaliteit.",
        "Drug trade, use and production as the police register them, per borough and per district. These are "
        "‘haaldelicten’: they measure police effort as much as crime.",
    ),
    "intro.nuisance": (
        "Het aandeel inwoners dat veel drugsoverlast ervaart (Veiligheidsmonitor), per wijk, in {year}. "
        "Percentages uit een steekproef: kleine verschillen tussen wijken zijn niet betekenisvol.",
        "The share of residents who experience much drug nuisance (Veiligheidsmonitor), per district, in {year}. "
        "Percentages from a sample: small differences between districts are not meaningful.",
    ),
    "intro.inventory": (
        "Maatregel 7: kwetsbaarheid van inwoners, registraties, signalen en ervaren overlast samengevat in één "
        "score per buurt. De rang heeft een onzekerheidsinterval: buurten met overlappende intervallen zijn niet "
        "duidelijk verschillend.",
        "Measure 7: resident vulnerability, registrations, signals and experienced nuisance combined into one "
        "score per neighbourhood. The rank has an uncertainty interval: neighbourhoods whose intervals overlap "
        "are not clearly different.",
    ),
    "intro.wastewater": (
        "Bijlage 2 van het programma: gebruik van drugs gemeten in het rioolwater (EUDA/SCORE), per 1.000 "
        "inwoners per dag, vergeleken met andere Europese steden. Cijfers voor {year}, het laatste meetjaar tot "
        "en met de rapportageperiode.",
        "Annex 2 of the programme: drug use measured in wastewater (EUDA/SCORE), per 1,000 inhabitants per day, "
        "compared with other European cities. Figures for {year}, the latest year measured up to the reporting "
        "period.",
    ),
    "intro.reports": (
        "Maatregel 11: meldingen van bewoners over drugshandel en -overlast. In zwijgwijken houdt angst mensen "
        "van melden af; weinig meldingen betekent dus niet altijd weinig overlast.",
        "Measure 11: residents' reports of drug dealing and nuisance. In silent neighbourhoods fear keeps people "
        "from reporting; few reports therefore do not always mean little nuisance.",
    ),
    "intro.hotspots": (
        "Waar clusteren registraties en meldingen, en waar is dat nieuw of toenemend? En waar zijn er minder "
        "meldingen dan verwacht (zwijgwijk) of meer registraties dan de overlast doet verwachten (inzet-effect)?",
        "Where do registrations and reports cluster, and where is that new or growing? And where are there fewer "
        "reports than expected (silent neighbourhood) or more registrations than the nuisance suggests (effort "
        "effect)?",
    ),
    "intro.measures": (
        "De stand van de vijftien maatregelen volgens het programmaregister ({source}).",
        "The status of the fifteen measures according to the programme register ({source}).",
    ),
    "register.missing": (
        "Het programmaregister is niet beschikbaar in deze installatie; de stand van de maatregelen ontbreekt.",
        "The programme register is not available in this installation; the status of the measures is missing.",
    ),
    "register.seed": ("stand bij de start van het programma", "as at the start of the programme"),
    "register.store": ("operationele registratie", "operational store"),
    "status.planned": ("gepland", "planned"),
    "status.in_preparation": ("in voorbereiding", "in preparation"),
    "status.running": ("loopt", "running"),
    "status.completed": ("afgerond", "completed"),
    "status.delayed": ("vertraagd", "delayed"),
    "status.stopped": ("gestopt", "stopped"),
    # methods annex
    "m.intro": (
        "Dit rapport rekent niets zelf uit. Het leest de cijfers en de opgeslagen analyses uit het publieke "
        "leesmodel van het datawarehouse, waarin afscherming van kleine aantallen al is toegepast. Elke analyse "
        "is met een vaste random seed berekend en staat met run-id, periode en parameters hieronder.",
        "This report computes nothing itself. It reads the figures and the stored analyses from the warehouse's "
        "public read model, where small counts have already been withheld. Each analysis was computed with a "
        "fixed random seed and is listed below with run id, period and parameters.",
    ),
    "m.disclosure": (
        "Afscherming: aantallen onder {threshold} en aantallen die uit totalen terug te rekenen zijn, worden "
        "niet gepubliceerd (primaire en secundaire afscherming, modus ‘{mode}’).",
        "Disclosure control: counts below {threshold} and counts recoverable from totals are not published "
        "(primary and secondary suppression, mode ‘{mode}’).",
    ),
    "m.changes": (
        "Veranderingen: een verschil tussen twee perioden heet ‘duidelijk’ als het groter is dan twee keer de "
        "wortel uit de som van beide aantallen (de gewone toevalsschommeling van tellingen).",
        "Changes: a difference between two periods is called ‘clear’ when it exceeds twice the square root of "
        "the sum of both counts (the usual random fluctuation of counts).",
    ),
    "m.vulnerability": (
        "Kwetsbaarheidsinventarisatie: twee domeinen, het drugsprobleem zoals het meetmodel het schat (zonder "
        "model: registraties, signalen en overlast) en de kwetsbaarheid, genormaliseerd en gewogen tot een score "
        "0–1; rang met 90%-interval dat zowel de statistische onzekerheid als de modelkeuzes bevat.",
        "Vulnerability inventory: two domains, the drug problem as the measurement model estimates it (without a "
        "model: registrations, signals and nuisance) and vulnerability, normalised and weighted into a score 0–1; "
        "rank with a 90% interval that holds both the statistical uncertainty and the modelling choices.",
    ),
    "m.zwijg": (
        "Zwijgwijken: één meetmodel schat per buurt het drugsprobleem uit enquête, anonieme tips en registraties, "
        "en daarnaast de meldingsbereidheid van bewoners. Een signaal alleen als de kans groot is dat bewoners "
        "minder dan de helft melden van wat elders bij hetzelfde probleem gemeld wordt; van de signalen is naar "
        "verwachting hoogstens {fdr}% onterecht.",
        "Silent neighbourhoods: one measurement model estimates each neighbourhood's drug problem from the survey, "
        "anonymous tips and registrations, and separately residents' willingness to report. A signal only when it "
        "is likely that residents report less than half of what is reported elsewhere for the same problem; at "
        "most {fdr}% of the signals are expected to be wrong.",
    ),
    "m.hotspots": (
        "Hotspots: Getis-Ord Gi* met permutatietoets en FDR-correctie; opkomende hotspots: Gi* per kwartaal met "
        "een Mann-Kendall-trendtoets (zoals ArcGIS Emerging Hot Spot Analysis).",
        "Hot spots: Getis-Ord Gi* with a permutation test and FDR correction; emerging hot spots: Gi* per quarter "
        "with a Mann-Kendall trend test (as in ArcGIS Emerging Hot Spot Analysis).",
    ),
    "m.wastewater": (
        "Rioolwater: de metabolietlast per 1.000 inwoners per dag, teruggerekend naar het moedermiddel met een "
        "correctiefactor; het interval komt uit een Monte-Carlo-simulatie met vaste seed.",
        "Wastewater: the metabolite load per 1,000 inhabitants per day, back-calculated to the parent drug with a "
        "correction factor; the interval comes from a Monte Carlo simulation with a fixed seed.",
    ),
    "m.docs": (
        "De volledige beschrijving van elke methode staat in docs/methods en op de pagina Methoden van het dashboard.",
        "The full description of each method is in docs/methods and on the dashboard's Methods page.",
    ),
    # notes
    "n.break": (
        "{what}: trendbreuk in {when} door de nieuwe gebiedsindeling {division}; oudere cijfers zijn omgerekend.",
        "{what}: series break in {when} because of the new area division {division}; older figures were converted.",
    ),
    "n.nobreak": (
        "Geen trendbreuken in de getoonde reeksen van deze gebiedsindeling.",
        "No series breaks in the series shown for this area division.",
    ),
    "n.synthetic": (
        "Synthetische invoer: {sources}. Alles wat daaruit is afgeleid is ook synthetisch en als zodanig gemarkeerd.",
        "Synthetic inputs: {sources}. Everything derived from them is synthetic too, and marked as such.",
    ),
    "n.real": (
        "Alle invoer is echt; er zijn geen synthetische bronnen.",
        "All inputs are real; there are no synthetic sources.",
    ),
    "n.withheld": (
        "Afgeschermde waarden staan in tabellen als ‘afgeschermd’ en op kaarten in grijs.",
        "Withheld values appear in tables as ‘withheld’ and on maps in grey.",
    ),
    # colophon
    "c.snapshot": ("Momentopname warehouse (hash)", "Warehouse snapshot (hash)"),
    "c.version": ("Softwareversie", "Software version"),
    "c.built": ("Warehouse gebouwd", "Warehouse built"),
    "c.params": ("Parameters", "Parameters"),
    "c.division": ("Gebiedsindeling", "Area division"),
    "c.register": ("Programmaregister", "Programme register"),
    "c.repro": (
        "Dezelfde momentopname en dezelfde parameters geven hetzelfde rapport: er staat geen aanmaakdatum in, "
        "alleen de bouwdatum van het warehouse.",
        "The same snapshot and parameters give the same report: it holds no creation date, only the warehouse's "
        "build date.",
    ),
    "c.made": ("Gemaakt met weerbaar (EUPL-1.2).", "Made with weerbaar (EUPL-1.2)."),
    "figure": ("Figuur", "Figure"),
    "table": ("Tabel", "Table"),
    "page": ("Pagina", "Page"),
    # --- violence (measure 8, issue 18) ---
    "s.violence": ("Geweld", "Violence"),
    "intro.violence": (
        "Maatregel 8: verspreidt geweld zich? Volgen incidenten elkaar vaker dichtbij en kort na elkaar op dan "
        "toeval doet verwachten (Knox-toets), en welk deel volgt op een eerder incident (zelf-exciterend model)?",
        "Measure 8: does violence spread? Do incidents follow each other close by and soon more often than chance "
        "would give (Knox test), and what share follows an earlier incident (self-exciting model)?",
    ),
    "violence.none": (
        "Er zijn geen geweldsincidenten in het warehouse geladen (weerbaar ingest events), dus hierover zegt dit "
        "rapport niets.",
        "No violent incidents are loaded in the warehouse (weerbaar ingest events), so this report says nothing "
        "about it.",
    ),
    "violence.not_computed": (
        "Er zijn {n} incidenten geladen, maar er is nog geen analyse berekend (weerbaar compute nearrepeat, "
        "weerbaar compute selfexciting).",
        "{n} incidents are loaded but no analysis has been computed yet (weerbaar compute nearrepeat, weerbaar "
        "compute selfexciting).",
    ),
    "violence.knox": (
        "Knox-toets ({n} incidenten, {period}): {statement}",
        "Knox test ({n} incidents, {period}): {statement}",
    ),
    "violence.fit": (
        "Zelf-exciterend model ({n} incidenten, {period}): naar schatting {share}% van de incidenten (95%-interval "
        "{lo}–{hi}%) volgt op een eerder incident; dat effect dooft uit met een gemiddelde vertraging van {days} "
        "dagen.",
        "Self-exciting model ({n} incidents, {period}): an estimated {share}% of incidents (95% interval "
        "{lo}–{hi}%) follow an earlier one; the effect fades with a mean delay of {days} days.",
    ),
    "violence.reach": ("Het effect reikt typisch {metres} m ver.", "The effect typically reaches {metres} m."),
    "violence.caution": ("Let op: {warnings}.", "Caution: {warnings}."),
    # --- interventions (issue 19) ---
    "s.interventions": ("Interventies", "Interventions"),
    "iv.intro": (
        "Ingrepen van maatregel 10 (sluitingen onder artikel 13b Opiumwet, gebiedsverboden, cameragebieden, extra "
        "handhaving) en preventieprojecten, zoals partners ze in het register zetten. Alleen op buurtniveau: "
        "adressen van gesloten panden zijn niet openbaar.",
        "Interventions of measure 10 (closures under article 13b of the Opiumwet, area bans, camera areas, extra "
        "enforcement) and prevention projects, as partners enter them in the register. At neighbourhood level only: "
        "addresses of closed premises are not public.",
    ),
    "iv.none": (
        "Er zijn geen interventies geregistreerd. De pagina Interventies van het dashboard toont zolang een "
        "gemarkeerde synthetische demonstratieset.",
        "No interventions are registered. Until there are, the dashboard's Interventions page shows a labelled "
        "synthetic demonstration set.",
    ),
    "iv.count": (
        "Het register telt {n} interventies ({kinds}).",
        "The register holds {n} interventions ({kinds}).",
    ),
    "iv.tab": ("Interventies per stadsdeel en soort", "Interventions by borough and kind"),
    "iv.tab_note": (
        "Een ingreep die buurten in meer stadsdelen raakt, telt in elk daarvan mee.",
        "An intervention touching neighbourhoods in several boroughs counts in each of them.",
    ),
    "iv.unknown_sd": ("onbekend", "unknown"),
    "iv.no_estimates": (
        "Er zijn nog geen effectschattingen opgeslagen (weerbaar compute displacement of did).",
        "No effect estimates are stored yet (weerbaar compute displacement or did).",
    ),
    "iv.wdd": (
        "{target} ({count}, {before} tegen {after}): gewogen verplaatsingsverschil (WDD) {wdd} "
        "(95%-interval {lo} tot {hi}, p = {p}){wdq}; {reading}.",
        "{target} ({count}, {before} against {after}): weighted displacement difference (WDD) {wdd} "
        "(95% interval {lo} to {hi}, p = {p}){wdq}; {reading}.",
    ),
    "iv.wdq": (", verplaatsingsquotiënt (WDQ) {wdq}", ", weighted displacement quotient (WDQ) {wdq}"),
    "iv.read.less": (
        "minder, ook met de omgeving meegerekend",
        "fewer, also counting the surroundings",
    ),
    "iv.read.more": ("meer, ook met de omgeving meegerekend", "more, also counting the surroundings"),
    "iv.read.none": ("geen duidelijk verschil", "no clear difference"),
    "iv.did": (
        "Alle ingrepen samen (gespreide verschil-in-verschillen, Callaway & Sant'Anna; {indicator}, {start} tot "
        "{end}, {n} behandelde buurten): gemiddeld verschil {att} per buurt per maand (95%-interval {lo} tot {hi}).",
        "All interventions together (staggered difference-in-differences, Callaway & Sant'Anna; {indicator}, "
        "{start} to {end}, {n} treated neighbourhoods): mean difference {att} per neighbourhood per month (95% "
        "interval {lo} to {hi}).",
    ),
}


def rt(key: str, lang: str = "nl", **fields: object) -> str:
    """A report text in ``lang`` with ``{fields}`` filled in."""
    nl, en = TEXTS[key]
    text = en if lang == "en" else nl
    return text.format(**fields) if fields else text
