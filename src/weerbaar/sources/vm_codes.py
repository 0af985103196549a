"""The grammar of Veiligheidsmonitor (VM) area codes and their resolution to 2015 buurten.

A VM area code names 2015 wijken, or 2015 wijken with some of their buurt letters, possibly
several joined: ``T94cfghn``, ``E13/E12(B10)``, ``N69 (incl N74``. :func:`parse_vm_code` splits
a code into its parts, :func:`resolve_vm_code` gives the 2015 buurten it covers. See
docs/decisions/0002-veiligheidsmonitor-areas.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import SourceError

__all__ = ["parse_vm_code", "resolve_vm_code"]

_VM_PART = re.compile(r"^([A-Z])(\d{2})([a-z]*)$")


def parse_vm_code(code: str) -> list[tuple[str, str]]:
    """Split a Veiligheidsmonitor area code into ``(wijk, buurt letters)`` parts.

    Parts are separated by ``/``, parentheses, commas, ``+`` or spaces; a parenthesised part and
    a part after ``incl``/``incl.`` are included like any other (parentheses need not balance).
    A part is a 2015 wijk code with optional buurt letters: ``T94cfghn`` -> ``[("T94", "cfghn")]``,
    ``E13/E12(B10)`` -> ``[("E13", ""), ("E12", ""), ("B10", "")]``; empty letters = the whole wijk.
    """
    text = str(code).strip()
    tokens = [t for t in re.split(r"[/()\[\],+&\s]+", text) if t]
    parts: list[tuple[str, str]] = []
    for tok in tokens:
        if tok.lower().rstrip(".") in ("incl", "inclusief", "en"):
            continue
        m = _VM_PART.match(tok)
        if not m:
            raise SourceError(
                "Malformed Veiligheidsmonitor area code.",
                received=f"{text!r} (part {tok!r})",
                expected="wijk codes such as A00, with optional buurt letters (T94cfghn), "
                "separated by '/' or parentheses, e.g. E13/E12(B10)",
                fix="correct the code in the sheet",
            )
        part = (m.group(1) + m.group(2), m.group(3))
        if part not in parts:
            parts.append(part)
    if not parts:
        raise SourceError(
            "Empty Veiligheidsmonitor area code.",
            received=repr(text),
            expected="at least one wijk code such as A00",
            fix="fill in the code",
        )
    return parts


def _resolve_parts(code: str, buurten: Iterable[str]) -> tuple[frozenset[str], list[str]]:
    """Buurten a code covers, and the parts (as text) that name no 2015 wijk or buurt."""
    known = set(buurten)
    by_wijk: dict[str, set[str]] = {}
    for b in known:
        by_wijk.setdefault(b[:3], set()).add(b)
    found: set[str] = set()
    missing: list[str] = []
    for wijk, letters in parse_vm_code(code):
        if not letters:
            if wijk in by_wijk:
                found |= by_wijk[wijk]
            else:
                missing.append(wijk)
            continue
        for letter in letters:
            if wijk + letter in known:
                found.add(wijk + letter)
            else:
                missing.append(wijk + letter)
    return frozenset(found), missing


def resolve_vm_code(code: str, buurten: Iterable[str], *, strict: bool = True) -> frozenset[str]:
    """The 2015 buurt codes a Veiligheidsmonitor area code covers.

    ``buurten`` are all 2015 buurt codes (``A00a``; the wijk is the first three characters). With
    ``strict`` every part must exist in the 2015 division; otherwise unknown parts are ignored. A code
    that resolves to no buurt at all is always an error.
    """
    found, missing = _resolve_parts(code, buurten)
    if not found or (strict and missing):
        raise SourceError(
            "Veiligheidsmonitor area code names no 2015 wijk or buurt."
            if not found
            else "Part of a Veiligheidsmonitor area code names no 2015 wijk or buurt.",
            received=f"{code!r} (unknown: {', '.join(missing)})",
            expected="2015 wijk codes (A00) or buurt codes (T94c) from amsterdam-areas-2015",
            fix="check the code against the 2015 buurten, or use the 2015-2021 area files",
        )
    return found
