"""The reporter's conversation: language, main menu, a report, the help lines.

Written for a basic phone and a frightened person: numbers to press, short plain words, at most
five choices a screen, and every way out ends on a screen that points to the national lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .engine import N_, Context, Final, Flow, Menu, Option, State

LANGUAGES = (
    Option("fr", "Francais", literal=True),
    Option("ln", "Lingala", literal=True),
    Option("kg", "Kikongo", literal=True),
    Option("sw", "Kiswahili", literal=True),
    Option("lua", "Tshiluba", literal=True),
    Option("en", "English", literal=True),
)
LANGUAGE_CODES = tuple(option.value for option in LANGUAGES)

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


def _provinces(state: State, ctx: Context) -> Sequence[Option]:
    return [Option(code, name, literal=True) for code, name in ctx.provinces()]


def _places(state: State, ctx: Context) -> Sequence[Option]:
    province = state["answers"]["province"]
    whole = Option(province, N_("Whole province / not sure"))
    return [whole, *(Option(code, name, literal=True) for code, name in ctx.places(province))]


def _after_province(state: State, ctx: Context) -> str:
    # A new province makes an earlier place answer meaningless.
    state["answers"]["location"] = state["answers"]["province"]
    return "place" if ctx.places(state["answers"]["province"]) else "contact"


def _after_contact(state: State, ctx: Context) -> str:
    return "safe_time" if state["answers"]["contact"] == "callback" else "confirm"


def _after_menu(state: State, ctx: Context) -> str:
    return {"report": "category", "help": "help", "language": "language"}[state["answers"]["menu"]]


def _after_confirm(state: State, ctx: Context) -> str:
    return "done" if state["answers"]["confirm"] == "send" else "cancelled"


def _summary(state: State, ctx: Context) -> Mapping[str, str]:
    answers = state["answers"]
    lang = state.get("lang", "fr")
    urgent = ctx.translate(lang, N_("URGENT")) + " " if answers.get("urgent") == "yes" else ""
    category = ctx.translate(lang, CATEGORY_LABELS[answers["category"]])
    return {"summary": f"{urgent}{category}, {ctx.place_label(answers['location'])}"}


SCREENS = (
    Menu("language", "Langue / Language", LANGUAGES, next="menu", per_page=6, sets_language=True),
    Menu(
        "menu",
        N_("Hotline against trafficking. Free and confidential."),
        (
            Option("report", N_("Report a situation")),
            Option("help", N_("Get help now")),
            Option("language", N_("Language")),
        ),
        next=_after_menu,
        store="menu",
    ),
    Final("help", N_("Free calls: 129 trafficking (APLTP). 122 violence and trafficking. "
                     "117 children in danger.")),
    Menu("category", N_("What happened?"), CATEGORIES, next="danger", store="category"),
    Menu("danger", N_("Is someone in danger right now?"), YES_NO, next="province", store="urgent"),
    Menu("province", N_("Which province?"), _provinces, next=_after_province, store="province"),
    Menu("place", N_("Where exactly?"), _places, next="contact", store="location"),
    Menu(
        "contact",
        N_("Can a social worker call you back on this number?"),
        CONTACT_CHOICES,
        next=_after_contact,
        store="contact",
    ),
    Menu("safe_time", N_("When is it safe to call you?"), SAFE_TIMES, next="confirm",
         store="safe_time"),
    Menu(
        "confirm",
        N_("Send this report? {summary}"),
        (Option("send", N_("Send")), Option("cancel", N_("Cancel"))),
        next=_after_confirm,
        store="confirm",
        values=_summary,
    ),
    Final("done", N_("Thank you. Your reference: {reference}. Keep it to follow your report. "
                     "In danger, call 129 or 122 (free)."), on_enter="open_report"),
    Final("cancelled", N_("Nothing was sent. You can dial again at any time.")),
    Final("give_up", N_("Sorry, we did not understand. Dial again, or call 129 or 122 (free).")),
)

FLOW = Flow(
    name="reporter",
    start="language",
    home="menu",
    give_up="give_up",
    screens={screen.id: screen for screen in SCREENS},
)
