"""Composite index of criminogenic vulnerability (measure 7), after the JRC/OECD handbook.

Indicators are grouped in domains that stay visible: resident vulnerability, registered drug
crime (effort-dependent), experienced nuisance, and signals. Each indicator gets a direction,
count indicators become empirical-Bayes rates per 1,000 inhabitants, every indicator is
normalised (min-max, z-score or percentile rank), aggregated within its domain and then across
domains (arithmetic or geometric, with weights). Areas under a minimum population are scored but
not ranked. See docs/methods/composite-index.md and docs/decisions/0006-default-inventory.md.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .rates import eb_rates

__all__ = [
    "AGGREGATIONS",
    "NORMALISATIONS",
    "CompositeConfig",
    "CompositeResult",
    "IndicatorSpec",
    "composite_index",
    "prepare_indicators",
    "normalise",
    "aggregate",
]

NORMALISATIONS = ("minmax", "zscore", "rank")
AGGREGATIONS = ("arithmetic", "geometric")
MISSING = ("exclude", "impute")
GEOMETRIC_FLOOR = 0.01  # geometric aggregation works on values rescaled to [0.01, 1]


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of the index: its domain, direction (+1: higher is more vulnerable), its
    weight within the domain, and whether it is a count to turn into a rate per 1,000."""

    name: str
    domain: str
    direction: int = 1
    weight: float = 1.0
    per_capita: bool = False


