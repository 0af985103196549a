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
    # drug use (annex 2)
    "nav.druguse": ("Drugsgebruik", "Drug use"),
    "druguse.title": ("Drugsgebruik uit rioolwater", "Drug use from wastewater"),
    "druguse.intro": (
        "Bijlage 2 van het programma: hoeveel drugs een stad gebruikt, teruggerekend uit de stoffen die in het "
        "rioolwater worden gemeten (EUDA/SCORE), per 1.000 inwoners per dag, vergeleken met andere Europese steden "
        "en door de tijd. Intervallen (90%) uit de onzekerheid in meting, omrekenfactor en inwonertal.",
        "Annex 2 of the programme: how much of a drug a city uses, back-calculated from what is measured in its "
        "wastewater (EUDA/SCORE), per 1,000 inhabitants a day, compared with other European cities and over time. "
        "Intervals (90%) from the uncertainty in measurement, correction factor and population.",
    ),
    "druguse.substance": ("Middel", "Substance"),
    "druguse.city": ("Stad", "City"),
    "druguse.use": ("Gebruik per 1.000 inwoners per dag", "Use per 1,000 inhabitants a day"),
    "druguse.per1000": (
        "mg per 1.000 inwoners per dag; 90%-interval {low}–{high}.",
        "mg per 1,000 inhabitants a day; 90% interval {low}–{high}.",
    ),
    "druguse.load": (
        "Gemeten: {load} mg {metabolite} per 1.000 inwoners per dag, × omrekenfactor {cf}.",
        "Measured: {load} mg {metabolite} per 1,000 inhabitants a day, × correction factor {cf}.",
    ),
    "druguse.grams": ("Totaal per dag", "Total a day"),
    "druguse.gramsline": (
        "zuivere stof per dag; 90%-interval {low}–{high} kg, voor de {pop} inwoners van het zuiveringsgebied.",
        "pure substance a day; 90% interval {low}–{high} kg, for the {pop} inhabitants of the catchment.",
    ),
    "druguse.rank": ("Plaats onder de steden", "Rank among the cities"),
    "druguse.rankline": (
        "van {n} steden met metingen in {year} (1 = hoogste).",
        "of {n} cities with measurements in {year} (1 = highest).",
    ),
    "druguse.change": ("{pct}% tegen het jaar ervoor.", "{pct}% against the year before."),
    "druguse.dutch": ("Nederlandse steden", "Dutch cities"),
    "druguse.series": (
        "De reeks per jaar (ontbrekende jaren blijven leeg)",
        "The series per year (missing years stay empty)",
    ),
    "druguse.weekdays": ("Per dag van de week", "Per day of the week"),
    "druguse.weekdaymean": ("Gemiddelde werkdag", "Weekday mean"),
    "druguse.weekendmean": ("Gemiddelde weekenddag", "Weekend mean"),
    "druguse.loadcol": ("Metaboliet (mg/1.000/dag)", "Metabolite (mg/1,000/day)"),
    "druguse.usecol": ("Gebruik (mg/1.000/dag)", "Use (mg/1,000/day)"),
    "druguse.changecol": ("Verandering", "Change"),
    "druguse.money": ("Het geld erachter", "The money behind it"),
    "druguse.purity": ("Zuiverheid op straat (0–1)", "Street purity (0–1)"),
    "druguse.price": ("Straatprijs (€ per gram)", "Street price (EUR a gram)"),
    "druguse.compute": ("Reken", "Calculate"),
    "druguse.moneyline": (
        "90%-interval € {low}–{high} miljoen: {street} kg straatgewicht per dag bij {purity}% zuiverheid en "
        "€ {price} per gram.",
        "90% interval EUR {low}–{high} million: {street} kg street weight a day at {purity}% purity and "
        "EUR {price} a gram.",
    ),
    "druguse.moneynote": (
        "Het programma schat minstens twee kilo zuivere cocaïne per dag, € 50 per gram op straat, zo'n € 75 miljoen "
        "per jaar. Zuiverheid en prijs zijn aannames: pas ze aan.",
        "The programme estimates at least two kilos of pure cocaine a day, EUR 50 a gram on the street, some "
        "EUR 75 million a year. Purity and price are assumptions: change them.",
    ),
    "druguse.surveys": ("Gebruik volgens enquêtes", "Use according to surveys"),
    "druguse.nosurveys": (
        "Geen enquêtecijfers geladen (indicatoren survey.prevalence.*, zie de data-afspraken).",
        "No survey figures loaded (indicators survey.prevalence.*, see the data contract).",
    ),
    "druguse.source": (
        "Bron: EUDA (European Union Drugs Agency) en de SCORE-groep, rioolwateranalyse 2011–2024. Steden worden op "
        "naam gekoppeld, niet op meetpunt-code.",
        "Source: EUDA (European Union Drugs Agency) and the SCORE group, wastewater analysis 2011–2024. Cities are "
        "matched by name, not by site code.",
    ),
    # residents' reports (measure 11)
    "nav.report": ("Melden", "Report"),
    "report.title": ("Drugshandel melden", "Report drug dealing"),
    "report.intro": (
        "Ziet u drugs dealen bij een school, speeltuin of buurthuis? Meld het hier. U hoeft uw naam niet te geven.",
        "Do you see drug dealing near a school, playground or community centre? Report it here. You do not need to "
        "give your name.",
    ),
    "report.errors": ("Er is een probleem", "There is a problem"),
    "report.privacy.title": ("Uw privacy", "Your privacy"),
    "report.privacy": (
        "Melden is anoniem: we slaan geen naam, IP-adres of cookies voor tracking op. We bewaren alleen de buurt "
        "(afgerond op een vak van 100 bij 100 meter), wat u zag en uw beschrijving. Contactgegevens geeft u alleen "
        "als u dat wilt.",
        "Reporting is anonymous: we do not store your name, IP address or tracking cookies. We only keep the "
        "neighbourhood (rounded to a square of 100 by 100 metres), what you saw and your description. You give "
        "contact details only if you want to.",
    ),
    "report.kind": ("Wat zag u?", "What did you see?"),
    "report.kind.hint": ("Kies wat het beste past.", "Choose what fits best."),
    "report.kind.dealing": ("Dealen", "Dealing"),
    "report.kind.handing_over": ("Overhandigen", "Handing over"),
    "report.kind.stashing": ("Verstoppen (bunker)", "Stashing (a hiding place)"),
    "report.kind.nuisance": ("Overlast", "Nuisance"),
    "report.where": ("Waar was het?", "Where was it?"),
    "report.buurt": ("Buurt", "Neighbourhood"),
    "report.buurt.hint": (
        "We slaan alleen een punt midden in de buurt op, niet het precieze adres.",
        "We only store a point in the middle of the neighbourhood, not the exact address.",
    ),
    "report.buurt.choose": ("Kies een buurt", "Choose a neighbourhood"),
    "report.near": ("In de buurt van", "Near"),
    "report.near.none": ("Zeg ik liever niet / weet ik niet", "Rather not say / don't know"),
    "report.near.school": ("School", "School"),
    "report.near.playground": ("Speeltuin", "Playground"),
    "report.near.community_centre": ("Buurthuis", "Community centre"),
    "report.near.youth_centre": ("Jongerencentrum", "Youth centre"),
    "report.near.care_centre": ("Zorginstelling", "Care centre"),
    "report.near.other": ("Iets anders", "Something else"),
    "report.optional": ("niet verplicht", "optional"),
    "report.when": ("Wanneer zag u het?", "When did you see it?"),
    "report.when.hint": ("Ongeveer is goed genoeg.", "Roughly is good enough."),
    "report.date": ("Datum", "Date"),
    "report.time": ("Tijd", "Time"),
    "report.description": ("Wat gebeurde er?", "What happened?"),
    "report.description.hint": (
        "Maximaal 2000 tekens. Noem geen namen van mensen en geen kentekens.",
        "At most 2000 characters. Do not name people or give number plates.",
    ),
    "report.contact": ("Contact (e-mail of telefoon)", "Contact (e-mail or phone)"),
    "report.contact.hint": (
        "Laat leeg om anoniem te blijven. Vult u het in, dan bewaren we het apart en versleuteld; alleen "
        "moderatoren kunnen het zien, en we wissen het 12 maanden nadat de melding is afgesloten.",
        "Leave empty to stay anonymous. If you fill it in, we store it apart and encrypted; only moderators can see "
        "it, and we erase it 12 months after the report is closed.",
    ),
    "report.submit": ("Melding versturen", "Send report"),
    "report.emergency": (
        "Bij direct gevaar: bel 112. Anoniem melden kan ook bij Meld Misdaad Anoniem: 0800-7000.",
        "In immediate danger: call 112. You can also report anonymously to Meld Misdaad Anoniem: 0800-7000.",
    ),
    "report.err.kind": ("Kies wat u zag.", "Please choose what you saw."),
    "report.err.buurt": (
        "Kies de buurt in Amsterdam waar u het zag.",
        "Please choose the neighbourhood in Amsterdam where you saw it.",
    ),
    "report.err.seen_at": (
        "We konden niet lezen wanneer u het zag (of het ligt in de toekomst). Kies datum en tijd opnieuw, of laat ze "
        "leeg.",
        "We could not read when you saw it (or it lies in the future). Choose the date and time again, or leave them "
        "empty.",
    ),
    "report.err.near": ("Kies een soort plek uit de lijst.", "Choose a kind of place from the list."),
    "report.err.description": (
        "De beschrijving is te lang: maximaal 2000 tekens.",
        "The description is too long: at most 2000 characters.",
    ),
    "report.err.contact": (
        "De contactgegevens zijn te lang: maximaal 500 tekens.",
        "The contact details are too long: at most 500 characters.",
    ),
    "report.csrf": (
        "Uw melding kon niet worden verstuurd: het formulier is verlopen.",
        "Your report could not be sent: the form has expired.",
    ),
    "report.csrf.fix": (
        "Open het meldformulier opnieuw en verstuur het nog eens. Cookies moeten aan staan voor deze site.",
        "Open the report form again and send it once more. Cookies must be allowed for this site.",
    ),
    "report.ratelimit": (
        "Er zijn net veel meldingen vanaf dit adres verstuurd.",
        "Many reports were just sent from this address.",
    ),
    "report.ratelimit.fix": (
        "Wacht een paar minuten en probeer het dan opnieuw.",
        "Wait a few minutes and then try again.",
    ),
    "report.done.title": ("Bedankt voor uw melding", "Thank you for your report"),
    "report.done.body": (
        "We hebben uw melding ontvangen. U krijgt geen meldingsnummer en we volgen u niet.",
        "We have received your report. You get no report number and we do not track you.",
    ),
    "report.done.next": ("Wat gebeurt er nu?", "What happens next?"),
    "report.done.next1": (
        "Een moderator van de gemeente bekijkt de melding.",
        "A moderator of the municipality reviews the report.",
    ),
    "report.done.next2": (
        "Waar nodig geven we haar door aan de politie, handhaving of het stadsdeel.",
        "Where needed, we pass it on to the police, enforcement or the district.",
    ),
    "report.done.next3": (
        "Heeft u contactgegevens gegeven, dan kan iemand contact met u opnemen. Die gegevens wissen we 12 maanden "
        "nadat de melding is afgesloten.",
        "If you gave contact details, someone may contact you. We erase them 12 months after the report is closed.",
    ),
    "report.again": ("Nog iets melden", "Report something else"),
    # residents' reports on the dashboard (/reports) and the map picker on the form
    "nav.reports": ("Meldingen bewoners", "Residents' reports"),
    "reports.title": ("Meldingen van bewoners", "Residents' reports"),
    "reports.intro": (
        "Bewoners melden drugshandel en overlast, vooral bij scholen, speeltuinen en buurthuizen. Hier ziet u "
        "hoeveel meldingen er per gebied en in de hele stad zijn. Weinig meldingen betekent niet altijd weinig "
        "overlast: in sommige buurten durven mensen minder te melden.",
        "Residents report drug dealing and nuisance, especially near schools, playgrounds and community centres. "
        "This page shows how many reports there are per area and in the whole city. Few reports do not always "
        "mean little nuisance: in some neighbourhoods people are afraid to report.",
    ),
    "reports.privacy": (
        "Een plek wordt alleen opgeslagen als een vak van 100 bij 100 meter en hier alleen getoond als aantal "
        "per gebied, nooit als punt op de kaart. Aantallen onder {threshold} zijn afgeschermd.",
        "A place is stored only as a 100 by 100 metre cell and shown here only as a count per area, never as a "
        "point on the map. Counts below {threshold} are withheld.",
    ),
    "reports.privacy.round": (
        "Een plek wordt alleen opgeslagen als een vak van 100 bij 100 meter en hier alleen getoond als aantal "
        "per gebied, nooit als punt op de kaart. Aantallen zijn afgerond op vijftallen.",
        "A place is stored only as a 100 by 100 metre cell and shown here only as a count per area, never as a "
        "point on the map. Counts are rounded to multiples of five.",
    ),
    "reports.cta": ("Doe een melding", "Make a report"),
    "reports.trend": ("Meldingen in de hele stad", "Reports in the whole city"),
    "reports.trend.per": ("Per", "Per"),
    "reports.trend.table": ("De cijfers van de grafiek", "The figures of the chart"),
    "reports.near.title": ("Bij welke plekken?", "Near which places?"),
    "reports.near.intro": (
        "Meldingen naar het soort plek dat het dichtst bij ligt (binnen {radius} meter), in de hele stad.",
        "Reports by the kind of place nearest to them (within {radius} metres), in the whole city.",
    ),
    "reports.near.absent": (
        "Een uitsplitsing naar scholen, speeltuinen en andere plekken is er nog niet: de meldingen uit het "
        "meldsysteem zijn nog niet ingelezen.",
        "A breakdown by schools, playgrounds and other places is not available yet: the reports from the "
        "reporting system have not been read in.",
    ),
    "reports.near.nodata": (
        "Er zijn meldingen uit het meldsysteem ingelezen, maar nog geen aantallen voor de hele stad.",
        "Reports from the reporting system have been read in, but there are no counts for the whole city yet.",
    ),
    "reports.near.col": ("Soort plek", "Kind of place"),
    "reports.near.chart": ("Meldingen naar soort plek in de buurt", "Reports by kind of place nearby"),
    "report.tolist": ("Bekijk de meldingen per gebied", "See the reports per area"),
    "report.map.title": ("Of wijs de plek aan op de kaart", "Or point to the place on the map"),
    "report.map.hint": (
        "Klik op de kaart waar u het zag; de buurt in de lijst verandert mee. We bewaren de plek alleen "
        "afgerond op een vak van 100 meter.",
        "Click on the map where you saw it; the neighbourhood in the list changes with it. We store the place "
        "only rounded to a 100 metre square.",
    ),
    "report.map.chosen": ("Gekozen:", "Chosen:"),
    "report.map.none": ("Nog geen plek gekozen op de kaart.", "No place chosen on the map yet."),
    "report.map.failed": (
        "De kaart kon niet worden geladen; kies de buurt in de lijst.",
        "The map could not be loaded; choose the neighbourhood from the list.",
    ),
    # errors
    "error.title": ("Er ging iets mis", "Something went wrong"),
    "error.notfound": ("Niet gevonden", "Not found"),
    "error.back": ("Terug naar de kaart", "Back to the map"),
    "error.received": ("Ontvangen", "Received"),
    "error.fix": ("Oplossing", "How to fix"),
    # partners: login, queue, report, audit log (weerbaar.web.partner)
    "partner.nav": ("Partnermenu", "Partner menu"),
    "partner.signed_in": ("Ingelogd als", "Signed in as"),
    "partner.logout": ("Uitloggen", "Sign out"),
    "partner.role.analyst": ("analist", "analyst"),
    "partner.role.moderator": ("moderator", "moderator"),
    "partner.role.admin": ("beheerder", "admin"),
    "partner.login.title": ("Inloggen voor partners", "Partner sign-in"),
    "partner.login.intro": (
        "Voor medewerkers van gemeente, politie en partners die meldingen van bewoners behandelen.",
        "For staff of the city, the police and partners who handle residents' reports.",
    ),
    "partner.login.note": (
        "Geen account? Vraag een beheerder. Na 5 mislukte pogingen moet u 15 minuten wachten.",
        "No account? Ask an admin. After 5 failed attempts you have to wait 15 minutes.",
    ),
    "partner.username": ("Gebruikersnaam", "Username"),
    "partner.password": ("Wachtwoord", "Password"),
    "partner.login.submit": ("Inloggen", "Sign in"),
    "partner.login.failed": (
        "Gebruikersnaam of wachtwoord klopt niet, of het account is niet actief.",
        "The username or password is wrong, or the account is not active.",
    ),
    "partner.login_required": ("U moet eerst inloggen.", "Please sign in first."),
    "partner.login_required.fix": ("Log in via /partner/login.", "Sign in at /partner/login."),
    "partner.forbidden": (
        "Uw rol geeft geen toegang tot deze pagina of handeling.",
        "Your role does not give access to this page or action.",
    ),
    "partner.forbidden.fix": ("Vraag een beheerder om de juiste rol.", "Ask an admin for the right role."),
    "partner.csrf": ("Het formulier is verlopen.", "The form has expired."),
    "partner.csrf.fix": ("Open de pagina opnieuw en probeer het nog eens.", "Open the page again and retry."),
    "partner.too_many": ("Te veel mislukte inlogpogingen.", "Too many failed sign-in attempts."),
    "partner.too_many.fix": ("Wacht 15 minuten.", "Wait 15 minutes."),
    "partner.not_found": ("Deze melding bestaat niet.", "There is no such report."),
    "partner.not_found.fix": ("Ga terug naar de wachtrij.", "Go back to the queue."),
    "partner.queue.title": ("Meldingen", "Reports"),
    "partner.queue.intro": (
        "Meldingen van bewoners, de oudste open melding bovenaan. Plaatsen zijn opgeslagen als cel van 100 m.",
        "Residents' reports, the oldest open report first. Places are stored as 100 m cells.",
    ),
    "partner.queue.filter": ("Filter op status", "Filter by status"),
    "partner.queue.empty": ("Geen meldingen met deze status.", "No reports with this status."),
    "partner.status.new": ("nieuw", "new"),
    "partner.status.triaged": ("beoordeeld", "triaged"),
    "partner.status.forwarded": ("doorgestuurd", "forwarded"),
    "partner.status.closed": ("afgesloten", "closed"),
    "partner.status.all": ("alle", "all"),
    "partner.target.police": ("politie", "police"),
    "partner.target.enforcement": ("handhaving", "enforcement"),
    "partner.target.stadsdeel": ("stadsdeel", "stadsdeel"),
    "partner.source.form": ("formulier", "form"),
    "partner.source.api": ("API", "API"),
    "partner.source.signalen": ("Signalen", "Signalen"),
    "partner.col.received": ("Ontvangen", "Received"),
    "partner.col.seen": ("Gezien", "Seen"),
    "partner.col.kind": ("Wat", "What"),
    "partner.col.buurt": ("Buurt", "Buurt"),
    "partner.col.near": ("In de buurt van", "Near"),
    "partner.col.source": ("Bron", "Source"),
    "partner.col.status": ("Status", "Status"),
    "partner.col.contact": ("Contact", "Contact"),
    "partner.col.cell": ("Plaats", "Place"),
    "partner.col.description": ("Beschrijving", "Description"),
    "partner.cell.note": ("midden van de cel van 100 m", "centre of the 100 m cell"),
    "partner.yes": ("ja", "yes"),
    "partner.previous": ("Vorige", "Previous"),
    "partner.next": ("Volgende", "Next"),
    "partner.export": ("Export (CSV)", "Export (CSV)"),
    "partner.report.title": ("Melding", "Report"),
    "partner.contact.title": ("Contactgegevens", "Contact details"),
    "partner.contact.none": (
        "De melder heeft geen contactgegevens achtergelaten.",
        "The reporter left no contact details.",
    ),
    "partner.contact.erased": (
        "De contactgegevens zijn gewist na afloop van de bewaartermijn.",
        "The contact details were erased after the retention period.",
    ),
    "partner.contact.warning": (
        "De melder heeft contactgegevens achtergelaten. Bekijk ze alleen als u contact moet opnemen: "
        "elke keer wordt vastgelegd in het logboek.",
        "The reporter left contact details. Only view them if you need to get in touch: every view is "
        "written to the audit log.",
    ),
    "partner.contact.show": ("Toon contactgegevens", "Show contact details"),
    "partner.contact.logged": ("Dit inzien is vastgelegd in het logboek.", "This view was written to the audit log."),
    "partner.contact.role": (
        "Alleen moderatoren en beheerders kunnen contactgegevens inzien.",
        "Only moderators and admins can see contact details.",
    ),
    "partner.history": ("Geschiedenis", "History"),
    "partner.history.none": ("Nog geen statuswijzigingen.", "No status changes yet."),
    "partner.system": ("systeem", "system"),
    "partner.change": ("Status wijzigen", "Change the status"),
    "partner.change.to": ("Nieuwe status", "New status"),
    "partner.change.target": ("Doorsturen naar", "Forward to"),
    "partner.change.reason": ("Reden (verplicht)", "Reason (required)"),
    "partner.change.submit": ("Wijzig status", "Change status"),
    "partner.audit.title": ("Logboek", "Audit log"),
    "partner.audit.intro": (
        "Wie inlogde, een melding met contactgegevens opende, contactgegevens inzag, exporteerde of wiste "
        "(het systeem wist na de bewaartermijn). Het logboek kan niet worden gewijzigd.",
        "Who signed in, opened a report with contact details, viewed contact details, exported or erased "
        "(the system erases after the retention period). The log cannot be changed.",
    ),
    "partner.audit.empty": ("Het logboek is leeg.", "The audit log is empty."),
    "partner.audit.at": ("Tijd (UTC)", "Time (UTC)"),
    "partner.audit.who": ("Wie", "Who"),
    "partner.audit.action": ("Handeling", "Action"),
    "partner.audit.report": ("Melding", "Report"),
    "partner.action.view_contact": ("contactgegevens ingezien", "viewed contact details"),
    "partner.action.erase_contact": ("contactgegevens gewist", "erased contact details"),
    "partner.action.export": ("export gemaakt", "exported"),
    "partner.action.login": ("ingelogd", "signed in"),
    "partner.action.view_report": ("melding met contactgegevens geopend", "opened a report with contact details"),
    "partner.action.user_created": ("account aangemaakt", "account created"),
    "partner.action.user_deactivated": ("account gedeactiveerd", "account deactivated"),
    "partner.action.user_activated": ("account geactiveerd", "account activated"),
    "partner.description.role": (
        "Alleen moderatoren en beheerders lezen de beschrijving: er kan iets persoonlijks in staan.",
        "Only moderators and admins read the description: it may hold something personal.",
    ),
    # the programme register (issue 9): /programme and /partner/programme
    "nav.programme": ("Programma", "Programme"),
    "programme.title": (
        "Programma Weerbare mensen, weerbare wijken",
        "Programme Resilient people, resilient neighbourhoods",
    ),
    "programme.intro": (
        "De 15 maatregelen van het programma (2019), wie ze trekt en met wie, hoe ver ze zijn, de mijlpalen en de "
        "indicatoren op dit dashboard die erbij horen; daarna het financieel kader en de drie risico's die het "
        "programma zelf noemt. De teksten komen uit het programma; de status houden de partners bij.",
        "The programme's 15 measures (2019), who leads them and with whom, how far they are, their milestones and "
        "the indicators on this dashboard that go with them; then the budget and the three risks the programme "
        "itself names. The texts come from the programme (Dutch original, our translation); partners keep the "
        "status up to date.",
    ),
    "programme.seed": (
        "Status bij de start van het programma (nog niet bijgewerkt door partners).",
        "Status at the programme's start (not yet updated by partners).",
    ),
    "programme.measures": ("Maatregelen", "Measures"),
    "programme.owner": ("Trekker", "Lead"),
    "programme.partners": ("Partners", "Partners"),
    "programme.status": ("Status", "Status"),
    "programme.milestones": ("Mijlpalen", "Milestones"),
    "programme.milestones.none": ("Het programma noemt geen mijlpalen.", "The programme names no milestones."),
    "programme.due.none": ("geen datum genoemd", "no date named"),
    "programme.done": ("gereed", "done"),
    "programme.open": ("open", "open"),
    "programme.indicators": ("Indicatoren op de kaart", "Indicators on the map"),
    "programme.indicators.none": ("Geen indicator op dit dashboard.", "No indicator on this dashboard."),
    "programme.budget": ("Financieel kader", "Budget"),
    "programme.budget.line": ("Budgetlijn", "Budget line"),
    "programme.amount": ("Bedrag", "Amount"),
    "programme.risks": ("Onzekerheden en risico's", "Uncertainties and risks"),
    "programme.updated": ("Bijgewerkt", "Updated"),
    "programme.status.planned": ("gepland", "planned"),
    "programme.status.in_preparation": ("in voorbereiding", "in preparation"),
    "programme.status.running": ("in uitvoering", "running"),
    "programme.status.completed": ("afgerond", "completed"),
    "programme.status.delayed": ("vertraagd", "delayed"),
    "programme.status.stopped": ("gestopt", "stopped"),
    "programme.partner.title": ("Programma bijwerken", "Update the programme"),
    "programme.partner.intro": (
        "Wijzig per maatregel de status, de toelichting en welke mijlpalen gereed zijn. Elke wijziging komt met "
        "uw gebruikersnaam in de geschiedenis; de openbare pagina toont geen namen.",
        "Change a measure's status, its note and which milestones are done. Every change is kept in the history "
        "with your username; the public page shows no names.",
    ),
    "programme.note": ("Toelichting", "Note"),
    "programme.save": ("Opslaan", "Save"),
    "programme.history": ("Geschiedenis", "History"),
    "programme.history.empty": ("Nog geen wijzigingen.", "No changes yet."),
    "programme.field": ("Veld", "Field"),
    "programme.old": ("Was", "Was"),
    "programme.new": ("Wordt", "Became"),
    "programme.saved": ("Opgeslagen.", "Saved."),
    "chart.loading": ("Grafiek wordt geladen…", "Loading chart…"),
    "chart.nojs": (
        "Deze grafiek heeft JavaScript nodig; de tabel ernaast bevat dezelfde cijfers.",
        "This chart needs JavaScript; the table beside it holds the same figures.",
    ),
    # --- disclosure policy (issue 15) ---
    "footer.disclosure.policy": (
        "Afgeschermd zijn alleen cijfers over personen: meldingen en tips onder {threshold} (en wat ze zou "
        "terugrekenen) en percentages van minder dan 50 inwoners of respondenten; politie- en CBS-cijfers staan "
        "er zoals de bron ze publiceert, meldingen afgerond op vijftallen en pas een maand na afloop vastgelegd.",
        "Only figures about persons are withheld: reports and tips below {threshold} (and whatever would give "
        "them back) and percentages of fewer than 50 inhabitants or respondents; police and CBS figures are shown "
        "as the source publishes them, reports rounded to fives and fixed a month after the period ends.",
    ),
    "status.pending": ("nog niet vrijgegeven", "not yet released"),
    "status.suppressed": ("geheim (bron)", "withheld by the source"),
    "label.base": ("basis", "base"),
    # --- wastewater population (issue 15) ---
    "druguse.population.euda-site-table": (
        "Inwoners volgens de EUDA-tabel van meetpunten ({pop}); met ?population=… rekent de pagina met een ander "
        "aantal (het programma gebruikte in Bijlage 2 ongeveer 768.000).",
        "Inhabitants from the EUDA site table ({pop}); ?population=… computes for another number (the programme's "
        "Annex 2 used about 768,000).",
    ),
    "druguse.population.given": (
        "Gerekend met een opgegeven aantal inwoners ({pop}), niet met de EUDA-tabel van meetpunten.",
        "Computed for a given number of inhabitants ({pop}), not the EUDA site table.",
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
