"""OIS youth and adult crime 2015-2019 (``Jeugd-en-volwassenencriminaliteit-2019.xlsx``).

Police-registered suspects and offences with a known suspect (police BVH/BVI, processed by OIS),
per stadsdeel, gebied (DX01..DX22) and wijk of the 2015 division, and for the city per offence
type. Every table is located from its header rows (a row of years above a row of age groups, on
sheets 1-4 also a row naming the measure), and every table ends at its ``totaal`` row.

* Sheets 1-4 (``1. verdachten 12-17 jaar`` .. ``4. verdachten 25 jaar e.o.``): suspects resident
  in the area (``ois.suspects.<age>``), the population of that age group (``ois.population.<age>``)
  and the percentage suspect (``ois.suspects_pct.<age>``).
* Sheet 5 (``5. misdrijven``): offences committed in the area for which a suspect of the age group
  is known, wherever the suspect lives (``ois.offences_with_suspect.<age>``).
* Sheet 6 (``6. misdrijven naar soort``): only its first table, city totals per offence type
  (``ois.offences_with_suspect.<offence>.<age>`` on area ``STAD``), including Drugshandel. The later
  tables on that sheet repeat it: high-volume/high-impact sums of its rows, the high-impact rows
  again, top-5 lists with English labels (five-year sums) and chart series; they are not stored.
  Its ``Totaal`` row is not stored either (sheet 5 gives the city total).

Ages: ``age_12_17``, ``age_18_24``, ``age_12_24`` and ``age_25plus``. An offence with suspects in
two age groups counts in both, so the groups do not add up (12-17 plus 18-24 exceeds 12-24).

Areas (division ``2015``): ``totaal`` -> ``STAD``; gebied rows -> DX01..DX22; wijk rows -> the
2015 wijk codes (A00, B10, ...); stadsdeel rows -> A, F, K, M, N, T. The stadsdeel row ``E`` is
"West (incl. Westpoort)": the 2015 stadsdeel B (Westpoort) is folded into it, so the figure is
neither stadsdeel E nor E + a real area of the 2015 division. It is **left out** (with a note);
West's own figures are the sum of its wijken, and Westpoort is the wijk B10, both stored. Rows
``onbekend`` (unknown area) and ``DXxx buiten beschouwing`` (outside the 22 gebieden) are left
out with a note.

Figures are police extractions at a reference date (2019 on 13 January 2020; 2015-2016 on
14 January 2017); later extractions differ. Percentages are as published: in wijken with almost no
residents of the age group they exceed 100 (F11 Bedrijventerrein Sloterdijk).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..contract import validate_observations
from ..errors import SourceError
from .base import INDICATOR_COLUMNS, Source, SourceData
from .workbook import Sheet, read_workbook, year_token

__all__ = ["OisCriminaliteit", "AGES", "MEASURES", "drugshandel_city_totals", "offence_slug"]

#: Age-group header -> indicator suffix, label.
AGES: dict[str, tuple[str, str]] = {
    "12-17 jaar": ("age_12_17", "12-17"),
    "18-24 jaar": ("age_18_24", "18-24"),
    "12-24 jaar": ("age_12_24", "12-24"),
    "25-plus": ("age_25plus", "25+"),
    "25 jaar en ouder": ("age_25plus", "25+"),
    "25 jaar e.o.": ("age_25plus", "25+"),
}

#: Measure header (sheets 1-4) -> indicator stem, unit, label nl, label en, effort-dependent, description.
MEASURES: dict[str, tuple[str, str, str, str, bool, str]] = {
    "verdachten": (
        "ois.suspects",
        "count",
        "Verdachten",
        "Suspects",
        True,
        "Suspects of an offence committed in Amsterdam who live in the area (police registrations).",
    ),
    "bevolking": (
        "ois.population",
        "count",
        "Bevolking",
        "Population",
        False,
        "Residents of the area in the age group (denominator of the percentage suspect).",
    ),
    "percentage verdacht": (
        "ois.suspects_pct",
        "percent",
        "Percentage verdacht",
        "Suspects (%)",
        True,
        "Suspects living in the area as a percentage of its residents in the age group; as published "
        "(over 100 where almost nobody of the age group lives, e.g. business parks).",
    ),
}
OFFENCES = (
    "ois.offences_with_suspect",
    "count",
    "Misdrijven met bekende verdachte",
    "Offences with a known suspect",
    True,
    "Offences committed in the area (wherever the suspects live) for which a suspect of the age "
    "group is known; about a quarter of all registered offences has a known suspect.",
)

SD_2015 = {"A", "B", "E", "F", "K", "M", "N", "T"}
DIVISION = "2015"
_WIJK = re.compile(r"^[A-Z]\d{2}$")
_GEBIED = re.compile(r"^DX\d{2}$")
_OUTSIDE_GEBIEDEN = re.compile(r"^DX\D", re.IGNORECASE)
_EXTRACTS = (
    "Figures are police extractions at a reference date (2019: 13 January 2020; 2018: 6 January "
    "2019; 2017: 7 January 2018; 2015-2016: 14 January 2017); a later extraction would differ."
)


def _norm(text) -> str:
    return " ".join(str(text).replace("*", " ").split()).lower()


def offence_slug(name: str) -> str:
    """Indicator part for an offence type: ``(poging) moord, doodslag`` -> ``poging_moord_doodslag``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if not slug:
        raise SourceError(
            "Offence type without a usable name.",
            received=repr(name),
            expected="a name such as Drugshandel",
            fix="correct the label in the sheet",
        )
    return slug if slug[0].isalpha() else f"x{slug}"


