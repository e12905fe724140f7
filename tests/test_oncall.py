"""Who is on call: rotations counted in the area's local time, then swaps and leave cover on top."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from hotline.alerting.oncall import Override, Roster, Rotation, next_handoff, on_call, validate, week_view

KINSHASA = ZoneInfo("Africa/Kinshasa")  # UTC+1: Kinshasa, Kwilu
LUBUMBASHI = ZoneInfo("Africa/Lubumbashi")  # UTC+2: Haut-Katanga
MONDAY = date(2026, 1, 5)


def kin(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A local time in Kinshasa in January 2026."""
    return datetime(2026, 1, day, hour, minute, second, tzinfo=KINSHASA)


def lub(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, second, tzinfo=LUBUMBASHI)


def weekly(*members: int, level: str = "primary") -> Rotation:
    return Rotation(level=level, members=members, start=MONDAY, handoff_hour=8)


def daily(*members: int, level: str = "primary") -> Rotation:
    return Rotation(level=level, members=members, start=MONDAY, handoff_hour=8, every_days=1)


def roster(
    *rotations: Rotation, overrides: tuple[Override, ...] = (), timezone: str = "Africa/Kinshasa"
) -> Roster:
    area = "CD-HK" if timezone == "Africa/Lubumbashi" else "CD-KL"
    return Roster(area=area, timezone=timezone, rotations=rotations, overrides=overrides)


# Rotations


def test_the_shift_changes_at_the_local_handoff_hour_in_kinshasa() -> None:
    kwilu = roster(weekly(1, 2, 3))
    assert on_call(kwilu, kin(12, 7, 59, 59)) == {"primary": (1,)}
    assert on_call(kwilu, kin(12, 8)) == {"primary": (2,)}


def test_the_shift_changes_at_the_local_handoff_hour_in_lubumbashi() -> None:
    katanga = roster(weekly(1, 2, 3), timezone="Africa/Lubumbashi")
    assert on_call(katanga, lub(12, 7, 59, 59)) == {"primary": (1,)}
    assert on_call(katanga, lub(12, 8)) == {"primary": (2,)}


def test_the_same_instant_gives_kinshasa_the_old_shift_and_lubumbashi_the_new_one() -> None:
    instant = datetime(2026, 1, 12, 6, 30, tzinfo=UTC)  # 07:30 in Kinshasa, 08:30 in Lubumbashi
    assert on_call(roster(weekly(1, 2, 3)), instant) == {"primary": (1,)}
    assert on_call(roster(weekly(1, 2, 3), timezone="Africa/Lubumbashi"), instant) == {"primary": (2,)}


def test_the_time_asked_may_be_given_in_any_zone() -> None:
    kwilu = roster(weekly(1, 2, 3))
    assert on_call(kwilu, datetime(2026, 1, 12, 7, 0, tzinfo=UTC)) == {"primary": (2,)}
    assert on_call(kwilu, lub(12, 8, 59, 59)) == {"primary": (1,)}


def test_a_daily_rotation_hands_over_every_morning() -> None:
    kwilu = roster(daily(1, 2, 3))
    assert on_call(kwilu, kin(5, 8)) == {"primary": (1,)}
    assert on_call(kwilu, kin(6, 7, 59, 59)) == {"primary": (1,)}
    assert on_call(kwilu, kin(6, 8)) == {"primary": (2,)}
    assert on_call(kwilu, kin(7, 23, 59)) == {"primary": (3,)}


def test_a_weekly_rotation_keeps_the_same_worker_all_week() -> None:
    kwilu = roster(weekly(1, 2, 3))
    for moment in (kin(5, 8), kin(7, 3), kin(10, 20), kin(12, 7, 59, 59)):
        assert on_call(kwilu, moment) == {"primary": (1,)}


def test_the_rotation_starts_again_with_the_first_member_after_the_last() -> None:
    assert on_call(roster(daily(1, 2, 3)), kin(8, 8)) == {"primary": (1,)}
    assert on_call(roster(weekly(1, 2, 3)), kin(26, 8)) == {"primary": (1,)}
    eight_weeks_later = datetime(2026, 3, 2, 8, tzinfo=KINSHASA)
    assert on_call(roster(weekly(1, 2, 3)), eight_weeks_later) == {"primary": (3,)}


