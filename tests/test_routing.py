"""Who gets the alert for a report, level by level: rosters from the most specific area outwards."""

from __future__ import annotations

from datetime import UTC, datetime

from hotline.alerting import routing
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from tests.support.builders import KIKWIT, add_roster, add_worker, report, texts_to


def who(runtime: Runtime, location: str, level: str, at: datetime | None = None) -> list[str]:
    """The names of the workers alerted at ``level`` for a report at ``location``."""
    with runtime.session() as session:
        found = routing.recipients(session, runtime.locations, location, level, at or runtime.clock.now())
        return [worker.name for worker in found]


def test_without_any_roster_workers_are_the_primaries_and_supervisors_the_supervisor_level(
    runtime: Runtime,
) -> None:
    add_worker(runtime, "Amani", ["CD-KL"])
    add_worker(runtime, "Bisimwa", [KIKWIT])
    add_worker(runtime, "Chantal", ["CD-KL"], role="supervisor")
    add_worker(runtime, "Faustin", ["CD-KL/bulungu"])  # another town of the same province
    add_worker(runtime, "Gloire", ["CD-KN"])  # another province
    add_worker(runtime, "Henriette", ["CD-KL"], active=False)

    # A supervisor woken for every report of a province as a primary learns to ignore alerts.
    assert who(runtime, KIKWIT, "primary") == ["Amani", "Bisimwa"]
    assert who(runtime, KIKWIT, "backup") == []
    assert who(runtime, KIKWIT, "supervisor") == ["Chantal"]


def test_without_any_roster_or_worker_the_supervisors_are_the_primaries(runtime: Runtime) -> None:
    add_worker(runtime, "Chantal", ["CD-KL"], role="supervisor")
    add_worker(runtime, "Gloire", ["CD-KN"])  # another province's worker is not Kwilu's

    assert who(runtime, KIKWIT, "primary") == ["Chantal"]
    assert who(runtime, KIKWIT, "supervisor") == []  # already alerted as the primary


def test_a_fresh_install_alerts_the_areas_workers_at_once(runtime: Runtime) -> None:
    amani = add_worker(runtime, "Amani", ["CD-KL"])
    gloire = add_worker(runtime, "Gloire", ["CD-KN"])
    opened = report(runtime)
    [alert] = texts_to(runtime, amani.phone)
    assert alert.startswith(f"ALERTE {opened.reference}")
    assert texts_to(runtime, gloire.phone) == []


def test_the_place_roster_wins_over_the_province_roster(runtime: Runtime) -> None:
    kikwit = add_worker(runtime, "Kikwit duty", [KIKWIT])
    province = add_worker(runtime, "Kwilu duty", ["CD-KL"])
    add_roster(runtime, KIKWIT, {"primary": [kikwit]})
    add_roster(runtime, "CD-KL", {"primary": [province]})

    assert who(runtime, KIKWIT, "primary") == ["Kikwit duty"]
    assert who(runtime, "CD-KL/bulungu", "primary") == ["Kwilu duty"]  # Bulungu has no roster
    assert who(runtime, "CD-KL", "primary") == ["Kwilu duty"]
    report(runtime)
    assert len(texts_to(runtime, kikwit.phone)) == 1
    assert texts_to(runtime, province.phone) == []


def test_a_place_roster_with_nobody_at_a_level_falls_through_to_the_province(
    runtime: Runtime,
) -> None:
    kikwit = add_worker(runtime, "Kikwit duty", [KIKWIT])
    backup = add_worker(runtime, "Kwilu backup", ["CD-KL"])
    chief = add_worker(runtime, "Kwilu chief", ["CD-KL"], role="supervisor")
    add_roster(runtime, KIKWIT, {"primary": [kikwit]})
    add_roster(runtime, "CD-KL", {"primary": [backup], "backup": [backup], "supervisor": [chief]})

    assert who(runtime, KIKWIT, "primary") == ["Kikwit duty"]
    assert who(runtime, KIKWIT, "backup") == ["Kwilu backup"]
    assert who(runtime, KIKWIT, "supervisor") == ["Kwilu chief"]


