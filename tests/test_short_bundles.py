"""Short bundles (issue 14, item 5): in a surge a worker's bundle SMS fits in two GSM-7 parts in
every language. It gives the count, names the most urgent reports first (urgent, then the oldest)
as far as room allows, and says how to get the others: ``LISTE`` sends the next page each time.
Every report stays acceptable with ``1 REF``.

One Kwilu and Haut-Katanga worker, no roster: she is alerted for every report. 200 reports open at
the same moment: the first three alerts leave on their own, the other 197 are bundled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from flows import commands
from flows.text import is_gsm7, sms_segments
from hotline.alerting import alerts, worker_replies
from hotline.gateways import SendResult, SmsGateway
from hotline.languages.phone import marked_messages
from hotline.models import Report
from hotline.platform.clock import FrozenClock
from hotline.platform.i18n import CATALOGS, LANGUAGES, Translations
from hotline.platform.runtime import Runtime
from tests.support.builders import KIKWIT, Worker, add_worker, advance, events, messages_to, reply, report

RunJobs = Callable[[], None]
SURGE = 200
ALONE = 3  # HOTLINE_BUNDLE_AFTER: the alerts that leave on their own before bundling starts
# The longest place label there is (Haut-Katanga/Kamalondo (Lubumbashi)): the worst case for room.
KAMALONDO = "CD-HK/lubumbashi-kamalondo"
# The word each language's worker would type (French and English reviewed, the others drafts).
LIST_WORDS = {"fr": "LISTE", "en": "LIST", "ln": "LISITI", "kg": "LISITI", "sw": "ORODHA", "lua": "MULONGO"}
DRAFT = "draft: needs native-speaker review"
ROOT = Path(__file__).resolve().parent.parent
WORKER_SOURCES = (
    ROOT / "hotline" / "alerting" / "alerts.py",
    ROOT / "hotline" / "alerting" / "worker_replies.py",
)


def surge(
    runtime: Runtime, run_jobs: RunJobs, language: str, size: int = SURGE
) -> tuple[Worker, list[Report]]:
    """Reports at once, one in ten urgent (the urgent ones come late), half of them from the place
    with the longest name; the worker's three own alerts are sent, the bundle is held."""
    amani = add_worker(runtime, "Amani", ("CD-KL", "CD-HK"), language=language)
    opened = [
        report(runtime, urgent=i % 10 == 7, location=KAMALONDO if i % 2 else KIKWIT) for i in range(size)
    ]
    run_jobs()
    return amani, opened


def ranked(reports: list[Report]) -> list[str]:
    """References as a worker must see them: urgent before normal, then the oldest first."""
    return [r.reference for r in sorted(reports, key=lambda r: (not r.urgent, r.created_at, r.id))]


def named_in(body: str, references: list[str]) -> list[str]:
    """The references an SMS names, in the order it names them."""
    found = [(body.index(ref), ref) for ref in references if ref in body]
    return [ref for _, ref in sorted(found)]


def count_in(body: str) -> int:
    """The count the SMS opens with: ``ALERTES (197), ...``, ``EN ATTENTE (200) : ...``."""
    found = re.search(r"\((\d+)\)", body)
    assert found, body
    return int(found.group(1))


def others_in(body: str) -> int:
    """How many the bundle says LIST (LISTE) will give: its last number; 0 if it names them all."""
    return int(re.findall(r"\d+", body)[-1]) if "LIST" in body else 0


def sent_bundles(runtime: Runtime, worker: Worker) -> list[str]:
    return [m.body for m in messages_to(runtime, worker.phone, "bundle") if m.status in ("sent", "delivered")]


def lists_to(runtime: Runtime, worker: Worker) -> list[str]:
    return [m.body for m in messages_to(runtime, worker.phone, "list")]


def fits_two_gsm7_parts(body: str) -> bool:
    return is_gsm7(body) and sms_segments(body) <= 2 and len(body) <= 2 * 153


