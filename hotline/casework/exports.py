"""Spreadsheet files for people who open them in French Excel: CSV with ``;`` and a UTF-8 byte order
mark (without them Excel in a French locale puts each line in one cell and garbles the accents), and
XLSX (openpyxl: it writes the file here and reads it back in the tests).

A ``Table`` holds cells already in the reader's words (the caller translates headers and values) and
local times (naive, to the minute). Text that anyone could have typed is never a formula: in the CSV
it is quoted with a leading ``'``, in the XLSX it is written as a string cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

Cell = str | int | datetime | None

BOM = "\ufeff"
SEPARATOR = ";"
CSV_TIME = "%d/%m/%Y %H:%M"
XLSX_TIME = "DD/MM/YYYY HH:MM"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name (31 characters at most in Excel)
    headers: Sequence[str]
    rows: list[Sequence[Cell]] = field(default_factory=list)


def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored (UTC) time as the reader's wall clock, to the minute, without a zone (a spreadsheet
    has none: the header says which)."""
    if moment is None:
        return None
    return moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def utc_offset(moment: datetime, zone: ZoneInfo) -> str:
    """``UTC+1`` (Kinshasa, Kwilu) or ``UTC+2`` (the east), for a header."""
    offset = moment.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def file_name(stem: str, day: date, extension: str) -> str:
    return f"{stem}-{day.isoformat()}.{extension}"


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return (BOM + out.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table) -> bytes:
    # Imported here: only an export needs it, not every web process at start.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.title[:31])
    for number, header in enumerate(table.headers, 1):
        width = max([len(header), *(len(_csv_cell(row[number - 1])) for row in table.rows[:200])])
        sheet.column_dimensions[get_column_letter(number)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heads = []
    for header in table.headers:
        head = WriteOnlyCell(sheet, value=header)
        head.font = bold
        heads.append(head)
    sheet.append(heads)
    for row in table.rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                # A control character makes the file unreadable; a string is never a formula.
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, datetime):
                    cell.number_format = XLSX_TIME
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime(CSV_TIME)
    if isinstance(cell, int):
        return str(cell)
    # Anyone can send an SMS: text starting like a formula must not run in a spreadsheet.
    return "'" + cell if cell[:1] in FORMULA_STARTS else cell
