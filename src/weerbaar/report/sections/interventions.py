"""The report section: the registered interventions and their estimated effects."""

from __future__ import annotations

from ...errors import InputError, NotFoundError
from ...web.i18n import t
from ..model import Bullets, Para, Section, Table
from ..texts import rt
from .base import GathererBase


class InterventionsSection(GathererBase):
    """The registered interventions and their estimated effects."""

    def interventions(self, register: dict | None) -> Section:
        """The intervention register at area level (counts by stadsdeel and kind) and the stored displacement and
        DiD estimates in words, with their intervals and the effort caveat (issue 19)."""
        from ...web.interventions_page import did_run, displacement_runs

        lang = self.lang
        blocks: list = [Para(rt("iv.intro", lang))]
        rows = [] if register is None or register.get("synthetic") else list(register.get("rows") or [])
        if not rows:
            blocks.append(Para(rt("iv.none", lang)))
        else:
            kinds: dict[str, int] = {}
            for r in rows:
                kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
            order = list(kinds)
            text = ", ".join(f"{n} × {t('iv.kind.' + k, lang).lower()}" for k, n in kinds.items())
            blocks.append(Para(rt("iv.count", lang, n=len(rows), kinds=text)))
            unknown = rt("iv.unknown_sd", lang)
            table: dict[str, dict[str, int]] = {}
            for r in rows:
                try:
                    areas = self.data.areas(r["division"])
                    sd = areas["stadsdeel"].to_dict() if "stadsdeel" in areas else {}
                    names = areas["name"].to_dict()
                except (InputError, NotFoundError, KeyError):
                    sd, names = {}, {}
                found = {str(names.get(sd.get(c), sd.get(c) or unknown)) for c in r["areas"]} or {unknown}
                for name in found:
                    cell = table.setdefault(name, {})
                    cell[r["kind"]] = cell.get(r["kind"], 0) + 1
            blocks.append(
                Table(
                    rt("iv.tab", lang),
                    (rt("col.stadsdeel", lang), *(t("iv.kind." + k, lang) for k in order)),
                    tuple(
                        (name, *(str(table[name].get(k, 0)) for k in order))
                        for name in sorted(table, key=lambda x: (x == unknown, x))
                    ),
                    ("l",) + ("r",) * len(order),
                    note=rt("iv.tab_note", lang),
                )
            )
        estimates = displacement_runs(self.data)[:5]
        did = did_run(self.data)
        if not estimates and not did:
            blocks.append(Para(rt("iv.no_estimates", lang)))
        items = []
        for e in estimates:
            if e["wdd"] is None:
                continue
            sig = e["p"] is not None and e["p"] < e["alpha"]
            reading = rt("iv.read.less" if sig and e["wdd"] < 0 else "iv.read.more" if sig else "iv.read.none", lang)
            items.append(
                self.syn(
                    rt(
                        "iv.wdd",
                        lang,
                        target=", ".join(self.names(e["target"])) or "–",
                        count=e["count"],
                        before=e["before"],
                        after=e["after"],
                        wdd=self.n(e["wdd"], 1),
                        lo=self.n(e["ci_low"], 1),
                        hi=self.n(e["ci_high"], 1),
                        p=self.n(e["p"], 3),
                        wdq=rt("iv.wdq", lang, wdq=self.n(e["wdq"], 2)) if e["wdq"] is not None else "",
                        reading=reading,
                    ),
                    e["synthetic"],
                )
            )
        if did and did["summary"].get("simple_att") is not None:
            s = did["summary"]
            items.append(
                self.syn(
                    rt(
                        "iv.did",
                        lang,
                        indicator=did["indicator"],
                        start=did["from"],
                        end=did["to"],
                        n=did["treated"],
                        att=self.n(s["simple_att"], 2),
                        lo=self.n(s["simple_low"], 2),
                        hi=self.n(s["simple_high"], 2),
                    ),
                    did["synthetic"],
                )
            )
        if items:
            blocks.append(Bullets(tuple(items)))
        blocks.append(Para(t("iv.caveat.effort", lang) + " " + t("iv.caveat.displacement", lang), small=True))
        return Section("interventions", rt("s.interventions", lang), tuple(blocks))