def test_nobody_is_on_call_before_the_first_handoff() -> None:
    kwilu = roster(weekly(1, 2, 3))
    assert on_call(kwilu, kin(1, 12)) == {}
    assert on_call(kwilu, kin(5, 7, 59, 59)) == {}


def test_a_rotation_not_yet_started_leaves_only_its_own_level_empty() -> None:
    later = Rotation(level="backup", members=(4,), start=date(2026, 2, 2), handoff_hour=8)
    assert on_call(roster(weekly(1, 2), later), kin(12, 9)) == {"primary": (2,)}


def test_every_rotation_of_a_level_puts_its_current_member_on_call_once() -> None:
    kwilu = roster(weekly(1, 2), daily(1, 3))
    assert on_call(kwilu, kin(5, 9)) == {"primary": (1,)}  # both rotations name worker 1
    assert on_call(kwilu, kin(6, 9)) == {"primary": (1, 3)}


def test_levels_come_in_order_a_worker_may_hold_several_and_empty_ones_are_left_out() -> None:
    kwilu = roster(weekly(1, level="supervisor"), weekly(1, 2))
    answer = on_call(kwilu, kin(6, 9))
    assert answer == {"primary": (1,), "supervisor": (1,)}
    assert list(answer) == ["primary", "supervisor"]


# Overrides


def swap(worker: int, replaces: int, starts_at: datetime, ends_at: datetime) -> Override:
    return Override("primary", worker, starts_at, ends_at, replaces=replaces)


def cover(worker: int, starts_at: datetime, ends_at: datetime, level: str = "primary") -> Override:
    return Override(level, worker, starts_at, ends_at)


def test_a_swap_replaces_only_the_named_worker() -> None:
    kwilu = roster(
        weekly(1, 2), weekly(3), weekly(4, level="backup"), overrides=(swap(9, 1, kin(6, 10), kin(7, 10)),)
    )
    assert on_call(kwilu, kin(6, 12)) == {"primary": (9, 3), "backup": (4,)}


def test_leave_cover_takes_the_whole_level_and_nothing_else() -> None:
    kwilu = roster(weekly(1, 2), weekly(3), weekly(4, level="backup"), overrides=(cover(7, kin(6), kin(9)),))
    assert on_call(kwilu, kin(6, 12)) == {"primary": (7,), "backup": (4,)}


def test_leave_cover_can_staff_a_level_that_has_no_rotation() -> None:
    kwilu = roster(weekly(1, 2), overrides=(cover(7, kin(6), kin(9), level="supervisor"),))
    assert on_call(kwilu, kin(6, 12)) == {"primary": (1,), "supervisor": (7,)}


def test_an_override_starts_at_its_first_second_and_ends_before_its_last() -> None:
    # Given in UTC on purpose: 09:00Z-17:00Z is 10:00-18:00 in Kinshasa.
    starts, ends = datetime(2026, 1, 6, 9, tzinfo=UTC), datetime(2026, 1, 6, 17, tzinfo=UTC)
    kwilu = roster(weekly(1, 2), overrides=(swap(9, 1, starts, ends),))
    assert on_call(kwilu, kin(6, 9, 59, 59)) == {"primary": (1,)}
    assert on_call(kwilu, kin(6, 10)) == {"primary": (9,)}
    assert on_call(kwilu, kin(6, 17, 59, 59)) == {"primary": (9,)}
    assert on_call(kwilu, kin(6, 18)) == {"primary": (1,)}


def test_of_two_overlapping_swaps_for_one_worker_the_later_starting_one_wins() -> None:
    long_swap = swap(8, 1, kin(6), kin(8))
    short_swap = swap(9, 1, kin(7), kin(7, 12))
    kwilu = roster(weekly(1, 2), overrides=(short_swap, long_swap))  # roster order does not matter
    assert on_call(kwilu, kin(6, 12)) == {"primary": (8,)}
    assert on_call(kwilu, kin(7, 6)) == {"primary": (9,)}
    assert on_call(kwilu, kin(7, 12)) == {"primary": (8,)}


