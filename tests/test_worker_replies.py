"""A social worker answers an alert by SMS: through the real /sms webhook, as AT posts it.

Kwilu's roster: Amani is primary, Bisimwa backup, Chantal supervisor; Dieudonne is off duty. An
urgent report from Kikwit alerts Amani and Bisimwa at once; each test then lets somebody write in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient

from flows.text import is_gsm7, sms_segments
from hotline.models import OutboundMessage, Report
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.sms.messages import body_of
from tests.support.builders import (
    REPORTER_PHONE,
    Team,
    Worker,
    advance,
    alert_times,
    events,
    kwilu_team,
    load,
    messages_to,
    report,
    texts_to,
)
from tests.support.sms import worker_texts as sms

RunJobs = Callable[[], None]
STRANGER = "+243990000077"
DESCRIPTION = "Ma voisine est enfermee chez le pasteur Mbala"
PLACE_DETAIL = "pres du marche central"

HELP = "Répondez 1 REF pour accepter, 2 REF pour refuser, FIN REF pour clore, NOTE REF texte, INFO REF."


@pytest.fixture
def case(runtime: Runtime, run_jobs: RunJobs, team: Team) -> Report:
    """An urgent report from a reporter who asked to be called back; Amani and Bisimwa alerted."""
    opened = report(
        runtime,
        urgent=True,
        phone=REPORTER_PHONE,
        contact="callback",
        safe_time="afternoon",
        place_detail=PLACE_DETAIL,
        people_count=3,
        children_involved=True,
        description=DESCRIPTION,
    )
    run_jobs()
    return opened


@pytest.fixture(autouse=True)
def every_sms_fits_one_gsm7_part(runtime: Runtime) -> Iterator[None]:
    """Whatever a test did: no SMS to a worker turns UCS-2, and only the details may take two parts."""
    yield
    with runtime.session() as session:
        for message in session.query(OutboundMessage).where(OutboundMessage.worker_id.isnot(None)):
            text = body_of(runtime, message)
            assert is_gsm7(text), text
            assert sms_segments(text) <= (2 if message.purpose == "details" else 1), text


def replies_to(runtime: Runtime, worker: Worker) -> list[str]:
    return texts_to(runtime, worker.phone, "reply")


def details(reference: str) -> str:
    return (
        f"{reference} Kwilu/Kikwit, {PLACE_DETAIL}. Personnes : 3, enfants : Oui. "
        f"Rappeler le {REPORTER_PHONE}, après-midi."
    )


# --- accepting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1 {ref}", id="1-ref"),
        pytest.param("OK {ref}", id="ok-ref"),
        pytest.param("ACK {ref}", id="ack-ref"),
        pytest.param("1", id="bare-1-means-the-latest-open-alert"),
        pytest.param("accepter {ref_lower}", id="fr-lower-case"),
        pytest.param("Accepté {ref}", id="fr-with-an-accent"),
        pytest.param("ACCEPT {ref}", id="en"),
        pytest.param("IYO {ref}", id="ln-draft"),
        pytest.param("Ndiyo {ref}", id="sw-draft"),
        pytest.param("EYO {ref}", id="kg-draft"),
        pytest.param("EYOWA {ref}", id="lua-draft"),
    ],
)
def test_the_accepting_worker_alone_gets_the_details_and_the_others_are_told(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
    text: str,
) -> None:
    ref = case.reference
    sms(client, run_jobs, team.primary, text.format(ref=ref, ref_lower=ref.lower()))

    assert load(runtime, case.id).accepted_by_id == team.primary.id
    assert replies_to(runtime, team.primary) == [f"Merci, {ref} est à vous. Les détails suivent."]
    assert texts_to(runtime, team.primary.phone, "details") == [details(ref)]
    assert texts_to(runtime, team.backup.phone)[1:] == [f"{ref} a été accepté par un collègue. Rien à faire."]
    assert texts_to(runtime, team.supervisor.phone) == []  # never alerted, told nothing
    assert texts_to(runtime, team.backup.phone, "details") == []


@pytest.mark.parametrize(
    ("contact", "phone"),
    [
        pytest.param("confidential", REPORTER_PHONE, id="number-kept-secret"),
        pytest.param("anonymous", None, id="anonymous"),
    ],
)
def test_the_callback_number_is_given_only_when_the_reporter_agreed_to_a_call(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    contact: str,
    phone: str | None,
) -> None:
    opened = report(runtime, phone=phone, contact=contact, description=DESCRIPTION)
    run_jobs()
    sms(client, run_jobs, team.primary, f"1 {opened.reference}")
    [sent] = texts_to(runtime, team.primary.phone, "details")
    assert sent == (
        f"{opened.reference} Kwilu/Kikwit. Personnes : inconnu, enfants : inconnu. "
        "Ne pas appeler : la personne n'a pas donné son accord."
    )


def test_no_sms_to_any_worker_ever_carries_the_description(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    texts = ("1 {ref}", "INFO {ref}", "NOTE {ref} vu la famille", "FIN {ref}")
    sms(client, run_jobs, team.primary, *[text.format(ref=case.reference) for text in texts])
    with runtime.session() as session:
        bodies = [body_of(runtime, m) for m in session.query(OutboundMessage)]
    assert len(bodies) >= 7
    assert not any("voisine" in body or "Mbala" in body for body in bodies)


def test_a_second_acceptance_is_told_a_colleague_already_has_it(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    sms(client, run_jobs, team.backup, f"OK {case.reference}")
    sms(client, run_jobs, team.primary, f"1 {case.reference}")
    assert replies_to(runtime, team.primary) == [
        f"{case.reference} a déjà été accepté par un collègue. Rien à faire."
    ]
    assert texts_to(runtime, team.primary.phone, "details") == []
    assert load(runtime, case.id).accepted_by_id == team.backup.id


# --- declining -------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["2", "NON", "non", "HAPANA"])
def test_a_decline_alerts_the_next_level_at_the_next_tick_without_waiting(
    client: FlaskClient,
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
    word: str,
) -> None:
    opened = report(runtime)  # normal: Amani alone, the backup would wait 10 minutes
    run_jobs()
    sms(client, run_jobs, team.primary, f"{word} {opened.reference}")
    assert replies_to(runtime, team.primary) == [
        f"Noté : vous refusez {opened.reference}. Il passe à la personne suivante."
    ]

    advance(clock, run_jobs)  # the next tick, at the same moment
    assert alert_times(runtime, team, opened.created_at) == [(0, "Amani"), (0, "Bisimwa")]
    assert [e.actor for e in events(runtime, opened.id, "declined")] == [f"worker:{team.primary.id}"]
    assert load(runtime, opened.id).accepted_at is None


def test_a_decline_after_the_last_level_promises_no_next_person(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
) -> None:
    opened = report(runtime)
    run_jobs()
    with runtime.session() as session:  # the policy has run to its end
        session.get(Report, opened.id).escalation_due_at = None
        session.commit()
    sms(client, run_jobs, team.primary, f"2 {opened.reference}")
    assert replies_to(runtime, team.primary) == [
        f"Noté : vous refusez {opened.reference}. Toutes les personnes de garde ont été alertées ; "
        "les superviseurs suivent dans la console."
    ]


# --- closing, notes, details -----------------------------------------------------------------------


def test_only_the_accepting_worker_can_close_the_report(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    ref = case.reference
    sms(client, run_jobs, team.primary, f"1 {ref}")
    sms(client, run_jobs, team.backup, f"FIN {ref}")
    assert replies_to(runtime, team.backup) == [f"Acceptez d'abord {ref} : envoyez 1 {ref}."]
    assert load(runtime, case.id).status == "accepted"

    sms(client, run_jobs, team.primary, f"fin {ref} enfant remis a sa famille")
    assert replies_to(runtime, team.primary)[-1] == f"{ref} est clos. Merci."
    assert load(runtime, case.id).status == "closed"
    [closed] = events(runtime, case.id, "closed")
    assert closed.detail["note"] == "enfant remis a sa famille"


def test_a_note_lands_on_the_reports_timeline(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    sms(client, run_jobs, team.primary, f"NOTE {case.reference} Police prevenue, on y va")
    assert replies_to(runtime, team.primary) == [f"Note ajoutée à {case.reference}."]
    [note] = events(runtime, case.id, "note")
    assert (note.actor, note.detail["note"]) == (f"worker:{team.primary.id}", "Police prevenue, on y va")


def test_info_resends_the_details_to_the_accepting_worker_only(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    ref = case.reference
    sms(client, run_jobs, team.primary, f"1 {ref}", f"INFO {ref}")
    sms(client, run_jobs, team.backup, f"INFO {ref}")
    assert texts_to(runtime, team.primary.phone, "details") == [details(ref), details(ref)]
    assert texts_to(runtime, team.backup.phone, "details") == []
    assert replies_to(runtime, team.backup) == [f"Acceptez d'abord {ref} : envoyez 1 {ref}."]


@pytest.mark.parametrize("text", ["AIDE", "help", "?", "Bonjour, je ne comprends pas", "NOTE"])
def test_help_or_anything_unclear_gets_the_list_of_answers(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
    text: str,
) -> None:
    sms(client, run_jobs, team.primary, text)
    assert replies_to(runtime, team.primary) == [HELP]
    assert load(runtime, case.id).accepted_at is None


# --- what cannot be done ---------------------------------------------------------------------------


def test_an_unknown_reference_is_named_in_the_answer(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    unknown = "KKKKKK" if case.reference != "KKKKKK" else "MMMMMM"
    sms(client, run_jobs, team.primary, f"1 {unknown}")
    assert replies_to(runtime, team.primary) == [
        f"Référence {unknown} inconnue. Vérifiez le code de l'alerte."
    ]
    assert load(runtime, case.id).accepted_at is None


def test_a_mistyped_reference_is_not_taken_for_a_bare_1(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    # O, I, L, S, Z, B, 0, 1, 2, 5 and 8 are never in a reference: this is a typo, not "1" alone.
    typo = "O" + case.reference[1:]
    sms(client, run_jobs, team.primary, f"1 {typo}")
    assert replies_to(runtime, team.primary) == [f"Référence {typo} inconnue. Vérifiez le code de l'alerte."]
    assert load(runtime, case.id).accepted_at is None


def test_a_reference_older_than_72_hours_is_refused_kindly(
    client: FlaskClient,
    runtime: Runtime,
    clock: FrozenClock,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    clock.advance(hours=72, seconds=1)
    sms(client, run_jobs, team.primary, f"1 {case.reference}")
    assert replies_to(runtime, team.primary) == [
        f"{case.reference} date de plus de 72 heures : utilisez la console."
    ]
    assert load(runtime, case.id).accepted_at is None


@pytest.mark.parametrize("text", ["1 {ref}", "INFO {ref}", "2 {ref}", "NOTE {ref} je passe"])
def test_a_worker_who_was_not_alerted_cannot_act_on_the_report(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
    text: str,
) -> None:
    sms(client, run_jobs, team.off_duty, text.format(ref=case.reference))
    assert texts_to(runtime, team.off_duty.phone) == [f"Vous n'avez pas été alerté pour {case.reference}."]
    final = load(runtime, case.id)
    assert (final.accepted_at, final.status) == (None, "alerted")
    assert [e.kind for e in events(runtime, case.id) if e.actor] == []


def test_a_bare_1_without_any_open_alert_says_so(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    sms(client, run_jobs, team.supervisor, "1")
    assert replies_to(runtime, team.supervisor) == [
        "Vous n'avez aucune alerte ouverte. Envoyez AIDE pour l'aide."
    ]
    assert load(runtime, case.id).accepted_at is None


@pytest.mark.parametrize("text", ["1 {ref}", "INFO {ref}", "OK {ref}"])
def test_a_number_that_is_not_a_worker_is_never_given_case_data(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
    text: str,
) -> None:
    sms(client, run_jobs, STRANGER, text.format(ref=case.reference))
    for body in [body_of(runtime, m) for m in messages_to(runtime, STRANGER)]:
        assert case.reference not in body
        assert "Kikwit" not in body and "Kwilu" not in body
        assert "exploitation" not in body.lower()
        assert REPORTER_PHONE not in body
    assert load(runtime, case.id).accepted_at is None


def test_an_sms_that_at_posts_twice_is_acted_on_once(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    team: Team,
    case: Report,
) -> None:
    sms(client, run_jobs, team.primary, f"1 {case.reference}", at_id="ATSMS-replayed")
    sms(client, run_jobs, team.primary, f"1 {case.reference}", at_id="ATSMS-replayed")
    assert replies_to(runtime, team.primary) == [
        f"Merci, {case.reference} est à vous. Les détails suivent."
    ]  # not "already yours"
    assert len(texts_to(runtime, team.primary.phone, "details")) == 1
    assert len(events(runtime, case.id, "accepted")) == 1


@pytest.mark.parametrize("language", ["en", "ln", "sw"])
def test_a_worker_gets_every_answer_in_their_language_within_one_gsm7_sms(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: RunJobs,
    language: str,
) -> None:
    team = kwilu_team(runtime, language=language)
    opened = report(
        runtime,
        urgent=True,
        phone=REPORTER_PHONE,
        contact="callback",
        safe_time="evening",
        place_detail="derrière l’église « Béthel », 2e rue à gauche",
        people_count=12,
        children_involved=False,
    )
    run_jobs()
    ref = opened.reference
    sms(
        client,
        run_jobs,
        team.primary,
        "AIDE",
        f"1 {ref}",
        f"INFO {ref}",
        f"NOTE {ref} ça avance",
        f"FIN {ref}",
        f"2 {ref}",
        "1 KKKKKK",
        "1",
    )
    sms(client, run_jobs, team.backup, f"1 {ref}")
    assert len(replies_to(runtime, team.primary)) == 7  # every command answered (INFO: details)
    if language == "en":
        assert texts_to(runtime, team.backup.phone)[1:] == [
            f"{ref} was accepted by a colleague. Nothing to do.",
            f"{ref} was already accepted by a colleague. Nothing to do.",
        ]
    # The autouse check above asserts GSM-7 and the number of parts of every one of them.
