"""The views shared by the pages and the JSON API: a map layer, an area profile, the inventory.

Each function takes the public read model (``weerbaar.public.PublicData``) and plain query
values and returns plain data (dicts, frames, GeoJSON); pages add HTML and charts, the API
serialises. Nothing here touches the warehouse directly, so disclosure control cannot be skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from ..contract import LEVELS
from ..errors import InputError, NotFoundError
from ..public import RESULT_KINDS, PublicData
from . import silence
from .i18n import number, t

WITHHELD = ("primary", "secondary", "pending", "suppressed")
FOCUS_STADSDELEN = ("Zuidoost", "Nieuw-West", "Centrum")
#: Result kinds as map layers: layer name -> (kind, measure to colour by, categorical?)
RESULT_LAYERS = {
    "vulnerability": ("vulnerability", "composite", False),
    "zwijgwijken": ("zwijgwijken", "flag", True),
    "hotspots.gi": ("hotspots.gi", "category", True),
    "emerging": ("emerging", "category", True),
}


def status_public(status: str) -> str:
    """The status the public sees: primary and secondary suppression look the same."""
    return "withheld" if status in WITHHELD else status


def link(path: str, lang: str, **params: object) -> str:
    """A page URL with the language and the given query parameters (empty values left out)."""
    q = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    if lang != "nl":
        q["lang"] = lang
    query = urlencode(q, doseq=True)
    return f"{path}?{query}" if query else path


def division_param(data: PublicData, division: str | None) -> str | None:
    """The division for a link: left out when it is the default one (shorter, stable URLs)."""
    return None if division == data.meta()["default_division"] else division


@dataclass
class MapLayer:
    """A map layer ready to draw: features (WGS84) with values, labels and links, plus its description."""

    layer: str
    kind: str  # "indicator" or "result"
    division: str
    level: str
    period: str
    unit: str
    title: str
    source: str
    synthetic: bool
    categorical: bool
    table: pd.DataFrame  # index code: name, value, label, status, category, href
    notes: list[str] = field(default_factory=list)
    indicator: str | None = None
    run: dict | None = None
    measure: str = "value"

    def geojson(self, data: PublicData) -> dict:
        geo = data.geometry(self.division, self.level)
        features = []
        for code, geom in zip(geo.index, geo.geometry, strict=True):
            if code not in self.table.index:
                continue
            row = self.table.loc[code]
            props = {
                "code": code,
                "name": row["name"],
                "value": None if pd.isna(row["value"]) else float(row["value"]),
                "label": row["label"],
                "status": row["status"],
                "href": row["href"],
            }
            if self.categorical:
                props["category"] = row["category"]
            features.append(
                {"type": "Feature", "properties": props, "geometry": rounded_geometry(geom.__geo_interface__)}
            )
        return {
            "type": "FeatureCollection",
            "features": features,
            "properties": self.describe(),
        }

    def describe(self) -> dict:
        return {
            "layer": self.layer,
            "kind": self.kind,
            "indicator": self.indicator,
            "division": self.division,
            "level": self.level,
            "period": self.period,
            "measure": self.measure,
            "unit": self.unit,
            "title": self.title,
            "source": self.source,
            "synthetic": self.synthetic,
            "notes": self.notes,
            "run_id": (self.run or {}).get("run_id"),
        }


def rounded_geometry(geom: dict, digits: int = 5) -> dict:
    """Coordinates rounded to 5 decimals (about 1 m): a third of the bytes, nothing visible lost."""

    def walk(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(c[0], digits), round(c[1], digits)]
        return [walk(x) for x in c]

    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}


def parse_layer(layer: str) -> tuple[str, str | None, str | None]:
    """'registered.drug_trade' -> ('indicator', indicator, None); 'result:emerging:reports.x' -> ('result', ...)."""
    if layer.startswith("result:"):
        parts = layer.split(":")
        kind = parts[1] if len(parts) > 1 else ""
        ind = parts[2] if len(parts) > 2 and parts[2] else None
        if kind not in RESULT_LAYERS:
            raise NotFoundError(
                "Unknown analysis layer.",
                received=repr(layer),
                expected="result:vulnerability, result:zwijgwijken, result:hotspots.gi:<indicator> or "
                "result:emerging:<indicator>[:<trend test>]",
                fix="pick a layer from the list on the map page or from /api/v1/results",
            )
        return "result", ind, kind
    return "indicator", layer, None


def layer_trend_test(layer: str) -> str | None:
    """The trend test named by an emerging hot-spot layer ('result:emerging:<indicator>:seasonal'), or None
    (the latest run, whichever test it used)."""
    parts = layer.split(":")
    if len(parts) < 4 or parts[1] != "emerging" or not parts[3]:
        return None
    from ..analysis.kendall import check_trend_test

    try:
        return check_trend_test(parts[3])
    except InputError:
        raise NotFoundError(
            "Unknown trend test in the layer.",
            received=repr(layer),
            expected="result:emerging:<indicator>:mk, :hamed-rao or :seasonal",
            fix="pick a layer from the list on the map page",
        ) from None


def trend_test_label(run: dict, lang: str) -> str:
    """The trend test of a stored emerging hot-spot run in words (runs stored without one used Mann-Kendall)."""
    params = run.get("parameters") or {}
    return t(f"trend_test.{params.get('trend_test', 'mk')}", lang)


def trend_test_options(data: PublicData, runs: pd.DataFrame, division: str, lang: str) -> list[tuple[str, str]]:
    """Map layer choices for emerging hot spots computed with another trend test than the indicator's latest
    run ('result:emerging:<indicator>:<test>'), labelled with the test."""
    out = []
    em = runs[runs["kind"] == "emerging"]
    for ind, part in em.groupby("indicator", sort=False):
        tests = list(dict.fromkeys((p or {}).get("trend_test", "mk") for p in part["parameters"]))
        for test in tests[1:]:  # the first (newest) is the plain layer result:emerging:<indicator>
            text = f"{t('result.emerging', lang)} — {indicator_label(data, str(ind), division, lang)}"
            out.append((f"result:emerging:{ind}:{test}", f"{text} ({t(f'trend_test.{test}', lang)})"))
    return out


def indicator_label(data: PublicData, indicator: str, division: str, lang: str) -> str:
    labels = data.cached(
        ("labels", lang),
        lambda: {
            (r.division, r.indicator): str(r.label_en if lang == "en" else r.label_nl)
            for r in data.catalogue().itertuples()
        },
    )
    return labels.get((division, indicator), indicator)


#: Dutch titles of sources whose own title is English.
SOURCE_TITLES_NL = {"synthetic-default": "Synthetische demonstratielagen (gegenereerd)"}


def source_titles(data: PublicData, names: list[str], lang: str = "nl") -> str:
    src = data.sources().set_index("name")
    titles = []
    for n in names:
        if lang == "nl" and n in SOURCE_TITLES_NL:
            titles.append(SOURCE_TITLES_NL[n])
        elif n in src.index:
            title = str(src.loc[n, "title"] or n)
            if lang == "nl":
                from .source_texts import source_text

                title = source_text(title, lang)[0]
            titles.append(title.split(" (")[0] if len(title) > 60 else title)
        else:
            titles.append(n)
    return "; ".join(dict.fromkeys(titles))


def map_layer(
    data: PublicData,
    layer: str,
    *,
    division: str | None = None,
    level: str = "buurt",
    period: str | None = None,
    measure: str = "value",
    lang: str = "nl",
    run_id: str | None = None,
) -> MapLayer:
    """One map layer (indicator or stored result) at a level and period, disclosure-controlled.

    A result layer shows the latest run of its kind, or the run ``run_id`` (the council report's own period)."""
    division = data.division(division)
    kind, indicator, result_kind = parse_layer(layer)
    if kind == "indicator":
        assert indicator is not None  # parse_layer: an indicator layer is named by its indicator
        lay = data.layer(indicator, division=division, level=level, period=period, measure=measure)
        table = lay.frame[["name", "value", "status"]].copy()
        table["status"] = table["status"].map(status_public)
        decimals = None
        table["label"] = [
            t("status.withheld", lang)
            if s == "withheld"
            else (t("status.missing", lang) if s == "missing" or pd.isna(v) else number(v, lang, decimals))
            for v, s in zip(table["value"], table["status"], strict=True)
        ]
        table["category"] = None
        table["href"] = [link(f"/area/{c}", lang, division=division_param(data, division)) for c in table.index]
        notes: list[str] = []
        for n in lay.notes:
            if n.startswith("withheld:"):
                notes.append(f"withheld:{n.split(':')[1]}")
            else:
                notes.append(n)
        return MapLayer(
            layer=layer,
            kind="indicator",
            division=division,
            level=lay.level,
            period=lay.period,
            unit=lay.unit,
            title=indicator_label(data, indicator, division, lang),
            source=source_titles(data, lay.sources, lang),
            synthetic=lay.synthetic,
            categorical=False,
            table=table,
            notes=notes,
            indicator=indicator,
            measure=measure,
        )
    assert result_kind is not None  # parse_layer: an analysis layer names its kind
    rkind, col, categorical = RESULT_LAYERS[result_kind]
    if result_kind in ("hotspots.gi", "emerging") and not indicator:
        indicator = "registered.drug_trade"
    if run_id is None:
        run = data.latest_run(rkind, division=division, indicator=indicator, trend_test=layer_trend_test(layer))
        view = data.result(run["run_id"])
    else:
        view = data.result(run_id)
        run = view.run
    frame = view.frame
    areas = data.areas(division)
    table = pd.DataFrame(index=frame.index.rename("code"))
    table["name"] = areas["name"].reindex(table.index)
    notes = []
    if run["level"] != level:
        notes.append(f"level:{run['level']}")
    if categorical:
        cats = frame[col].fillna("").astype(str)
        if col == "flag":
            cats = cats.replace({"": "none"})
            cats = cats.where(
                frame.get("tested", pd.Series(True, index=frame.index)).fillna(False).astype(bool) | (cats != "none"),
                "not tested",
            )
        table["category"] = cats
        table["value"] = np.nan
        table["label"] = [category_label(c, lang) for c in cats]
        if col == "flag" and "p_silent" in frame.columns:  # the probability in words (web/silence.py)
            pairs = zip(table["label"], frame["p_silent"], strict=True)
            table["label"] = [silence.map_label(x, p, lang) for x, p in pairs]
        table["status"] = "published"
    else:
        table["value"] = pd.to_numeric(frame[col], errors="coerce")
        table["category"] = None
        table["status"] = np.where(table["value"].notna(), "published", "missing")
        table["label"] = [number(v, lang, 2) for v in table["value"]]
    table["href"] = [link(f"/area/{c}", lang, division=division_param(data, division)) for c in table.index]
    title = t(f"result.{result_kind}", lang)
    if indicator:
        title += f" {t('result.of', lang)} {indicator_label(data, indicator, division, lang).lower()}"
    return MapLayer(
        layer=layer,
        kind="result",
        division=division,
        level=run["level"],
        period=str(run["period"]),
        unit="score 0–1" if col == "composite" else ("categorie" if lang == "nl" else "category"),
        title=title,
        source="weerbaar: "
        + (run["kind"])
        + f" (run {run['run_id']}"
        + (f"; {t('trend_test', lang)}: {trend_test_label(run, lang)}" if result_kind == "emerging" else "")
        + ")",
        synthetic=bool(run["synthetic"]),
        categorical=categorical,
        table=table,
        notes=notes,
        indicator=indicator,
        run=view.run,
        measure=col,
    )


CATEGORY_NL = {
    "not significant": "niet significant",
    "insufficient data": "onvoldoende gegevens",
    "no pattern detected": "geen patroon",
    "zwijgwijk": "zwijgwijk (minder meldingen dan verwacht)",
    "effort": "inzet-effect (meer registraties dan verwacht)",
    "none": "geen signaal",
    "not tested": "niet getoetst",
}
CATEGORY_EN = {
    "zwijgwijk": "silent neighbourhood (fewer reports than expected)",
    "effort": "effort effect (more registrations than expected)",
    "none": "no signal",
}
_SPOT_NL = {
    "new": "nieuwe",
    "consecutive": "aaneengesloten",
    "intensifying": "toenemende",
    "persistent": "aanhoudende",
    "diminishing": "afnemende",
    "sporadic": "sporadische",
    "oscillating": "wisselende",
    "historical": "historische",
}


def category_label(category: object, lang: str) -> str:
    """Readable label of a stored category (hot spot, emerging, zwijgwijk flag) in the language."""
    c = str(category)
    if lang == "en":
        return CATEGORY_EN.get(c, c)
    if c in CATEGORY_NL:
        return CATEGORY_NL[c]
    words = c.split()
    if "spot" in words:
        pct = f" ({words[-1]})" if words[-1].endswith("%") else ""
        spot = "hotspot" if "hot" in words else "coldspot"
        adj = next((_SPOT_NL[w] for w in words if w in _SPOT_NL), "")
        return f"{adj} {spot}{pct}".strip()
    return c


def ranked_table(lay: MapLayer) -> pd.DataFrame:
    """The layer's areas ordered for 'highest' and 'lowest' lists (published values only)."""
    t_ = lay.table[lay.table["status"].isin(["published", "rounded"]) & lay.table["value"].notna()]
    return t_.sort_values(["value", "name"], ascending=[False, True])


# -- area profile -------------------------------------------------------------------------------
def profile(data: PublicData, code: str, *, division: str | None = None, lang: str = "nl") -> dict:
    """Everything public about one area: place in the hierarchy, indicators against its stadsdeel and
    the city, its inventory position, zwijgwijk/effort flag and hot spot status."""
    division, area = data.area(code, division)
    areas = data.areas(division)
    level = str(area["level"])
    parent = area["parent"] if isinstance(area["parent"], str) and area["parent"] in areas.index else None
    children = areas[areas["parent"] == code].sort_values("name")
    neighbours = data.neighbours(division, level).get(code, []) if level != "stad" else []
    stadsdeel = area["stadsdeel"] if isinstance(area["stadsdeel"], str) else None
    stad = area["stad"] if isinstance(area["stad"], str) else None

    def ref(c: str | None) -> dict | None:
        if c is None or c not in areas.index:
            return None
        return {"code": c, "name": areas.loc[c, "name"], "level": areas.loc[c, "level"]}

    out: dict = {
        "code": code,
        "name": area["name"],
        "level": level,
        "division": division,
        "cbs_code": area["cbs_code"] if isinstance(area["cbs_code"], str) else None,
        "parent": ref(parent),
        "stadsdeel": ref(stadsdeel) if stadsdeel != code else None,
        "children": [ref(c) for c in children.index],
        "neighbours": [ref(c) for c in neighbours if c in areas.index],
        "indicators": _profile_indicators(data, division, code, level, stadsdeel, stad, lang),
        "synthetic": False,
    }
    out["synthetic"] = any(i["synthetic"] for i in out["indicators"])
    out["results"] = _profile_results(data, division, code, level, stadsdeel, lang)
    out["synthetic"] = out["synthetic"] or any(r["synthetic"] for r in out["results"].values() if r)
    return out


def _series_index(frame: pd.DataFrame) -> dict[str, list[tuple[str, float | None, str]]]:
    """area code -> [(period, value, public status), ...] in period order."""
    out: dict[str, list] = {}
    for code, period, value, status in zip(
        frame["area_code"], frame["period"], frame["value"], frame["status"], strict=True
    ):
        out.setdefault(code, []).append((period, _num(value), status_public(status)))
    return out


def _indexed(data: PublicData, division: str, indicator: str, level: str) -> dict:
    """The yearly table of an indicator at a level, indexed by area (cached: profiles read it many times)."""
    return data.cached(
        ("series-index", division, indicator, level), lambda: _series_index(data.table(division, indicator, level))
    )


def _profile_indicators(data, division, code, level, stadsdeel, stad, lang) -> list[dict]:
    cat = data.catalogue()
    cat = cat[cat["division"] == division]
    rows = []
    idx = LEVELS.index(level)
    division_levels = data.meta()["divisions"][division]
    direct = data.yearly_values(division, [c for c in (code, stadsdeel, stad) if c])
    direct_index = data.cached(
        ("direct-index", division, code),
        lambda: {k: _series_index(g.assign(status="published")) for k, g in direct.groupby("indicator")},
    )
    for info in cat.itertuples():
        levels = list(info.levels)
        here = level in levels
        below = any(LEVELS.index(lv) > idx for lv in levels)
        # canonical indicators aggregate up from finer levels; source-specific ones are shown where published
        if not (here or (info.canonical and below)):
            continue
        plain = not info.canonical and not info.flow

        def lookup(lv: str, indicator: str = info.indicator, plain: bool = plain, flow: bool = info.flow) -> dict:
            if plain:
                # published for this very area: no aggregation, so one query serves hundreds of indicators
                return direct_index.get(indicator, {})
            if flow:
                data.prefetch_cubes(division, cat.loc[cat["flow"], "indicator"].tolist())
            try:
                return _indexed(data, division, indicator, lv)
            except InputError:
                return {}

        series = lookup(level).get(code, [])
        present = [x for x in series if x[2] != "missing"]
        if not present:
            continue
        last_period, last_value, last_status = present[-1]
        item = {
            "indicator": info.indicator,
            "label": info.label_en if lang == "en" else info.label_nl,
            "unit": info.unit,
            "canonical": bool(info.canonical),
            "flow": bool(info.flow),
            "synthetic": bool(info.synthetic),
            "sources": list(info.sources),
            "period": last_period,
            "value": last_value,
            "status": last_status,
            "series": [{"period": p, "value": v, "status": st} for p, v, st in series],
            "stadsdeel": None,
            "stad": None,
        }
        for key, other, other_level in (("stadsdeel", stadsdeel, "stadsdeel"), ("stad", stad, "stad")):
            if other is None or other == code or other_level not in division_levels:
                continue
            if other_level not in levels and not (info.canonical and LEVELS.index(other_level) < idx):
                continue
            hit = [x for x in lookup(other_level).get(other, []) if x[0] == last_period]
            if hit:
                item[key] = {"value": hit[0][1], "status": hit[0][2]}
        rows.append(item)
    return rows


def _num(v) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _result_rows(data: PublicData, run_id: str) -> dict[str, dict]:
    """A public result as area code -> JSON-ready row (cached: every profile reads every run)."""

    def make() -> dict[str, dict]:
        frame = data.result(run_id).frame
        cols = list(frame.columns)
        return {
            code: {c: _jsonable(v) for c, v in zip(cols, row, strict=True)}
            for code, row in zip(frame.index, frame.itertuples(index=False), strict=True)
        }

    return data.cached(("result-rows", run_id), make)


def _profile_results(data: PublicData, division, code, level, stadsdeel, lang) -> dict:
    out: dict = {}

    def list_runs() -> list[tuple]:
        runs = data.runs(division)
        runs = runs[runs["level"] == level].drop_duplicates(subset=["kind", "indicator"])
        return [
            (r.run_id, r.kind, r.indicator if isinstance(r.indicator, str) else None, r.period, bool(r.synthetic))
            for r in runs.itertuples()
        ]

    runs = data.cached(("profile-runs", division, level), list_runs)
    for run_id, kind, ind, period, synthetic in sorted(runs, key=lambda r: list(RESULT_KINDS).index(r[1])):
        key = kind if not ind else f"{kind}:{ind}"
        row = _result_rows(data, run_id).get(code)
        if row is None:
            out[key] = None
            continue
        item = {
            "run_id": run_id,
            "kind": kind,
            "indicator": ind,
            "period": period,
            "synthetic": synthetic,
            "values": row,
        }
        if kind == "vulnerability":
            n_ranked, by_sd, city = _domain_means(data, division, run_id)
            item["n_ranked"] = n_ranked
            item["ranking"] = ranking_counts(data, run_id)
            item["domains"] = [
                {
                    "domain": d.split(".", 1)[1],
                    "area": row.get(d),
                    "stadsdeel": _num(by_sd[d].get(stadsdeel)) if stadsdeel in by_sd.index else None,
                    "stad": _num(city[d]),
                }
                for d in city.index
            ]
        if "category" in row:
            item["category_label"] = category_label(row["category"], lang)
        if ind:
            item["indicator_label"] = indicator_label(data, ind, division, lang)
        if kind == "zwijgwijken":
            item["reason"] = row.get("reason_en" if lang == "en" else "reason_nl")
            params = data.result(run_id).run.get("parameters")
            item["silence"] = silence.profile_silence(row, params, lang, synthetic)
        out[key] = item
    return out


def ranking_counts(data: PublicData, run_id: str) -> dict:
    """Which areas of an inventory run are ranked, and why the others are not: total, scored (a composite
    score, coloured on the map), ranked, too small (below the run's minimum population), without an estimate
    of the drug problem (the measurement model's inputs do not cover them), and that minimum."""

    def make() -> dict:
        view = data.result(run_id)
        f = view.frame
        params = (view.run.get("parameters") or {}).get("config") or {}
        ranked = pd.to_numeric(f["rank"], errors="coerce").notna() if "rank" in f else pd.Series(False, f.index)
        scored = pd.to_numeric(f["composite"], errors="coerce").notna() if "composite" in f else ranked
        reason = f["not_ranked_reason"].fillna("").astype(str) if "not_ranked_reason" in f else pd.Series("", f.index)
        small = reason.str.startswith("population") & ~ranked
        unestimated = reason.str.startswith("no estimate of the drug problem") & ~ranked
        return {
            "total": len(f),
            "scored": int(scored.sum()),
            "ranked": int(ranked.sum()),
            "small": int(small.sum()),
            "unestimated": int(unestimated.sum()),
            "unscored": int((~scored).sum()),
            "min_population": params.get("min_population"),
        }

    return data.cached(("ranking-counts", run_id), make)


def _domain_means(data: PublicData, division: str, run_id: str) -> tuple[int, pd.DataFrame, pd.Series]:
    """Ranked areas, and the mean domain scores per stadsdeel and for the city, of one inventory run."""

    def make():
        f = data.result(run_id).frame
        ranked = f["ranked"].astype(str).str.lower().isin(["true", "1", "1.0"]) if "ranked" in f else f.index == f.index
        doms = [c for c in f.columns if c.startswith("domain.")]
        scores = f[doms].apply(pd.to_numeric, errors="coerce")
        sd = data.areas(division)["stadsdeel"].reindex(f.index)
        return int(ranked.sum()), scores.groupby(sd).mean(), scores.mean()

    return data.cached(("domain-means", run_id), make)


def _jsonable(v):
    if v is None:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if pd.isna(v):
        return None
    return str(v)


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame as JSON-safe records (NaN -> null)."""
    cols = list(frame.columns)
    return [{c: _jsonable(v) for c, v in zip(cols, row, strict=True)} for row in frame.itertuples(index=False)]


# -- inventory ----------------------------------------------------------------------------------
def inventory(
    data: PublicData, *, division: str | None = None, stadsdelen: list[str] | None = None, run_id: str | None = None
) -> tuple:
    """The ranked vulnerability inventory (latest run, or ``run_id``), filtered by stadsdeel names or codes."""
    division = data.division(division)
    if run_id is None:
        run_id = data.latest_run("vulnerability", division=division)["run_id"]
    view = data.result(run_id)
    f = view.frame.copy()
    areas = data.areas(division)
    f["stadsdeel_code"] = areas["stadsdeel"].reindex(f.index)
    f["stadsdeel_name"] = [areas["name"].get(c) if isinstance(c, str) else None for c in f["stadsdeel_code"]]
    if stadsdelen:
        wanted = {s.lower() for s in stadsdelen}
        f = f[f["stadsdeel_code"].str.lower().isin(wanted) | f["stadsdeel_name"].str.lower().isin(wanted)]
    f = f.sort_values(["rank", "name"], na_position="last")
    return view.run, f


SUBSTANCE_NL = {
    "cocaine": "Cocaïne",
    "mdma": "MDMA (xtc)",
    "amphetamine": "Amfetamine (speed)",
    "methamphetamine": "Methamfetamine",
    "ketamine": "Ketamine",
    "cannabis": "Cannabis",
}


def substance_label(key: str, lang: str) -> str:
    if lang == "en":
        return {"mdma": "MDMA (ecstasy)", "amphetamine": "Amphetamine"}.get(key, key.capitalize())
    return SUBSTANCE_NL.get(key, key)


def t_source_euda(lang: str) -> str:
    return "EUDA en SCORE-groep (rioolwater)" if lang == "nl" else "EUDA and the SCORE group (wastewater)"
