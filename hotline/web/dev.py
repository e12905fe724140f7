"""Development pages: the local SMS outbox, so `make dev` shows what would have been sent.

Registered only when HOTLINE_ENV is development or test. Numbers are masked here as everywhere.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template
from sqlalchemy import select

from hotline.models import OutboundMessage, Report
from hotline.platform.logs import PHONE
from hotline.platform.phones import mask
from hotline.platform.runtime import Runtime
from hotline.sms.messages import body_of

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.get("/outbox")
def outbox() -> str:
    rt: Runtime = current_app.extensions["hotline"]
    with rt.session() as session:
        rows = session.execute(
            select(OutboundMessage, Report.reference)
            .outerjoin(Report, Report.id == OutboundMessage.report_id)
            .order_by(OutboundMessage.id.desc())
            .limit(200)
        ).all()
        messages = [
            {
                "id": m.id,
                "reference": ref,
                "to": mask(rt.cipher.decrypt(m.recipient_encrypted)),
                "body": _masked(body_of(rt, m)),  # the details SMS quotes the call-back number
                "status": m.status,
                "gateway": m.gateway,
                "attempts": m.attempts,
                "created_at": m.created_at,
                "purpose": m.purpose,
            }
            for m, ref in rows
        ]
    return render_template("dev/outbox.html", messages=messages, gateway=rt.gateway.name)


def _masked(body: str) -> str:
    """Every number written in an SMS masked as the recipient's is (the logs' phone pattern)."""
    return PHONE.sub(lambda found: mask(re.sub(r"[^\d+]", "", found.group(0))), body)