def test_leave_cover_starting_after_a_swap_replaces_the_swapped_worker_too() -> None:
    kwilu = roster(weekly(1), weekly(3), overrides=(swap(9, 1, kin(6), kin(8)), cover(7, kin(7), kin(8))))
    assert on_call(kwilu, kin(6, 12)) == {"primary": (9, 3)}
    assert on_call(kwilu, kin(7, 12)) == {"primary": (7,)}


def test_a_swap_starting_after_leave_cover_can_relieve_the_cover() -> None:
    kwilu = roster(weekly(1), overrides=(cover(7, kin(6), kin(8)), swap(9, 7, kin(7), kin(8))))
    assert on_call(kwilu, kin(7, 12)) == {"primary": (9,)}


def test_a_worker_covering_a_swap_can_be_covered_in_turn() -> None:
    kwilu = roster(weekly(1, 2), overrides=(swap(8, 1, kin(6), kin(8)), swap(9, 8, kin(7), kin(8))))
    assert on_call(kwilu, kin(7, 12)) == {"primary": (9,)}


def test_a_swap_naming_a_worker_not_on_call_is_ignored() -> None:
    kwilu = roster(
        weekly(1, 2),
        weekly(5, level="backup"),
        overrides=(swap(9, 2, kin(6), kin(8)), swap(9, 5, kin(6), kin(8))),
    )
    # Worker 2's turn is next week, and worker 5 is on call for backup, not primary.
    assert on_call(kwilu, kin(6, 12)) == {"primary": (1,), "backup": (5,)}


def test_a_swap_with_someone_already_on_call_leaves_them_there_once() -> None:
    kwilu = roster(weekly(1), weekly(3), overrides=(swap(3, 1, kin(6), kin(8)),))
    assert on_call(kwilu, kin(6, 12)) == {"primary": (3,)}


# Validation