@dataclass
class _Table:
    """One table: its header rows, value columns (column -> (measure key, age suffix, year)) and rows."""

    age_row: int
    year_row: int
    columns: dict[int, tuple[str | None, str, int]]
    label_col: int  # the column of the 'totaal' label (names / offence types)
    first_row: int
    total_row: int


def _age(value) -> str | None:
    if not isinstance(value, str):
        return None
    hit = AGES.get(_norm(value))
    return hit[0] if hit else None


def _is_year_header(sheet: Sheet, row: int) -> bool:
    """A row of year headers: three or more years, each run counting up by one, no text before them."""
    cells = sheet.row_values(row)
    tokens = [(c, year_token(v)) for c, v in cells]
    years = [(c, t[0]) for c, t in tokens if t is not None and t[1] is None]
    if len(years) < 3 or any(isinstance(v, str) for c, v in cells if c < years[0][0]):
        return False
    return all(y2 == y1 + 1 for (c1, y1), (c2, y2) in zip(years, years[1:], strict=False) if c2 == c1 + 1)


def _tables(sheet: Sheet, *, measures: bool, first_only: bool = False) -> list[_Table]:
    """Every table of a sheet, found from its age-group header row and the year row above it."""
    tables: list[_Table] = []
    r = 1
    while r <= sheet.nrows:
        ages = [(c, a) for c, v in sheet.row_values(r) if (a := _age(v)) is not None]
        if len(ages) < 3:
            if _is_year_header(sheet, r) and sum(_age(v) is not None for _, v in sheet.row_values(r + 1)) < 3:
                raise sheet.error(
                    "A row of years has no row of age groups below it.",
                    row=r + 1,
                    received=", ".join(f"{sheet.ref(r + 1, c)}={v!r}" for c, v in sheet.row_values(r + 1)[:4])
                    or "an empty row",
                    expected="age-group headers ('12-17 jaar', '18-24 jaar', '12-24 jaar', "
                    "'25-plus') directly below the years",
                )
            r += 1
            continue
        year_row = r - 1
        columns: dict[int, tuple[str | None, str, int]] = {}
        for c, age in ages:
            tok = year_token(sheet.value(year_row, c))
            if tok is None or tok[1] is not None:
                raise sheet.error(
                    "An age-group column has no year above it.",
                    row=year_row,
                    col=c,
                    received=repr(sheet.value(year_row, c)),
                    expected="a year (2015..2019) directly above each age-group header",
                )
            columns[c] = (None, age, tok[0])
        if measures:
            columns = _with_measures(sheet, year_row, columns)
        first_value_col = min(columns)
        total_row, label_col = None, None
        for rr in range(r + 1, sheet.nrows + 1):
            if sum(_age(v) is not None for _, v in sheet.row_values(rr)) >= 3:
                break  # the next table starts
            hits = [c for c in range(1, first_value_col) if _norm(sheet.value(rr, c) or "") == "totaal"]
            if hits:
                total_row, label_col = rr, hits[0]
                break
        if total_row is None or label_col is None:
            raise sheet.error(
                "A table has no closing 'totaal' row.",
                row=r,
                received=f"no row labelled 'totaal' left of cell "
                f"{sheet.ref(r, first_value_col)} below the header row {r}",
                expected="a 'totaal' row ending each table",
            )
        tables.append(_Table(r, year_row, columns, label_col, r + 1, total_row))
        if first_only:
            break
        r = total_row + 1
    if not tables:
        raise sheet.error(
            "No table header found.",
            received="no row with three or more age-group headers "
            "('12-17 jaar', '18-24 jaar', '12-24 jaar', '25-plus')",
            expected="a row of years above a row of age groups",
        )
    return tables


