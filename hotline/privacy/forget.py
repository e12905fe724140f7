"""A reporter deletes their number, by USSD from the phone that reported (flows.reporter).

Every report whose fingerprint or contact row is this number's (under any configured key) loses
the contact row, the fingerprint and the number's copies on the SMS exchanged with the reporter;
SMS still waiting for this number are cancelled. The timeline says "contact_deleted", without the
number. The report itself stays: someone may be in danger, and the workers still need the facts.
"""

from __future__ import annotations

import logging

from sqlalchemy import or_, select, update

from hotline.models import MESSAGE_CANCELLED, MESSAGE_PENDING, OutboundMessage, Report, ReporterContact
from hotline.platform.runtime import Runtime
from hotline.privacy.retention import remove_contact
from hotline.records.timeline import record

log = logging.getLogger(__name__)


def forget_number(runtime: Runtime, phone: str) -> int:
    """Remove ``phone`` (E.164) from all its reports in one transaction; returns how many."""
    hashes = runtime.cipher.lookup_hashes(phone)
    now = runtime.clock.now()
    with runtime.session() as session:
        with_contact = select(ReporterContact.report_id).where(ReporterContact.phone_hash.in_(hashes))
        reports = session.scalars(
            select(Report).where(or_(Report.reporter_hash.in_(hashes), Report.id.in_(with_contact)))
        ).all()
        for report in reports:
            remove_contact(session, report)
            report.updated_at = now
            record(session, report.id, "contact_deleted", now, actor="reporter")
        # Anything else still waiting for this number, such as a reply to a HELP message.
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.recipient_hash.in_(hashes), OutboundMessage.status == MESSAGE_PENDING)
            .values(status=MESSAGE_CANCELLED, next_attempt_at=None)
        )
        session.commit()
    log.info("a reporter deleted their number from %s report(s)", len(reports))
    return len(reports)
