"""The reporter's conversation: language, main menu, a report, the help lines.

Written for a basic phone and a frightened person: numbers to press, short plain words, at most
five choices a screen, and every way out ends on a screen that points to the national lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from flows.commands import is_reference
from flows.engine import N_, Context, Final, Flow, Menu, Option, State, TextInput

LANGUAGES = (
    Option("fr", "Francais", literal=True),
    Option("ln", "Lingala", literal=True),
    Option("kg", "Kikongo", literal=True),
    Option("sw", "Kiswahili", literal=True),
    Option("lua", "Tshiluba", literal=True),
    Option("en", "English", literal=True),
)
LANGUAGE_CODES = tuple(option.value for option in LANGUAGES)


def _languages(state: State, ctx: Context) -> Sequence[Option]:
    """Every language keeps its number (posters and radio spots can print "3 Kikongo"), but only
    those the service offers (approved, or piloted) are shown and accepted."""
    offered = set(ctx.languages())
    return [option if option.value in offered else replace(option, shown=False) for option in LANGUAGES]


CATEGORIES = (
    Option("sexual_exploitation", N_("Sexual exploitation")),
    Option("forced_labour", N_("Forced labour")),
    Option("domestic_servitude", N_("Domestic servitude")),
    Option("child_trafficking", N_("Child trafficking or child soldiers")),
    Option("forced_marriage", N_("Forced marriage")),
    Option("organ_trafficking", N_("Organ trafficking")),
    Option("other", N_("Other / not sure")),
)
CATEGORY_LABELS = {option.value: option.label for option in CATEGORIES}

CONTACT_CHOICES = (
    Option("callback", N_("Yes, call me back")),
    Option("confidential", N_("No, keep my number secret")),
    Option("anonymous", N_("No, stay anonymous")),
)
SAFE_TIMES = (
    Option("morning", N_("Morning")),
    Option("afternoon", N_("Afternoon")),
    Option("evening", N_("Evening")),
    Option("any", N_("Any time")),
)
YES_NO = (Option("yes", N_("Yes")), Option("no", N_("No")))
YES_NO_UNSURE = (*YES_NO, Option("unsure", N_("Not sure")))
STATUS_LINES = {
    "received": N_("Report {ref}: received. A social worker will be told."),
    "handled": N_("Report {ref}: being handled by a social worker."),
    "closed": N_("Report {ref}: closed."),
    "not_found": N_("No report found with this code. Check it and try again."),
    "limited": N_("Too many checks from this phone. Try again in an hour."),
}
PIN = re.compile(r"^[0-9]{4}$")


def _provinces(state: State, ctx: Context) -> Sequence[Option]:
    return [Option(code, name, literal=True) for code, name in ctx.provinces()]


def _places(state: State, ctx: Context) -> Sequence[Option]:
    province = state["answers"]["province"]
    whole = Option(province, N_("Whole province / not sure"))
    return [whole, *(Option(code, name, literal=True) for code, name in ctx.places(province))]


def _urgent(state: State) -> bool:
    urgent: object = state["answers"].get("urgent")
    return urgent == "yes"


def _after_menu(state: State, ctx: Context) -> str:
    return {
        "report": "category",
        "check": "check_ref",
        "help": "help",
        "signs": "signs1",
        "language": "language",
        "forget": "forget_confirm",
    }[state["answers"]["menu"]]


def _after_province(state: State, ctx: Context) -> str:
    # A new province makes an earlier place answer meaningless.
    state["answers"]["location"] = state["answers"]["province"]
    return "place" if ctx.places(state["answers"]["province"]) else _after_place(state, ctx)


def _after_place(state: State, ctx: Context) -> str:
    # Someone in danger right now: no optional questions, straight to what matters.
    return "contact" if _urgent(state) else "place_detail"


def _after_contact(state: State, ctx: Context) -> str:
    if state["answers"]["contact"] == "callback":
        return "safe_time"
    return _after_safe_time(state, ctx)


def _after_safe_time(state: State, ctx: Context) -> str:
    return "confirm" if _urgent(state) else "pin"


def _after_confirm(state: State, ctx: Context) -> str:
    if state["answers"]["confirm"] != "send":
        return "cancelled"
    return "done_urgent" if _urgent(state) else "done"


def _after_forget(state: State, ctx: Context) -> str:
    return "forget_done" if state["answers"]["forget"] == "delete" else "forget_kept"


def _after_check_ref(state: State, ctx: Context) -> str:
    result = ctx.check_report(state["answers"]["check_ref"].upper(), None)
    if result == "need_pin":
        return "check_pin"
    state["vars"]["status"] = result
    return "check_result"


def _after_check_pin(state: State, ctx: Context) -> str:
    state["vars"]["status"] = ctx.check_report(
        state["answers"]["check_ref"].upper(), state["answers"]["check_pin"]
    )
    return "check_result"


def _validate_people(text: str) -> str | None:
    return (
        None
        if text.isascii() and text.isdigit() and 1 <= int(text) <= 999
        else N_("Type a number, for example 3.")
    )


def _validate_pin(text: str) -> str | None:
    return None if PIN.match(text) else N_("Type 4 digits, for example 4827.")


def _validate_reference(text: str) -> str | None:
    return None if is_reference(text) else N_("Type the code you received, for example K7F3QX.")


def _summary(state: State, ctx: Context) -> Mapping[str, str]:
    answers = state["answers"]
    lang = state.get("lang", "fr")
    urgent = ctx.translate(lang, N_("URGENT")) + " " if _urgent(state) else ""
    category = ctx.translate(lang, CATEGORY_LABELS[answers["category"]])
    return {"summary": f"{urgent}{category}, {ctx.place_label(answers['location'])}"}


def _status(state: State, ctx: Context) -> Mapping[str, str]:
    line = STATUS_LINES.get(state["vars"].get("status", ""), STATUS_LINES["not_found"])
    return {
        "status": ctx.translate(state.get("lang", "fr"), line).format(
            ref=state["answers"].get("check_ref", "").upper()
        )
    }


HELP_LINES = N_("Free calls: 129 trafficking (APLTP). 122 violence and trafficking. 117 children in danger.")
NEXT = (Option("next", N_("Next")),)

SCREENS = (
    Menu("language", "Langue / Language", _languages, next="menu", per_page=6, sets_language=True),
    Menu(
        "resume",
        N_("You did not finish your last report."),
        (Option("continue", N_("Continue where I stopped")), Option("restart", N_("Start again"))),
        next="menu",
        store="resume",
    ),
    Menu(
        "menu",
        N_("Hotline against trafficking. Free and confidential."),
        (
            Option("report", N_("Report a situation")),
            Option("check", N_("Check a report")),
            Option("help", N_("Get help now")),
            Option("signs", N_("Learn the signs")),
            Option("language", N_("Language")),
            Option("forget", N_("Delete my number")),  # on the second page: rare, and final
        ),
        next=_after_menu,
        store="menu",
    ),
    Final("help", HELP_LINES),
    Menu(
        "signs1",
        N_("Signs: someone cannot leave a job or a house, has no papers, owes a debt they cannot pay."),
        NEXT,
        next="signs2",
    ),
    Menu(
        "signs2",
        N_("Signs: a child works instead of school, is married young, or was taken by an armed group."),
        NEXT,
        next="signs3",
    ),
    Final(
        "signs3",
        N_("Signs: a promise of work far away that is too good. If you see this, dial again and choose 1."),
    ),
    # The report.
    Menu("category", N_("What happened?"), CATEGORIES, next="danger", store="category"),
    Menu("danger", N_("Is someone in danger right now?"), YES_NO, next="province", store="urgent"),
    Menu("province", N_("Which province?"), _provinces, next=_after_province, store="province"),
    Menu("place", N_("Where exactly?"), _places, next=_after_place, store="location"),
    TextInput(
        "place_detail",
        N_("Village, street or landmark?"),
        next="people",
        store="place_detail",
        optional=True,
        max_length=80,
    ),
    TextInput(
        "people",
        N_("How many people are concerned?"),
        next="children",
        store="people",
        optional=True,
        max_length=3,
        validate=_validate_people,
    ),
    Menu(
        "children", N_("Are there children among them?"), YES_NO_UNSURE, next="description", store="children"
    ),
    TextInput(
        "description",
        N_("In a few words, what did you see?"),
        next="contact",
        store="description",
        optional=True,
        max_length=160,
    ),
    Menu(
        "contact",
        N_("Can a social worker call you back on this number?"),
        CONTACT_CHOICES,
        next=_after_contact,
        store="contact",
    ),
    Menu(
        "safe_time", N_("When is it safe to call you?"), SAFE_TIMES, next=_after_safe_time, store="safe_time"
    ),
    TextInput(
        "pin",
        N_("To check from another phone, choose a 4-digit PIN."),
        next="confirm",
        store="pin",
        optional=True,
        max_length=4,
        validate=_validate_pin,
    ),
    Menu(
        "confirm",
        N_("Send this report? {summary}"),
        (Option("send", N_("Send")), Option("cancel", N_("Cancel"))),
        next=_after_confirm,
        store="confirm",
        values=_summary,
    ),
    Final(
        "done",
        N_(
            "Thank you. Your reference: {reference}. Keep it to follow your report. "
            "In danger, call 129 or 122 (free)."
        ),
        on_enter="open_report",
    ),
    Final(
        "done_urgent",
        N_("Sent, reference {reference}. Call 129 or 122 now, free. A social worker is being alerted."),
        on_enter="open_report",
    ),
    Final("cancelled", N_("Nothing was sent. You can dial again at any time.")),
    # Checking a report: one neutral line, never details.
    TextInput(
        "check_ref",
        N_("Type the reference of your report."),
        next=_after_check_ref,
        store="check_ref",
        max_length=8,
        validate=_validate_reference,
    ),
    TextInput(
        "check_pin",
        N_("Type the 4-digit PIN you chose."),
        next=_after_check_pin,
        store="check_pin",
        max_length=4,
        validate=_validate_pin,
    ),
    Final("check_result", "{status}", values=_status),
    # Deleting the number from this phone's reports. The answer never says whether there were any:
    # whoever holds the phone must not learn that it was used to report.
    Menu(
        "forget_confirm",
        N_("Delete this number from your reports? A social worker will no longer be able to call you back."),
        (Option("delete", N_("Delete my number")), Option("keep", N_("Cancel"))),
        next=_after_forget,
        store="forget",
    ),
    Final(
        "forget_done",
        N_("Done: this number is no longer kept with any report. In danger, call 129 or 122 (free)."),
        on_enter="forget_number",
    ),
    Final("forget_kept", N_("Nothing was changed.")),
    Final("give_up", N_("Sorry, we did not understand. Dial again, or call 129 or 122 (free).")),
)

FLOW = Flow(
    name="reporter",
    start="language",
    home="menu",
    give_up="give_up",
    screens={screen.id: screen for screen in SCREENS},
)
