"""Phone calls as an escalation step (issue 15, part 1), against the fake AT with the real SDK.

Kwilu's team (French) and the default urgent policy: primary and backup by SMS, 3 minutes, a call
to the primary, 3 minutes, the supervisor. The fake AT rings the primary and "answers" as scripted,
posting its voice callbacks to the app served on loopback; time is a frozen clock moved by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hotline.alerting import call_script, escalation
from hotline.models import Report, VoiceCall
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from tests.support.builders import (
    Team,
    advance,
    alert_times,
    events,
    kwilu_team,
    load,
    reply,
    report,
    texts_to,
)
from tests.support.environment import TEST_TOKEN
from tests.support.fake_at import FakeAT
from tests.support.fake_at_voice import CallScript, FakeVoice, parse_actions
from tests.support.voice import VOICE_NUMBER, voice_on
from workers import jobs

WAIT = 180  # the default urgent policy's waits
WAIT_DELTA = timedelta(seconds=WAIT)


@pytest.fixture
def voice(runtime: Runtime, fake_at: FakeAT, live_server: str) -> Iterator[FakeVoice]:
    with voice_on(runtime, fake_at, live_server) as fake_voice:
        yield fake_voice


def calls(runtime: Runtime) -> list[VoiceCall]:
    with runtime.session() as session:
        return list(session.scalars(select(VoiceCall).order_by(VoiceCall.id)))


def unanswered_sms(runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None]) -> Report:
    """An urgent report whose SMS alerts nobody answers for the policy's first wait."""
    opened = report(runtime, urgent=True)
    run_jobs()
    advance(clock, run_jobs, WAIT)
    return opened


def kinds(runtime: Runtime, report_id: int) -> list[str]:
    return [e.kind for e in events(runtime, report_id)]


def test_the_primary_who_misses_the_sms_gets_a_call_and_pressing_1_accepts_with_the_details_sms(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: Callable[[], None],
    team: Team,
    voice: FakeVoice,
    fake_at: FakeAT,
) -> None:
    voice.script(team.primary.phone, "press1")
    opened = unanswered_sms(runtime, clock, run_jobs)
    (placed,) = voice.wait_for_end()
    run_jobs()  # what the callbacks enqueued: the confirmation, the details, the colleague's notice

    assert placed.to == team.primary.phone
    assert load(runtime, opened.id).accepted_by_id == team.primary.id
    details = texts_to(runtime, team.primary.phone, "details")
    assert len(details) == 1 and opened.reference in details[0]
    assert any(sms.to == team.primary.phone and sms.message == details[0] for sms in fake_at.messages)
    assert any(opened.reference in text for text in texts_to(runtime, team.backup.phone, "notice"))
    (ended,) = events(runtime, opened.id, "call_ended")
    assert ended.detail == {
        "worker_id": team.primary.id,
        "outcome": "accepted",
        "key": "1",
        "seconds": 21,
        "status": "NORMAL_CLEARING",
        "cost": "USD 0.0500",
    }
    assert kinds(runtime, opened.id).index("call_answered") < kinds(runtime, opened.id).index("accepted")
    # Nobody else is alerted after: the call ended the escalation as "1 REF" would.
    advance(clock, run_jobs, 2 * WAIT)
    assert [name for _, name in alert_times(runtime, team, opened.created_at)] == ["Amani", "Bisimwa"]


def seconds_after(runtime: Runtime, team: Team, opened: Report) -> list[tuple[int, str]]:
    return alert_times(runtime, team, opened.created_at)


@pytest.mark.parametrize(
    ("script", "outcome", "status"),
    [("no_answer", "no_answer", "NO_ANSWER"), ("busy", "busy", "USER_BUSY"), ("failed", "failed", None)],
)
def test_a_call_nobody_answers_moves_to_the_next_level_at_once(
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: Callable[[], None],
    team: Team,
    voice: FakeVoice,
    script: CallScript,
    outcome: str,
    status: str | None,
) -> None:
    voice.script(team.primary.phone, script)
    opened = unanswered_sms(runtime, clock, run_jobs)
    voice.wait_for_end()
    run_jobs()  # the escalation job the final callback enqueued

    # The supervisor is alerted when the call ends, not 3 minutes later.
    assert seconds_after(runtime, team, opened) == [(0, "Amani"), (0, "Bisimwa"), (WAIT, "Chantal")]
    (ended,) = events(runtime, opened.id, "call_ended")
    assert ended.detail["outcome"] == outcome and ended.detail["seconds"] == 0
    assert ended.detail["status"] == (status or "NORMAL_TEMPORARY_FAILURE")
    assert events(runtime, opened.id, "escalation_hastened")[0].detail["reason"] == f"call_{outcome}"
    assert "call_answered" not in kinds(runtime, opened.id)


