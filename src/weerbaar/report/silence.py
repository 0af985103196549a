"""The council report's zwijgwijk result in words (issue 14, part 5): per flagged buurt the probability that
it is silent in words and the reporting ratio with its interval where public, then what the model could not
estimate and the synthetic label. The wording is the dashboard's (``web/silence.py``)."""

from __future__ import annotations

import pandas as pd

from ..web import silence
from ..web.i18n import t
from .model import Bullets, Notice, Para

__all__ = ["silence_blocks"]


def _words(r: pd.Series, lang: str) -> str:
    row = {k: (None if pd.isna(v) else v) for k, v in r.items()}
    said = silence.profile_silence(row, None, lang)
    parts = [str(r.get("name") or r.name)]
    if said["verdict"]:
        parts.append(said["verdict"])
    if said["ratio"] and pd.notna(r.get("ratio")):
        parts.append(said["ratio"][0].lower() + said["ratio"][1:])
    if said["effort"]:
        parts.append(said["effort"][0].lower() + said["effort"][1:])
    return ": ".join(parts[:2]) + ("; " + " ".join(parts[2:]) if len(parts) > 2 else "")


def silence_blocks(run: dict, flagged: pd.DataFrame, lang: str, limit: int = 10) -> list:
    """Blocks for the hot-spots section below the zwijgwijk table: a list in words, not estimated, synthetic."""
    params = run.get("parameters") or {}
    out: list = []
    if len(flagged):
        shortfall = float(params.get("shortfall") or 0.5)
        keep = round(100 * (1 - shortfall))
        out.append(Para(t("silence.meaning", lang, keep=keep), small=True))
        out.append(Bullets(tuple(_words(r, lang) for _, r in flagged.head(limit).iterrows())))
    missing = silence.profile_silence({}, params, lang)["not_estimated"]
    if missing:
        out.append(Para(f"{t('silence.not_estimated', lang)}: " + " ".join(f"{m}." for m in missing), small=True))
    if run.get("synthetic"):
        out.append(Notice(t("silence.synthetic", lang)))
    return out
