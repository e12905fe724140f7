"""Console pages: the training simulator, two emulated phones driving the real conversations.

The reporter phone dials the real USSD service (``UssdService``) or sends SMS down the real
inbound path; the social worker phone receives what the outbox handed to the (local) gateway
and answers through the real worker commands. The simulator only chooses the identities: phones
of the reserved range and ``TRAIN-`` ids, which make everything training (``hotline.alerting.training``).

Each action answers JSON to the page's script (``fetch`` with the CSRF token in X-CSRFToken) and,
for the no-script fallback, the page itself to a plain form post.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from hotline.alerting import training
from hotline.intake import inbound
from hotline.intake.ussd import Hop, UssdService
from hotline.web.console.access import requires
from hotline.web.console.base import NAV, bp, runtime, translate
from hotline.web.console.report_common import viewer_zone, zone_name
from hotline.web.console.report_timeline import CHANNEL_LABELS, STATUS_LABELS

NAV.append(("console.simulator", "Training simulator", "train"))

DEFAULT_SERVICE_CODE = "*384*123#"
SESSION_ID = re.compile(r"^TRAIN-[0-9a-f]{24}$")
SERVICE_CODE = re.compile(r"^\*[0-9*]{1,20}#$")
MAX_USSD_INPUT = 182  # what a handset lets one type on a USSD screen
MAX_SMS_TEXT = 918  # six SMS parts
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")


@bp.get("/simulator")
@requires("train")
def simulator() -> ResponseReturnValue:
    pair = _pair(request.args.get("pair"))
    training.ensure_worker(runtime(), pair, session.get("lang", "fr"))
    return _page(pair, mode=request.args.get("mode", "ussd"))


@bp.get("/simulator/phones")
@requires("train")
def simulator_phones() -> Response:
    return jsonify(_phones(_pair(request.args.get("pair"))))


@bp.post("/simulator/ussd")
@requires("train")
def simulator_ussd() -> ResponseReturnValue:
    """One key press of the reporter phone: dial, send, hang up (and, without script, a key)."""
    form = _fields()
    pair = _pair(form.get("pair"))
    action = str(form.get("action", "send"))
    session_id, text = str(form.get("session", "")), str(form.get("text", ""))
    typed = str(form.get("input", ""))[:MAX_USSD_INPUT]
    if action in KEYS or action == "clear":  # the no-script keypad edits the line here
        typed = typed + action if action in KEYS else ""
        return _answer(
            pair,
            {
                "session": session_id,
                "text": text,
                "input": typed,
                "screen": str(form.get("screen", "")),
                "end": False,
            },
        )
    service_code = runtime().settings.ussd_service_code or DEFAULT_SERVICE_CODE
    if action == "hangup":  # nothing to tell the service: AT's end-of-session event feeds statistics
        return _answer(pair, {"session": "", "text": "", "input": service_code, "screen": "", "end": True})
    if not SESSION_ID.match(session_id):  # no call yet: this press dials what was typed
        if SERVICE_CODE.match(typed):
            service_code = typed
        session_id, text = training.new_training_id(), ""
    else:
        text = typed if text == "" else f"{text}*{typed}"
    reply = UssdService(runtime()).handle(
        Hop(
            session_id=session_id,
            phone=training.REPORTER_PHONES[pair],
            text=text,
            service_code=service_code,
            training=True,
        )
    )
    end = reply.body.startswith("END")
    return _answer(
        pair,
        {
            "session": "" if end else session_id,
            "text": "" if end else text,
            "input": "",
            "screen": reply.body[4:],
            "end": end,
        },
    )


@bp.post("/simulator/sms")
@requires("train")
def simulator_sms() -> Response:
    """The reporter phone sends an SMS to the hotline."""
    form = _fields()
    pair = _pair(form.get("pair"))
    _receive(training.REPORTER_PHONES[pair], str(form.get("text", "")))
    return _after_sms(pair, "sms")


@bp.post("/simulator/worker")
@requires("train")
def simulator_worker() -> Response:
    """The social worker phone answers (``1 K7F3QX``): the real worker command path."""
    form = _fields()
    pair = _pair(form.get("pair"))
    training.ensure_worker(runtime(), pair, session.get("lang", "fr"))
    _receive(training.WORKER_PHONES[pair], str(form.get("text", "")))
    return _after_sms(pair, str(form.get("mode", "ussd")))


def _receive(phone: str, text: str) -> None:
    text = text.replace("\x00", "").strip()[:MAX_SMS_TEXT]
    if text:
        inbound.receive_training_sms(runtime(), phone, text)


def _fields() -> dict[str, Any]:
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    return request.form.to_dict()


def _pair(value: object) -> int:
    try:
        pair = int(str(value))
    except ValueError:
        return 0
    return pair if 0 <= pair < len(training.REPORTER_PHONES) else 0


def _phones(pair: int) -> dict[str, Any]:
    rt = runtime()
    return {
        "reporter": _local_times(training.received(rt, training.REPORTER_PHONES[pair])),
        "worker": _local_times(training.received(rt, training.WORKER_PHONES[pair])),
        "reports": [
            {
                **r,
                "status": translate(STATUS_LABELS.get(r["status"], r["status"])),
                "channel": CHANNEL_LABELS.get(r["channel"], r["channel"]),
            }
            for r in training.reports_of(rt, pair)
        ],
    }


def _local_times(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each SMS's time in the trainer's zone, named ("14:38:05 (heure de Kinshasa)"), as the
    console writes every time."""
    zone = viewer_zone()
    named = zone_name(zone)
    return [
        {**m, "at": f"{datetime.fromisoformat(m['at']).astimezone(zone):%H:%M:%S} ({named})"}
        for m in messages
    ]


def _answer(pair: int, ussd: dict[str, Any]) -> Response | str:
    if request.is_json:
        return jsonify({"ussd": ussd, **_phones(pair)})
    return _page(pair, mode="ussd", ussd=ussd)


def _after_sms(pair: int, mode: str) -> Response:
    if request.is_json:
        return jsonify({"ok": True, **_phones(pair)})
    return redirect(url_for("console.simulator", pair=pair, mode=mode))


def _page(pair: int, mode: str, ussd: dict[str, Any] | None = None) -> str:
    rt = runtime()
    service_code = rt.settings.ussd_service_code or DEFAULT_SERVICE_CODE
    ussd = ussd or {"session": "", "text": "", "input": service_code, "screen": "", "end": True}
    return render_template(
        "console/simulator.html",
        pair=pair,
        mode="sms" if mode == "sms" else "ussd",
        ussd=ussd,
        service_code=service_code,
        keys=KEYS,
        pairs=[
            (i, _spaced(r), _spaced(w))
            for i, (r, w) in enumerate(zip(training.REPORTER_PHONES, training.WORKER_PHONES, strict=True))
        ],
        reporter_phone=_spaced(training.REPORTER_PHONES[pair]),
        worker_phone=_spaced(training.WORKER_PHONES[pair]),
        **_phones(pair),
    )


def _spaced(e164: str) -> str:
    """``+243890000001`` -> ``+243 89 000 0001``."""
    return f"{e164[:4]} {e164[4:6]} {e164[6:9]} {e164[9:]}"
