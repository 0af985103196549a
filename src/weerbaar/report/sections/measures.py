"""The report section: the programme's measures (the programme register)."""

from __future__ import annotations

from ..model import Bullets, Notice, Para, Section, Table
from ..texts import rt
from .base import GathererBase


class MeasuresSection(GathererBase):
    """The programme's measures (the programme register)."""

    def measures(self, register) -> Section:
        lang = self.lang
        if register is None:
            return Section("measures", rt("s.measures", lang), (Notice(rt("register.missing", lang)),))
        src = rt("register.store" if register.source == "store" else "register.seed", lang)
        blocks: list = [Para(rt("intro.measures", lang, source=src))]
        rows = []
        for m in sorted(register.measures, key=lambda m: m.number):
            done = sum(1 for ms in m.milestones if ms.done)
            rows.append(
                (
                    str(m.number),
                    m.title_en if lang == "en" else m.title_nl,
                    m.owner,
                    rt(f"status.{m.status}", lang),
                    f"{done} / {len(m.milestones)}",
                )
            )
        blocks.append(
            Table(
                rt("tab.measures", lang),
                (
                    rt("col.number", lang),
                    rt("col.measure", lang),
                    rt("col.owner", lang),
                    rt("col.status", lang),
                    rt("col.milestones", lang),
                ),
                tuple(rows),
                ("r", "l", "l", "l", "r"),
                widths=(0.4, 3.2, 2.4, 1.2, 1),
            )
        )
        notes = [
            f"{m.number}. {m.status_note}" for m in sorted(register.measures, key=lambda m: m.number) if m.status_note
        ]
        if notes:
            blocks.append(Bullets(tuple(notes)))
        blocks.append(
            Table(
                rt("tab.budget", lang),
                (rt("col.budget", lang), rt("col.amount", lang)),
                tuple(
                    (b.title_en if lang == "en" else b.title_nl, "EUR " + self.n(b.amount_eur, 0))
                    for b in register.budget
                ),
                ("l", "r"),
                widths=(4, 1),
            )
        )
        blocks.append(
            Table(
                rt("tab.risks", lang),
                (rt("col.number", lang), rt("col.risk", lang)),
                tuple(
                    (
                        str(r.number),
                        (r.title_en + ": " + r.description_en)
                        if lang == "en"
                        else (r.title_nl + ": " + r.description_nl),
                    )
                    for r in register.risks
                ),
                ("r", "l"),
                widths=(0.4, 6),
            )
        )
        return Section("measures", rt("s.measures", lang), tuple(blocks))
