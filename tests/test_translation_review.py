"""Reviewing a language (hotline.languages.review): corrections stored on top of the shipped
catalogs and used at once, every change audited with who, when, before and after; a language is
approved only when every text is reviewed and none flagged. Export then import is lossless.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner
from sqlalchemy import select

from hotline.languages import review
from hotline.languages.po import ImportRefused, export, import_po
from hotline.languages.review import ReviewError, entries, key_of
from hotline.models import AuditEntry, TranslationText, User
from hotline.ops.cli import main
from hotline.platform.clock import FrozenClock
from hotline.platform.i18n import read_messages
from hotline.platform.runtime import Runtime
from tests.support.consolekit import make_user

MENU = "Hotline against trafficking. Free and confidential."
CORRECTED = "Nsinga ya kunwana na mumbongo ya bantu. Ofele, na kinsweki."
DONE = "Sent, reference {reference}. Call 129 or 122 now, free. A social worker is being alerted."


def entry(runtime: Runtime, lang: str, message: str) -> review.Entry:
    with runtime.session() as db:
        found = review.entry(db, runtime, lang, key_of(message))
    assert found is not None
    return found


def change(runtime: Runtime, actor: int | str, lang: str, message: str, **how: str | None) -> review.Entry:
    with runtime.session() as db:
        changed = review.change(db, runtime, actor, entry(runtime, lang, message), **how)
        db.commit()
    review.announce(runtime)
    return changed


def audit_lines(runtime: Runtime) -> list[AuditEntry]:
    with runtime.session() as db:
        return list(
            db.scalars(select(AuditEntry).where(AuditEntry.target_type != "user").order_by(AuditEntry.id))
        )


def test_a_correction_is_used_at_once_and_audited_with_who_when_before_and_after(
    runtime: Runtime, clock: FrozenClock
) -> None:
    reviewer, _ = make_user(runtime, "translator", email="mavambu@example.org")
    before = runtime.translations.translate("kg", MENU)

    changed = change(runtime, reviewer, "kg", MENU, text=CORRECTED, state="reviewed")

    assert (changed.text, changed.state, changed.corrected) == (CORRECTED, "reviewed", True)
    assert runtime.translations.translate("kg", MENU) == CORRECTED
    [line] = audit_lines(runtime)
    assert (line.user_id, line.at, line.action, line.target_type) == (
        reviewer,
        clock.now(),
        "translation_corrected",
        "translation",
    )
    assert line.target_id == f"kg/{key_of(MENU)}"
    assert line.detail == {
        "language": "kg",
        "message": MENU,
        "before": before,
        "after": CORRECTED,
        "state_before": "draft",
    }


def test_a_refused_correction_changes_nothing_and_says_why(runtime: Runtime) -> None:
    with pytest.raises(ReviewError) as refused:
        change(runtime, "cli", "kg", DONE, text="Me tinda, {reference}. Binga 128 to 122.", state="reviewed")
    assert refused.value.reasons[0].startswith("Les numéros nationaux doivent rester ceux du message")
    assert entry(runtime, "kg", DONE).state == "draft"
    assert audit_lines(runtime) == []
    with runtime.session() as db:
        assert db.scalars(select(TranslationText)).all() == []


def test_marking_reviewed_and_flagging_keep_the_text_and_a_flag_needs_a_note(runtime: Runtime) -> None:
    shipped = entry(runtime, "lua", MENU).text
    assert change(runtime, "cli", "lua", MENU, state="reviewed").text == shipped
    with pytest.raises(ReviewError):
        change(runtime, "cli", "lua", MENU, state="flagged", note="  ")
    flagged = change(runtime, "cli", "lua", MENU, state="flagged", note="'Ofele'\nis Lingala, not Tshiluba")
    assert (flagged.state, flagged.note, flagged.text) == (
        "flagged",
        "'Ofele' is Lingala, not Tshiluba",
        shipped,
    )
    assert [line.action for line in audit_lines(runtime)] == ["translation_reviewed", "translation_flagged"]
    assert runtime.translations.translate("lua", MENU) == shipped  # a flag is a note, not a removal


def test_a_text_put_back_as_shipped_is_no_longer_a_correction(runtime: Runtime) -> None:
    shipped = entry(runtime, "kg", MENU).text
    change(runtime, "cli", "kg", MENU, text=CORRECTED, state="reviewed")
    back = change(runtime, "cli", "kg", MENU, text=shipped, state="reviewed")
    assert (back.text, back.corrected) == (shipped, False)
    assert runtime.translations.translate("kg", MENU) == shipped


def review_all(runtime: Runtime, lang: str) -> None:
    with runtime.session() as db:
        for found in entries(db, runtime, lang):
            review.change(db, runtime, "cli", found, state="reviewed")
        db.commit()


def test_a_language_is_approved_only_once_every_text_is_reviewed_and_none_flagged(runtime: Runtime) -> None:
    assert "sw" not in runtime.translations.offered()
    with runtime.session() as db, pytest.raises(ReviewError) as early:
        review.set_language_state(db, runtime, "cli", "sw", "approved")
    assert early.value.reasons[0].startswith("Pas encore : ")

    review_all(runtime, "sw")
    change(runtime, "cli", "sw", MENU, state="flagged", note="too formal")
    with runtime.session() as db, pytest.raises(ReviewError) as flagged:
        review.set_language_state(db, runtime, "cli", "sw", "approved")
    assert "0 texte(s) à relire et 1 signalé(s)" in flagged.value.reasons[0]

    change(runtime, "cli", "sw", MENU, state="reviewed")
    with runtime.session() as db:
        review.set_language_state(db, runtime, "cli", "sw", "approved")
        db.commit()
    review.announce(runtime)
    assert "sw" in runtime.translations.offered()
    assert audit_lines(runtime)[-1].detail == {"actor": "cli", "before": "draft", "after": "approved"}


def test_french_the_fallback_stays_approved(runtime: Runtime) -> None:
    with runtime.session() as db, pytest.raises(ReviewError):
        review.set_language_state(db, runtime, "cli", "fr", "draft")


def test_an_admin_gives_a_translator_their_languages_audited(runtime: Runtime) -> None:
    translator, _ = make_user(runtime, "translator", email="t@example.org")
    with runtime.session() as db:
        user = db.get(User, translator)
        assert user is not None and user.areas == [] and user.languages == []
        review.set_translator_languages(db, runtime, "cli", user, ["lua", "kg", "xx"])
        db.commit()
        assert db.get(User, translator).languages == ["kg", "lua"]
    with runtime.session() as db:
        [line] = db.scalars(select(AuditEntry).where(AuditEntry.action == "user_languages_changed")).all()
    assert line.detail == {"actor": "cli", "before": [], "after": ["kg", "lua"]}


# --- .po files ---------------------------------------------------------------------------------


def state_of(runtime: Runtime, lang: str) -> list[tuple[str, str, str, str | None]]:
    with runtime.session() as db:
        return [(e.message, e.text, e.state, e.note) for e in entries(db, runtime, lang)]


def test_export_then_import_is_lossless(runtime: Runtime, tmp_path: Path) -> None:
    change(runtime, "cli", "kg", MENU, text=CORRECTED, state="reviewed")
    change(runtime, "cli", "kg", "Yes", state="reviewed")
    change(runtime, "cli", "kg", DONE, state="flagged", note="'Me tinda' sounds like a shop")
    before = state_of(runtime, "kg")
    with runtime.session() as db:
        exported = export(db, runtime, "kg")
    path = tmp_path / "kg.po"
    path.write_text(exported, encoding="utf-8")

    with runtime.session() as db:  # a new deployment: nothing reviewed yet
        for row in db.scalars(select(TranslationText)):
            db.delete(row)
        db.commit()
    review.announce(runtime)
    assert state_of(runtime, "kg") != before

    with runtime.session() as db:
        done = import_po(db, runtime, "cli", path)
        db.commit()
    review.announce(runtime)

    assert (done.lang, done.changed) == ("kg", 3)
    assert state_of(runtime, "kg") == before
    assert runtime.translations.translate("kg", MENU) == CORRECTED
    with runtime.session() as db:
        assert export(db, runtime, "kg") == exported


def test_the_export_is_a_standard_po_of_the_whole_catalog_with_the_states_as_comments(
    runtime: Runtime, tmp_path: Path
) -> None:
    change(runtime, "cli", "kg", MENU, text=CORRECTED, state="reviewed")
    change(runtime, "cli", "kg", DONE, state="flagged", note="sounds like a shop")
    path = tmp_path / "kg.po"
    with runtime.session() as db:
        path.write_text(export(db, runtime, "kg"), encoding="utf-8")
    shipped = {str(m.id): m for m in read_messages(Path("hotline/translations/kg/LC_MESSAGES/messages.po"))}
    exported = {str(m.id): m for m in read_messages(path)}

    assert exported.keys() == shipped.keys()  # every message, the console's too: it can replace the file
    assert (
        exported[MENU].string == CORRECTED
        and "draft: needs native-speaker review" not in exported[MENU].user_comments
    )
    assert exported[DONE].user_comments[0] == "flagged: sounds like a shop"
    assert exported["Yes"].user_comments == shipped["Yes"].user_comments  # untouched: still a draft
    assert "draft: needs native-speaker review" in exported["Yes"].user_comments


def test_an_import_with_one_bad_text_imports_nothing_and_lists_each_problem(
    runtime: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "kg.po"
    with runtime.session() as db:
        path.write_text(export(db, runtime, "kg"), encoding="utf-8")
    with path.open("rb") as handle:  # edited as a translator's tool would: Babel reads and writes it
        catalog = read_po(handle)
    catalog[MENU].string = CORRECTED  # a good one...
    bad = str(catalog[DONE].string).replace("{reference}", "").replace("129", "192")
    catalog[DONE].string = bad  # ...and a bad one
    with path.open("wb") as handle:
        write_po(handle, catalog)

    with runtime.session() as db, pytest.raises(ImportRefused) as refused:
        import_po(db, runtime, "cli", path)
    assert len(refused.value.problems) == 2
    assert all(problem.startswith("« Sent, reference {reference}.") for problem in refused.value.problems)
    assert runtime.translations.translate("kg", MENU) != CORRECTED
    assert state_of(runtime, "kg")[0][2] == "draft"


def test_the_hotline_command_exports_and_imports(
    runtime: Runtime, environ: dict[str, str], tmp_path: Path
) -> None:
    change(runtime, "cli", "lua", MENU, state="flagged", note="check 'ofele'")
    path = tmp_path / "lua.po"
    exported = CliRunner().invoke(main, ["translations", "export", "lua", "-o", str(path)], env=environ)
    assert exported.exit_code == 0, exported.output
    path.write_text(
        path.read_text(encoding="utf-8").replace("# flagged: check 'ofele'\n", ""), encoding="utf-8"
    )

    imported = CliRunner().invoke(main, ["translations", "import", str(path)], env=environ)

    assert imported.exit_code == 0, imported.output
    assert imported.stdout == "lua: 1 changed, 97 unchanged\n".replace(
        "97", str(len(state_of(runtime, "lua")) - 1)
    )
    assert entry(runtime, "lua", MENU).state == "reviewed"  # no comment left: reviewed
    with runtime.session() as db:
        line = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert line is not None and line.detail["actor"] == "cli"
