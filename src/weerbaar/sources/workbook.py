"""Reading OIS Excel workbooks in their real layout: cell access whose errors name sheet and cell.

:func:`read_workbook` reads every worksheet of an .xlsx file into a :class:`Sheet` (computed
values, 1-based row and column addressing); :meth:`Sheet.error` builds a SourceError naming the
sheet and the cell. :func:`year_token` recognises year headers (``2014``, ``2019_3``).
:func:`_find_layout` locates wide blocks of year columns in the OIS layout: a row of block labels
above a row of years, one row per area below.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError

__all__ = ["FIX_LAYOUT", "Sheet", "read_workbook", "year_token"]

FIX_LAYOUT = "use the original OIS workbook, or restore its header rows and labels"

_YEAR_STR = re.compile(r"^(\d{4})(?:_(\d))?$")


# -- workbook access -------------------------------------------------------------------------


def _col_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


@dataclass
class Sheet:
    """The cell values of one worksheet, addressed 1-based (row 1, column 1 = cell A1)."""

    name: str
    rows: list[tuple]
    file: str

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @property
    def ncols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int):
        """The cell value; strings are stripped and an empty string is None."""
        if row < 1 or col < 1 or row > len(self.rows) or col > len(self.rows[row - 1]):
            return None
        v = self.rows[row - 1][col - 1]
        if isinstance(v, str):
            v = v.strip()
            return v or None
        return v

    def text(self, row: int, col: int) -> str | None:
        v = self.value(row, col)
        return None if v is None else str(v)

    def number(self, row: int, col: int) -> float | None:
        """The cell as a float; None when empty; a SourceError naming the cell when it holds text."""
        v = self.value(row, col)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.error(
                "A value cell holds no number.",
                row=row,
                col=col,
                received=repr(v),
                expected="a number or an empty cell",
            )
        return float(v)

    def row_values(self, row: int) -> list[tuple[int, object]]:
        """(column, value) of the non-empty cells of a row."""
        if row < 1 or row > len(self.rows):
            return []
        cols = range(1, len(self.rows[row - 1]) + 1)
        return [(c, v) for c in cols if (v := self.value(row, c)) is not None]

    @staticmethod
    def ref(row: int, col: int | None = None) -> str:
        return f"{_col_letter(col)}{row}" if col else f"row {row}"

    def error(
        self,
        problem: str,
        *,
        row: int | None = None,
        col: int | None = None,
        received: str,
        expected: str,
        fix: str = FIX_LAYOUT,
    ) -> SourceError:
        """A SourceError naming this sheet and, when given, the cell (row and column letter)."""
        where = f"sheet '{self.name}'"
        if row and col:
            where += f", cell {self.ref(row, col)}"
        elif row:
            where += f", row {row}"
        return SourceError(
            f"{problem} ({where})",
            received=received,
            expected=expected,
            fix=fix,
            file=self.file,
            row=row,
            column=_col_letter(col) if col else None,
        )


def read_workbook(path: Path | str) -> dict[str, Sheet]:
    """Every worksheet of an .xlsx file as a :class:`Sheet` (computed values, not formulas)."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about conditional-formatting extensions it drops; they carry no data.
            warnings.simplefilter("ignore", UserWarning)
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheets = {}
                for ws in wb.worksheets:
                    ws.reset_dimensions()  # do not trust the stored dimension: read every row
                    sheets[ws.title] = Sheet(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)], str(path))
            finally:
                wb.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SourceError(
            "The file is not a readable Excel workbook.",
            received=f"{type(exc).__name__}: {exc}",
            expected="an .xlsx workbook as published by OIS",
            fix="download the original file again",
            file=str(path),
        ) from None
    return sheets


def _sheet(sheets: dict[str, Sheet], name: str, file: str) -> Sheet:
    if name in sheets:
        return sheets[name]
    for title, sheet in sheets.items():
        if " ".join(title.lower().split()) == name:
            return sheet
    raise SourceError(
        f"The workbook has no sheet '{name}'.",
        received=", ".join(repr(s) for s in sheets),
        expected=f"a sheet named '{name}'",
        fix="use the original OIS workbook",
        file=file,
    )


