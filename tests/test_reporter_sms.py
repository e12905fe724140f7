"""A reporter's SMS, as Africa's Talking posts it (docs/africastalking.md section 3), handled by the real job.

An SMS from anyone who is not a social worker opens a report (or adds to the one just made); the
reporter wrote first, so one short neutral reply may go back, and nothing at all after STOP.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from flows.reporter import HELP_LINES
from flows.text import is_gsm7, sms_segments, to_gsm7
from flows.ussd import fill
from hotline.alerting import worker_replies
from hotline.intake.reporter_sms import RECEIVED
from hotline.models import InboundMessage, Report, ReportEvent, SmsOptOut
from hotline.platform.clock import FrozenClock
from hotline.platform.i18n import LANGUAGES
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings
from hotline.web.app import create_app
from tests.support.builders import add_worker, messages_to, runtime_with, texts_to
from tests.support.environment import TEST_TOKEN
from tests.support.languages import pilot_every_language
from tests.support.sms import KIKWIT_TEXT, sms

BASE = f"/webhooks/at/{TEST_TOKEN}"
PHONE = "+243810000001"
OTHER_PHONE = "+243970000004"
LONGEST_REFERENCE = "ABCDEFGH"

_ids = count(1)


def reports(runtime: Runtime) -> list[Report]:
    with runtime.session() as session:
        return list(session.scalars(select(Report).order_by(Report.id)))


def replies(runtime: Runtime, phone: str = PHONE) -> list[str]:
    """What was (or is being) sent to this phone; a cancelled reply never left."""
    return texts_to(runtime, phone, purpose="reply")


def received(runtime: Runtime, lang: str, reference: str) -> str:
    return to_gsm7(fill(runtime.translations.translate(lang, RECEIVED), {"reference": reference}))


def dial_and_choose_language(client: FlaskClient, key: str) -> None:
    form = {
        "sessionId": f"ATUid_sms{next(_ids):029d}",
        "serviceCode": "*384*44135#",
        "phoneNumber": PHONE,
        "networkCode": "63001",
    }
    for text in ("", key):
        assert client.post(f"{BASE}/ussd", data={**form, "text": text}).status_code == 200


# --- a report by SMS ---------------------------------------------------------------------------


def test_an_sms_opens_a_report_with_its_text_and_gets_one_short_neutral_reply(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    sms(client, KIKWIT_TEXT)
    run_jobs()

    [report] = reports(runtime)
    assert (report.channel, report.description, report.category) == ("sms", KIKWIT_TEXT, "other")
    assert (report.location_code, report.urgent, report.language) == ("CD-KL/kikwit", False, "fr")
    assert report.reporter_hash == runtime.cipher.lookup_hash(PHONE)
    [reply] = messages_to(runtime, PHONE)
    assert reply.purpose == "reply" and reply.status == "delivered"
    # "ç" is outside GSM-7 (it would make the SMS UCS-2, 70 characters a part); "é" is inside.
    assert reply.body == f"Recu, référence {report.reference}. En danger, appelez le 129 ou le 122 (gratuit)."
    assert is_gsm7(reply.body) and sms_segments(reply.body) == 1
    for word in ("traite", "trafficking", "signalement", "Kikwit"):  # nothing a watcher could read
        assert word not in reply.body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_reply_fits_one_gsm7_part_in_every_language(runtime: Runtime, lang: str) -> None:
    for body in (
        received(runtime, lang, LONGEST_REFERENCE),
        to_gsm7(runtime.translations.translate(lang, HELP_LINES)),
    ):
        assert is_gsm7(body)
        assert sms_segments(body) == 1, body


@pytest.mark.parametrize(
    ("text", "location", "urgent"),
    [
        pytest.param("Aidez-moi, on nous garde enfermees", "CD", False, id="no-place-the-whole-country"),
        pytest.param(
            "URGENT des enfants enfermes a Bandundu", "CD-KL/bandundu", True, id="urgent-and-a-city"
        ),
        pytest.param(
            "Venez vite, ils partent maintenant de Masi-Manimba",
            "CD-KL/masi-manimba",
            True,
            id="vite-maintenant",
        ),
        pytest.param("Des filles travaillent de force au Kasai", "CD-KS", False, id="a-province"),
        pytest.param(
            "haraka! watoto wako hatarini Lubumbashi", "CD-HK/lubumbashi", True, id="swahili-urgency"
        ),
    ],
)
def test_the_place_is_guessed_from_a_name_in_the_text_and_urgency_from_its_words(
    client: FlaskClient,
    runtime: Runtime,
    run_jobs: Callable[[], None],
    text: str,
    location: str,
    urgent: bool,
) -> None:
    sms(client, text)
    run_jobs()
    [report] = reports(runtime)
    assert (report.location_code, report.urgent, report.description) == (location, urgent, text)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param("Tafadhali msaada, watoto wanafanya kazi hapa usiku", "sw", id="swahili"),
        pytest.param("Please help, the children are forced to work here", "en", id="english"),
        pytest.param("Bonjour, une femme est enfermee", "fr", id="french"),
        pytest.param("12 3 ???", "fr", id="nothing-to-go-by-is-french"),
    ],
)
def test_the_reply_is_in_the_language_of_the_text(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None], text: str, lang: str
) -> None:
    pilot_every_language(runtime)  # Swahili, a draft, answers reporters only in a pilot
    sms(client, text)
    run_jobs()
    [report] = reports(runtime)
    assert report.language == lang
    assert replies(runtime) == [received(runtime, lang, report.reference)]


def test_the_language_chosen_earlier_by_ussd_wins_over_the_words_of_the_sms(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    dial_and_choose_language(client, "6")  # English on the language screen
    sms(client, KIKWIT_TEXT)
    run_jobs()
    [report] = reports(runtime)
    assert report.language == "en"
    assert replies(runtime) == [f"Received, reference {report.reference}. In danger, call 129 or 122 (free)."]


def test_a_second_sms_within_ten_minutes_joins_the_same_report_without_a_second_reply(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None]
) -> None:
    sms(client, "Une fille est retenue a Kikwit")
    run_jobs()
    clock.advance(minutes=9, seconds=59)
    sms(client, "dans la maison bleue pres du marche")
    run_jobs()

    [report] = reports(runtime)
    assert report.description == "Une fille est retenue a Kikwit\ndans la maison bleue pres du marche"
    assert len(replies(runtime)) == 1
    with runtime.session() as session:
        linked = session.scalars(select(InboundMessage.report_id)).all()
        joined = session.scalars(select(ReportEvent).where(ReportEvent.kind == "sms_joined")).all()
    assert linked == [report.id, report.id]
    assert len(joined) == 1


def test_texts_that_keep_coming_join_the_report_until_ten_minutes_pass_after_the_last_one(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None]
) -> None:
    texts = ["Une fille est retenue a Kikwit", "dans la maison bleue", "pres du marche", "venez vite"]
    for text in texts:
        sms(client, text)
        run_jobs()
        clock.advance(minutes=8)  # each text 8 minutes after the one before: 24 minutes in all

    [report] = reports(runtime)
    assert report.description == "\n".join(texts)
    clock.advance(minutes=2, seconds=1)  # now 10 min 1 s after the last text
    sms(client, "Une autre fille a Gungu")
    run_jobs()
    assert len(reports(runtime)) == 2


def test_a_report_an_hour_old_takes_no_more_texts_even_if_they_kept_coming(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None]
) -> None:
    for _ in range(8):  # one text every 9 minutes: 63 minutes
        sms(client, "Une fille est retenue a Kikwit")
        run_jobs()
        clock.advance(minutes=9)
    first, second = reports(runtime)
    assert first.description.count("\n") == 6 and second.description.count("\n") == 0


def test_an_sms_more_than_ten_minutes_later_opens_a_new_report_with_its_own_reply(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None]
) -> None:
    sms(client, "Une fille est retenue a Kikwit")
    run_jobs()
    clock.advance(minutes=10, seconds=1)
    sms(client, "Encore une autre fille a Gungu")
    run_jobs()

    first, second = reports(runtime)
    assert (first.location_code, second.location_code) == ("CD-KL/kikwit", "CD-KL/gungu")
    assert first.reference != second.reference
    assert replies(runtime) == [
        received(runtime, "fr", first.reference),
        received(runtime, "fr", second.reference),
    ]


def test_an_sms_that_at_posts_twice_is_processed_once(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    message_id = sms(client, KIKWIT_TEXT)
    sms(client, KIKWIT_TEXT, message_id=message_id)
    run_jobs()
    sms(client, KIKWIT_TEXT, message_id=message_id)  # AT had not seen our 200 yet
    run_jobs()

    assert len(reports(runtime)) == 1
    assert len(replies(runtime)) == 1
    with runtime.session() as session:
        assert len(session.scalars(select(InboundMessage)).all()) == 1


# --- keywords ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["AIDE", "aide", "Help!", "HELP", "SOS", "Msaada", "Lisalisi"])
def test_a_help_keyword_gets_the_free_lines_and_opens_no_report(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None], text: str
) -> None:
    sms(client, text)
    run_jobs()
    [reply] = replies(runtime)
    for line in ("129", "122", "117"):
        assert line in reply
    assert reports(runtime) == []


def test_status_from_the_reporting_number_answers_in_one_line(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None]
) -> None:
    sms(client, KIKWIT_TEXT)
    run_jobs()
    [report] = reports(runtime)
    clock.advance(minutes=1)
    sms(client, f"STATUT {report.reference.lower()}")
    run_jobs()

    assert replies(runtime)[-1] == (
        f"Signalement {report.reference} : recu. Un travailleur social sera prévenu."
    )
    assert len(reports(runtime)) == 1  # a question, not more words for the report
    assert reports(runtime)[0].description == KIKWIT_TEXT


def test_status_from_another_number_needs_the_pin_chosen_on_ussd(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    keys = ["1", "1", "2", "2", "2", "3", "99", "99", "3", "99", "3", "4827", "1"]
    form = {
        "sessionId": "ATUid_pin",
        "serviceCode": "*384*44135#",
        "phoneNumber": PHONE,
        "networkCode": "63001",
    }
    for i in range(len(keys) + 1):
        client.post(f"{BASE}/ussd", data={**form, "text": "*".join(keys[:i])})
    [report] = reports(runtime)

    sms(client, f"STATUT {report.reference}", phone=OTHER_PHONE)
    sms(client, f"STATUT {report.reference} 1111", phone=OTHER_PHONE)
    sms(client, f"STATUT {report.reference} 4827", phone=OTHER_PHONE)
    run_jobs()
    not_found = "Aucun signalement avec ce code. Vérifiez-le et réessayez."
    assert replies(runtime, OTHER_PHONE) == [
        not_found,
        not_found,
        f"Signalement {report.reference} : recu. Un travailleur social sera prévenu.",
    ]


def test_stop_sends_nothing_now_and_cancels_the_reply_still_waiting(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    sms(client, KIKWIT_TEXT)
    sms(client, "STOP")  # before the reply to the first message has gone
    run_jobs()

    assert len(reports(runtime)) == 1  # the report stands: only the SMS to this number stop
    [reply] = messages_to(runtime, PHONE)
    assert reply.status == "cancelled"
    assert replies(runtime) == []
    with runtime.session() as session:
        assert session.get(SmsOptOut, runtime.cipher.lookup_hash(PHONE)) is not None


def test_writing_again_after_stop_turns_the_replies_back_on(
    client: FlaskClient, runtime: Runtime, clock: FrozenClock, run_jobs: Callable[[], None]
) -> None:
    sms(client, "Stop")
    run_jobs()
    assert messages_to(runtime, PHONE) == []
    clock.advance(minutes=1)
    sms(client, KIKWIT_TEXT)
    run_jobs()

    [report] = reports(runtime)
    assert replies(runtime) == [received(runtime, "fr", report.reference)]
    with runtime.session() as session:
        assert session.scalars(select(SmsOptOut)).all() == []


def test_stop_inside_a_sentence_is_a_report_not_an_opt_out(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    sms(client, "Stop them please they beat the children at Kikwit")
    run_jobs()
    [report] = reports(runtime)
    assert replies(runtime) == [received(runtime, "en", report.reference)]


def test_with_hotline_sms_ack_off_a_report_gets_no_reply_at_all(
    runtime: Runtime, environ: dict[str, str], run_jobs: Callable[[], None]
) -> None:
    assert Settings.from_env({**environ, "HOTLINE_SMS_ACK": "off"}).sms_acknowledge is False
    with runtime_with(runtime, sms_acknowledge=False) as quiet:
        client = create_app(runtime=quiet).test_client()
        sms(client, KIKWIT_TEXT)
        run_jobs()

    [report] = reports(runtime)
    assert report.description == KIKWIT_TEXT
    assert messages_to(runtime, PHONE) == []


# --- social workers and alerts -----------------------------------------------------------------


def test_an_sms_from_a_registered_worker_is_a_worker_command_not_a_report(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    worker = add_worker(runtime, "Amani", ("CD-KL",))
    sms(client, "AIDE", phone=worker.phone)
    sms(client, KIKWIT_TEXT, phone=worker.phone)
    run_jobs()

    assert reports(runtime) == []  # a sentence that is no command gets the commands, too
    commands = to_gsm7(runtime.translations.translate("fr", worker_replies.HELP))
    assert commands.startswith("Répondez 1 REF pour accepter")
    assert texts_to(runtime, worker.phone) == [commands, commands]
    assert messages_to(runtime, PHONE) == []


def test_a_report_made_by_sms_alerts_the_workers_covering_the_guessed_place(
    client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]
) -> None:
    kwilu = add_worker(runtime, "Amani", ("CD-KL",))
    kinshasa = add_worker(runtime, "Esther", ("CD-KN",))
    sms(client, KIKWIT_TEXT)
    run_jobs()

    [report] = reports(runtime)
    [alert] = messages_to(runtime, kwilu.phone, purpose="alert")
    assert (alert.report_id, alert.status) == (report.id, "delivered")
    assert report.reference in alert.body
    assert messages_to(runtime, kinshasa.phone) == []