def test_pressing_2_declines_as_2_ref_does_and_the_next_level_follows_at_once(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, voice: FakeVoice
) -> None:
    voice.script(team.primary.phone, "press2")
    opened = unanswered_sms(runtime, clock, run_jobs)
    voice.wait_for_end()
    run_jobs()

    assert load(runtime, opened.id).accepted_at is None
    assert [e.detail["worker_id"] for e in events(runtime, opened.id, "declined")] == [team.primary.id]
    assert any("refus" in text for text in texts_to(runtime, team.primary.phone, "reply"))
    assert seconds_after(runtime, team, opened)[-1] == (WAIT, "Chantal")
    assert events(runtime, opened.id, "call_ended")[0].detail["outcome"] == "declined"
    assert voice.exchanges[1].spoken() == [call_url(voice, "fr/declined")]


def test_no_key_says_so_and_moves_to_the_next_level_at_once(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, voice: FakeVoice
) -> None:
    voice.script(team.primary.phone, "silent")
    opened = unanswered_sms(runtime, clock, run_jobs)
    voice.wait_for_end()
    run_jobs()

    (ended,) = events(runtime, opened.id, "call_ended")
    assert (ended.detail["outcome"], ended.detail["key"], ended.detail["seconds"]) == ("no_key", None, 21)
    assert seconds_after(runtime, team, opened)[-1] == (WAIT, "Chantal")
    answer = voice.exchanges[0]
    assert answer.actions[-1].attributes["url"] == call_url(voice, "fr/no_key")  # after GetDigits


def call_url(voice: FakeVoice, clip: str) -> str:
    base = (voice.callback_url or "").split("/webhooks/")[0]
    return f"{base}/static/voice/{clip}.mp3"


def test_a_french_worker_hears_the_alert_urgency_place_and_reference_letter_by_letter(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, voice: FakeVoice
) -> None:
    voice.script(team.primary.phone, "press1")
    opened = unanswered_sms(runtime, clock, run_jobs)
    voice.wait_for_end()

    answer = voice.exchanges[0]
    letters = [call_url(voice, "fr/" + call_script.character_clip(c)) for c in opened.reference]
    clips = ["fr/alert", "fr/urgent", "fr/place", "places/cd-kl", "places/cd-kl-kikwit", "fr/reference"]
    ask = call_url(voice, "fr/press")
    assert answer.spoken() == [
        *(call_url(voice, c) for c in clips),
        *letters,
        ask,
        call_url(voice, "fr/no_key"),
    ]
    prompt = answer.first("GetDigits")
    assert prompt is not None and prompt.attributes["numDigits"] == "1"
    assert prompt.attributes["callbackUrl"] == voice.callback_url
    # AT fetches every recording it is told to play: each is served, as audio.
    assert voice.audio and all(status == 200 and kind == "audio/mpeg" for _, status, kind in voice.audio)


def test_an_english_worker_hears_text_to_speech_with_no_personal_data(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], voice: FakeVoice
) -> None:
    english = kwilu_team(runtime, language="en")
    voice.script(english.primary.phone, "press1")
    opened = report(
        runtime, urgent=True, description="Zebracanari retient trois filles", place_detail="chez Zebracanari"
    )
    run_jobs()
    advance(clock, run_jobs, WAIT)
    voice.wait_for_end()

    said = voice.exchanges[0].spoken()
    spelled = ", ".join(opened.reference)
    assert said == [
        "Hotline alert. A report is waiting for an answer.",
        "It is urgent.",
        "Place: Kwilu, Kikwit.",
        f"Reference: {spelled}.",
        "Press 1 to accept, 2 to decline.",
        "No key was pressed. The report goes to the next person. Goodbye.",
    ]
    bodies = " ".join(x.body for x in voice.exchanges)
    assert "Zebracanari" not in bodies and english.primary.phone not in bodies and "+243" not in bodies