def year_token(v) -> tuple[int, int | None] | None:
    """2014 -> (2014, None); '2019_3' -> (2019, 3); anything else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and float(v).is_integer() and 1990 <= v <= 2100:
        return int(v), None
    if isinstance(v, str):
        m = _YEAR_STR.match(v)
        if m and 1990 <= int(m.group(1)) <= 2100:
            return int(m.group(1)), (int(m.group(2)) if m.group(2) else None)
    return None


# -- layout detection -------------------------------------------------------------------------


@dataclass
class _Block:
    label: str
    col: int  # column of the label
    years: list[tuple[int, tuple[int, int | None]]] = field(default_factory=list)  # (column, year token)


@dataclass
class _Layout:
    year_row: int
    label_row: int
    blocks: dict[str, _Block]


def _find_year_row(sheet: Sheet) -> int:
    for r in range(1, sheet.nrows + 1):
        if sum(year_token(v) is not None for _, v in sheet.row_values(r)) >= 3:
            return r
    raise sheet.error(
        "No row of year headers found.",
        received="no row with three or more year cells (2014, 2015, ..., 2019_3)",
        expected="a header row of years above the data rows",
    )


def _find_layout(sheet: Sheet, labels: Collection[str]) -> _Layout:
    """Locate the year header row, the block label row above it and every block labelled with one of ``labels``.

    ``labels`` are the block labels in lower case; every one of them must occur once.
    """
    year_row = _find_year_row(sheet)
    best, best_hits = None, 0
    for r in range(year_row - 1, 0, -1):
        hits = sum(isinstance(v, str) and v.lower() in labels for _, v in sheet.row_values(r))
        if hits > best_hits:
            best, best_hits = r, hits
    if best is None:
        raise sheet.error(
            "The block labels above the year headers are missing.",
            row=year_row,
            received=f"no row above row {year_row} names a block",
            expected="a row with the labels " + ", ".join(labels),
        )
    blocks: dict[str, _Block] = {}
    first_block_col = min(c for c, v in sheet.row_values(best) if isinstance(v, str) and v.lower() in labels)
    for c, v in sheet.row_values(best):
        if c < first_block_col:
            continue
        label = str(v).lower()
        if label not in labels:
            raise sheet.error(
                "Unknown block label.", row=best, col=c, received=repr(v), expected="one of " + ", ".join(labels)
            )
        if label in blocks:
            raise sheet.error(
                "A block label occurs twice.", row=best, col=c, received=repr(v), expected="each sub-index once"
            )
        block = _Block(label, c)
        col = c
        while (tok := year_token(sheet.value(year_row, col))) is not None:
            block.years.append((col, tok))
            col += 1
        if not block.years:
            raise sheet.error(
                "A block has no year headers below its label.",
                row=year_row,
                col=c,
                received=repr(sheet.value(year_row, c)),
                expected=f"year headers (2014, 2015, ...) starting below the label {v!r}",
            )
        blocks[label] = block
    missing = [lbl for lbl in labels if lbl not in blocks]
    if missing:
        raise sheet.error(
            "Sub-index blocks are missing.",
            row=best,
            received=", ".join(sorted(blocks)),
            expected="also " + ", ".join(missing),
        )
    first = next(iter(blocks.values()))
    for block in blocks.values():
        if [t for _, t in block.years] != [t for _, t in first.years]:
            raise sheet.error(
                "The blocks have different year headers.",
                row=year_row,
                col=block.col,
                received=", ".join(str(sheet.value(year_row, c)) for c, _ in block.years),
                expected="the years of the first block: "
                + ", ".join(str(sheet.value(year_row, c)) for c, _ in first.years),
            )
    return _Layout(year_row, best, blocks)


def _period(token: tuple[int, int | None], last_round: int) -> str | None:
    """Period of a year header; None for a measurement round that is left out."""
    year, rnd = token
    if rnd is None:
        return str(year)
    return str(year) if rnd == last_round else None


def _last_rounds(layout: _Layout) -> dict[int, int]:
    rounds: dict[int, int] = {}
    for block in layout.blocks.values():
        for _, (year, rnd) in block.years:
            if rnd is not None:
                rounds[year] = max(rounds.get(year, 0), rnd)
    return rounds