# --- the bundle ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_200_report_surge_to_one_worker_gives_bundles_of_at_most_two_gsm7_parts(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs, language: str
) -> None:
    amani, opened = surge(runtime, run_jobs, language)
    references = [r.reference for r in opened]
    advance(clock, run_jobs, seconds=120)  # past the minute's hold

    # The surge's bundle: the count of the 197 alerts it carries, the most urgent of them named
    # first (urgent, then the oldest), as many as fit, and how many more LIST gives.
    [bundle] = sent_bundles(runtime, amani)
    assert fits_two_gsm7_parts(bundle), bundle
    assert count_in(bundle) == SURGE - ALONE
    named = named_in(bundle, references)
    assert named == ranked(opened[ALONE:])[: len(named)]
    assert others_in(bundle) == SURGE - ALONE - len(named) > 0

    # LIST, in the worker's words, sends the others page after page (two parts each at most), in
    # the same order, none twice; every alert still waits.
    not_named_yet = [ref for ref in ranked(opened[ALONE:]) if ref not in named]
    pages: list[list[str]] = []
    while sum(map(len, pages)) < len(not_named_yet) and len(pages) < 60:
        reply(runtime, amani, LIST_WORDS[language])
        run_jobs()
        page = lists_to(runtime, amani)[-1]
        assert fits_two_gsm7_parts(page), page
        assert count_in(page) == SURGE
        pages.append(named_in(page, references))
    assert [ref for page in pages for ref in page] == not_named_yet
    # Once each was named, LIST goes round again from the top.
    reply(runtime, amani, LIST_WORDS[language])
    run_jobs()
    again = named_in(lists_to(runtime, amani)[-1], references)
    assert again == ranked(opened)[: len(again)] != []