def test_without_a_voice_service_the_call_step_is_skipped_and_so_is_its_wait(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, fake_at: FakeAT
) -> None:
    opened = unanswered_sms(runtime, clock, run_jobs)

    # The default urgent policy keeps its old timing without voice: the supervisor after one wait.
    assert seconds_after(runtime, team, opened) == [(0, "Amani"), (0, "Bisimwa"), (WAIT, "Chantal")]
    timeline = kinds(runtime, opened.id)
    step = timeline.index("call_unavailable")
    assert timeline[step : step + 3] == ["call_unavailable", "wait_skipped", "notified"]
    assert calls(runtime) == [] and fake_at.voice.calls == []


def test_a_call_whose_report_was_accepted_before_it_rang_never_rings(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, voice: FakeVoice
) -> None:
    opened = report(runtime, urgent=True)
    run_jobs()
    clock.advance(seconds=WAIT)
    escalation.run_due(runtime, opened.id)  # the step wrote the call; its job is not run yet
    reply(runtime, team.backup, f"1 {opened.reference}")
    jobs.tick()  # finds the pending call (as it would after a lost job)
    run_jobs()

    assert [c.status for c in calls(runtime)] == ["cancelled"]
    assert voice.calls == []
    assert load(runtime, opened.id).accepted_by_id == team.backup.id


def test_the_ticker_places_a_call_whose_job_was_lost(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, voice: FakeVoice
) -> None:
    voice.script(team.primary.phone, "press1")
    opened = report(runtime, urgent=True)
    run_jobs()
    clock.advance(seconds=WAIT)
    escalation.run_due(runtime, opened.id)  # no place_call job was ever enqueued
    jobs.tick()
    run_jobs()
    voice.wait_for_end()

    assert load(runtime, opened.id).accepted_by_id == team.primary.id


def test_a_colleague_who_accepted_while_the_phone_rang_is_not_overruled_by_its_key(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, voice: FakeVoice
) -> None:
    voice.delay = 1.0  # time for the backup's SMS while the primary's phone rings
    voice.script(team.primary.phone, "press1")
    opened = unanswered_sms(runtime, clock, run_jobs)
    reply(runtime, team.backup, f"1 {opened.reference}")
    voice.wait_for_end()

    assert load(runtime, opened.id).accepted_by_id == team.backup.id
    assert voice.exchanges[0].spoken() == [call_url(voice, "fr/taken")]
    assert events(runtime, opened.id, "call_ended")[0].detail["outcome"] == "taken"


def test_a_refused_call_moves_to_the_next_level_at_once(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, voice: FakeVoice
) -> None:
    voice.script(team.primary.phone, "refuse")
    opened = unanswered_sms(runtime, clock, run_jobs)

    (ended,) = events(runtime, opened.id, "call_ended")
    assert (ended.detail["outcome"], ended.detail["status"]) == ("failed", "InvalidPhoneNumber")
    assert seconds_after(runtime, team, opened)[-1] == (WAIT, "Chantal")
    assert voice.exchanges == []


def test_an_outcome_that_comes_after_the_escalation_moved_on_hastens_nothing(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, voice: FakeVoice
) -> None:
    hook, voice.callback_url = voice.callback_url, None  # the phone rings; AT says nothing for now
    opened = unanswered_sms(runtime, clock, run_jobs)
    (placed,) = voice.calls
    advance(clock, run_jobs, WAIT)  # the call's wait is over: the supervisor is alerted
    final = {"sessionId": str(placed.session_id), "isActive": "0", "hangupCause": "NO_ANSWER"}
    voice.post({**final, "durationInSeconds": "0"}, url=hook)
    run_jobs()

    assert events(runtime, opened.id, "call_ended")[0].detail["outcome"] == "no_answer"
    assert events(runtime, opened.id, "escalation_hastened") == []
    assert load(runtime, opened.id).escalation_due_at == opened.created_at + 3 * WAIT_DELTA


def test_a_callback_for_a_session_the_hotline_did_not_start_is_refused(
    runtime: Runtime, team: Team, voice: FakeVoice, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stranger = {"isActive": "1", "direction": "Inbound", "callerNumber": "+243990000777"}
    answer = voice.post({**stranger, "sessionId": "ATVId_" + "0" * 32, "destinationNumber": VOICE_NUMBER})
    final = voice.post({**stranger, "sessionId": "ATVId_" + "1" * 32, "isActive": "0"})

    assert (answer.status, [a.tag for a in answer.actions], answer.problem) == (200, ["Reject"], None)
    assert (final.status, final.body.endswith("<Response/>")) == (200, True)
    assert calls(runtime) == [] and "+243990000777" not in caplog.text


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"isActive": "1"},
        {"sessionId": "ATVId_x", "isActive": "maybe"},
        {"sessionId": "not an id!", "isActive": "1"},
        {"sessionId": "A" * 200, "isActive": "1"},
    ],
)
def test_a_callback_at_could_not_have_sent_gets_400(client, form: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"/webhooks/at/{TEST_TOKEN}/voice", data=form)
    assert response.status_code == 400