def test_an_area_with_a_roster_never_falls_back_to_all_its_workers(runtime: Runtime) -> None:
    kikwit = add_worker(runtime, "Kikwit duty", [KIKWIT])
    add_worker(runtime, "Chantal", ["CD-KL"], role="supervisor")
    add_roster(runtime, KIKWIT, {"primary": [kikwit]})
    # Someone planned this area: nobody at a level means nobody, not everyone.
    assert who(runtime, KIKWIT, "backup") == []
    assert who(runtime, KIKWIT, "supervisor") == []


def test_the_national_level_is_the_national_roster_when_there_is_one(runtime: Runtime) -> None:
    add_worker(runtime, "Esther", ["CD-KN"], role="national_duty")
    officer = add_worker(runtime, "Officer of the week", ["CD-KN"])
    add_roster(runtime, "CD", {"primary": [officer]})
    assert who(runtime, KIKWIT, "national") == ["Officer of the week"]


def test_without_a_national_roster_the_national_duty_workers_are_alerted(runtime: Runtime) -> None:
    add_worker(runtime, "Esther", ["CD-KN"], role="national_duty")
    add_worker(runtime, "Fiston", [], role="national_duty")
    add_worker(runtime, "Gaston", [], role="national_duty", active=False)
    add_worker(runtime, "Amani", ["CD-KL"])
    add_worker(runtime, "Chantal", ["CD-KL"], role="supervisor")
    assert who(runtime, KIKWIT, "national") == ["Esther", "Fiston"]


def test_inactive_workers_are_never_alerted_even_when_the_roster_names_them(
    runtime: Runtime,
) -> None:
    gone = add_worker(runtime, "Left last month", ["CD-KL"], active=False)
    there = add_worker(runtime, "Still here", ["CD-KL"])
    add_roster(runtime, KIKWIT, {"primary": [gone]})
    add_roster(runtime, "CD-KL", {"primary": [there], "backup": [gone, there], "supervisor": [gone]})
    assert who(runtime, KIKWIT, "primary") == ["Still here"]  # falls through to the province
    assert who(runtime, KIKWIT, "backup") == []  # this week's backup is the inactive one
    assert who(runtime, KIKWIT, "supervisor") == []
    report(runtime)
    assert texts_to(runtime, gone.phone) == []


def test_an_inactive_national_officer_hands_the_alert_to_the_next_one_on_the_roster(
    runtime: Runtime,
) -> None:
    gone = add_worker(runtime, "On leave", ["CD-KN"], active=False)
    deputy = add_worker(runtime, "Deputy", ["CD-KN"])
    add_roster(runtime, "CD", {"primary": [gone], "backup": [deputy]})
    assert who(runtime, KIKWIT, "national") == ["Deputy"]


def test_lubumbashi_hands_over_an_hour_before_kinshasa_for_the_same_local_hour(
    runtime: Runtime,
    clock: FrozenClock,
) -> None:
    katanga = [add_worker(runtime, name, ["CD-HK"]) for name in ("HK night", "HK day")]
    kwilu = [add_worker(runtime, name, ["CD-KL"]) for name in ("KL night", "KL day")]
    # Daily shifts from 08:00 local time on Monday: the day person takes over on Tuesday at 08:00.
    add_roster(runtime, "CD-HK", {"primary": katanga}, timezone="Africa/Lubumbashi", every_days=1)
    add_roster(runtime, "CD-KL", {"primary": kwilu}, every_days=1)
    lubumbashi, kikwit = "CD-HK/lubumbashi", KIKWIT

    def tuesday(hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 1, 6, hour, minute, tzinfo=UTC)

    assert who(runtime, lubumbashi, "primary", tuesday(5, 59)) == ["HK night"]
    assert who(runtime, lubumbashi, "primary", tuesday(6)) == ["HK day"]  # 08:00 in Lubumbashi
    assert who(runtime, kikwit, "primary", tuesday(6)) == ["KL night"]  # 07:00 in Kinshasa
    assert who(runtime, kikwit, "primary", tuesday(6, 59)) == ["KL night"]
    assert who(runtime, kikwit, "primary", tuesday(7)) == ["KL day"]

    clock.advance(hours=22, minutes=30)  # Tuesday 06:30 UTC
    report(runtime, location=lubumbashi)
    report(runtime, location=kikwit)
    assert [len(texts_to(runtime, w.phone)) for w in katanga] == [0, 1]
    assert [len(texts_to(runtime, w.phone)) for w in kwilu] == [1, 0]
