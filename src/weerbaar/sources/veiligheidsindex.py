"""OIS Veiligheidsindex 2014-2019 per Veiligheidsmonitor area and per gebied (Veiligheidsindexen.xlsx).

The workbook holds the Veiligheidsindex and its ten sub-indices in wide blocks: a title, a row of
standard deviations, a row of block labels (``veiligheidsindex``, ``criminaliteitsindex``, ``High
Volume`` ...), a row of years (2014..2018, ``2019_1``, ``2019_2``, ``2019_3``), then one row per
area. The parser finds every block from its label and its year header, never from a fixed cell
(:mod:`.workbook`).

* Sheet ``index_wijken``: one row per Veiligheidsmonitor (VM) area. Two code columns give two
  definitions of these areas: ``VMgebied104`` (in force 2014-2015) and ``Vmgebied108`` (2016-2019).
  A value belongs to the code of the definition in force in its year. The codes are 2015 wijken
  or merges of 2015 wijken and buurten (``T94cfghn``, ``E13/E12(B10)``, ``N69 (incl N74``); each
  is resolved to a set of 2015 buurten (:mod:`.vm_codes`). They become their own area division
  ``vm``: a city area ``STAD`` and one ``wijk`` per VM code, with the union of its 2015 buurten as
  geometry, plus a crosswalk vm -> 2015 buurten. Some
  ``VMgebied104`` codes still use pre-2015 codes (``E40defg``, ``F85defg``, ``F78(F75)``,
  ``F88/F84d``, ``K47/K50``, ``E13/E12(B10/B11)``); a part that does not exist in the 2015
  division is resolved through the ``Vmgebied108`` code on the same row (same area, same name,
  renumbered in 2015). See docs/decisions/0002-veiligheidsmonitor-areas.md.
* Sheet ``index 22 gebieden``: the same indices for the 22 gebieden of 2015 (DX01..DX22), stored
  on division ``2015``. :func:`gebieden_2015` gives their names and stadsdelen to the 2015 area
  adapter.
* Sheet ``klasse grenzen indexen`` (legend class bounds) is not read.

The contract has no period for measurement rounds: of the three 2019 measurements only the last
(``2019_3``) is stored, as period ``2019``. 100 is the mean of the police region
Amsterdam-Amstelland in 2014 (the ``Regio totaal`` row, which is skipped, drifts to about 90 by
2019); lower is safer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..areas import RD_NEW, build_crosswalk, validate_areas
from ..contract import validate_observations
from ..errors import SourceError
from .base import INDICATOR_COLUMNS, Source, SourceData
from .vm_codes import _resolve_parts, parse_vm_code
from .workbook import Sheet, _find_layout, _last_rounds, _Layout, _period, _sheet, read_workbook

__all__ = ["Veiligheidsindex", "SUBINDICES", "UNIT", "VM_DIVISION", "gebieden_2015"]

UNIT = "index (100 = regional mean)"
VM_DIVISION = "vm"
SHEET_WIJKEN = "index_wijken"
SHEET_GEBIEDEN = "index 22 gebieden"

# block label in the sheet (lower case) -> indicator, label nl, label en, effort-dependent, description
SUBINDICES: dict[str, tuple[str, str, str, bool, str]] = {
    "veiligheidsindex": (
        "safety.index",
        "Veiligheidsindex",
        "Safety index",
        True,
        "Composite of the criminaliteit, overlast and onveiligheidsbeleving indices, from police figures "
        "and the Veiligheidsmonitor survey. Marked effort-dependent because one third of it "
        "(criminaliteit) rests partly on police registrations.",
    ),
    "criminaliteitsindex": (
        "safety.criminaliteit",
        "Criminaliteitsindex",
        "Crime index",
        True,
        "Mean of the high-volume and high-impact crime indices: police registrations plus victimisation from "
        "the Veiligheidsmonitor survey.",
    ),
    "high volume": (
        "safety.high_volume",
        "High Volume Crime-index",
        "High-volume crime index",
        True,
        "Frequent offences that affect victims less personally (theft from vehicles, bicycle theft, "
        "shoplifting, pickpocketing, burglary of sheds and businesses): police registrations plus survey.",
    ),
    "high impact": (
        "safety.high_impact",
        "High Impact Crime-index",
        "High-impact crime index",
        True,
        "Offences that affect victims personally (sexual offences, homicide, threats, assault and public "
        "violence, street robbery, hold-ups, residential burglary): police registrations plus survey.",
    ),
    "overlast": (
        "safety.overlast",
        "Overlastindex",
        "Nuisance index",
        False,
        "Nuisance against people and objects (loitering youths, litter, vandalism, graffiti): survey "
        "answers and police incident registrations, mostly citizen reports rather than police-initiated.",
    ),
    "verloedering": (
        "safety.verloedering",
        "Verloederingsindex",
        "Dilapidation index",
        False,
        "Nuisance against objects in public space (litter, graffiti, vandalism): survey and incident registrations.",
    ),
    "personenoverlast": (
        "safety.personenoverlast",
        "Personenoverlastindex",
        "Nuisance-by-people index",
        False,
        "Nuisance by people (such as loitering youths and rowdiness): survey and incident registrations.",
    ),
    "onveiligheidsbeleving": (
        "safety.onveiligheidsbeleving",
        "Onveiligheidsbelevingsindex",
        "Perceived insecurity index",
        False,
        "Perceived insecurity from the Veiligheidsmonitor survey: risk perception, feelings of insecurity "
        "and avoidance behaviour.",
    ),
    "risicoperceptie": (
        "safety.risicoperceptie",
        "Risicoperceptie-index",
        "Risk perception index",
        False,
        "Survey: residents' estimate of their chance of falling victim to crime and nuisance.",
    ),
    "onveiligheidsgevoelens": (
        "safety.onveiligheidsgevoelens",
        "Onveiligheidsgevoelens-index",
        "Feelings of insecurity index",
        False,
        "Survey: whether and how often residents feel unsafe or afraid of crime.",
    ),
    "vermijding": (
        "safety.vermijding",
        "Vermijdingsindex",
        "Avoidance index",
        False,
        "Survey: avoidance of places or behaviour because of feeling unsafe.",
    ),
}

#: The VM area definitions (code column headers ``VMgebied104``/``Vmgebied108``) and their years.
DEFINITION_YEARS: dict[str, tuple[int, ...]] = {"104": (2014, 2015), "108": (2016, 2017, 2018, 2019)}

#: Stadsdeel abbreviation prefixing the gebied names -> (2015 stadsdeel code, name).
GEBIED_PREFIX: dict[str, tuple[str, str]] = {
    "C": ("A", "Centrum"),
    "W": ("E", "West"),
    "NW": ("F", "Nieuw-West"),
    "Z": ("K", "Zuid"),
    "O": ("M", "Oost"),
    "N": ("N", "Noord"),
    "ZO": ("T", "Zuidoost"),
}
_BARE_COMPASS = {"west", "oost", "noord", "zuid", "midden"}
_VM_HEADER = re.compile(r"^vm\s*gebied\s*(\d+)$", re.IGNORECASE)
_DX = re.compile(r"^DX\d{2}$")


# -- the 22 gebieden --------------------------------------------------------------------------


def _gebied_rows(sheet: Sheet, layout: _Layout) -> list[tuple[int, str, str, str]]:
    """(row, DX code, name without prefix, 2015 stadsdeel) of the gebied rows."""
    first_block = min(b.col for b in layout.blocks.values())
    data_rows = range(layout.year_row + 1, sheet.nrows + 1)
    counts = {c: sum(bool(_DX.match(sheet.text(r, c) or "")) for r in data_rows) for c in range(1, first_block)}
    code_col = max(counts, key=lambda c: counts[c]) if counts else None
    if code_col is None or counts[code_col] == 0 or code_col + 1 >= first_block:
        raise sheet.error(
            "No column of gebied codes (DX01..DX22) found left of the blocks.",
            row=layout.year_row + 1,
            received="no DXnn codes",
            expected="a code column (DX01..DX22) and a name column before the first block",
        )
    out = []
    for r in range(layout.year_row + 1, sheet.nrows + 1):
        code, raw = sheet.text(r, code_col), sheet.text(r, code_col + 1)
        if code is None and raw is None:
            continue
        if code is None or not _DX.match(code):
            raise sheet.error(
                "Unexpected row among the gebieden.",
                row=r,
                col=code_col,
                received=f"{code!r} {raw!r}",
                expected="a gebied code DX01..DX22",
            )
        m = re.match(r"^(ZO|NW|[CWZON])\s*-\s*(.+)$", raw or "")
        if not m:
            raise sheet.error(
                "Gebied name without its stadsdeel prefix.",
                row=r,
                col=code_col + 1,
                received=repr(raw),
                expected="a name such as 'C-Centrum West' or 'ZO-Bijlmer Centrum' (prefix C, W, NW, Z, O, N or ZO)",
            )
        prefix, name = m.group(1), m.group(2).strip()
        sd_code, sd_name = GEBIED_PREFIX[prefix]
        if name.lower() in _BARE_COMPASS:  # "N-West" is Noord-West, not West
            name = f"{sd_name}-{name}"
        out.append((r, code, name, sd_code))
    codes = [c for _, c, _, _ in out]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise sheet.error("A gebied code occurs twice.", received=", ".join(dupes), expected="each gebied once")
    return out


def gebieden_2015(path: Path | str) -> pd.DataFrame:
    """The 22 gebieden of 2015 from sheet ``index 22 gebieden``: columns code, name, stadsdeel.

    The name loses its stadsdeel prefix (``C-Centrum West`` -> ``Centrum West``; a bare compass
    name keeps its stadsdeel: ``N-West`` -> ``Noord-West``); ``stadsdeel`` is the 2015 code
    (C->A, W->E, NW->F, Z->K, O->M, N->N, ZO->T).
    """
    sheets = read_workbook(path)
    sheet = _sheet(sheets, SHEET_GEBIEDEN, str(path))
    rows = _gebied_rows(sheet, _find_layout(sheet, SUBINDICES))
    return pd.DataFrame([(c, n, s) for _, c, n, s in rows], columns=["code", "name", "stadsdeel"])


# -- the adapter ------------------------------------------------------------------------------


@dataclass
class _VmArea:
    code: str
    name: str
    buurten: frozenset[str]
    definitions: set[str]
    cell: str


def _compact(buurten: set[str], all_buurten: set[str]) -> str:
    """Buurt codes as text, whole wijken written as the wijk code."""
    by_wijk: dict[str, set[str]] = {}
    for b in all_buurten:
        by_wijk.setdefault(b[:3], set()).add(b)
    out = []
    for wijk in sorted({b[:3] for b in buurten}):
        part = buurten & by_wijk[wijk]
        out.append(wijk if part == by_wijk[wijk] else ", ".join(sorted(part)))
    return ", ".join(out)


def _coverage_notes(vm: dict[str, _VmArea], all_buurten: set[str]) -> list[str]:
    """Which 2015 buurten each VM definition leaves out, and any buurt it counts twice."""
    notes = []
    for definition, years in DEFINITION_YEARS.items():
        seen: dict[str, str] = {}
        twice = set()
        for a in vm.values():
            if definition in a.definitions:
                twice |= {b for b in a.buurten if b in seen}
                seen.update(dict.fromkeys(a.buurten, a.code))
        left = all_buurten - set(seen)
        text = (
            f"Veiligheidsmonitor areas of {years[0]}-{years[-1]} (VMgebied{definition}) cover every "
            f"2015 buurt except {_compact(left, all_buurten) or 'none'}"
        )
        if twice:
            text += f"; buurten in two areas: {_compact(twice, all_buurten)}"
        notes.append(text + ".")
    return notes


class Veiligheidsindex(Source):
    name = "ois-veiligheidsindex"
    title = "OIS Veiligheidsindex en deelindexen 2014-2019 (Veiligheidsmonitor-gebieden en 22 gebieden)"
    provides = ("areas", "crosswalk", "indicators", *(f"observations:{v[0]}" for v in SUBINDICES.values()))
    files = ("ois-safety-2014-2019/Veiligheidsindexen.xlsx", "amsterdam-areas-2015/buurten.geojson")
    licence = "Open data (OIS Amsterdam), attribution required"
    attribution = "OIS Amsterdam"
    period = "2014-2019"

    def read(self, folder: Path) -> SourceData:
        xlsx = self.path(folder, self.files[0])
        sheets = read_workbook(xlsx)
        wijken = _sheet(sheets, SHEET_WIJKEN, str(xlsx))
        gebieden = _sheet(sheets, SHEET_GEBIEDEN, str(xlsx))
        notes: list[str] = []
        wl, gl = _find_layout(wijken, SUBINDICES), _find_layout(gebieden, SUBINDICES)
        vm_cols = self._code_columns(wijken, wl)
        buurten = self._buurten(folder)
        vm_rows, obs_vm = self._vm_rows(wijken, wl, vm_cols, set(buurten["code"]), notes)
        obs_dx = self._gebied_observations(gebieden, gl)
        dropped = sorted(
            {
                f"{y}_{r}"
                for layout in (wl, gl)
                for b in layout.blocks.values()
                for _, (y, r) in b.years
                if r is not None and r != _last_rounds(layout)[y]
            }
        )
        if dropped:
            notes.append(
                "The 2019 index was measured three times (2019_1, 2019_2, 2019_3); only the last, "
                f"2019_3, is stored as period 2019. Left out: {', '.join(dropped)} (the data "
                "contract has no period for measurement rounds)."
            )
        notes.append(
            "Index base: 100 is the mean of the police region Amsterdam-Amstelland in 2014 (the "
            "'Regio totaal' row is 100 in 2014 and about 90 in 2019); lower is safer. Later years "
            "are relative to the 2014 regional mean, not to the mean of their own year."
        )
        notes.extend(_coverage_notes(vm_rows, set(buurten["code"])))
        areas, crosswalk = self._areas(vm_rows, buurten, str(xlsx))
        frame = pd.DataFrame(obs_vm + obs_dx, columns=["area_code", "division", "period", "indicator", "value"])
        frame["unit"] = UNIT
        frame["status"] = "final"
        obs = validate_observations(frame, file=str(xlsx), default_source=self.name)
        return SourceData(areas=areas, crosswalk=crosswalk, indicators=self.catalogue(), observations=obs, notes=notes)

    # -- parts of read ------------------------------------------------------------------------
    def _buurten(self, folder: Path) -> gpd.GeoDataFrame:
        path = self.path(folder, self.files[1])
        raw = gpd.read_file(path)
        for col in ("Buurt_code", "Buurtcombinatie_code"):
            if col not in raw.columns:
                raise SourceError(
                    "The 2015 buurten file lacks a property.",
                    received=", ".join(raw.columns),
                    expected=col,
                    fix="use amsterdam-areas-2015/buurten.geojson",
                    file=str(path),
                )
        bad = raw["Buurt_code"].astype(str).str[:3] != raw["Buurtcombinatie_code"].astype(str)
        if bad.any():
            raise SourceError(
                "A 2015 buurt code does not start with its wijk code.",
                received=str(raw.loc[bad, "Buurt_code"].iloc[0]),
                expected="A00a in wijk A00",
                fix="use amsterdam-areas-2015/buurten.geojson",
                file=str(path),
            )
        return gpd.GeoDataFrame({"code": raw["Buurt_code"].astype(str)}, geometry=raw.geometry, crs=raw.crs).to_crs(
            RD_NEW
        )

    @staticmethod
    def _code_columns(sheet: Sheet, layout: _Layout) -> dict[str, list[int]]:
        """Definition ('104', '108') -> its code columns, the first being the main one."""
        cols: dict[str, list[int]] = {}
        for r in (layout.year_row, layout.label_row):
            for c, v in sheet.row_values(r):
                m = _VM_HEADER.match(str(v))
                if m:
                    if m.group(1) not in DEFINITION_YEARS:
                        raise sheet.error(
                            "Unknown Veiligheidsmonitor area definition.",
                            row=r,
                            col=c,
                            received=repr(v),
                            expected="VMgebied104 or Vmgebied108",
                        )
                    cols.setdefault(m.group(1), []).append(c)
        first_block = min(b.col for b in layout.blocks.values())
        for definition in DEFINITION_YEARS:
            if definition not in cols or min(cols[definition]) >= first_block:
                raise sheet.error(
                    f"The code column 'VMgebied{definition}' is missing.",
                    row=layout.year_row,
                    received=", ".join(
                        f"{sheet.ref(layout.year_row, c)}={v!r}"
                        for c, v in sheet.row_values(layout.year_row)
                        if c < first_block
                    )
                    or "no headers left of the blocks",
                    expected="the headers Vmgebied108 and VMgebied104 above the code columns, left of the first block",
                )
            cols[definition].sort()
        return cols

    def _vm_rows(
        self, sheet: Sheet, layout: _Layout, vm_cols: dict[str, list[int]], buurt_codes: set[str], notes: list[str]
    ) -> tuple[dict[str, _VmArea], list[tuple]]:
        main = {d: cols[0] for d, cols in vm_cols.items()}
        name_col = max(main.values()) + 1
        first_block = min(b.col for b in layout.blocks.values())
        if name_col >= first_block:
            raise sheet.error(
                "No name column between the code columns and the first block.",
                row=layout.year_row,
                col=name_col,
                received=repr(sheet.value(layout.year_row, name_col)),
                expected="an area name column right of the VMgebied code columns",
            )
        year_definition = {y: d for d, years in DEFINITION_YEARS.items() for y in years}
        rounds = _last_rounds(layout)
        areas: dict[str, _VmArea] = {}
        via_108: list[str] = []
        skipped_total: list[str] = []
        obs: list[tuple] = []
        for r in range(layout.year_row + 1, sheet.nrows + 1):
            codes = {d: sheet.text(r, c) for d, c in main.items()}
            name = sheet.text(r, name_col)
            for d, cols in vm_cols.items():  # repeated code columns before later blocks must agree
                for c in cols[1:]:
                    if sheet.text(r, c) is not None and sheet.text(r, c) != codes[d]:
                        raise sheet.error(
                            "A repeated code column disagrees with the first code column.",
                            row=r,
                            col=c,
                            received=repr(sheet.text(r, c)),
                            expected=f"{codes[d]!r} as in cell {sheet.ref(r, main[d])}",
                        )
            if all(v is None for v in codes.values()) and name and name.lower().startswith("regio"):
                skipped_total.append(f"{name!r} ({sheet.ref(r)})")
                continue
            # resolve the codes of this row
            resolved: dict[str, frozenset[str]] = {}
            for d in sorted(codes, key=lambda d: d != "108"):  # 108 first: 104 may fall back on it
                code = codes[d]
                if code is None:
                    continue
                found, missing = _resolve_parts(code, buurt_codes)
                if missing:
                    # A pre-2015 part (E40defg, K50) is read through the 108 code of the same row, if
                    # that code covers the rest of the area and lies in the same stadsdelen.
                    other = resolved.get("108")
                    same_sd = (
                        d != "108"
                        and codes["108"] is not None
                        and ({m[0] for m in missing} <= {w[0] for w, _ in parse_vm_code(codes["108"])})
                    )
                    if other and same_sd and found <= other:
                        via_108.append(f"{code} -> {codes['108']} (unknown in 2015: {', '.join(missing)})")
                        found = other
                    else:
                        raise sheet.error(
                            "A Veiligheidsmonitor area code names parts that are not 2015 wijken or buurten.",
                            row=r,
                            col=main[d],
                            received=f"{code!r} (unknown: {', '.join(missing)})",
                            expected="2015 wijk codes (A00) or buurt codes (T94c) from amsterdam-areas-2015",
                            fix="correct the code; a pre-2015 code is only resolved through the Vmgebied108 "
                            "code of the same row",
                        )
                resolved[d] = found
                if code in areas:
                    if areas[code].buurten != found:
                        raise sheet.error(
                            "The same area code covers different buurten on two rows.",
                            row=r,
                            col=main[d],
                            received=repr(code),
                            expected=f"the same area as at {areas[code].cell}",
                        )
                    areas[code].definitions.add(d)
                else:
                    areas[code] = _VmArea(code, name or code, found, {d}, sheet.ref(r, main[d]))
            for block in layout.blocks.values():
                indicator = SUBINDICES[block.label][0]
                for c, token in block.years:
                    value = sheet.number(r, c)
                    if value is None:
                        continue
                    period = _period(token, rounds.get(token[0], 0))
                    if period is None:
                        continue
                    definition = year_definition.get(token[0])
                    if definition is None:
                        raise sheet.error(
                            "A year outside the Veiligheidsmonitor definitions.",
                            row=layout.year_row,
                            col=c,
                            received=repr(sheet.value(layout.year_row, c)),
                            expected="years 2014-2019",
                        )
                    code = codes[definition]
                    if code is None:
                        raise sheet.error(
                            f"A {token[0]} value has no area code of the definition in force that year.",
                            row=r,
                            col=c,
                            received=f"{value} on a row without a VMgebied{definition} code "
                            f"(cell {sheet.ref(r, main[definition])} is empty)",
                            expected=f"a VMgebied{definition} code on every row with {token[0]} values",
                            fix="fill in the code or remove the value",
                        )
                    obs.append((code, VM_DIVISION, period, indicator, value))
        if skipped_total:
            notes.append(
                f"Sheet {sheet.name}: the row {', '.join(skipped_total)} (the police region as a "
                "whole, not an area of Amsterdam) is left out."
            )
        if via_108:
            notes.append(
                f"Sheet {sheet.name}: VMgebied104 codes naming pre-2015 wijken or buurten take the "
                "2015 buurten of the Vmgebied108 code on the same row (same area, renumbered in "
                f"2015): {'; '.join(via_108)}."
            )
        return areas, obs

    def _gebied_observations(self, sheet: Sheet, layout: _Layout) -> list[tuple]:
        rounds = _last_rounds(layout)
        obs = []
        for r, code, _, _ in _gebied_rows(sheet, layout):
            for block in layout.blocks.values():
                for c, token in block.years:
                    value = sheet.number(r, c)
                    period = _period(token, rounds.get(token[0], 0))
                    if value is not None and period is not None:
                        obs.append((code, "2015", period, SUBINDICES[block.label][0], value))
        return obs

    def _areas(
        self, vm: dict[str, _VmArea], buurten: gpd.GeoDataFrame, file: str
    ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
        geoms = buurten.set_index("code").geometry
        rows = [
            {
                "code": "STAD",
                "name": "Amsterdam",
                "level": "stad",
                "parent": None,
                "geometry": shapely.union_all(np.asarray(geoms.values)),
            }
        ]
        for a in vm.values():
            rows.append(
                {
                    "code": a.code,
                    "name": a.name,
                    "level": "wijk",
                    "parent": "STAD",
                    "geometry": shapely.union_all(np.asarray(geoms.loc[sorted(a.buurten)].values)),
                }
            )
        gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=RD_NEW)
        gdf["division"] = VM_DIVISION
        gdf["cbs_code"] = None
        areas = validate_areas(gdf, file=file)
        crosswalk = build_crosswalk(
            areas[areas["level"] == "wijk"], buurten, from_division=VM_DIVISION, to_division="2015"
        )
        return areas, crosswalk

    def catalogue(self) -> pd.DataFrame:
        rows = []
        for label, (indicator, nl, en, effort, desc) in SUBINDICES.items():
            text = (
                f"{desc} OIS Veiligheidsindex (block '{label}'); 100 = mean of the police region "
                "Amsterdam-Amstelland in 2014, lower is safer. Per Veiligheidsmonitor area (division vm) "
                "and per gebied (DX01..DX22, division 2015); 2019 = the third 2019 measurement."
            )
            rows.append(
                {
                    "indicator": indicator,
                    "label_nl": nl,
                    "label_en": en,
                    "unit": UNIT,
                    "description": text,
                    "source": self.name,
                    "effort_dependent": effort,
                    "canonical": True,
                }
            )
        return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
