"""The console's Languages pages (issue 19): a translator reviews their languages only, sees each
text beside its French and English source and as the phone shows it, corrects it (refused with the
reason in French when a check fails), marks it reviewed or flags it; every change is audited and
reaches the next USSD screen. An admin approves a language once it is reviewed; the dashboard
shows each language's progress and where sessions end in it.
"""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient
from sqlalchemy import select

from flows.text import fold_ascii
from hotline.alerting.call_script import CLIPS, checklist
from hotline.languages import review
from hotline.languages.review import key_of
from hotline.models import AuditEntry, User, UssdSessionEvent
from hotline.platform.runtime import Runtime
from tests.support.consolekit import login, post
from tests.support.languages import pilot_every_language
from tests.support.ussd import Call

MENU = "Hotline against trafficking. Free and confidential."
CORRECTED = "Nsinga ya kunwana na mumbongo ya bantu. Ofele, na kinsweki."
DONE = "Sent, reference {reference}. Call 129 or 122 now, free. A social worker is being alerted."
ENTRY = f"/console/languages/kg/{key_of(MENU)}"


def translator(client: FlaskClient, runtime: Runtime, *languages: str) -> int:
    user_id = login(client, runtime, "translator")
    with runtime.session() as db:
        user = db.get(User, user_id)
        assert user is not None
        user.languages = list(languages)
        db.commit()
    return user_id


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def test_a_translator_lands_on_their_languages_and_sees_no_report(
    client: FlaskClient, runtime: Runtime
) -> None:
    translator(client, runtime, "kg")

    home = client.get("/console/")
    assert (home.status_code, home.headers["Location"]) == (302, "/console/languages")
    page = text_of(client.get("/console/languages"))
    assert "Kikongo" in page and "Brouillon" in page and "Lingala" not in page
    assert client.get("/console/dashboard").status_code == 403
    assert client.get("/console/languages/ln").status_code == 404  # not theirs: as if absent
    assert client.get(f"/console/languages/ln/{key_of(MENU)}").status_code == 404


def test_the_review_list_shows_each_text_beside_its_french_and_english_source(
    client: FlaskClient, runtime: Runtime
) -> None:
    translator(client, runtime, "kg")
    page = text_of(client.get("/console/languages/kg"))

    assert "Ligne contre la traite. Gratuite et confidentielle." in page or "Ligne contre la traite" in page
    assert MENU in page and runtime.translations.translate("kg", MENU) in page
    assert "USSD: menu" in page and "SMS: alert" in page
    with runtime.session() as db:
        total = len(review.entries(db, runtime, "kg"))
    assert f"{total} textes sur {total}" in page
    unsure = text_of(client.get("/console/languages/kg?shown=unsure"))
    assert unsure.count('class="entry ') < total


def test_a_text_s_page_shows_it_as_the_phone_does_with_its_count_and_the_drafts_notes(
    client: FlaskClient, runtime: Runtime
) -> None:
    translator(client, runtime, "ln")
    province = "Which province?"  # Lingala's draft is unsure of its word for province
    page = text_of(client.get(f"/console/languages/ln/{key_of(province)}"))

    assert "Quelle province ?" in page and province in page
    assert "Incertain, dans le brouillon :" in page and "'etuka' for province" in page
    screen = re.search(r"<pre>(CON [^<]*)</pre>", page)
    shown = fold_ascii(runtime.translations.translate("ln", province))
    assert screen is not None and screen.group(1).startswith(f"CON {shown}\n")  # the longest page with it
    assert "\n98 " in screen.group(1) and "\n0 " in screen.group(1)  # with its options and ways on
    assert f'<span class="count">{len(screen.group(1))}</span> / 160' in page
    alert = text_of(client.get(f"/console/languages/ln/{key_of('URGENT')}"))
    assert re.search(r'<span class="parts">1</span> / 1 partie\(s\) GSM-7', alert)


def test_a_correction_that_breaks_a_check_is_refused_in_french_and_changes_nothing(
    client: FlaskClient, runtime: Runtime
) -> None:
    translator(client, runtime, "kg")
    shipped = runtime.translations.translate("kg", DONE)
    entry = f"/console/languages/kg/{key_of(DONE)}"

    refused = post(
        client, entry, {"action": "correct", "text": shipped.replace("129", "192")}, token_from=entry
    )

    assert refused.status_code == 400
    assert "Refusé :" in text_of(refused) and "Les numéros nationaux doivent rester" in text_of(refused)
    assert runtime.translations.translate("kg", DONE) == shipped
    with runtime.session() as db:
        assert db.scalars(select(AuditEntry).where(AuditEntry.target_type == "translation")).all() == []


def test_a_preview_shows_the_screen_with_the_new_text_without_saving_it(
    client: FlaskClient, runtime: Runtime
) -> None:
    translator(client, runtime, "kg")
    page = post(client, ENTRY, {"action": "preview", "text": CORRECTED}, token_from=ENTRY)

    assert page.status_code == 200
    assert f"CON {CORRECTED}\n" in text_of(page)
    assert "Ce texte passe toutes les vérifications." in text_of(page)
    assert runtime.translations.translate("kg", MENU) != CORRECTED


