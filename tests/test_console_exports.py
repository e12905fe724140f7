"""The reports export as a supervisor opens it in French Excel: the CSV with ``;`` and a byte order
mark, French headers and values, local times to the minute, a dated file name; the XLSX read back
with openpyxl; the full export for admins only, audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import openpyxl
from sqlalchemy import select

from hotline.models import AuditEntry, Report
from tests.support.builders import report
from tests.support.consolekit import login

REPORTER = "+243811234567"


def accept(runtime, report_id: int, minutes_later: int) -> None:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        row = db.get(Report, report_id)
        row.accepted_at = row.created_at + timedelta(minutes=minutes_later)
        row.status = "accepted"
        db.commit()


def csv_rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def exports(runtime) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == "reports_exported")))


def test_the_csv_opens_in_french_excel_with_french_words_and_local_time(client, runtime, clock):
    clock.advance(seconds=7.123456)  # a stored time with seconds and microseconds
    case = report(
        runtime,
        urgent=True,
        people_count=3,
        children_involved=True,
        phone=REPORTER,
        contact="callback",
        description="Secret words",
    )
    accept(runtime, case.id, 25)
    login(client, runtime, "supervisor")

    response = client.get("/console/reports.csv")

    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # the BOM: Excel reads UTF-8
    assert response.headers["Content-Disposition"] == 'attachment; filename="signalements-2026-01-05.csv"'
    [row] = csv_rows(response)
    assert row == {
        "Référence": case.reference,
        "Reçu (UTC+1)": "05/01/2026 09:00",  # Kinshasa's wall clock, no seconds or microseconds
        "Canal": "USSD",
        "Langue": "Français",
        "Catégorie": "Exploitation sexuelle",
        "Urgent": "Oui",
        "Province": "Kwilu",
        "Lieu": "Kwilu/Kikwit",
        "Code du lieu": "CD-KL/kikwit",
        "Statut": "Accepté",
        "Exercice": "Non",
        "Personnes concernées": "3",
        "Enfants concernés": "Oui",
        "Accepté (UTC+1)": "05/01/2026 09:25",
        "Minutes avant acceptation": "25",
        "Fusionné dans": "",
    }
    text = response.data.decode("utf-8-sig")
    assert "Secret words" not in text and "811234567" not in text
    assert client.get("/console/reports.csv?full=1").status_code == 403
    assert client.get("/console/reports.xlsx?full=1").status_code == 403


def test_an_eastern_supervisor_gets_their_own_time_in_the_export(client, runtime):
    report(runtime, location="CD-HK")
    login(client, runtime, "supervisor", ("CD-HK",))

    [row] = csv_rows(client.get("/console/reports.csv"))

    assert row["Reçu (UTC+2)"] == "05/01/2026 10:00"  # Lubumbashi
    assert row["Province"] == "Haut-Katanga"


def test_the_full_csv_has_the_text_guarded_against_formulas_and_is_audited(client, runtime):
    report(
        runtime,
        phone=REPORTER,
        contact="callback",
        description='=HYPERLINK("x")',
        place_detail="Maison bleue",
    )
    user_id = login(client, runtime, "admin")

    response = client.get("/console/reports.csv?full=1")

    [row] = csv_rows(response)
    assert row["Description"] == '\'=HYPERLINK("x")'  # no formula runs in a spreadsheet
    assert row["Précision du lieu"] == "Maison bleue"
    assert "811234567" not in response.data.decode("utf-8-sig")
    assert response.headers["Content-Disposition"].endswith('filename="signalements-complet-2026-01-05.csv"')
    entry = exports(runtime)[-1]
    assert (entry.user_id, entry.detail["full"], entry.detail["count"], entry.detail["format"]) == (
        user_id,
        True,
        1,
        "csv",
    )


def test_the_xlsx_reads_back_with_dates_numbers_and_text_that_never_runs(client, runtime):
    case = report(
        runtime,
        people_count=4,
        phone=REPORTER,
        contact="callback",
        description='=HYPERLINK("http://x")\x07 bell',
        place_detail="Près du marché",
    )
    accept(runtime, case.id, 90)
    user_id = login(client, runtime, "admin")

    response = client.get("/console/reports.xlsx?full=1&status=accepted")

    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].endswith('filename="signalements-complet-2026-01-05.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header, row = [[cell for cell in line] for line in sheet.iter_rows(min_row=1, max_row=2)]
    values = dict(zip([cell.value for cell in header], row, strict=True))
    assert sheet.title == "Signalements" and sheet.max_row == 2
    assert values["Référence"].value == case.reference
    assert values["Reçu (UTC+1)"].value == datetime(2026, 1, 5, 9, 0)  # a real date for Excel
    assert values["Reçu (UTC+1)"].number_format == "DD/MM/YYYY HH:MM"
    assert values["Minutes avant acceptation"].value == 90
    assert values["Personnes concernées"].value == 4
    assert values["Statut"].value == "Accepté"
    description = values["Description"]
    assert (description.value, description.data_type) == ('=HYPERLINK("http://x") bell', "s")
    assert values["Précision du lieu"].value == "Près du marché"
    assert exports(runtime)[-1].detail == {
        "full": True,
        "count": 1,
        "filters": {"status": "accepted"},
        "format": "xlsx",
    }
    assert exports(runtime)[-1].user_id == user_id


def test_the_english_console_exports_english_words(client, runtime):
    report(runtime)
    login(client, runtime, "operator")
    client.get("/console/?lang=en")

    response = client.get("/console/reports.csv")

    [row] = csv_rows(response)
    assert row["Category"] == "Sexual exploitation" and row["Urgent"] == "No"
    assert response.headers["Content-Disposition"].endswith('filename="reports-2026-01-05.csv"')
