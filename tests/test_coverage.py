"""Coverage warnings (issue 14, item 3): the levels nobody would be alerted at, now and in the next
7 days, and a missing national duty officer, as routing would find them; shown as warnings on the
on-call page and the dashboard (``hotline check`` prints them too: tests/test_check.py).

The frozen clock reads Monday 5 January 2026, 09:00 in Kinshasa; rosters hand over at 08:00.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete

from hotline.alerting import coverage
from hotline.models import Roster, RosterRotation, SocialWorker, WorkerArea
from hotline.platform.runtime import Runtime
from tests.support.builders import KIKWIT, add_roster, add_worker, kwilu_team
from tests.support.consolekit import login

KINSHASA = ZoneInfo("Africa/Kinshasa")


def found(runtime: Runtime) -> list[tuple[str, str, str, str | None, bool]]:
    """(area, level, from, until, rostered) for every gap, times local to Kinshasa."""
    with runtime.session() as db:
        gaps = coverage.gaps(db, runtime.locations, runtime.clock.now())

    def local(moment: datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(KINSHASA).strftime("%a %H:%M")

    return [(g.area, g.level, local(g.starts_at) or "", local(g.ends_at), g.rostered) for g in gaps]


def deactivate(runtime: Runtime, worker_id: int) -> None:
    with runtime.session() as db:
        db.get_one(SocialWorker, worker_id).active = False
        db.commit()


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# --- what routing would find ----------------------------------------------------------------------


def test_a_full_team_with_a_national_officer_has_no_gap_in_its_province(runtime: Runtime) -> None:
    kwilu_team(runtime)  # Kwilu's roster: primary, backup, supervisor; Esther, national duty
    assert [gap for gap in found(runtime) if gap[0] == "CD-KL"] == []
    assert [gap for gap in found(runtime) if gap[1] == "national"] == []


def test_without_a_national_duty_officer_the_last_level_is_a_gap_all_week(runtime: Runtime) -> None:
    add_worker(runtime, "Amani", [KIKWIT])
    add_worker(runtime, "Chantal", ["CD-KL"], role="supervisor")
    assert found(runtime)[0] == ("CD", "national", "Mon 09:00", None, False)


def test_an_area_without_a_roster_says_which_levels_routing_leaves_empty(runtime: Runtime) -> None:
    add_worker(runtime, "Amani", [KIKWIT])  # a pilot: one trained worker, nobody else
    add_worker(runtime, "Esther", ["CD-KN"], role="national_duty")
    kikwit = [gap for gap in found(runtime) if gap[0] == KIKWIT]
    assert kikwit == [
        (KIKWIT, "backup", "Mon 09:00", None, False),  # routing without a roster has no backup
        (KIKWIT, "supervisor", "Mon 09:00", None, False),
    ]

    add_worker(runtime, "Chantal", ["CD-KL"], role="supervisor")
    assert [gap[1] for gap in found(runtime) if gap[0] == KIKWIT] == ["backup"]


def test_a_rotation_that_hands_over_to_a_deactivated_worker_is_a_gap_on_those_days(runtime: Runtime) -> None:
    amani, ghost = add_worker(runtime, "Amani"), add_worker(runtime, "Ghislain")
    backup, boss = add_worker(runtime, "Bisimwa"), add_worker(runtime, "Chantal", role="supervisor")
    add_worker(runtime, "Esther", ["CD-KN"], role="national_duty")
    # Daily shifts from Monday 08:00: Amani, Ghislain, Amani... The backup starts on Wednesday.
    add_roster(runtime, "CD-KL", {"primary": [amani, ghost], "supervisor": [boss]}, every_days=1)
    with runtime.session() as db:
        roster = db.query(Roster).filter_by(area_code="CD-KL").one()
        roster.rotations.append(
            RosterRotation(
                level="backup", members=[backup.id], start_date=date(2026, 1, 7), handoff_hour=8, every_days=7
            )
        )
        db.commit()
    deactivate(runtime, ghost.id)

    kwilu = [gap for gap in found(runtime) if gap[0] == "CD-KL"]
    assert kwilu == [
        ("CD-KL", "primary", "Tue 08:00", "Wed 08:00", True),
        ("CD-KL", "primary", "Thu 08:00", "Fri 08:00", True),
        ("CD-KL", "primary", "Sat 08:00", "Sun 08:00", True),
        ("CD-KL", "primary", "Mon 08:00", None, True),  # next Monday, to the end of the 7 days
        ("CD-KL", "backup", "Mon 09:00", "Wed 08:00", True),  # nobody now, until Wednesday
    ]


# --- the console ----------------------------------------------------------------------------------


def test_the_on_call_page_warns_of_each_empty_level_and_the_missing_national_officer(
    client: FlaskClient, runtime: Runtime
) -> None:
    add_worker(runtime, "Amani", [KIKWIT])
    login(client, runtime, "supervisor", ("CD-KL",))
    html = page(client, "/console/people/on-call")
    assert '<li class="warning">Permanence nationale : personne en ce moment.</li>' in html
    assert (
        '<li class="warning">Kwilu/Kikwit, Suppléant : personne (pas de planning : '
        "personne n&#39;est alerté à ce niveau).</li>"
    ) in html
    national = html.split('data-area="CD-national">', 1)[1].split("</section>", 1)[0]
    assert 'class="warning"' in national and "muted" not in national  # not grey text any more
    english = page(client, "/console/people/on-call?lang=en")
    assert "National duty: nobody now." in english


def test_a_future_gap_is_dated_in_the_areas_time(client: FlaskClient, runtime: Runtime) -> None:
    amani, ghost = add_worker(runtime, "Amani"), add_worker(runtime, "Ghislain")
    add_roster(runtime, "CD-KL", {"primary": [amani, ghost]}, every_days=1)
    deactivate(runtime, ghost.id)
    login(client, runtime, "supervisor", ("CD-KL",))
    assert (
        "Kwilu, Principal : personne du 06/01/2026 08:00 (heure de Kinshasa) "
        "au 07/01/2026 08:00 (heure de Kinshasa)." in page(client, "/console/people/on-call")
    )


def test_the_dashboard_shows_the_warnings_of_the_users_areas_and_the_national_level(
    app: Flask, runtime: Runtime
) -> None:
    add_worker(runtime, "Amani", [KIKWIT])
    kwilu, kinshasa = app.test_client(), app.test_client()
    login(kwilu, runtime, "viewer", ("CD-KL",))
    login(kinshasa, runtime, "operator", ("CD-KN",))
    mine = page(kwilu, "/console/dashboard")
    assert "Kwilu/Kikwit, Suppléant : personne" in mine and "Permanence nationale : personne" in mine
    theirs = page(kinshasa, "/console/dashboard")
    assert "Kwilu/Kikwit" not in theirs and "Permanence nationale : personne" in theirs


def test_a_covered_installation_shows_no_warning(client: FlaskClient, runtime: Runtime) -> None:
    team = kwilu_team(runtime)
    with runtime.session() as db:  # Esther's own area, Kinshasa, has nobody else: leave it out
        db.execute(delete(WorkerArea).where(WorkerArea.worker_id == team.national.id))
        db.commit()
    login(client, runtime, "supervisor", ("CD-KL",))
    assert "coverage-title" not in page(client, "/console/people/on-call")
    assert "coverage-title" not in page(client, "/console/dashboard")