def test_an_accepted_correction_is_audited_and_the_next_ussd_screen_shows_it(
    client: FlaskClient, runtime: Runtime
) -> None:
    pilot_every_language(runtime)  # Kikongo on the menu during a pilot
    call = Call(client, "+243810000009")
    call.dial()
    before = call.press("3")  # Kikongo: the main menu, as shipped
    assert before.startswith(f"CON {fold_ascii(runtime.translations.translate('kg', MENU))}\n")
    user_id = translator(client, runtime, "kg")

    saved = post(client, ENTRY, {"action": "correct", "text": CORRECTED}, token_from=ENTRY)

    assert (saved.status_code, saved.headers["Location"]) == (302, ENTRY)
    assert "Enregistré" in text_of(client.get(ENTRY))
    again = Call(client, "+243810000009")
    assert again.dial().startswith(f"CON {CORRECTED}\n1 ")  # the next call, same process, no restart
    with runtime.session() as db:
        [line] = db.scalars(select(AuditEntry).where(AuditEntry.target_type == "translation")).all()
    assert (line.user_id, line.action, line.detail["after"]) == (user_id, "translation_corrected", CORRECTED)
    history = text_of(client.get(ENTRY))
    assert "Historique" in history and "translation_corrected" in history


def test_reviewed_and_flagged_from_the_page(client: FlaskClient, runtime: Runtime) -> None:
    translator(client, runtime, "lua")
    entry = f"/console/languages/lua/{key_of(MENU)}"
    assert post(client, entry, {"action": "reviewed"}, token_from=entry).status_code == 302
    assert post(client, entry, {"action": "flag", "note": ""}, token_from=entry).status_code == 400
    assert (
        post(client, entry, {"action": "flag", "note": "'Ofele' is Lingala"}, token_from=entry).status_code
        == 302
    )
    page = text_of(client.get(entry))
    assert "Signalé :" in page and "'Ofele' is Lingala" in page
    assert "1</a>" in text_of(client.get("/console/languages"))  # one flagged, linked


def test_an_admin_approves_a_reviewed_language_and_reporters_get_it_on_the_next_call(
    client: FlaskClient, runtime: Runtime
) -> None:
    login(client, runtime, "admin")
    early = post(
        client, "/console/languages/sw/state", {"state": "approved"}, token_from="/console/languages"
    )
    assert early.status_code == 302
    assert "Pas encore :" in text_of(client.get("/console/languages"))
    assert "Kiswahili" not in Call(client).dial()

    with runtime.session() as db:
        for found in review.entries(db, runtime, "sw"):
            review.change(db, runtime, "cli", found, state="reviewed")
        db.commit()
    post(client, "/console/languages/sw/state", {"state": "approved"}, token_from="/console/languages")

    assert "L'état de la langue est enregistré" in text_of(client.get("/console/languages"))
    assert Call(client, "+243810000011").dial() == "CON Langue / Language\n1 Francais\n4 Kiswahili\n6 English"


def test_an_admin_gives_a_translator_their_languages(client: FlaskClient, runtime: Runtime) -> None:
    with runtime.session() as db:
        from hotline.casework.users import create_user

        user = create_user(
            db, runtime, email="m@example.org", name="Mavambu", password="x" * 12, role="translator", areas=[]
        )
        db.commit()
        user_id = user.id
    login(client, runtime, "admin")
    assert "Mavambu" in text_of(client.get("/console/languages"))

    post(
        client,
        f"/console/languages/translators/{user_id}",
        {"languages": ["kg", "lua"]},
        token_from="/console/languages",
    )

    with runtime.session() as db:
        assert db.get(User, user_id).languages == ["kg", "lua"]
    assert "Les langues que relit Mavambu sont enregistrées." in text_of(client.get("/console/languages"))


def test_the_dashboard_shows_each_language_s_review_and_where_sessions_end_in_it(
    client: FlaskClient, runtime: Runtime
) -> None:
    with runtime.session() as db:
        events = [("kg", "danger", "Incomplete"), ("kg", "danger", "Incomplete"), ("kg", "done", "Success")]
        events += [("fr", "category", "Incomplete"), (None, "menu", "Incomplete")]
        db.add_all(
            UssdSessionEvent(
                session_id=f"s{n}",
                status=status,
                last_screen=screen,
                language=lang,
                received_at=runtime.clock.now(),
            )
            for n, (lang, screen, status) in enumerate(events)
        )
        db.commit()
    login(client, runtime, "operator", ("CD-KL",))

    page = text_of(client.get("/console/dashboard"))
    card = page[page.index('class="card languages-progress"') :]
    kikongo = re.search(
        r'<tr data-lang="kg"><td>Kikongo</td><td>3</td><td>1</td>\s*<td><code>danger</code>: 2</td>', card
    )
    assert kikongo is not None, card
    assert '<tr data-lang="?"><td>inconnu</td>' in card
    assert re.search(
        r'<tr data-lang="sw"><td>Kiswahili</td><td>Brouillon</td>\s*<td>0</td><td>0</td><td>\d+</td>', card
    )


def test_the_languages_page_lists_the_voice_recordings_a_field_team_makes(
    client: FlaskClient, runtime: Runtime
) -> None:
    translator(client, runtime, "kg")
    page = text_of(client.get("/console/languages"))
    voice = page[page.index('<section class="card voice" data-lang="kg">') :]
    alert = runtime.translations.translate("fr", CLIPS["alert"])
    assert re.search(rf"<td><code>kg/alert.mp3</code></td><td>{re.escape(alert)}</td>", voice)
    rows = len(checklist("kg", runtime.translations))
    assert f"Enregistré 0 / {rows}" in voice  # none recorded in Kikongo yet
