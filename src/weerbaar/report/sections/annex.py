"""The report section: the annexes: methods, sources and notes."""

from __future__ import annotations

from ...analysis.measurement import DEFAULT_FDR
from ..model import Bullets, Para, Section, Table
from ..texts import rt
from .base import COUNTS, REPORTS, GathererBase


class AnnexSection(GathererBase):
    """The annexes: methods, sources and notes."""

    def zwijgwijk_fdr(self) -> int:
        """The Bayesian FDR (in %) of the zwijgwijk run this report rests on (the model's default without one)."""
        run, _ = self.run("zwijgwijken")
        alpha = (run.get("parameters") or {}).get("alpha") if run is not None else None
        return round(100 * (DEFAULT_FDR if alpha is None else float(alpha)))

    def methods(self) -> Section:
        lang = self.lang
        d = self.meta["disclosure"]
        blocks: list = [
            Para(rt("m.intro", lang)),
            Para(rt("m.disclosure", lang, threshold=d["threshold"], mode=d["mode"])),
            Para(rt("m.changes", lang)),
            Para(rt("m.vulnerability", lang)),
            Para(rt("m.zwijg", lang, fdr=self.zwijgwijk_fdr())),
            Para(rt("m.hotspots", lang)),
            Para(rt("m.wastewater", lang)),
            Para(rt("m.docs", lang)),
        ]
        runs = self.data.runs(self.division)
        if self.runs is not None:  # the analyses this report rests on, not every stored run
            runs = runs[runs["run_id"].isin(set(self.runs.values()))]
        runs = runs.sort_values(["kind", "indicator", "run_id"], na_position="first")
        rows = tuple(
            (
                str(r["kind"]) + (f" ({r['indicator']})" if isinstance(r["indicator"], str) else ""),
                str(r["run_id"]),
                str(r["period"]),
                str(r["level"]),
                ", ".join(
                    f"{k}={v}"
                    for k, v in sorted(r["parameters"].items())
                    if k != "indicator" and isinstance(v, (str, int, float, bool))
                )[:160],
            )
            for r in runs.to_dict("records")
        )
        blocks.append(
            Table(
                rt("tab.runs", lang),
                (rt("col.analysis", lang), "run", rt("period", lang), "level", rt("col.parameters", lang)),
                rows,
                ("l", "l", "l", "l", "l"),
                widths=(2.2, 1.2, 1.4, 0.8, 3.4),
            )
        )
        return Section("methods", rt("s.methods", lang), tuple(blocks), annex=True)

    def sources(self) -> Section:
        lang = self.lang
        src = self.data.sources()
        src = src[src["kind"] != "derived"]
        rows = tuple(
            (self.syn(str(r.title), bool(r.synthetic)), str(r.licence or "–"), str(r.attribution or "–"))
            for r in src.sort_values(["synthetic", "name"]).itertuples()
        )
        return Section(
            "sources",
            rt("s.sources", lang),
            (
                Table(
                    rt("tab.sources", lang),
                    (rt("col.source", lang), rt("col.licence", lang), rt("col.attribution", lang)),
                    rows,
                    ("l", "l", "l"),
                    widths=(3, 2, 3),
                ),
            ),
            annex=True,
        )

    def notes(self) -> Section:
        lang = self.lang
        items = []
        for ind in (*COUNTS, REPORTS):
            for when in self.breaks(ind):
                items.append(rt("n.break", lang, what=self.label(ind), when=when, division=self.division))
        if not items:
            items.append(rt("n.nobreak", lang))
        syn = self.meta["synthetic_sources"]
        items.append(rt("n.synthetic", lang, sources=", ".join(syn)) if syn else rt("n.real", lang))
        items.append(rt("n.withheld", lang))
        return Section("notes", rt("s.notes", lang), (Bullets(tuple(items)),), annex=True)
