"""A language as a standard gettext ``.po`` file, and back: ``hotline translations export LANG``
and ``import FILE.po``.

The export is the shipped catalog of that language (every message, so that it can replace the
file in ``hotline/translations``) with the corrections in force as its texts, and each reviewed
message's state as a translator comment, the catalogs' own convention:

- ``# draft: needs native-speaker review``: not reviewed yet;
- ``# flagged: <note>``: a reviewer found something wrong;
- neither: reviewed.

The "unsure:" notes and other comments are kept as they are. An import reads such a file back
through the same checks as the console; it changes nothing unless every entry passes
(``ImportRefused`` lists each problem). Messages a phone never shows (the console's) are left as
they are and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import normalize
from sqlalchemy.orm import Session

from hotline.languages import checks
from hotline.languages.review import (
    DRAFT_MARK,
    FLAG_MARK,
    Actor,
    Entry,
    change,
    entries,
)
from hotline.platform.i18n import LANGUAGES, catalog_path, read_messages
from hotline.platform.runtime import Runtime

WIDTH = 100  # the shipped catalogs' line width
STATE_MARKS = (DRAFT_MARK, FLAG_MARK, "reviewed")
LANGUAGE_HEADER = re.compile(r'^"Language: *([A-Za-z_-]+)\\n"$', re.MULTILINE)


class ImportRefused(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class Imported:
    lang: str
    changed: int  # entries whose text, state or note changed
    unchanged: int
    ignored: int  # messages no phone shows, whose text differs from the shipped catalog's


def export(session: Session, runtime: Runtime, lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGUAGES)}")
    reviewed = {e.message: e for e in entries(session, runtime, lang)}
    path = catalog_path(lang)
    blocks = [_header(path)]
    for message in read_messages(path):
        blocks.append(_block(message, reviewed.pop(str(message.id), None)))
    for missing in reviewed.values():  # on a phone, but not in this catalog yet
        blocks.append(_block(Message(missing.message, ""), missing))
    return "\n".join(blocks)


def _header(path: Path) -> str:
    """The shipped file's header, as it is (its comments say what the file is)."""
    text = path.read_text(encoding="utf-8")
    start = text.index('msgid ""\nmsgstr ""')
    return text[: text.index("\n\n", start) + 1]


def _block(message: Message, reviewed: Entry | None) -> str:
    comments = [str(c) for c in message.user_comments]
    if reviewed is not None:
        kept = [c for c in comments if not c.strip().startswith(STATE_MARKS)]
        marks = {"draft": [DRAFT_MARK], "flagged": [f"{FLAG_MARK} {reviewed.note or ''}".rstrip()]}
        comments = marks.get(reviewed.state, []) + kept
    text = reviewed.text if reviewed is not None else (message.string or "")
    lines = [f"# {c}".rstrip() for c in comments]
    lines += [f"#. {c}" for c in message.auto_comments]
    if message.flags:
        lines.append("#, " + ", ".join(sorted(message.flags)))
    lines.append("msgid " + normalize(str(message.id), width=WIDTH))
    lines.append("msgstr " + normalize(str(text), width=WIDTH))
    return "\n".join(lines) + "\n"


def read(path: Path) -> tuple[str | None, list[Message]]:
    """The file's language (its ``Language:`` header) and its messages."""
    found = LANGUAGE_HEADER.search(path.read_text(encoding="utf-8"))
    return (found.group(1) if found else None), read_messages(path)


def import_po(
    session: Session, runtime: Runtime, actor: Actor, path: Path, lang: str | None = None
) -> Imported:
    """Apply a reviewed ``.po`` file; all or nothing. The caller commits, then announces."""
    said, messages = read(path)
    lang = lang or said
    if lang not in LANGUAGES:
        raise ImportRefused(
            [f"Langue inconnue ({lang!r}) : l'en-tête « Language: » doit dire {', '.join(LANGUAGES)}."]
        )
    current = {e.message: e for e in entries(session, runtime, lang)}
    planned, problems, ignored = [], [], 0
    for message in messages:
        entry = current.get(str(message.id))
        text = message.string if isinstance(message.string, str) else ""
        if entry is None:
            ignored += bool(text) and text != runtime.translations.shipped(lang, str(message.id))
            continue
        state, note = _state(message)
        wanted = (text.strip() or entry.text, state, note)
        if wanted != (entry.text, entry.state, entry.note):
            planned.append((entry, *wanted))
    texts = {entry.message: text for entry, text, _, _ in planned}

    def together(code: str, msgid: str) -> str:  # every text of the file at once, as it will be
        return (
            texts.get(msgid, "")
            if code == lang and msgid in texts
            else runtime.translations.translate(code, msgid)
        )

    for entry, text, state, note in planned:
        if text != entry.text:
            reasons = checks.refusals(checks.Proposal(lang, entry.message, text), together, runtime.locations)
            problems += [f"« {_short(entry.message)} » : {reason}" for reason in reasons]
        if state == "flagged" and not note:
            problems.append(f"« {_short(entry.message)} » : signalé sans note (# flagged: ce qui ne va pas).")
    if problems:
        raise ImportRefused(problems)
    for entry, text, state, note in planned:
        change(session, runtime, actor, entry, text=text, state=state, note=note, check=False)
    return Imported(lang, len(planned), len(current) - len(planned), int(ignored))


def _state(message: Message) -> tuple[str, str | None]:
    comments = [str(c).strip() for c in message.user_comments]
    for comment in comments:
        if comment.startswith(FLAG_MARK):
            return "flagged", comment[len(FLAG_MARK) :].strip() or None
    return ("draft" if DRAFT_MARK in comments else "reviewed"), None


def _short(message: str) -> str:
    return message if len(message) <= 50 else message[:47] + "..."