def test_the_bundles_of_the_next_rounds_fit_too_and_their_counts_add_up(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani, opened = surge(runtime, run_jobs, "sw", size=60)
    references = [r.reference for r in opened]
    for _ in range(12):  # nobody accepts: the reports come back to her (after 3 and 10 minutes)
        advance(clock, run_jobs, seconds=60)

    bundles = sent_bundles(runtime, amani)
    assert len(bundles) > 2
    assert [body for body in bundles if not fits_two_gsm7_parts(body)] == []
    for body in bundles:  # each counts what it carries: those it names and those LIST gives
        assert count_in(body) == len(named_in(body, references)) + others_in(body), body
    bundled = [m for m in messages_to(runtime, amani.phone, "alert") if m.status == "bundled"]
    assert sum(count_in(body) for body in bundles) == len(bundled) > 60


def test_the_bundle_names_the_urgent_reports_first_then_the_oldest(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani, opened = surge(runtime, run_jobs, "fr", size=40)
    advance(clock, run_jobs, seconds=120)  # past the minute's hold

    [bundle] = sent_bundles(runtime, amani)
    named = named_in(bundle, [r.reference for r in opened])
    urgent = [r.reference for r in opened[ALONE:] if r.urgent]  # the 8th, the 18th...: late
    normal = [r.reference for r in opened[ALONE:] if not r.urgent]
    assert named == [*urgent, *normal][: len(named)]
    assert len(named) > len(urgent)
    assert bundle.startswith(f"ALERTES (37), urgentes d'abord : {urgent[0]} URGENT Kamalondo (Lubumbashi); ")
    assert bundle.endswith(
        f". Répondez 1 REF pour accepter, 2 REF pour refuser, LISTE pour les {37 - len(named)} autres."
    )


def test_a_small_bundle_names_every_report_and_counts_them(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani = add_worker(runtime, "Amani")
    opened = [report(runtime, urgent=i == 5) for i in range(6)]
    run_jobs()
    advance(clock, run_jobs, seconds=120)

    [bundle] = sent_bundles(runtime, amani)
    first, second, third = opened[5], opened[3], opened[4]  # the urgent one leads
    assert bundle == (
        f"ALERTES (3) : {first.reference} URGENT Kikwit; {second.reference} Kikwit; "
        f"{third.reference} Kikwit. Répondez 1 REF pour accepter, 2 REF pour refuser."
    )


class RefusesBundles:
    """The runtime's gateway, refusing every bundle for good (a number the network rejects)."""

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway
        self.name, self.max_send_seconds = gateway.name, gateway.max_send_seconds

    def send(self, to: str, body: str) -> SendResult:
        if body.startswith("ALERTES"):  # not "ALERTE K7F3QX ...", an alert of its own
            return SendResult(accepted=False, status="InvalidPhoneNumber", retryable=False)
        return self.gateway.send(to, body)

    def balance(self) -> str | None:
        return self.gateway.balance()


def test_a_bundle_that_fails_escalates_at_once_the_reports_it_names(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani, opened = surge(runtime, run_jobs, "fr", size=40)
    runtime.gateway = RefusesBundles(runtime.gateway)
    advance(clock, run_jobs, seconds=120)

    [failed] = [m for m in messages_to(runtime, amani.phone, "bundle") if m.status == "failed"]
    named = named_in(failed.body, [r.reference for r in opened])
    assert 0 < len(named) < 37
    hastened = [
        r.reference
        for r in opened
        if any(e.detail.get("reason") == "alert_failed" for e in events(runtime, r.id, "escalation_hastened"))
    ]
    assert sorted(hastened) == sorted(named)


# --- LISTE -----------------------------------------------------------------------------------------


def test_each_reference_liste_gives_can_be_accepted_with_1_ref_and_the_count_follows(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani, opened = surge(runtime, run_jobs, "fr", size=60)
    advance(clock, run_jobs, seconds=120)
    references = [r.reference for r in opened]
    [bundle] = sent_bundles(runtime, amani)
    in_bundle = named_in(bundle, references)

    listed: list[str] = []
    for _ in range(3):
        reply(runtime, amani, "LISTE")
        run_jobs()
        listed += named_in(lists_to(runtime, amani)[-1], references)
    assert len(set(listed)) == len(listed) > 10
    assert not set(listed) & set(in_bundle)
    for ref in listed:
        reply(runtime, amani, f"1 {ref}")
    run_jobs()
    with runtime.session() as session:
        taken = dict(session.execute(select(Report.reference, Report.accepted_by_id)).all())
    assert {ref: taken[ref] for ref in listed} == dict.fromkeys(listed, amani.id)
    assert [
        body for body in messages_to(runtime, amani.phone, "reply") if "est à vous" not in body.body
    ] == []

    # The next page carries on after what was listed, and counts what still waits.
    reply(runtime, amani, "LISTE")
    run_jobs()
    page = lists_to(runtime, amani)[-1]
    assert count_in(page) == 60 - len(listed)
    rest = [ref for ref in ranked(opened[ALONE:]) if ref not in in_bundle and ref not in listed]
    assert named_in(page, references) == rest[: len(named_in(page, references))] != []


def test_liste_leaves_out_what_the_worker_declined_and_says_when_nothing_waits(
    runtime: Runtime, clock: FrozenClock, run_jobs: RunJobs
) -> None:
    amani = add_worker(runtime, "Amani")
    opened = [report(runtime) for _ in range(5)]
    run_jobs()
    advance(clock, run_jobs, seconds=120)
    reply(runtime, amani, f"2 {opened[0].reference}")
    reply(runtime, amani, f"1 {opened[1].reference}")
    reply(runtime, amani, "LISTE")
    run_jobs()
    assert lists_to(runtime, amani)[-1] == (
        f"EN ATTENTE (3) : {opened[2].reference} Kikwit; {opened[3].reference} Kikwit; "
        f"{opened[4].reference} Kikwit. Répondez 1 REF pour accepter, 2 REF pour refuser, "
        "LISTE pour la suite."
    )
    for waiting in opened[2:]:
        reply(runtime, amani, f"1 {waiting.reference}")
    reply(runtime, amani, "liste")
    run_jobs()
    replies = [m.body for m in messages_to(runtime, amani.phone, "reply")]
    assert replies[-1] == "Vous n'avez aucune alerte ouverte. Envoyez AIDE pour l'aide."


@pytest.mark.parametrize(
    "text", ["LISTE", "liste", "List", "LISTE K7F3QX", "Liste.", "LISITI", "ORODHA", "MULONGO"]
)
def test_the_list_word_is_a_command_in_every_language(text: str) -> None:
    assert commands.parse(text) == commands.Command(commands.LIST)


# --- the catalogs ----------------------------------------------------------------------------------


def bundle_strings() -> tuple[str, ...]:
    return (alerts.BUNDLE, alerts.BUNDLE_MORE, alerts.WAITING)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_a_worker_can_get_is_translated_in_every_catalog(lang: str) -> None:
    messages = sorted(set().union(*(marked_messages(path) for path in WORKER_SOURCES)))
    assert set(bundle_strings()) <= set(messages)
    assert worker_replies.NO_OPEN_ALERT in messages
    assert Translations.load().missing(lang, messages) == []


@pytest.mark.parametrize("lang", ["ln", "kg", "sw", "lua"])
def test_the_bundle_strings_of_the_draft_languages_are_marked_for_native_speaker_review(lang: str) -> None:
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for message_id in bundle_strings():
        message = catalog.get(message_id)
        assert message is not None and message.string, message_id
        assert DRAFT in message.user_comments, message_id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_translation_puts_a_colon_before_the_list_the_failure_path_reads(lang: str) -> None:
    """bundle_references reads a bundle's references after its first colon, up to the first full
    stop (escalation.escalate_failed_alert escalates each report a failed bundle names)."""
    translations = Translations.load()
    for message_id in bundle_strings():
        head = translations.translate(lang, message_id).split("{alerts}")[0]
        assert head.count(":") == 1 and head.rstrip().endswith(":"), head
