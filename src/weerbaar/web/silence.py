"""The measurement model's results in words a council member understands (issue 14, part 5).

One place for the wording of the zwijgwijk result on the profile page, the map and the council report:
the posterior probability that an area is silent in words with its number ("waarschijnlijk stil (kans
93 %)"), the reporting ratio with its 90 % interval where it is public, what the model could not estimate,
and the synthetic label. Bands of the words (probability that the propensity is below the city's times
``1 - shortfall``): at least 0.95 very probably, 0.65 probably, 0.35 uncertain, 0.05 probably not, below
that very probably not silent.
"""

from __future__ import annotations

import math

from .i18n import number, t

__all__ = ["BANDS", "verdict", "percent", "profile_silence", "map_label"]

#: (lower bound of p_silent, text key), from the top.
BANDS = (
    (0.95, "silence.very_likely"),
    (0.65, "silence.likely"),
    (0.35, "silence.uncertain"),
    (0.05, "silence.unlikely"),
    (0.0, "silence.very_unlikely"),
)


def _float(v: object) -> float | None:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def percent(p: float, lang: str = "nl") -> str:
    """A probability as a whole percentage that never claims certainty: 0.93 -> '93', 0.999 and 1 (every
    posterior draw) -> 'meer dan 99' / 'more than 99', 0.001 and 0 -> 'minder dan 1' / 'less than 1'."""
    whole = round(100 * p)
    if whole > 99:
        return "meer dan 99" if lang == "nl" else "more than 99"
    if whole < 1:
        return "minder dan 1" if lang == "nl" else "less than 1"
    return number(whole, lang, 0)


def verdict(p_silent: object, lang: str = "nl") -> str | None:
    """'waarschijnlijk stil (kans 93 %)' / 'probably silent (93 % probability)'; None when unknown."""
    p = _float(p_silent)
    if p is None:
        return None
    key = next(k for lo, k in BANDS if p >= lo)
    return t("silence.verdict", lang, words=t(key, lang), pct=percent(p, lang))


def map_label(category_text: str, p_silent: object, lang: str = "nl") -> str:
    """The map's label of a flag category, with the probability in words where there is one."""
    words = verdict(p_silent, lang)
    return f"{category_text} · {words}" if words else category_text


def profile_silence(row: dict, parameters: dict | None, lang: str = "nl", synthetic: bool = False) -> dict:
    """What the profile page shows beside the flag: verdict, meaning, ratio sentence, not estimated, label."""
    params = parameters or {}
    shortfall = _float(params.get("shortfall")) or 0.5
    keep = number(round(100 * (1 - shortfall)), lang, 0)
    meaning = t("silence.meaning", lang, keep=keep)
    alpha = _float(params.get("alpha"))
    if alpha is not None and 0 < alpha < 1:  # the run's Bayesian FDR: how many of the signals may be wrong
        meaning += " " + t("silence.fdr", lang, pct=number(round(100 * alpha), lang, 0), one_in=round(1 / alpha))
    out: dict = {
        "verdict": verdict(row.get("p_silent"), lang),
        "meaning": meaning,
        "ratio": None,
        "effort": None,
        "not_estimated": [],
        "synthetic": t("silence.synthetic", lang) if synthetic else None,
    }
    ratio, low, high = (_float(row.get(c)) for c in ("ratio", "ratio_low", "ratio_high"))
    if ratio is not None and low is not None and high is not None:
        out["ratio"] = t(
            "silence.ratio",
            lang,
            ratio=number(100 * ratio, lang, 0),
            low=number(100 * low, lang, 0),
            high=number(100 * high, lang, 0),
        )
    elif row.get("tested") and out["verdict"]:
        out["ratio"] = t("silence.ratio_withheld", lang)
    eff = _float(row.get("effort_ratio"))
    if row.get("flag") == "effort" and eff is not None:
        out["effort"] = t("silence.effort", lang, ratio=number(eff, lang, 1))
    for item in params.get("not_estimated") or []:
        what = item.get("what_nl" if lang == "nl" else "what") or item.get("what")
        why = item.get("why_nl" if lang == "nl" else "why") or item.get("why")
        out["not_estimated"].append(f"{what}: {why}")
    return out