def test_odd_values_in_a_real_call_s_callbacks_never_get_a_server_error(
    runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None], team: Team, voice: FakeVoice
) -> None:
    hook, voice.callback_url = voice.callback_url, None
    unanswered_sms(runtime, clock, run_jobs)
    (placed,) = voice.calls
    session = str(placed.session_id)
    odd = [
        {"isActive": "TRUE", "dtmfDigits": "\x00"},
        {"isActive": "1", "dtmfDigits": "😀" * 30},
        {"isActive": "1", "dtmfDigits": "#"},
        {"isActive": "1", "dtmfDigits": "12345"},
        {"isActive": "0", "durationInSeconds": "99999999999", "amount": "1e400", "currencyCode": "USDX"},
        {"isActive": "0", "durationInSeconds": "-3", "hangupCause": "Z" * 999, "status": "\x00"},
    ]
    answers = [voice.post({"sessionId": session, **form}, url=hook) for form in odd]

    assert [a.status for a in answers] == [200] * len(odd)
    assert [a.problem for a in answers] == [None] * len(odd)
    (call,) = calls(runtime)
    assert call.status == "no_key" and call.duration_seconds is None and call.cost is None


def test_french_and_english_recordings_are_complete_and_the_place_names_are_there(runtime: Runtime) -> None:
    assert call_script.recorded("fr") and call_script.recorded("en")
    folder = call_script.RECORDINGS / "places"
    for province in runtime.locations.provinces():
        assert (folder / f"{call_script.place_clip(province.code)}.mp3").is_file(), province.code
    rows = call_script.checklist("ln", runtime.translations)
    assert len(rows) == len(call_script.clip_names()) and not any(present for *_, present in rows)
    assert rows[4][:2] == ("ln/press.mp3", "Appuyez sur 1 pour accepter, sur 2 pour refuser.")


def test_the_recordings_are_served_to_anyone_without_the_token(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/static/voice/fr/alert.mp3")
    assert (response.status_code, response.mimetype) == (200, "audio/mpeg")
    assert len(response.data) < 20_000  # mono, 8 kHz, 16 kbit/s: a few kilobytes


VOICE_FIELDS = (
    "sessionId",
    "isActive",
    "direction",
    "callerNumber",
    "destinationNumber",
    "dtmfDigits",
    "durationInSeconds",
    "currencyCode",
    "amount",
    "hangupCause",
    "status",
    "callSessionState",
    "padding",
)
VALUES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.sampled_from(["0", "1", "true", "2", "#", "1#", "-5", "1e9", "USD", "0.05", "ATVId_known", "😀"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.dictionaries(st.sampled_from(VOICE_FIELDS), VALUES), ours=st.booleans())
def test_any_voice_form_gets_the_documented_xml_or_a_400_and_never_an_error(
    client, runtime: Runtime, team: Team, form: dict[str, str], ours: bool
) -> None:  # type: ignore[no-untyped-def]
    opened = report(runtime, urgent=True)
    with runtime.session() as session:  # a call the hotline placed, ringing
        session.add(
            VoiceCall(
                report_id=opened.id,
                worker_id=team.primary.id,
                level="primary",
                status="ringing",
                session_id=f"ATVId_{opened.id:032x}",
                created_at=opened.created_at,
            )
        )
        session.commit()
    if ours:
        form = {**form, "sessionId": f"ATVId_{opened.id:032x}"}
    errors: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = errors.append  # type: ignore[method-assign]
    logging.getLogger("hotline").addHandler(handler)
    try:
        response = client.post(f"/webhooks/at/{TEST_TOKEN}/voice", data=form)
    finally:
        logging.getLogger("hotline").removeHandler(handler)

    assert response.status_code in (200, 400) and errors == []
    if response.status_code == 200:
        assert response.mimetype == "application/xml"
        assert parse_actions(response.get_data(as_text=True))[1] is None
