"""Dutch and English texts of the dashboard, and number formatting per language.

Dutch is the default. Every visible text is looked up here by key; a test checks that each key
has both languages.
"""

from __future__ import annotations

import math
from typing import SupportsFloat, cast

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
    "druguse.rank": ("Plaats onder de Europese steden", "Rank among the European cities"),
    "druguse.rankline": (
        "van {n} Europese steden met metingen in {year} (1 = hoogste).",
        "of {n} European cities with measurements in {year} (1 = highest).",
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
        "Melden is anoniem: we slaan geen naam, IP-adres of cookies voor tracking op. We bewaren alleen wat u zag, "
        "uw beschrijving en de plek zoals hieronder staat. Contactgegevens geeft u alleen als u dat wilt.",
        "Reporting is anonymous: we do not store your name, IP address or tracking cookies. We only keep what you "
        "saw, your description and the place as described below. You give contact details only if you want to.",
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
        "Kies de buurt waar u het zag, of wijs de plek aan op de kaart. Hoe we de plek bewaren, staat bovenaan bij "
        "'Uw privacy'.",
        "Choose the neighbourhood where you saw it, or point to the place on the map. How we keep the place is "
        "described at the top under 'Your privacy'.",
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
        "{location} Aantallen onder {threshold} zijn afgeschermd.",
        "{location} Counts below {threshold} are withheld.",
    ),
    "reports.privacy.round": (
        "{location} Aantallen zijn afgerond op vijftallen.",
        "{location} Counts are rounded to multiples of five.",
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
        "Klik op de kaart waar u het zag; de buurt in de lijst verandert mee.",
        "Click on the map where you saw it; the neighbourhood in the list changes with it.",
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
    # --- real data, stale results, resident form and partner side (issue 17, part b) ---
    "coverage.real": (
        "Echte gegevens voor {span}.",
        "Real data for {span}.",
    ),
    "coverage.replaced": (
        "De synthetische reeks die hier eerst stond, is vervangen door deze echte gegevens (besluit 0010): "
        "voor perioden daarbuiten zijn er geen gegevens.",
        "The synthetic series shown here before was replaced by these real data (decision 0010): periods "
        "outside this span have no data.",
    ),
    "coverage.short": (
        "De reeks is nog kort en de aantallen zijn klein; kleine aantallen worden afgerond of afgeschermd, dus "
        "veel gebieden tonen 0 of 'afgeschermd'.",
        "The series is still short and the counts are small; small counts are rounded or withheld, so many areas "
        "show 0 or 'withheld'.",
    ),
    "coverage.default": (
        "Standaard ziet u {period}, de laatste periode met meldingen.",
        "By default you see {period}, the latest period with reports.",
    ),
    "stale.result": (
        "Deze uitkomst is verouderd: de gegevens waarop ze rust, zijn sindsdien veranderd ({reason}). "
        "Ze wordt opnieuw berekend bij de volgende start of met `weerbaar compute standard`.",
        "This result is out of date: the data it rests on changed since ({reason}). It is computed again at the "
        "next start or by `weerbaar compute standard`.",
    ),
    "channel.synthetic": ("synthetisch", "synthetic"),
    "channel.effort": ("echt, hangt af van politie-inzet", "real, depends on police effort"),
    "near.chosen.title": (
        "Meldingen naar soort plek die de melder koos",
        "Reports by the kind of place the reporter chose",
    ),
    # the one description of how a resident's place is kept (form, /reports, everywhere)
    "privacy.location": (
        "Waar u het zag, bewaren we alleen als een vak van 100 bij 100 meter, nooit als adres: kiest u een buurt "
        "uit de lijst, dan is dat het vak rond een vast punt in die buurt; wijst u de plek aan op de kaart, dan "
        "het vak waarin die plek ligt. Op het dashboard telt een melding alleen mee in een aantal per gebied, "
        "nooit als punt op de kaart.",
        "We keep where you saw it only as a 100 by 100 metre cell, never as an address: if you choose a "
        "neighbourhood from the list, the cell around a fixed point in that neighbourhood; if you point to the "
        "place on the map, the cell it lies in. On the dashboard a report only counts towards a number per area, "
        "never as a point on the map.",
    ),
    "report.synthetic": (
        "Let op: de cijfers over meldingen en politieregistraties op dit dashboard zijn nu nog synthetisch "
        "(gegenereerd voor demonstratie). Uw melding is echt en wordt wel opgeslagen en behandeld.",
        "Note: the figures on reports and police registrations on this dashboard are still synthetic (generated "
        "for demonstration). Your report is real and is stored and handled.",
    ),
    "report.err.many": (
        "Er zijn {n} problemen; alles wat u invulde, staat er nog.",
        "There are {n} problems; everything you filled in is still there.",
    ),
    "near.chosen.intro": (
        "Hier telt de soort plek die de melder zelf koos op het formulier (bijvoorbeeld 'Speeltuin'), ook als er "
        "volgens de kaart geen speeltuin dichtbij ligt. Hierboven telt de dichtstbijzijnde voorziening op de kaart.",
        "This counts the kind of place the reporter chose on the form (for example 'Playground'), even where the "
        "map has no playground nearby. Above, the nearest facility on the map is counted.",
    ),
    "partner.err.forward_target": (
        "Kies naar wie de melding wordt doorgestuurd.",
        "Choose who the report is forwarded to.",
    ),
    "partner.err.forward_target.fix": (
        "kies politie, handhaving of stadsdeel bij 'Doorsturen naar'",
        "choose police, enforcement or district under 'Forward to'",
    ),
    "partner.err.reason": ("Een statuswijziging heeft een reden nodig.", "A status change needs a reason."),
    "partner.err.reason.fix": (
        "schrijf kort waarom de status verandert, bijvoorbeeld 'doorgestuurd naar de wijkagent'",
        "say briefly why the status changes, for example 'forwarded to the community officer'",
    ),
    "partner.err.transition": ("Deze statuswijziging kan niet.", "This status change is not allowed."),
    "partner.err.transition.fix": (
        "volg nieuw → beoordeeld → doorgestuurd → gesloten (sluiten kan vanuit elke open status)",
        "follow new → triaged → forwarded → closed (closing is allowed from any open status)",
    ),
    "partner.err.status": ("Kies een status uit de lijst.", "Choose a status from the list."),
    "partner.err.status.fix": ("kies een van de getoonde statussen", "choose one of the listed statuses"),
    "time.amsterdam": ("Amsterdamse tijd", "Amsterdam time"),
    "druguse.elsewhere": ("Steden buiten Europa", "Cities outside Europe"),
    "druguse.elsewhere.intro": (
        "De EUDA-gegevens van {year} bevatten ook {n} steden buiten Europa (Zuid- en Noord-Amerika, Australië, "
        "Korea). Ze tellen niet mee in de plaats onder de Europese steden hierboven.",
        "The EUDA data of {year} also hold {n} cities outside Europe (South and North America, Australia, Korea). "
        "They do not count in the rank among the European cities above.",
    ),
    "druguse.country": ("Land", "Country"),
    # --- interventions (issue 19) ---
    "nav.interventions": ("Interventies", "Interventions"),
    "iv.title": ("Interventies", "Interventions"),
    "iv.intro": (
        "Wat de gemeente en haar partners doen tegen drugshandel op straat: sluitingen van panden (artikel 13b "
        "Opiumwet), gebiedsverboden, cameragebieden, extra handhaving en preventieprojecten (maatregelen 5, 10 en "
        "11), met per ingreep wat er in de buurt en de buurten eromheen veranderde.",
        "What the city and its partners do against street dealing: closures of premises (article 13b of the Opium "
        "Act), area bans, camera areas, extra enforcement and prevention projects (measures 5, 10 and 11), with "
        "what changed in the neighbourhood and around it.",
    ),
    "iv.privacy": (
        "Alleen op buurtniveau: het adres van een gesloten pand, de precieze plek en de toelichting staan niet op "
        "deze openbare pagina.",
        "Neighbourhood level only: the address of a closed premises, the exact location and the notes are not on "
        "this public page.",
    ),
    "iv.register": ("Register", "Register"),
    "iv.kind": ("Soort", "Kind"),
    "iv.kind.closure_13b": ("Sluiting pand (13b)", "Premises closure (13b)"),
    "iv.kind.area_ban": ("Gebiedsverbod", "Area ban"),
    "iv.kind.camera_area": ("Cameragebied", "Camera area"),
    "iv.kind.enforcement_focus": ("Extra handhaving", "Enforcement focus"),
    "iv.kind.prevention_project": ("Preventieproject", "Prevention project"),
    "iv.kind.other": ("Anders", "Other"),
    "iv.start": ("Begin", "Start"),
    "iv.end": ("Einde", "End"),
    "iv.ongoing": ("loopt", "ongoing"),
    "iv.areas": ("Buurten", "Neighbourhoods"),
    "iv.partner": ("Verantwoordelijke partner", "Responsible partner"),
    "iv.measure": ("Maatregel", "Measure"),
    "iv.empty": ("Er staan nog geen interventies in het register.", "The register holds no interventions yet."),
    "iv.effects": ("Effect en verplaatsing", "Effect and displacement"),
    "iv.effects.intro": (
        "Per ingreep: het verschil in aantallen vóór en na in de buurt van de ingreep en een ring van buurten "
        "eromheen, afgezet tegen controlebuurten (weighted displacement difference, WDD; onder nul is minder). "
        "Het interval laat zien hoe zeker dat is; WDQ boven nul wijst op uitstraling van het effect, onder nul op "
        "verplaatsing.",
        "Per intervention: the change in counts before and after in its neighbourhood and a ring of "
        "neighbourhoods around it, against control neighbourhoods (weighted displacement difference, WDD; below "
        "zero is fewer). The interval shows how certain that is; a WDQ above zero suggests the benefit spread, "
        "below zero that the problem moved.",
    ),
    "iv.effects.empty": (
        "Nog geen effectmetingen opgeslagen (weerbaar compute displacement).",
        "No effect estimates stored yet (weerbaar compute displacement).",
    ),
    "iv.target": ("Buurt(en) van de ingreep", "Intervention area"),
    "iv.count": ("Geteld", "Counted"),
    "iv.windows": ("Vóór → na", "Before → after"),
    "iv.interval": ("95%-interval", "95% interval"),
    "iv.to": ("tot", "to"),
    "iv.reading": ("Lezing", "Reading"),
    "iv.reading.less": ("minder, ook met de omgeving meegerekend", "fewer, also counting the surroundings"),
    "iv.reading.more": ("meer, ook met de omgeving meegerekend", "more, also counting the surroundings"),
    "iv.reading.none": ("geen duidelijk verschil", "no clear difference"),
    "iv.caveats": ("Lees dit voorzichtig", "Read this with care"),
    "iv.caveat.effort": (
        "Politieregistraties van drugshandel zijn haaldelicten: ze stijgen waar meer politie zoekt. Extra "
        "handhaving kan dus méér registraties geven zonder dat er meer gehandeld wordt, en minder registraties "
        "kan betekenen dat de politie weg is.",
        "Police registrations of drug dealing are 'haaldelicten': they rise where more police look. Extra "
        "enforcement can thus give more registrations without more dealing, and fewer registrations may only mean "
        "the police left.",
    ),
    "iv.caveat.displacement": (
        "Handel kan verder verplaatsen dan de ring eromheen, of naar binnen (woningen, telefoon), waar geen "
        "telling hem ziet.",
        "Dealing can move further than the surrounding ring, or indoors (homes, phones), where no count sees it.",
    ),
    "iv.caveat.silent": (
        "In buurten waar mensen niet durven te melden (zwijgwijken) onderschatten meldingen het probleem.",
        "In neighbourhoods where people dare not report (zwijgwijken) reports understate the problem.",
    ),
    "iv.partner.title": ("Interventieregister", "Intervention register"),
    "iv.partner.intro": (
        "Het volledige register met locaties en toelichting, alleen voor partners; elke weergave komt in het "
        "auditlog. Moderatoren voegen toe en wijzigen; elke wijziging komt met uw gebruikersnaam in de "
        "geschiedenis. Openbaar:",
        "The full register with locations and notes, for partners only; every view is written to the audit log. "
        "Moderators add and edit; every change is kept in the history with your username. Public:",
    ),
    "iv.add": ("Interventie toevoegen", "Add an intervention"),
    "iv.edit": ("Wijzigen", "Edit"),
    "iv.title_field": ("Titel (intern)", "Title (internal)"),
    "iv.location": (
        "Locatie: een punt met straal, een polygoon (WKT, RD) of buurtcodes",
        "Location: a point with a radius, a polygon (WKT, RD) or buurt codes",
    ),
    "iv.radius": ("Straal (m)", "Radius (m)"),
    "iv.polygon": ("Polygoon (WKT)", "Polygon (WKT)"),
    "iv.location.point": ("punt", "point"),
    "iv.location.areas": ("buurten", "neighbourhoods"),
    "iv.location.polygon": ("polygoon", "polygon"),
    # --- covert networks (issue 20) ---
    "networks.title": ("Criminele netwerken", "Criminal networks"),
    "networks.intro": (
        "Netwerken uit onderzoeken (tap, observatie, dossiers) voor analisten van partners: sleutelfiguren, "
        "makelaars, moeilijk vervangbare rollen, verstoring en herstel. Alleen met pseudoniemen; elke inzage "
        "en export komt in het auditlog. Niets hiervan verschijnt op openbare pagina's.",
        "Networks from investigations (wiretaps, observation, files) for partner analysts: key players, brokers, "
        "hard-to-replace roles, disruption and recovery. Pseudonyms only; every view and export is written to "
        "the audit log. Nothing of this appears on public pages.",
    ),
    "networks.stored": ("Netwerk {name} is opgeslagen met pseudoniemen.", "Network {name} is stored with pseudonyms."),
    "networks.stored_title": ("Opgeslagen netwerken", "Stored networks"),
    "networks.none": ("Nog geen netwerken opgeslagen.", "No networks stored yet."),
    "networks.name": ("Naam", "Name"),
    "networks.actors": ("Actoren", "Actors"),
    "networks.ties": ("Relaties", "Ties"),
    "networks.density": ("Dichtheid", "Density"),
    "networks.groups": ("Groepen", "Groups"),
    "networks.kind": ("Soort", "Kind"),
    "networks.directed": ("gericht", "directed"),
    "networks.undirected": ("ongericht", "undirected"),
    "networks.weighted": ("gewogen", "weighted"),
    "networks.timed": ("met tijd/fase", "with time/phase"),
    "networks.upload": ("Netwerk toevoegen", "Add a network"),
    "networks.upload.help": (
        "Een relatielijst (CSV/TSV: bron, doel, eventueel gewicht en tijd/fase) of een vierkante matrix. "
        "Optioneel een bestand met kenmerken per actor (rol, groep, leeftijd, eerst gezien); andere kolommen "
        "worden niet opgeslagen. Hooguit 5 MB.",
        "An edge list (CSV/TSV: source, target, optionally weight and time/phase) or a square matrix. "
        "Optionally a file of actor attributes (role, group, age, first seen); other columns are not stored. "
        "At most 5 MB.",
    ),
    "networks.file": ("Netwerkbestand", "Network file"),
    "networks.attributes": ("Kenmerken per actor (optioneel)", "Actor attributes (optional)"),
    "networks.direction": ("Richting van de relaties", "Direction of the ties"),
    "networks.direction.auto": (
        "automatisch (lijst: ongericht; matrix: uit de symmetrie)",
        "automatic (list: undirected; matrix: from its symmetry)",
    ),
    "networks.keep_mapping": (
        "Sleutel naar de oorspronkelijke namen bewaren (versleuteld, alleen beheerders)",
        "Keep the key to the original ids (encrypted, admins only)",
    ),
    "networks.upload.button": ("Opslaan met pseudoniemen", "Store with pseudonyms"),
    "networks.privacy": (
        "Namen en nummers worden bij opslag vervangen door A0001, A0002, ... in willekeurige volgorde. Gebruik "
        "als rol een categorie (importeur, koerier), nooit een omschrijving die iemand aanwijst.",
        "Names and numbers are replaced by A0001, A0002, ... in random order when stored. Use a category as role "
        "(importer, courier), never a description that points to a person.",
    ),
    "networks.received": ("Ontvangen", "Received"),
    "networks.expected": ("Verwacht", "Expected"),
    "networks.back": ("← Alle netwerken", "← All networks"),
    "networks.summary": (
        "{actors} actoren, {ties} relaties, {groups} groepen.",
        "{actors} actors, {ties} ties, {groups} groups.",
    ),
    "networks.audited": ("Deze inzage staat in het auditlog.", "This view is in the audit log."),
    "networks.guidance.title": ("Wat deze cijfers wel en niet zeggen", "What these numbers can and cannot say"),
    "networks.guidance": (
        "Ze beschrijven het waargenomen netwerk: wie getapt, gezien of genoemd is. Wie de politie niet in beeld "
        "had, ontbreekt, en dat verandert elke maat. Ze rangschikken posities, niet schuld, gevaar of toekomstig "
        "gedrag: een hulpmiddel voor wie de zaak kent, nooit een lijst om op te handelen. Verstoring meet hoe het "
        "opgenomen netwerk uiteenvalt, niet hoeveel handel er verdwijnt; netwerken herstellen zich.",
        "They describe the observed network: who was wiretapped, seen or named. Whoever the police did not see is "
        "missing, and that changes every measure. They rank positions, not guilt, danger or future behaviour: an "
        "aid for someone who knows the case, never a list to act on. Disruption measures how the recorded network "
        "falls apart, not how much trade disappears; networks recover.",
    ),
    "networks.drawing": ("Het netwerk", "The network"),
    "networks.drawing.help": (
        "Kleur = gemeenschap, grootte = moeilijk vervangbaar, zwarte rand = sleutelfiguren (KPP-Neg). Beweeg over "
        "een punt voor het pseudoniem.",
        "Colour = community, size = hard to replace, black ring = key players (KPP-Neg). Hover over a dot for its "
        "pseudonym.",
    ),
    "networks.drawing.too_big": (
        "Te groot om te tekenen (meer dan 600 actoren); de tabellen en curves staan hieronder.",
        "Too large to draw (over 600 actors); the tables and curves are below.",
    ),
    "networks.keyplayers": ("Sleutelfiguren en rollen", "Key players and roles"),
    "networks.keyplayers.help": (
        "De {k} actoren wier verwijdering het netwerk het meest versplintert (KPP-Neg), en de {k} die samen de "
        "meeste anderen bereiken (KPP-Pos), volgens Borgatti (2006).",
        "The {k} actors whose removal fragments the network most (KPP-Neg), and the {k} who together reach most "
        "others (KPP-Pos), after Borgatti (2006).",
    ),
    "networks.kpp_neg": ("Verwijderen versplintert het meest (KPP-Neg)", "Removal fragments most (KPP-Neg)"),
    "networks.kpp_pos": ("Bereiken de meeste anderen (KPP-Pos)", "Reach most others (KPP-Pos)"),
    "networks.fragmentation": ("fragmentatie daarna", "fragmentation afterwards"),
    "networks.reach": ("bereik", "reach"),
    "networks.table": ("De 25 actoren met de hoogste tussenpositie", "The 25 actors with the highest betweenness"),
    "networks.table.help": (
        "Moeilijk vervangbaar: het deel van het grootste verlies in dit netwerk dat wegvallen van de actor "
        "veroorzaakt, verminderd naarmate een ander dezelfde contacten heeft (vervanger) of de contacten elkaar al "
        "kennen. ★ = sleutelfiguur. Alle maten in de export.",
        "Hard to replace: the share of the largest loss in this network that losing the actor causes, reduced as "
        "someone else has the same contacts (substitute) or the contacts already know each other. ★ = key player. "
        "All measures are in the export.",
    ),
    "networks.actor": ("Actor", "Actor"),
    "networks.role": ("Rol", "Role"),
    "networks.degree": ("Contacten", "Contacts"),
    "networks.betweenness": ("Tussenpositie", "Betweenness"),
    "networks.constraint": ("Beperking (Burt)", "Constraint (Burt)"),
    "networks.substitute": ("Beste vervanger (overlap)", "Best substitute (overlap)"),
    "networks.hard": ("Moeilijk vervangbaar", "Hard to replace"),
    "networks.community": ("Gemeenschap", "Community"),
    "networks.brokerage": ("Makelaar c/i/r/g/l", "Broker c/i/r/g/l"),
    "networks.brokerage.help": (
        "Makelaarsrollen (Gould & Fernandez): coördinator, rondreiziger, vertegenwoordiger, poortwachter, "
        "verbinder tussen groepen.",
        "Brokerage roles (Gould & Fernandez): coordinator, itinerant, representative, gatekeeper, liaison.",
    ),
    "networks.export.actors": ("Export: maten per actor (CSV)", "Export: measures per actor (CSV)"),
    "networks.export.ties": ("Export: relaties (CSV)", "Export: ties (CSV)"),
    "networks.export.audited": (
        "pseudoniemen; elke export komt in het auditlog",
        "pseudonyms; every export is written to the audit log",
    ),
    "networks.disruption": ("Verstoring: wat als actoren wegvallen?", "Disruption: what if actors are removed?"),
    "networks.disruption.help": (
        "Het deel van de grootste samenhangende groep dat overblijft als actoren één voor één worden verwijderd, "
        "tot de helft: opnieuw gerangschikt na elke verwijdering (seq.) of één keer vooraf (block); willekeurig "
        "als vergelijking.",
        "The share of the largest connected group that remains as actors are removed one by one, up to half: "
        "re-ranked after every removal (seq.) or once beforehand (block); random as the baseline.",
    ),
    "networks.approx": (
        "Groot netwerk: de tussenpositie wordt bij elke stap geschat uit 64 willekeurige startpunten (de top is "
        "betrouwbaar, de staart niet).",
        "Large network: betweenness is estimated from 64 random pivots at each step (the top is reliable, the tail "
        "is not).",
    ),
    "networks.removed": ("aantal verwijderd", "number removed"),
    "networks.lcc": ("deel van de grootste groep", "share of the largest group"),
    "networks.recovery": ("Herstel na verwijdering", "Recovery after removal"),
    "networks.recovery.help": (
        "Na verwijdering van de sleutelfiguren {removed} zoekt de rest nieuwe verbindingen via vertrouwde contacten "
        "(contact van een contact), naar het model van Duijn, Kashirin & Sloot (2014): rollen worden overgenomen "
        "door een andere houder, makelaars omzeild.",
        "After removing the key players {removed} the rest seeks new ties through trusted contacts (a contact of a "
        "contact), after the model of Duijn, Kashirin & Sloot (2014): roles are taken over by another holder, "
        "brokers bypassed.",
    ),
    "networks.recovery.result": (
        "Efficiëntie direct na verwijdering {after}, na 10 rondes {end} (1 = als voorheen), gemiddeld {ties} "
        "nieuwe relaties.",
        "Efficiency right after removal {after}, after 10 rounds {end} (1 = as before), {ties} new ties on average.",
    ),
    "networks.recovery.none": (
        "Te klein netwerk voor een herstelsimulatie.",
        "Network too small for a recovery simulation.",
    ),
    "networks.efficiency": ("efficiëntie", "efficiency"),
    "networks.round": ("ronde", "round"),
    "networks.recruitment": ("Instroom (maatregel 2-3)", "Recruitment (measures 2-3)"),
    "networks.recruitment.cannot": (
        "Hierover kan dit netwerk niets zeggen:",
        "This network cannot say anything about this:",
    ),
    "networks.aspect": ("Aspect", "Aspect"),
    "networks.value": ("Waarde", "Value"),
    "networks.newcomers": ("Nieuwkomers", "Newcomers"),
    "networks.network": ("netwerk", "network"),
    "partner.action.network_ingest": ("netwerk opgeslagen", "stored a network"),
    "partner.action.network_view": ("netwerk ingezien", "viewed a network"),
    "partner.action.network_export": ("netwerk geëxporteerd", "exported a network"),
    "partner.action.network_disrupt": ("verstoring van een netwerk gesimuleerd", "simulated disrupting a network"),
    "partner.action.network_analyse": ("netwerk geanalyseerd", "analysed a network"),
    "partner.action.network_recover": ("herstel van een netwerk gesimuleerd", "simulated a network's recovery"),
    "partner.action.network_recruitment": ("instroom in een netwerk bekeken", "looked at recruitment in a network"),
    "partner.action.network_key": ("pseudoniemsleutel van een netwerk gelezen", "read a network's pseudonym key"),
    "partner.action.network_delete": ("netwerk verwijderd", "deleted a network"),
    "networks.key": ("Sleutel naar de oorspronkelijke namen (CSV)", "Key to the original ids (CSV)"),
    "networks.key.help": (
        "Alleen beheerders; elke keer komt in het auditlog. Alleen als de sleutel bij opslag is bewaard.",
        "Admins only; every reading is in the audit log. Only when the key was kept at upload.",
    ),
    "partner.network_key_missing": ("Van dit netwerk is geen sleutel bewaard.", "No key was kept for this network."),
    "partner.network_key_missing.fix": (
        "De oorspronkelijke namen zijn niet uit weerbaar terug te halen; gebruik uw eigen bron.",
        "The original ids cannot be recovered from weerbaar; use your own source.",
    ),
    "partner.network_not_found": ("Dit netwerk bestaat niet.", "There is no such network."),
    "partner.network_not_found.fix": ("Ga terug naar de lijst met netwerken.", "Go back to the list of networks."),
    # --- every control leads somewhere (issue 17) ---
    "map.adjusted.layer": (
        "Die kaartlaag bestaat niet in de indeling {division}; hieronder de standaardlaag van die indeling.",
        "That map layer does not exist in the division {division}; below is that division's default layer.",
    ),
    "map.adjusted.level": (
        "Deze kaartlaag heeft geen cijfers op het gekozen niveau; getoond: {level}.",
        "This map layer has no figures at the chosen level; shown: {level}.",
    ),
    "map.adjusted.period": (
        "Deze kaartlaag heeft geen cijfers voor {period}; getoond: de dichtstbijzijnde periode met cijfers.",
        "This map layer has no figures for {period}; shown: the nearest period with figures.",
    ),
    "map.bins.invalid": (
        "De grenzen ‘{received}’ zijn niet bruikbaar. Typ oplopende getallen, gescheiden door puntkomma’s of "
        "spaties, bijvoorbeeld 1; 5; 10; 20 (hoogstens 9 klassen). De kaart hieronder gebruikt kwantielen.",
        "The bounds ‘{received}’ cannot be used. Type increasing numbers separated by semicolons or spaces, "
        "for example 1; 5; 10; 20 (at most 9 classes). The map below uses quantiles.",
    ),
    "map.bins.suggested": (
        "Vul bij ‘Grenzen (vast)’ de bovengrenzen van de klassen in; als begin staan daar nu de grenzen van de "
        "kwantielen.",
        "Type the upper bounds of the classes under ‘Breaks (fixed)’; to start with, the quantile bounds are "
        "filled in.",
    ),
    "ctl.bins.hint": (
        "Alleen bij ‘Vaste grenzen’: bovengrenzen, oplopend",
        "Only with ‘Fixed breaks’: upper bounds, increasing",
    ),
    "division.2022": ("2022 (huidige indeling)", "2022 (current division)"),
    "division.2015": ("2015 (vorige indeling)", "2015 (previous division)"),
    "division.vm": ("Veiligheidsindex (wijken van de Veiligheidsmonitor)", "Safety index (Safety Monitor districts)"),
    "division.what": ("Wat is een gebiedsindeling?", "What is an area division?"),
    "division.help": (
        "Amsterdam deelde de stad in 2022 opnieuw in stadsdelen, gebieden, wijken en buurten; ‘2015’ is de "
        "vorige indeling, waarin oudere cijfers zijn gepubliceerd. ‘Veiligheidsindex’ is de indeling van de "
        "Veiligheidsmonitor van Onderzoek en Statistiek (OIS): de Veiligheidsindex en haar deelindices per wijk "
        "van die monitor (100 = gemiddelde van de regio). Die wijken vallen niet samen met de wijken van 2022.",
        "Amsterdam redivided the city into boroughs, areas, districts and neighbourhoods in 2022; ‘2015’ is the "
        "previous division, in which older figures were published. ‘Safety index’ is the division of the "
        "city's Safety Monitor (OIS): the Safety Index and its sub-indices per district of that monitor "
        "(100 = regional mean). Those districts do not coincide with the 2022 districts.",
    ),
    "division.vm.link": ("Bekijk de OIS Veiligheidsindex", "View the OIS Safety Index"),
    "error.problem.404": (
        "Deze pagina of dit gebied bestaat niet.",
        "This page or area does not exist.",
    ),
    "error.problem.400": (
        "Een van de keuzes in het adres van deze pagina klopt niet.",
        "One of the choices in this page's address is not valid.",
    ),
    "error.problem.422": (
        "Een van de keuzes in het adres van deze pagina heeft een ongeldige waarde.",
        "One of the choices in this page's address has an invalid value.",
    ),
    "error.problem.503": (
        "De cijfers worden bijgewerkt of zijn nog niet opgebouwd. Probeer het over een minuut opnieuw.",
        "The figures are being updated or are not built yet. Try again in a minute.",
    ),
    "error.problem.500": ("Er ging onverwacht iets mis.", "Something unexpected went wrong."),
    "error.problem.other": ("Dit verzoek kon niet worden uitgevoerd.", "This request could not be carried out."),
    "error.expected": ("Verwacht", "Expected"),
    "error.details": ("Technische details (in het Engels)", "Technical details"),
    "error.hint": (
        "Kies via het menu een pagina, of ga terug en kies een andere waarde in het formulier.",
        "Choose a page from the menu, or go back and choose another value in the form.",
    ),
    "nav.menu": ("Menu", "Menu"),
    "inventory.ranking": (
        "{ranked} van de {total} buurten hebben een rang. {small} buurten met minder dan {min} inwoners krijgen "
        "geen rang: bij zo weinig inwoners zegt een cijfer per inwoner te weinig (hun score staat er wel, onderaan "
        "de lijst). De kaart kleurt de {scored} buurten met een score; {unscored} buurten hebben geen score "
        "(geen inwoners of geen cijfers).",
        "{ranked} of the {total} neighbourhoods are ranked. {small} neighbourhoods with fewer than {min} "
        "inhabitants are not: with so few inhabitants a figure per inhabitant says too little (their score is "
        "shown, at the bottom of the list). The map colours the {scored} neighbourhoods with a score; {unscored} "
        "have no score (no inhabitants or no figures).",
    ),
    "inventory.unestimated": (
        "{n} buurten krijgen geen rang omdat het meetmodel daar het drugsprobleem niet kan schatten: in zijn "
        "gegevens staat voor hen geen inwonertal (de echte inwonertallen zijn die van de buurten van 2015 en "
        "reiken bijvoorbeeld niet tot Weesp, sinds 2022 deel van Amsterdam).",
        "{n} neighbourhoods are not ranked because the measurement model cannot estimate the drug problem there: "
        "its inputs hold no population for them (the real population figures are those of the 2015 "
        "neighbourhoods and do not reach, for example, Weesp, part of Amsterdam since 2022).",
    ),
    "methods.technical": (
        "Technische toelichting (in het Engels): formules, standaardinstellingen, aannames, bronnen en toetsing",
        "Technical description: formulas, defaults, assumptions, references and validation",
    ),
    "methods.decisions.english": (
        "De besluiten zijn technische documenten in het Engels.",
        "The decisions are technical documents.",
    ),
    "programme.note.dutch": (
        "Toelichting bij de status (in het Nederlands)",
        "Note on the status (in Dutch, as the programme team wrote it)",
    ),
    "chart.allwithheld": (
        "Geen grafiek: alle waarden van deze reeks zijn afgeschermd (aantallen onder {threshold}, of terug te "
        "rekenen uit totalen).",
        "No chart: every value of this series is withheld (counts below {threshold}, or recoverable from totals).",
    ),
    "chart.nodata": (
        "Geen grafiek: er zijn geen cijfers voor deze reeks.",
        "No chart: there are no figures for this series.",
    ),
    # --- security (issue 16) ---
    "partner.rejected": ("Afgewezen", "Rejected"),
    "partner.rejected.note": ("telt in geen enkel cijfer mee", "left out of every figure"),
    "partner.reject": ("Melding afwijzen", "Reject this report"),
    "partner.reject.help": (
        "Voor misbruik, een test of een onmogelijke datum: de melding wordt afgesloten, blijft met haar geschiedenis "
        "bewaard en telt vanaf de volgende `weerbaar ingest reports` niet meer mee in de cijfers.",
        "For abuse, a test or an impossible date: the report is closed, kept with its history, and left out of the "
        "figures from the next `weerbaar ingest reports` on.",
    ),
    "partner.reject.submit": ("Afwijzen", "Reject"),
    "partner.action.reject_report": ("melding afgewezen", "rejected a report"),
    "partner.action.lift_login_block": ("inlogblokkade opgeheven", "lifted a login block"),
    "partner.blocks.title": ("Inlogblokkades", "Login blocks"),
    "partner.blocks.intro": (
        "Mislukte inlogpogingen per adres en account. Na 5 mislukte pogingen (of 30 van één adres op alle "
        "accounts samen) verdubbelt de wachttijd bij elke volgende poging, tot hoogstens 15 minuten. Alleen dat "
        "adres wacht: de eigenaar van het account logt vanaf een ander adres gewoon in. Dit geldt voor dit "
        "serverproces en wordt na 24 uur zonder nieuwe fout vergeten.",
        "Failed logins per address and account. After 5 failures (or 30 from one address over all accounts) "
        "each further attempt doubles the wait, up to 15 minutes. Only that address waits: the account's owner "
        "logs in from another address as usual. This holds for this server process and is forgotten 24 hours "
        "after the last failure.",
    ),
    "partner.blocks.address": ("Adres", "Address"),
    "partner.blocks.account": ("Account", "Account"),
    "partner.blocks.any": ("(alle accounts)", "(all accounts)"),
    "partner.blocks.failures": ("Mislukt", "Failures"),
    "partner.blocks.wait": ("Wachttijd (s)", "Wait (s)"),
    "partner.blocks.lift": ("Opheffen", "Lift"),
    "partner.blocks.empty": ("Geen mislukte inlogpogingen.", "No failed logins."),
    "iv.fac.title": ("Meldingen bij voorzieningen", "Reports near facilities"),
    "iv.fac.intro": (
        "Aantal meldingen van bewoners binnen de gekozen afstand van elke school, speelplaats, buurthuis, "
        "jongerencentrum of zorginstelling (maatregel 11). Alleen voor partners: een naam naast een aantal is "
        "gevoelig. Aantallen onder {threshold} worden niet getoond; elke weergave komt in het auditlog.",
        "Residents' reports within the chosen distance of each school, playground, community, youth or care "
        "centre (measure 11). Partners only: a name next to a count is sensitive. Counts below {threshold} are "
        "not shown; every view is written to the audit log.",
    ),
    "iv.fac.show": ("Toon", "Show"),
    "iv.fac.reports": ("meldingen in totaal (locatie op 100 m nauwkeurig)", "reports in all (located to 100 m)"),
    "iv.fac.name": ("Voorziening", "Facility"),
    "iv.fac.count": ("Meldingen", "Reports"),
    "iv.fac.empty": ("Geen meldingen binnen deze afstand.", "No reports within this distance."),
    "iv.did": ("Effect van alle ingrepen samen", "Effect of all interventions together"),
    "iv.did.intro": (
        "Verschil-in-verschillen met gespreide start (Callaway & Sant'Anna): {indicator} per buurt en maand, "
        "{start} tot {end}, {n} buurten met een ingreep, vergeleken met buurten die (nog) geen ingreep hadden. "
        "Het getal is het gemiddelde verschil per buurt per maand na de start; de tabel toont het per maand "
        "vóór (controle op gelijke trends: hoort rond nul te liggen) en na de start.",
        "Staggered difference-in-differences (Callaway & Sant'Anna): {indicator} per buurt and month, {start} to "
        "{end}, {n} buurten with an intervention, compared with buurten that had none (yet). The figure is the "
        "mean difference per buurt per month after the start; the table shows it by month before (a check of "
        "parallel trends: should be near zero) and after the start.",
    ),
    "iv.did.e": ("Maanden na start", "Months since start"),
    "iv.did.effect": ("Verschil", "Difference"),
    # --- violence (issue 18) ---
    "nav.violence": ("Geweld", "Violence"),
    "violence.title": ("Geweld dat zich verspreidt (maatregel 8)", "Violence that spreads (measure 8)"),
    "violence.intro": (
        "Volgt op een schietpartij of explosie vaak een volgende, dichtbij en kort daarna? Deze pagina toont de "
        "near-repeat-analyse (Knox-toets) van de hele stad en wat een zelfexciterend model zegt over hoe lang en "
        "hoe ver het verhoogde risico reikt. Losse incidenten en hun plaatsen worden nooit openbaar getoond.",
        "Is a shooting or explosion often followed by another one nearby, soon after? This page shows the city's "
        "near-repeat analysis (Knox test) and what a self-exciting model says about how long and how far the raised "
        "risk reaches. Single incidents and their locations are never shown in public.",
    ),
    "violence.demo": (
        "Er zijn geen echte incidenten geladen; wat u hier ziet is een gesimuleerd scenario (zelfexciterend proces "
        "met vertakkingsgraad 0,4, 5 dagen, 150 m) om de methode te laten zien. Het zijn geen echte cijfers.",
        "No real incidents are loaded; what you see is a simulated scenario (a self-exciting process with branching "
        "ratio 0.4, 5 days, 150 m) that shows the method. These are not real figures.",
    ),
    "violence.demo.real": (
        "(Er zijn wel {n} incidenten geladen, maar nog geen analyse: `weerbaar compute nearrepeat`.)",
        "({n} incidents are loaded, but not analysed yet: `weerbaar compute nearrepeat`.)",
    ),
    "violence.synthetic": (
        "Deze analyse rust op synthetische (gesimuleerde) incidenten.",
        "This analysis rests on synthetic (simulated) incidents.",
    ),
    "violence.none": (
        "Er zijn geen incidenten geladen en geen analyses opgeslagen.",
        "No incidents are loaded and no analyses stored.",
    ),
    "violence.show_demo": ("Toon het gesimuleerde scenario.", "Show the simulated scenario."),
    "violence.knox.title": ("Near-repeat: de Knox-toets", "Near repeat: the Knox test"),
    "violence.knox.intro": (
        "Elk paar incidenten valt in een afstands- en een tijdsklasse. Per cel: hoeveel keer zoveel paren als bij "
        "toeval (Knox-ratio; toeval: de tijden willekeurig over de plaatsen verdeeld). * = significant (p ≤ 0,05). "
        "Hoe roder, hoe sterker de verhoging.",
        "Every pair of incidents falls in a distance and a time band. Per cell: how many times as many pairs as "
        "chance would give (Knox ratio; chance: times shuffled over the locations). * = significant (p ≤ 0.05). "
        "The redder, the stronger the excess.",
    ),
    "violence.knox.caption": (
        "Knox-ratio per afstand en tijd; {n} incidenten, {perms} permutaties, afstand {distance}",
        "Knox ratio by distance and time; {n} incidents, {perms} permutations, {distance} distance",
    ),
    "violence.knox.cell": (
        "waargenomen {obs} paren, verwacht {exp}, p = {p}",
        "observed {obs} pairs, expected {exp}, p = {p}",
    ),
    "violence.knox.legend": (
        "Cellen met 1 tot {threshold} paren worden niet getoond (onthullingsbeheersing).",
        "Cells with 1 to {threshold} pairs are not shown (disclosure control).",
    ),
    "violence.space": ("afstand", "distance"),
    "violence.time": ("tijd", "time"),
    "violence.days": ("dagen", "days"),
    "violence.same_location": ("zelfde plek", "same location"),
    "violence.sig": ("significant", "significant"),
    "violence.fit.title": ("Hoe besmettelijk, hoe lang, hoe ver?", "How contagious, how long, how far?"),
    "violence.fit.words": (
        "Naar schatting {share}% van de incidenten (95%-interval {lo}-{hi}%) volgt op een eerder incident; dat effect "
        "dooft uit met een gemiddelde vertraging van {days} dagen.",
        "An estimated {share}% of incidents (95% interval {lo}-{hi}%) follow an earlier one; the effect fades with a "
        "mean delay of {days} days.",
    ),
    "violence.fit.reach": ("Het reikt typisch {metres} m ver.", "It typically reaches {metres} m."),
    "violence.limits.title": ("Grenzen van deze analyses", "Limits of these analyses"),
    "violence.limits.1": (
        "Een near-repeat-patroon gaat over paren, niet over oorzaken: een plek waar tijdelijk veel gebeurt om een "
        "andere reden (een nieuw dealpunt, een politieactie) geeft hetzelfde beeld.",
        "A near-repeat pattern is about pairs, not causes: a place that is busy for a while for another reason (a new "
        "dealing spot, a police operation) gives the same picture.",
    ),
    "violence.limits.2": (
        "Het model scheidt achtergrond en besmetting alleen zo goed als de achtergrond (per rastercel, trend en "
        "seizoen) klopt; verschillen tussen buurten kunnen als besmetting worden gelezen.",
        "The model separates background and contagion only as well as the background (per grid cell, trend and "
        "season) is right; differences between neighbourhoods can be read as contagion.",
    ),
    "violence.limits.3": (
        "Geregistreerde incidenten zijn niet alle incidenten; in zwijgwijken wordt minder gemeld.",
        "Registered incidents are not all incidents; less is reported in silent neighbourhoods.",
    ),
    "violence.limits.4": (
        "De uitkomsten gaan over plaatsen en perioden, nooit over personen; er worden geen lijsten van mensen gemaakt.",
        "The results are about places and periods, never about persons; no lists of people are made.",
    ),
    "violence.method.knox": ("Methode: near-repeat (Knox)", "Method: near repeat (Knox)"),
    "violence.method.se": ("Methode: zelfexciterend model", "Method: self-exciting model"),
    "violence.alerts.title": ("Alarmvensters geweld", "Violence alert windows"),
    "violence.alerts.intro": (
        "Na elk incident: binnen welke straal en tot wanneer het risico op een volgend incident minstens {ratio} keer "
        "de achtergrond is, en hoeveel vervolgincidenten het model daar verwacht. Alleen voor partners; elke "
        "weergave staat in het auditlog.",
        "After each incident: within which radius and until when the risk of a follow-up is at least {ratio} times "
        "the background, and how many follow-ups the model expects there. Partners only; every view is audited.",
    ),
    "violence.alerts.map": ("Open alarmvensters (cirkelgrootte: straal)", "Open alert windows (circle size: radius)"),
    "violence.alerts.event": ("incident", "incident"),
    "violence.alerts.when": ("tijdstip", "time"),
    "violence.alerts.radius": ("straal (m)", "radius (m)"),
    "violence.alerts.until": ("tot", "until"),
    "violence.alerts.expected": ("verwachte vervolgincidenten", "expected follow-ups"),
    "violence.alerts.none": ("Er zijn nu geen open alarmvensters.", "There are no open alert windows now."),
    "partner.action.view_alerts": ("alarmvensters geweld bekeken", "viewed violence alert windows"),
    # --- disclosure policy (issue 15) ---
    "footer.disclosure.policy": (
        "Afgeschermd zijn alleen cijfers over personen: aantallen onder {threshold} die de afronding niet verbergt "
        "(en wat ze zou terugrekenen) en percentages van minder dan 50 inwoners of respondenten; politie- en "
        "CBS-cijfers staan er zoals de bron ze publiceert, meldingen en tips afgerond op vijftallen (een 0 of 5 "
        "kan ook 1 of 4 zijn) en pas een maand na afloop vastgelegd.",
        "Only figures about persons are withheld: counts below {threshold} that rounding does not hide (and "
        "whatever would give them back) and percentages of fewer than 50 inhabitants or respondents; police and "
        "CBS figures are shown as the source publishes them, reports and tips rounded to fives (a 0 or 5 may also "
        "be a 1 or 4) and fixed a month after the period ends.",
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
    # --- violence counts and report section (issue 18) ---
    "violence.counts.title": ("Incidenten per {level} en maand", "Incidents per {level} and month"),
    "violence.counts.intro": (
        "Aantallen geregistreerde geweldsincidenten per soort, per gebied en per maand (laatste twaalf maanden). "
        "Het zijn aantallen over personen: een aantal van 1 tot {threshold} wordt niet getoond, en ook niet een "
        "cel waaruit het terug te rekenen is. Nooit locaties van incidenten.",
        "Counts of recorded violent incidents by kind, area and month (last twelve months). They are counts "
        "about persons: a count from 1 to {threshold} minus one is not shown, nor any cell it could be recovered "
        "from. Never the locations of incidents.",
    ),
    "violence.counts.caption": ("Incidenten per soort, gebied en maand", "Incidents by kind, area and month"),
    "violence.counts.group": ("soort", "kind"),
    "violence.counts.area": ("gebied", "area"),
    "violence.counts.withheld": ("minder dan {threshold} of afgeschermd", "fewer than {threshold} or withheld"),
    "violence.counts.legend": (
        "– = minder dan {threshold} of afgeschermd. Maanden die korter dan een maand geleden afliepen, staan er "
        "nog niet in.",
        "– = fewer than {threshold} or withheld. Months that ended less than a month ago are not released yet.",
    ),
    "violence.group.shooting": ("schietincidenten", "shootings"),
    "violence.group.explosion": ("explosies", "explosions"),
    "violence.group.stabbing": ("steekincidenten", "stabbings"),
    "violence.group.other": ("overig geweld", "other violence"),
    "violence.alerts.as_of": ("Open op {when} (het laatste incident).", "Open at {when} (the last incident)."),
    "violence.alerts.stored": (
        "Berekend bij het laden van de incidenten (weerbaar ingest events).",
        "Computed when the incidents were loaded (weerbaar ingest events).",
    ),
    "violence.alerts.live": ("Nu berekend.", "Computed now."),
    # --- interventions: synthetic set and council report (issue 19) ---
    "iv.synthetic.note": (
        "Het register is nog leeg. Daarom staat hier een SYNTHETISCHE demonstratieset: verzonnen ingrepen in "
        "verzonnen buurten (codes S000 ...), met een ingebouwd effect van -{effect}% in de buurt van de ingreep en "
        "+{displacement}% verplaatsing naar de buurten eromheen (gemiddelde ingebouwde verandering {change} per "
        "maand). De schattingen hieronder laten zien of de methoden dat terugvinden. Het zijn geen echte gegevens.",
        "The register is still empty, so a SYNTHETIC demonstration set is shown: made-up interventions in made-up "
        "neighbourhoods (codes S000 ...), with a planted effect of -{effect}% in the intervention area and "
        "+{displacement}% displacement to the surrounding neighbourhoods (mean planted change {change} per "
        "month). The estimates below show whether the methods recover it. This is not real data.",
    ),
    # --- trend tests, violence results, navigation (branch trends, issue 15) ---
    "trend_test": ("trendtoets", "trend test"),
    "trend_test.mk": ("Mann-Kendall", "Mann-Kendall"),
    "trend_test.hamed-rao": ("Mann-Kendall met Hamed-Rao-correctie", "Mann-Kendall with Hamed-Rao correction"),
    "trend_test.seasonal": ("seizoens-Kendall", "seasonal Kendall"),
    # --- inventory on the measurement model (branch inventory, issue 14 part 3) ---
    "inv26.intro.model": (
        "Maatregel 7: waar het drugsprobleem en de kwetsbaarheid samenkomen. Een score per buurt uit twee domeinen: "
        "het drugsprobleem zoals het meetmodel dat schat, en de structurele kwetsbaarheid van de bewoners.",
        "Measure 7: where the drug problem and susceptibility concentrate. A score per neighbourhood from two "
        "domains: the drug problem as the measurement model estimates it, and the residents' structural "
        "vulnerability.",
    ),
    "inv26.source.model": (
        "Het drugsprobleem komt uit het meetmodel: één geschat probleem achter de enquête, anonieme tips, meldingen "
        "en registraties, rekening houdend met angst om te melden en met politie-inzet ({draws} trekkingen uit de "
        "posterior). Het zijn dus niet de ruwe meldingen of registraties.",
        "The drug problem comes from the measurement model: one estimated problem behind the survey, anonymous tips, "
        "reports and registrations, allowing for fear of reporting and for police effort ({draws} posterior draws). "
        "So these are not the raw reports or registrations.",
    ),
    "inv26.source.indicators": (
        "Het meetmodel kon hier niet worden geschat ({reason}). Daarom komt het probleem uit de indicatoren zelf "
        "(registraties, ervaren overlast, meldingen en tips), die door angst en politie-inzet vertekend kunnen zijn.",
        "The measurement model could not be estimated here ({reason}). The problem therefore comes from the "
        "indicators themselves (registrations, experienced nuisance, reports and tips), which fear and police "
        "effort can distort.",
    ),
    "inv26.unc.both": (
        "Het 90%-interval van de rang telt twee soorten onzekerheid mee. Statistisch: het model kent het probleem "
        "niet precies; alleen daardoor is het interval voor de middelste buurt {stat} plaatsen breed. Keuzes: "
        "gewichten, normalisatie en optellen van de domeinen; alleen daardoor {choices} plaatsen. Samen: {both} "
        "plaatsen.",
        "The 90% rank interval counts two kinds of uncertainty. Statistical: the model does not know the problem "
        "exactly; that alone makes the interval of the middle neighbourhood {stat} places wide. Choices: weights, "
        "normalisation and how the domains are combined; those alone {choices} places. Both: {both} places.",
    ),
    "inv26.unc.shares": (
        "Gemiddeld komt {s}% van de onzekerheid in een rang uit de statistiek, {c}% uit de keuzes en {i}% uit hun "
        "samenspel.",
        "On average {s}% of the uncertainty in a rank comes from the statistics, {c}% from the choices and {i}% from "
        "the two together.",
    ),
    "inv26.unc.choices_only": (
        "Het 90%-interval van de rang komt alleen uit de keuzes van de index (gewichten, normalisatie, optellen); "
        "voor de middelste buurt {choices} plaatsen breed. Statistische onzekerheid is er niet in meegenomen.",
        "The 90% rank interval comes only from the index's choices (weights, normalisation, combining); for the "
        "middle neighbourhood {choices} places wide. Statistical uncertainty is not included.",
    ),
    "inv26.unc.sobol": (
        "Van de keuzes verschuift {factor} de rangen het meest (Sobol-totaalindex {st}).",
        "Of the choices, {factor} moves the ranks most (Sobol total index {st}).",
    ),
    "inv26.factor.normalisation": ("de normalisatie", "the normalisation"),
    "inv26.factor.aggregation": ("de manier van optellen (rekenkundig of meetkundig)", "the aggregation"),
    "inv26.factor.left_out": ("het weglaten van één indicator", "leaving out one indicator"),
    "inv26.factor.statistical": ("de statistische onzekerheid", "the statistical uncertainty"),
    "inv26.factor.weight": ("het gewicht van domein {domain}", "the weight of domain {domain}"),
    "inv26.col.statistical": ("alleen statistiek", "statistics alone"),
    "inv26.col.choices": ("alleen keuzes", "choices alone"),
    # --- meas-inputs: the measurement model's results in words (issue 14, part 5) ---
    "silence.very_likely": ("zeer waarschijnlijk stil", "very probably silent"),
    "silence.likely": ("waarschijnlijk stil", "probably silent"),
    "silence.uncertain": ("onzeker of het hier stil is", "uncertain whether silent"),
    "silence.unlikely": ("waarschijnlijk niet stil", "probably not silent"),
    "silence.very_unlikely": ("zeer waarschijnlijk niet stil", "very probably not silent"),
    "silence.verdict": ("{words} (kans {pct} %)", "{words} ({pct} % probability)"),
    "silence.meaning": (
        "‘Stil’ betekent: bewoners melden hier minder dan {keep} % van wat elders in de stad bij hetzelfde "
        "drugsprobleem gemeld wordt. De kans is een uitkomst van het meetmodel, geen zekerheid.",
        "‘Silent’ means: residents here report less than {keep} % of what is reported elsewhere in the city for "
        "the same drug problem. The probability is an outcome of the measurement model, not a certainty.",
    ),
    "silence.fdr": (
        "Het signaal ‘zwijgwijk’ krijgen alleen de buurten waar dat het waarschijnlijkst is, zo gekozen dat van alle "
        "signalen naar verwachting hoogstens {pct} % onterecht is (ongeveer 1 op de {one_in}).",
        "The ‘silent neighbourhood’ signal goes only to the neighbourhoods where it is most probable, chosen so that "
        "at most {pct} % of all signals are expected to be wrong (about 1 in {one_in}).",
    ),
    "silence.ratio": (
        "Bewoners melden hier naar schatting {ratio} % van wat elders bij hetzelfde drugsprobleem gemeld wordt "
        "(90 %-interval {low}–{high} %).",
        "Residents here report an estimated {ratio} % of what is reported elsewhere for the same drug problem "
        "(90 % interval {low}–{high} %).",
    ),
    "silence.ratio_withheld": (
        "De verhouding meldingen/verwacht is afgeschermd, omdat zij de afgeschermde aantallen zou verraden; de kans "
        "hierboven blijft openbaar.",
        "The ratio of reports to expected is withheld because it would give away withheld counts; the probability "
        "above stays public.",
    ),
    "silence.not_estimated": ("Niet geschat", "Not estimated"),
    "silence.synthetic": (
        "Deze uitkomst rust (deels) op SYNTHETISCHE demonstratiegegevens: het zijn geen echte cijfers voor deze buurt.",
        "This outcome rests (partly) on SYNTHETIC demonstration data: these are not real figures for this "
        "neighbourhood.",
    ),
    "silence.effort": (
        "Registraties per eenheid drugsprobleem naar schatting {ratio} keer die van de stad.",
        "Registrations per unit of drug problem an estimated {ratio} times the city's.",
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
        # anything: what float() refuses (TypeError, ValueError) is shown as its text
        x = float(cast("SupportsFloat", value))
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