def _with_measures(sheet: Sheet, year_row: int, columns: dict[int, tuple[str | None, str, int]]):
    """Name each run of value columns by the measure header above its first column (sheets 1-4)."""
    measure_row = year_row - 1
    out = {}
    current = None
    previous = None
    for c in sorted(columns):
        label = sheet.value(measure_row, c)
        if label is not None:
            key = _norm(label)
            if key not in MEASURES:
                raise sheet.error(
                    "Unknown measure header.",
                    row=measure_row,
                    col=c,
                    received=repr(label),
                    expected="one of " + ", ".join(repr(m) for m in MEASURES),
                )
            current = key
        elif previous is None or c != previous + 1:
            current = None
        if current is None:
            raise sheet.error(
                "A block of value columns has no measure header.",
                row=measure_row,
                col=c,
                received="an empty cell",
                expected="'verdachten', 'bevolking' or 'percentage verdacht' above the first column of each block",
            )
        out[c] = (current, columns[c][1], columns[c][2])
        previous = c
    found = {m for m, _, _ in out.values()}
    if found != set(MEASURES):
        raise sheet.error(
            "Measure blocks are missing.",
            row=measure_row,
            received=", ".join(sorted(found)),
            expected=", ".join(MEASURES),
        )
    return out


class OisCriminaliteit(Source):
    name = "ois-criminaliteit"
    title = "OIS Jeugd- en volwassenencriminaliteit 2015-2019 (verdachten en misdrijven met bekende verdachte)"
    provides = ("indicators", "observations")
    files = ("ois-safety-2014-2019/Jeugd-en-volwassenencriminaliteit-2019.xlsx",)
    licence = "Open data (OIS Amsterdam), attribution required"
    attribution = "OIS Amsterdam, source police BVH/BVI"
    period = "2015-2019"

    def read(self, folder: Path) -> SourceData:
        path = self.path(folder, self.files[0])
        sheets = read_workbook(path)
        suspects, offences, by_type = self._sheets(sheets, str(path))
        rows: list[tuple] = []
        skipped: dict[str, set[str]] = {}
        for sheet in suspects:
            for table in _tables(sheet, measures=True):
                rows += self._area_rows(sheet, table, None, skipped)
        for table in _tables(offences, measures=False):
            rows += self._area_rows(offences, table, OFFENCES[0], skipped)
        type_rows, type_names, type_notes = self._type_rows(by_type, rows)
        notes = self._skip_notes(skipped)
        frame = pd.DataFrame(rows + type_rows, columns=["area_code", "period", "indicator", "value", "unit", "where"])
        frame, dup_notes = _dedupe(frame)
        notes += dup_notes + type_notes
        over = frame[(frame["indicator"].str.startswith("ois.suspects_pct.")) & (frame["value"] > 100)]
        if len(over):
            where = ", ".join(sorted(set(over["area_code"])))
            notes.append(
                f"{len(over)} published percentages suspect exceed 100 (areas with almost no "
                f"residents of the age group: {where}); stored as published."
            )
        notes.append(_EXTRACTS)
        frame = frame.drop(columns="where").assign(division=DIVISION, status="final")
        obs = validate_observations(frame, file=str(path), default_source=self.name)
        catalogue = self.catalogue(sorted(set(obs["indicator"])), type_names)
        return SourceData(observations=obs, indicators=catalogue, notes=notes)

    # -- parts of read ------------------------------------------------------------------------
    @staticmethod
    def _sheets(sheets: dict[str, Sheet], file: str) -> tuple[list[Sheet], Sheet, Sheet]:
        def pick(pattern: str) -> list[Sheet]:
            return [s for title, s in sheets.items() if re.match(pattern, _norm(title))]

        suspects = pick(r"^[1-4]\s*\.\s*verdachten\b")
        offences = pick(r"^5\s*\.\s*misdrijven$")
        by_type = pick(r"^6\s*\.\s*misdrijven naar soort$")
        if len(suspects) != 4 or len(offences) != 1 or len(by_type) != 1:
            raise SourceError(
                "The workbook does not have the expected sheets.",
                received=", ".join(repr(t) for t in sheets),
                expected="'1. verdachten 12-17 jaar' .. '4. verdachten 25 jaar e.o.', "
                "'5. misdrijven' and '6. misdrijven naar soort'",
                fix="use the original OIS workbook",
                file=file,
            )
        return suspects, offences[0], by_type[0]

    @staticmethod
    def _area(sheet: Sheet, row: int, table: _Table, skipped: dict[str, set[str]]) -> str | None:
        """The 2015 area code of a data row, None for a row left out, or a SourceError."""
        code_col = table.label_col - 1
        code = sheet.text(row, code_col) if code_col >= 1 else None
        name = sheet.text(row, table.label_col) or ""
        label = f"{code} {name}".strip() if code else name
        if row == table.total_row:
            return "STAD"
        if code is None and _norm(name) == "onbekend":
            skipped.setdefault("onbekend (area unknown)", set()).add(sheet.name)
            return None
        if code is not None and _OUTSIDE_GEBIEDEN.match(code):
            skipped.setdefault(f"{label} (outside the 22 gebieden)", set()).add(sheet.name)
            return None
        if code is None:
            if not any(sheet.value(row, c) is not None for c in table.columns):
                return None
            raise sheet.error(
                "A data row has no area code.",
                row=row,
                col=max(code_col, 1),
                received=repr(name),
                expected="a stadsdeel (A), gebied (DX01) or wijk (A00) code, or the rows 'onbekend' and 'totaal'",
                fix="fill in the code",
            )
        if _GEBIED.match(code) or _WIJK.match(code):
            return code
        if code in SD_2015:
            if "incl" in name.lower():
                skipped.setdefault(
                    f"{label} (a stadsdeel with another folded in: not an area of the 2015 division)", set()
                ).add(sheet.name)
                return None
            return code
        raise sheet.error(
            "Unknown area code.",
            row=row,
            col=code_col,
            received=repr(code),
            expected="a 2015 stadsdeel (A, E, F, K, M, N, T), gebied (DX01..DX22) or wijk (A00) code",
        )

    def _area_rows(
        self, sheet: Sheet, table: _Table, indicator_stem: str | None, skipped: dict[str, set[str]]
    ) -> list[tuple]:
        out = []
        for r in range(table.first_row, table.total_row + 1):
            area = self._area(sheet, r, table, skipped)
            if area is None:
                continue
            for c, (measure, age, year) in table.columns.items():
                value = sheet.number(r, c)
                if value is None:
                    continue
                stem, unit = MEASURES[measure][:2] if measure else (indicator_stem, "count")
                out.append((area, str(year), f"{stem}.{age}", value, unit, f"{sheet.name}!{sheet.ref(r, c)}"))
        return out

    def _type_rows(self, sheet: Sheet, area_rows: list[tuple]) -> tuple[list[tuple], dict[str, str], list[str]]:
        """Rows of the first table of sheet 6, the offence names by slug, and notes."""
        table = _tables(sheet, measures=False, first_only=True)[0]
        out: list[tuple] = []
        seen: dict[str, int] = {}
        names: dict[str, str] = {}
        sums: dict[tuple[str, int], float] = {}
        for r in range(table.first_row, table.total_row):
            name = sheet.text(r, table.label_col)
            if name is None:
                if any(sheet.value(r, c) is not None for c in table.columns):
                    raise sheet.error(
                        "A row of values has no offence type.",
                        row=r,
                        col=table.label_col,
                        received="an empty cell",
                        expected="an offence type such as Drugshandel",
                    )
                continue
            slug = offence_slug(name)
            if slug in seen:
                raise sheet.error(
                    "An offence type occurs twice.",
                    row=r,
                    col=table.label_col,
                    received=repr(name),
                    expected=f"each type once (also at row {seen[slug]})",
                )
            seen[slug] = r
            names[slug] = name
            for c, (_, age, year) in table.columns.items():
                value = sheet.number(r, c)
                if value is None:
                    continue
                sums[(age, year)] = sums.get((age, year), 0.0) + value
                out.append(
                    (
                        "STAD",
                        str(year),
                        f"{OFFENCES[0]}.{slug}.{age}",
                        value,
                        "count",
                        f"{sheet.name}!{sheet.ref(r, c)}",
                    )
                )
        if "drugshandel" not in seen:
            raise sheet.error(
                "The offence type 'Drugshandel' is missing.",
                row=table.first_row,
                col=table.label_col,
                received=", ".join(seen),
                expected="a row 'Drugshandel'",
            )
        # compare the table's Totaal row with the sum of its types and with sheet 5's city total
        city5 = {
            (ind.rsplit(".", 1)[1], int(p)): v
            for a, p, ind, v, _, _ in area_rows
            if a == "STAD" and ind.startswith(OFFENCES[0] + ".")
        }
        diffs = []
        for c, (_, age, year) in table.columns.items():
            total = sheet.number(table.total_row, c)
            if total is None:
                continue
            if abs(total - sums.get((age, year), 0.0)) > 0.5:
                summed = sums.get((age, year), 0.0)
                diffs.append(f"{age} {year}: Totaal {total:g} but the types sum to {summed:g}")
            if (age, year) in city5 and abs(total - city5[(age, year)]) > 0.5:
                diffs.append(f"{age} {year}: {total:g} here, {city5[(age, year)]:g} on sheet 5")
        notes = [
            f"Sheet {sheet.name}: only the first table (rows {table.first_row}-{table.total_row - 1}, "
            f"{len(seen)} offence types) is stored, on area STAD; its Totaal row and the later summary "
            "tables, top-5 lists and chart series are left out."
        ]
        if diffs:
            notes.append(
                f"Sheet {sheet.name}: its Totaal row differs slightly from other totals ("
                + "; ".join(diffs)
                + "); the city total stored is the one of sheet 5."
            )
        return out, names, notes

    @staticmethod
    def _skip_notes(skipped: dict[str, set[str]]) -> list[str]:
        notes = []
        for label, where in skipped.items():
            notes.append(f"Rows '{label}' left out (sheets: {', '.join(sorted(where))}).")
        west = [label for label in skipped if label.startswith("E ")]
        if west:
            notes.append(
                "Stadsdeel West is published only as 'West (incl. Westpoort)', which is not an "
                "area of the 2015 division (Westpoort is its own stadsdeel B there); it is left out "
                "rather than stored on E. Its wijken (E12..E75) and Westpoort's wijk B10 are "
                "stored."
            )
        return notes

    def catalogue(self, indicators: list[str], offence_names: dict[str, str] | None = None) -> pd.DataFrame:
        """Catalogue rows for the given indicators (offence types labelled with their sheet names)."""
        offence_names = offence_names or {}
        age_label = {suffix: label for suffix, label in AGES.values()}
        stems = {m[0]: m for m in MEASURES.values()} | {OFFENCES[0]: OFFENCES}
        rows = []
        for ind in indicators:
            parts = ind.split(".")
            age = parts[-1]
            stem = ".".join(parts[:2])
            _, unit, nl, en, effort, desc = stems[stem]
            if len(parts) == 4:  # offence type
                kind = offence_names.get(parts[2], parts[2].replace("_", " "))
                nl_label, en_label = f"{nl}: {kind} ({age_label[age]})", f"{en}: {kind} ({age_label[age]})"
                text = (
                    f"City total (STAD) of offences of type '{kind}' with a known suspect aged "
                    f"{age_label[age]}, wherever committed in Amsterdam. {desc} {_EXTRACTS}"
                )
            else:
                nl_label, en_label = f"{nl} {age_label[age]}", f"{en} aged {age_label[age]}"
                text = (
                    f"{desc} Age group {age_label[age]}; per stadsdeel, gebied (DX01..DX22) and wijk of "
                    f"the 2015 division and the city. {_EXTRACTS}"
                )
            rows.append(
                {
                    "indicator": ind,
                    "label_nl": nl_label,
                    "label_en": en_label,
                    "unit": unit,
                    "description": text,
                    "source": self.name,
                    "effort_dependent": effort,
                    "canonical": False,
                }
            )
        return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def _dedupe(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop the repeats of the city total (every table ends with it); note repeats that disagree."""
    key = ["area_code", "period", "indicator"]
    dup = frame.duplicated(key, keep=False)
    notes = []
    if dup.any():
        spread = frame[dup].groupby(key)["value"].agg(["min", "max"])
        bad = spread[spread["max"] - spread["min"] > 1e-9]
        if len(bad):
            first = frame.set_index(key).loc[[bad.index[0]], "where"].tolist()
            notes.append(
                f"{len(bad)} area/period/indicator combinations are published twice with different "
                f"values (e.g. {' '.join(bad.index[0])} in {' and '.join(first)}); the first is "
                "kept."
            )
    return frame.drop_duplicates(key, keep="first").reset_index(drop=True), notes


def drugshandel_city_totals(data: SourceData) -> dict[int, float]:
    """Year -> city offences of type Drugshandel with a known suspect of any age (12-24 plus 25-plus).

    From the observations of :class:`OisCriminaliteit` (sheet 6, city totals). Only offences with a
    known suspect are counted (OIS: a suspect is known for about a quarter of all offences; the file
    gives no share for drug trade). An offence with suspects in both age groups counts in both, so the
    sum is an upper bound of the distinct offences with a known suspect. 2015: 649 + 1337 = 1986.
    Used to calibrate synthetic layers.
    """
    obs = data.observations
    names = [f"{OFFENCES[0]}.drugshandel.age_12_24", f"{OFFENCES[0]}.drugshandel.age_25plus"]
    if obs is None or obs.empty:
        raise SourceError(
            "No observations to take the Drugshandel totals from.",
            received="no observations",
            expected="the output of OisCriminaliteit().read()",
            fix="read the source first",
        )
    sel = obs[(obs["area_code"] == "STAD") & (obs["indicator"].isin(names))]
    if "division" in sel.columns:
        sel = sel[sel["division"] == DIVISION]
    table = sel.pivot_table(index="period", columns="indicator", values="value", aggfunc="sum")
    missing = [n for n in names if n not in table.columns]
    if missing or table.empty:
        raise SourceError(
            "The Drugshandel city totals are missing.",
            received=", ".join(sorted(set(sel["indicator"]))) or "none",
            expected=", ".join(names),
            fix="read the source with OisCriminaliteit",
        )
    table = table.dropna()
    return {int(p): float(table.loc[p, names].sum()) for p in sorted(table.index)}