@dataclass(frozen=True)
class CompositeConfig:
    indicators: tuple[IndicatorSpec, ...]
    domain_weights: Mapping[str, float] = field(default_factory=dict)
    normalisation: str = "rank"
    aggregation: str = "arithmetic"
    min_population: float = 250.0
    missing: str = "exclude"
    effort_dependent_domains: tuple[str, ...] = ("registered",)
    population: str = "population"

    def __post_init__(self) -> None:
        _choice("normalisation", self.normalisation, NORMALISATIONS)
        _choice("aggregation", self.aggregation, AGGREGATIONS)
        _choice("missing", self.missing, MISSING)
        if not self.indicators:
            raise InputError(
                "The index has no indicators.",
                received="an empty list",
                expected="at least one indicator",
                fix="list indicators in the configuration",
            )
        names = [s.name for s in self.indicators]
        if len(set(names)) != len(names):
            raise InputError(
                "An indicator is listed twice.",
                received=", ".join(names),
                expected="each indicator once",
                fix="remove the duplicate",
            )
        for s in self.indicators:
            if s.direction not in (1, -1) or not (s.weight > 0 and math.isfinite(s.weight)):
                raise InputError(
                    f"Invalid direction or weight for {s.name}.",
                    received=f"direction {s.direction}, weight {s.weight}",
                    expected="direction 1 or -1 and a positive weight",
                    fix="correct the configuration",
                )
        for d, w in self.domain_weights.items():
            if not (w > 0 and math.isfinite(w)):
                raise InputError(
                    f"Invalid weight for domain {d}.",
                    received=str(w),
                    expected="a positive number",
                    fix="correct the configuration",
                )

    @property
    def domains(self) -> list[str]:
        seen: list[str] = []
        for s in self.indicators:
            if s.domain not in seen:
                seen.append(s.domain)
        return seen

    def domain_weight(self, domain: str) -> float:
        return float(self.domain_weights.get(domain, 1.0))

    @classmethod
    def default(cls) -> CompositeConfig:
        """The default inventory (docs/decisions/0006-default-inventory.md)."""
        return cls(
            indicators=(
                IndicatorSpec("ses.vulnerable_pct", "vulnerability"),
                IndicatorSpec("registered.drug_trade", "registered", per_capita=True),
                IndicatorSpec("registered.drug_use", "registered", per_capita=True),
                IndicatorSpec("registered.drug_production", "registered", per_capita=True),
                IndicatorSpec("survey.drug_nuisance_pct", "nuisance"),
                IndicatorSpec("reports.drug_nuisance", "signals", per_capita=True),
                IndicatorSpec("tips.anonymous_drugs", "signals", per_capita=True),
            )
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> CompositeConfig:
        """Read a configuration file (see docs/methods/composite-index.md for the format)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(
                "Configuration file not found.",
                received=str(path),
                expected="a TOML file",
                fix="check the path",
                file=str(path),
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(
                "The configuration is not valid TOML.",
                received=str(exc)[:200],
                expected="a TOML file as in docs/methods/composite-index.md",
                fix="correct the syntax",
                file=str(path),
            ) from None
        return cls.from_dict(data, file=str(path))

    @classmethod
    def from_dict(cls, data: Mapping, *, file: str | None = None) -> CompositeConfig:
        known = {"normalisation", "aggregation", "min_population", "missing", "domains", "effort_dependent_domains"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(
                "Unknown keys in the configuration.",
                received=", ".join(unknown),
                expected=", ".join(sorted(known)),
                fix="remove or rename them",
                file=file,
            )
        domains = data.get("domains")
        if not isinstance(domains, Mapping) or not domains:
            raise InputError(
                "The configuration has no domains.",
                received=repr(domains)[:100],
                expected="[domains.<name>] tables with weight and indicators",
                fix="see docs/methods/composite-index.md",
                file=file,
            )
        specs, weights = [], {}
        for dname, d in domains.items():
            if not isinstance(d, Mapping) or not isinstance(d.get("indicators"), list):
                raise InputError(
                    f"Domain {dname} lacks its indicator list.",
                    received=repr(d)[:100],
                    expected="indicators = [{ name = ..., direction = 1, per_capita = false }]",
                    fix="see docs/methods/composite-index.md",
                    file=file,
                )
            weights[dname] = float(d.get("weight", 1.0))
            for item in d["indicators"]:
                item = {"name": item} if isinstance(item, str) else dict(item)
                bad = sorted(set(item) - {"name", "direction", "weight", "per_capita"})
                if bad or "name" not in item:
                    raise InputError(
                        f"Invalid indicator entry in domain {dname}.",
                        received=repr(item)[:100],
                        expected="name, and optionally direction, weight, per_capita",
                        fix="correct the entry",
                        file=file,
                    )
                specs.append(
                    IndicatorSpec(
                        item["name"],
                        dname,
                        int(item.get("direction", 1)),
                        float(item.get("weight", 1.0)),
                        bool(item.get("per_capita", False)),
                    )
                )
        kwargs = {k: data[k] for k in ("normalisation", "aggregation", "missing") if k in data}
        if "min_population" in data:
            kwargs["min_population"] = float(data["min_population"])
        if "effort_dependent_domains" in data:
            kwargs["effort_dependent_domains"] = tuple(data["effort_dependent_domains"])
        return cls(indicators=tuple(specs), domain_weights=weights, **kwargs)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["domain_weights"] = dict(self.domain_weights)
        return d

    def replace(self, **changes: object) -> CompositeConfig:
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d.update(changes)
        return CompositeConfig(**d)


def _choice(what: str, value: str, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise InputError(
            f"Unknown {what}.",
            received=repr(value),
            expected=", ".join(valid),
            fix=f"choose one of: {', '.join(valid)}",
        )


@dataclass(frozen=True)
class Prepared:
    """Indicator values ready to normalise: rates computed, directions applied, gaps handled."""

    values: pd.DataFrame  # area x indicator, direction applied (higher = more vulnerable)
    raw: pd.DataFrame  # area x indicator as used (rates per 1,000 for per-capita indicators)
    rankable: pd.Series  # bool per area
    reason: pd.Series  # why an area is not ranked ("" if ranked)
    imputed: pd.Series  # comma-separated imputed indicators per area
    specs: tuple[IndicatorSpec, ...]  # the indicators actually used
    absent: tuple[str, ...]  # configured indicators not in the data at all
    notes: tuple[str, ...]


def prepare_indicators(frame: pd.DataFrame, config: CompositeConfig) -> Prepared:
    """Turn a per-area frame (index area code, one column per indicator) into index inputs."""
    if frame.index.has_duplicates:
        raise InputError(
            "The area table has duplicate area codes.",
            received=", ".join(map(str, frame.index[frame.index.duplicated()][:5])),
            expected="one row per area",
            fix="aggregate the rows per area first",
        )
    frame = frame.sort_index()
    absent = tuple(s.name for s in config.indicators if s.name not in frame.columns)
    specs = tuple(s for s in config.indicators if s.name in frame.columns)
    notes: list[str] = []
    if not specs:
        raise InputError(
            "None of the index's indicators is in the data.",
            received=", ".join(map(str, frame.columns)) or "(no columns)",
            expected=", ".join(s.name for s in config.indicators),
            fix="load these indicators or configure the index with indicators that are present",
        )
    for d in config.domains:
        if not any(s.domain == d for s in specs):
            notes.append(f"domain '{d}' has none of its indicators in the data and is left out of the index")
    if absent:
        notes.append("indicators not in the data: " + ", ".join(absent))
    pop = frame[config.population].astype("float64") if config.population in frame.columns else None
    needs_pop = [s.name for s in specs if s.per_capita]
    if needs_pop and pop is None:
        raise InputError(
            "Rates per 1,000 need the population.",
            received=f"no '{config.population}' column",
            expected=f"a population per area for {', '.join(needs_pop)}",
            fix="load the population indicator or set per_capita = false",
        )
    raw = pd.DataFrame(index=frame.index)
    for s in specs:
        col = frame[s.name].astype("float64")
        if s.per_capita:
            assert pop is not None  # needs_pop: checked above
            col = eb_rates(col, pop)
        raw[s.name] = col
    missing = raw.isna()
    reason = pd.Series("", index=frame.index, dtype=object)
    imputed = pd.Series("", index=frame.index, dtype=object)
    small = pd.Series(False, index=frame.index)
    if pop is not None:
        small = ~(pop >= config.min_population)
        reason[small] = np.array(
            [f"population {'unknown' if pd.isna(p) else int(p)} < {config.min_population:g}" for p in pop[small]],
            dtype=object,
        )
    rankable = ~small
    if missing.any().any():
        listed = missing.apply(lambda r: ", ".join(c for c, m in r.items() if m), axis=1)
        if config.missing == "exclude":
            gap = missing.any(axis=1) & rankable
            reason[gap] = "missing " + listed[gap]
            rankable &= ~missing.any(axis=1)
        else:
            medians = raw[rankable].median()
            imputed = listed.where(missing.any(axis=1), "")
            raw = raw.fillna(medians)
            notes.append(f"{int(missing.any(axis=1).sum())} areas with imputed values (median of ranked areas)")
    values = raw * np.array([s.direction for s in specs], dtype="float64")
    return Prepared(values, raw, rankable, reason, imputed, specs, absent, tuple(notes))


def normalise(values: pd.DataFrame | np.ndarray, method: str, rankable: np.ndarray | None = None) -> np.ndarray:
    """Normalise each column; parameters come from the rankable areas and apply to every area.

    minmax: (x - min) / (max - min) in [0, 1]; zscore: (x - mean) / sd; rank: the share of
    rankable areas with a value <= x (a percentile in (0, 1]). A constant column becomes 0.5
    (minmax, rank) or 0 (zscore).
    """
    _choice("normalisation", method, NORMALISATIONS)
    x = np.asarray(values, dtype="float64")
    ref = x if rankable is None else x[np.asarray(rankable, dtype=bool)]
    out = np.empty_like(x)
    for k in range(x.shape[1]):
        col, r = x[:, k], ref[:, k]
        r = r[~np.isnan(r)]
        if method == "minmax":
            lo, hi = (r.min(), r.max()) if r.size else (np.nan, np.nan)
            out[:, k] = (col - lo) / (hi - lo) if hi > lo else 0.5
        elif method == "zscore":
            sd = r.std(ddof=1) if r.size > 1 else 0.0
            out[:, k] = (col - r.mean()) / sd if sd > 0 else 0.0
        else:
            srt = np.sort(r)
            if srt.size and srt[0] < srt[-1]:
                out[:, k] = np.searchsorted(srt, col, side="right") / srt.size
            else:
                out[:, k] = 0.5
            out[np.isnan(col), k] = np.nan
    return out


def _positive(z: np.ndarray, rankable: np.ndarray) -> np.ndarray:
    """Rescale normalised columns to [GEOMETRIC_FLOOR, 1] for geometric aggregation."""
    ref = z[rankable]
    lo, hi = np.nanmin(ref, axis=0), np.nanmax(ref, axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    out: np.ndarray = np.clip(GEOMETRIC_FLOOR + (1 - GEOMETRIC_FLOOR) * (z - lo) / span, GEOMETRIC_FLOOR, None)
    return out


def weight_matrix(
    specs: tuple[IndicatorSpec, ...], domains: list[str], indicator_weights: np.ndarray | None = None
) -> np.ndarray:
    """K x D matrix: the weight of each indicator within its domain (columns sum to 1)."""
    w = np.array([s.weight for s in specs], dtype="float64") if indicator_weights is None else indicator_weights
    m = np.zeros((len(specs), len(domains)))
    for k, s in enumerate(specs):
        m[k, domains.index(s.domain)] = w[k]
    sums = m.sum(axis=0)
    out: np.ndarray = np.divide(m, sums, out=np.zeros_like(m), where=sums > 0)
    return out


def aggregate(
    z: np.ndarray, within: np.ndarray, domain_weights: np.ndarray, method: str, rankable: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Domain scores (N x D) and the composite (N): weighted means within, then across domains.

    Domains whose weights are all zero (every indicator left out) drop out of the composite.
    """
    _choice("aggregation", method, AGGREGATIONS)
    active = within.sum(axis=0) > 0
    wd = np.where(active, domain_weights, 0.0)
    wd = wd / wd.sum()
    if method == "arithmetic":
        dom = z @ within
        comp = dom @ wd
    else:
        logs = np.log(_positive(z, rankable))
        dom = np.exp(logs @ within)
        comp = np.exp(np.log(np.where(active, dom, 1.0)) @ wd)
    dom = np.where(active, dom, np.nan)
    return dom, comp


def rank_desc(scores: np.ndarray, rankable: np.ndarray) -> np.ndarray:
    """Rank 1 = highest score among rankable areas (ties share the best rank); NaN elsewhere."""
    from scipy.stats import rankdata

    out = np.full(scores.shape, np.nan)
    ok = rankable & ~np.isnan(scores)
    out[ok] = rankdata(-scores[ok], method="min")
    return out


@dataclass(frozen=True)
class CompositeResult:
    """Composite index per area; ``to_frame()`` is keyed by area code."""

    table: pd.DataFrame
    contributions: pd.DataFrame  # area x domain: share of the composite (arithmetic) or log-share (geometric)
    config: CompositeConfig
    domains: tuple[str, ...]
    absent: tuple[str, ...]
    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> dict:
        t = self.table
        return {
            "areas": len(t),
            "ranked": int(t["ranked"].sum()),
            "not_ranked": int((~t["ranked"]).sum()),
            "domains": list(self.domains),
            "indicators": [s.name for s in self.config.indicators if s.name not in self.absent],
            "absent_indicators": list(self.absent),
            "notes": list(self.notes),
            "normalisation": self.config.normalisation,
            "aggregation": self.config.aggregation,
            "effort_dependent_domains": [d for d in self.config.effort_dependent_domains if d in self.domains],
            "top": t.loc[t["rank"] <= 5].sort_values("rank").index.tolist(),
        }

    def explain(self, area: str, groups: pd.Series | None = None) -> pd.DataFrame:
        """Each domain's score and contribution for one area, beside its group (stadsdeel) and the city."""
        if area not in self.table.index:
            raise InputError(
                "Unknown area.",
                received=repr(area),
                expected="an area code of the result",
                fix="use the code of an area in the result (`weerbaar areas` lists them)",
            )
        t = self.table
        ranked = t[t["ranked"]]
        rows = []
        for d in self.domains:
            col = f"domain.{d}"
            row = {
                "domain": d,
                "score": t.at[area, col],
                "contribution": self.contributions.at[area, d],
                "city_mean": ranked[col].mean(),
                "effort_dependent": d in self.config.effort_dependent_domains,
            }
            if groups is not None and area in groups.index:
                members = groups[groups == groups[area]].index.intersection(ranked.index)
                row["group"] = groups[area]
                row["group_mean"] = ranked.loc[members, col].mean()
            rows.append(row)
        return pd.DataFrame(rows)


def composite_index(frame: pd.DataFrame, config: CompositeConfig | None = None) -> CompositeResult:
    """Compute the composite index for one period from a per-area frame (index area code)."""
    config = config or CompositeConfig.default()
    prep = prepare_indicators(frame, config)
    domains = [d for d in config.domains if any(s.domain == d for s in prep.specs)]
    rankable = prep.rankable.to_numpy()
    z = normalise(prep.values, config.normalisation, rankable)
    within = weight_matrix(prep.specs, domains)
    wd = np.array([config.domain_weight(d) for d in domains])
    dom, comp = aggregate(z, within, wd, config.aggregation, rankable)
    comp = np.where(np.isnan(z).any(axis=1), np.nan, comp)
    wd_n = wd / wd.sum()
    if config.aggregation == "arithmetic":
        parts = dom * wd_n
        denom = parts.sum(axis=1, keepdims=True)
        contrib = np.divide(parts, denom, out=np.full_like(parts, np.nan), where=np.abs(denom) > 1e-12)
    else:
        parts = np.log(dom) * wd_n
        denom = parts.sum(axis=1, keepdims=True)
        contrib = np.divide(parts, denom, out=np.full_like(parts, np.nan), where=np.abs(denom) > 1e-12)
    idx = prep.values.index
    table = pd.DataFrame(
        {
            "composite": comp,
            "rank": rank_desc(comp, rankable),
            "ranked": rankable & ~np.isnan(comp),
            "not_ranked_reason": prep.reason.to_numpy(),
            "imputed": prep.imputed.to_numpy(),
        },
        index=idx,
    )
    for j, d in enumerate(domains):
        table[f"domain.{d}"] = dom[:, j]
    for k, s in enumerate(prep.specs):
        table[f"value.{s.name}"] = prep.raw[s.name].to_numpy()
        table[f"norm.{s.name}"] = z[:, k]
    table.index.name = "area_code"
    return CompositeResult(
        table, pd.DataFrame(contrib, index=idx, columns=domains), config, tuple(domains), prep.absent, prep.notes
    )