@pytest.mark.parametrize(
    ("bad_roster", "message"),
    [
        (roster(weekly(1, level="chief")), "unknown level 'chief'"),
        (roster(weekly()), "members is empty"),
        (roster(Rotation("primary", (1,), MONDAY, handoff_hour=8, every_days=0)), "every_days must be >= 1"),
        (roster(Rotation("primary", (1,), MONDAY, handoff_hour=24)), "handoff_hour must be 0-23"),
        (roster(Rotation("primary", (1,), MONDAY, handoff_hour=-1)), "handoff_hour must be 0-23"),
        (roster(weekly(1), timezone="Africa/Kikwit"), "unknown time zone 'Africa/Kikwit'"),
        (roster(weekly(1), timezone=""), "unknown time zone"),
        (roster(overrides=(cover(7, kin(6), kin(7), level="boss"),)), "unknown level 'boss'"),
        (roster(overrides=(cover(7, datetime(2026, 1, 6), kin(7)),)), "starts_at must be timezone-aware"),
        (roster(overrides=(cover(7, kin(6), datetime(2026, 1, 7)),)), "ends_at must be timezone-aware"),
        (roster(overrides=(cover(7, kin(7), kin(7)),)), "ends_at must be after starts_at"),
    ],
)
def test_a_broken_roster_is_refused_with_a_clear_message(bad_roster: Roster, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate(bad_roster)
    with pytest.raises(ValueError, match=message):
        on_call(bad_roster, kin(6, 12))


def test_a_naive_time_is_refused_because_it_names_no_zone() -> None:
    with pytest.raises(ValueError, match="at must be timezone-aware"):
        on_call(roster(weekly(1)), datetime(2026, 1, 6, 12))
    with pytest.raises(ValueError, match="at must be timezone-aware"):
        next_handoff(roster(weekly(1)), datetime(2026, 1, 6, 12))
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        week_view(roster(weekly(1)), datetime(2026, 1, 6, 12))


def test_a_valid_roster_yields_its_time_zone() -> None:
    assert validate(roster(weekly(1), timezone="Africa/Lubumbashi")) == LUBUMBASHI


# Next handoff and the week view


def test_the_next_handoff_is_the_next_local_shift_boundary() -> None:
    assert next_handoff(roster(weekly(1, 2)), kin(6, 12)) == kin(12, 8)
    assert next_handoff(roster(weekly(1, 2)), kin(12, 8)) == kin(19, 8)
    assert next_handoff(roster(daily(1, 2)), kin(6, 7, 59, 59)) == kin(6, 8)


def test_the_next_handoff_is_given_in_the_rosters_zone() -> None:
    katanga = roster(weekly(1, 2), timezone="Africa/Lubumbashi")
    following = next_handoff(katanga, datetime(2026, 1, 6, 12, tzinfo=UTC))
    assert following == lub(12, 8) == datetime(2026, 1, 12, 6, tzinfo=UTC)
    assert following is not None and following.tzinfo == LUBUMBASHI


def test_before_the_start_the_next_handoff_is_the_first_one() -> None:
    assert next_handoff(roster(weekly(1, 2)), kin(1)) == kin(5, 8)


def test_an_override_start_or_end_is_a_handoff_when_it_comes_first() -> None:
    kwilu = roster(weekly(1, 2), overrides=(swap(9, 1, kin(6, 10), kin(7, 10)),))
    assert next_handoff(kwilu, kin(6, 9)) == kin(6, 10)
    assert next_handoff(kwilu, kin(6, 10)) == kin(7, 10)
    assert next_handoff(kwilu, kin(7, 10)) == kin(12, 8)


def test_there_is_no_next_handoff_when_nothing_will_change() -> None:
    assert next_handoff(roster(), kin(6)) is None
    assert next_handoff(roster(overrides=(cover(7, kin(5), kin(6)),)), kin(6)) is None


def test_the_week_view_lists_each_change_including_a_swap_in_the_middle() -> None:
    # Worker 9 stands in for worker 3 from Tuesday noon to Wednesday noon; worker 3's daily shift ends
    # Wednesday 08:00, so the swap's end changes nothing and is not a row of its own.
    kwilu = roster(
        daily(1, 2, 3), weekly(4, 5, level="backup"), overrides=(swap(9, 3, kin(13, 12), kin(14, 12)),)
    )
    rows = week_view(kwilu, kin(12))
    assert rows == [
        (kin(12), kin(12, 8), {"primary": (1,), "backup": (4,)}),
        (kin(12, 8), kin(13, 8), {"primary": (2,), "backup": (5,)}),
        (kin(13, 8), kin(13, 12), {"primary": (3,), "backup": (5,)}),
        (kin(13, 12), kin(14, 8), {"primary": (9,), "backup": (5,)}),
        (kin(14, 8), kin(15, 8), {"primary": (1,), "backup": (5,)}),
        (kin(15, 8), kin(16, 8), {"primary": (2,), "backup": (5,)}),
        (kin(16, 8), kin(17, 8), {"primary": (3,), "backup": (5,)}),
        (kin(17, 8), kin(18, 8), {"primary": (1,), "backup": (5,)}),
        (kin(18, 8), kin(19), {"primary": (2,), "backup": (5,)}),
    ]


def test_the_week_view_covers_the_whole_period_without_gaps_or_overlaps() -> None:
    kwilu = roster(
        weekly(1, 2, 3),
        daily(4, 5, level="backup"),
        overrides=(cover(7, kin(8, 20), kin(10, 6)), Override("backup", 8, kin(9, 3), kin(9, 9), replaces=5)),
    )
    start = datetime(2026, 1, 4, 23, 30, tzinfo=UTC)  # before the rotations start; asked in UTC
    rows = week_view(kwilu, start)
    assert rows[0][0] == start and rows[-1][1] == start + timedelta(days=7)
    assert all(before[1] == after[0] for before, after in pairwise(rows))
    assert all(begin < end for begin, end, _ in rows)
    assert all(before[2] != after[2] for before, after in pairwise(rows))
    for begin, end, answer in rows:
        assert begin.tzinfo == KINSHASA
        assert on_call(kwilu, begin) == answer
        assert on_call(kwilu, end - timedelta(seconds=1)) == answer
    assert rows[0][2] == {}  # nobody until Monday 08:00
    assert {"primary": (7,), "backup": (8,)} in [answer for _, _, answer in rows]


def test_the_week_view_shows_one_row_when_the_answer_never_changes() -> None:
    rows = week_view(roster(daily(1)), kin(12), days=3)
    assert rows == [(kin(12), kin(15), {"primary": (1,)})]


def test_the_week_view_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="days must be >= 1"):
        week_view(roster(weekly(1)), kin(12), days=0)
