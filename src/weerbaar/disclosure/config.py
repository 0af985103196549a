"""Settings, statuses and public labels of disclosure control."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError

MODES: tuple[str, ...] = ("suppress", "round")
STATUSES: tuple[str, ...] = ("published", "primary", "secondary", "missing", "rounded", "pending", "suppressed")
#: Legend text for a withheld cell at the default threshold (primary and secondary alike).
SUPPRESSED_LABEL: dict[str, str] = {"nl": "< 5 of afgeschermd", "en": "< 5 or withheld"}

_KINDS: tuple[str, ...] = ("month", "quarter", "half", "year")  # finest first
_KIND_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_PUBLISHED, _PRIMARY, _SECONDARY, _MISSING, _ROUNDED = range(5)
_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "published": "gepubliceerd",
        "primary": "afgeschermd",
        "secondary": "afgeschermd",
        "missing": "geen gegevens",
        "rounded": "afgerond op {base}-tallen",
        "pending": "afgeschermd",
        "suppressed": "geheim (bron)",
    },
    "en": {
        "published": "published",
        "primary": "withheld",
        "secondary": "withheld",
        "missing": "no data",
        "rounded": "rounded to a multiple of {base}",
        "pending": "withheld",
        "suppressed": "withheld by the source",
    },
}


@dataclass(frozen=True)
class DisclosureConfig:
    """How public counts are protected.

    threshold:
        Counts from 1 to ``threshold - 1`` are withheld (primary suppression); 0 is published, as a
        zero discloses no person.
    mode:
        ``"suppress"`` (primary and secondary suppression) or ``"round"`` (every count rounded to
        the nearest multiple of ``base``, halves up; nothing withheld).
    base:
        Rounding base of mode ``"round"`` (and of published counts from open submissions).
    protection:
        Protection level p (mode "suppress"): every primary (sensitive) cell with value x keeps a
        feasible range, given everything published, that holds [x - min(x, p), x + p]: an attacker
        cannot tell a count of 1 from 0 or from 1 + p.
    """

    threshold: int = 5
    mode: str = "suppress"
    base: int = 5
    protection: int = 1

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(
                "Unknown disclosure mode.",
                received=repr(self.mode),
                expected=" or ".join(repr(m) for m in MODES),
                fix='use mode "suppress" (the default) or "round"',
            )
        for name in ("threshold", "base", "protection"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(
                    f"Invalid disclosure {name}.",
                    received=repr(value),
                    expected="a whole number of at least 1",
                    fix=f"set {name} to for example 5",
                )


def status_label(status: str, lang: str = "nl", *, base: int = 5) -> str:
    """Short public text for a status; primary and secondary read the same ("afgeschermd")."""
    if lang not in _LABELS:
        raise InputError("Unknown language.", received=repr(lang), expected="'nl' or 'en'", fix="use nl or en")
    if status not in _LABELS[lang]:
        raise InputError(
            "Unknown disclosure status.", received=repr(status), expected=", ".join(STATUSES), fix="use one of these"
        )
    return _LABELS[lang][status].format(base=base)
