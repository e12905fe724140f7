"""Database models. Phone numbers never appear in clear: ``*_encrypted`` plus a keyed ``*_hash``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict, final

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.platform.db import Base, UTCDateTime

# Report statuses, in the order a case normally moves through them.
REPORT_STATUSES = (
    "new",
    "alerted",
    "accepted",
    "in_progress",
    "referred",
    "closed",
    "duplicate",
    "unfounded",
)
CATEGORIES = (
    "sexual_exploitation",
    "forced_labour",
    "domestic_servitude",
    "child_trafficking",
    "forced_marriage",
    "organ_trafficking",
    "other",
)
# Outbound message statuses. "sent" means the gateway accepted it; the delivery report says more.
MESSAGE_PENDING, MESSAGE_SENT, MESSAGE_DELIVERED, MESSAGE_FAILED, MESSAGE_CANCELLED = (
    "pending",
    "sent",
    "delivered",
    "failed",
    "cancelled",
)
MESSAGE_BUNDLED = "bundled"  # an alert listed in a bundle SMS instead of sent on its own
FINAL_MESSAGE_STATUSES = (MESSAGE_DELIVERED, MESSAGE_FAILED)
CONSENTS = ("callback", "confidential")  # anonymous reporters have no contact row at all


# An escalation step as the policy JSON holds it: an object with exactly one of these keys
# (checked by hotline.alerting.escalation.check_steps). Final: a step has no other key, so
# ``"wait" in step`` tells which one it is.
@final
class NotifyStep(TypedDict):
    notify: list[str]  # the levels to alert (routing.ESCALATION_LEVELS)


@final
class WaitStep(TypedDict):
    wait: int  # seconds


@final
class RepeatStep(TypedDict):
    repeat: int  # the steps before it run this many times in all


@final
class CallStep(TypedDict):
    call: list[str]  # the levels to phone (hotline.alerting.calls), when voice is configured


EscalationStep = NotifyStep | WaitStep | RepeatStep | CallStep

# A phone call's status (VoiceCall.status): written "pending" by an escalation step, "placing"
# while a job asks the voice gateway, "ringing" once AT queued it, "answered" when AT says the
# worker picked up; then one final outcome.
CALL_PENDING, CALL_PLACING, CALL_RINGING, CALL_ANSWERED = "pending", "placing", "ringing", "answered"
CALL_OUTCOMES = ("accepted", "declined", "taken", "no_key", "no_answer", "busy", "failed", "cancelled")


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(8), unique=True)
    # Idempotency key from the channel ("ussd:<sessionId>", "sms:<gateway id>"): a retried
    # request finds the report it already made instead of making a second one.
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(default=False)
    location_code: Mapped[str] = mapped_column(String(64), index=True)
    place_detail: Mapped[str | None] = mapped_column(Text)
    people_count: Mapped[int | None]
    children_involved: Mapped[bool | None]
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    training: Mapped[bool] = mapped_column(default=False)
    # Keyed hash of the reporting number, kept even for anonymous reports: it lets that phone
    # check the status and limits floods, and cannot be turned back into the number.
    reporter_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Keyed hash of reference + PIN: checking the status from another phone needs the PIN.
    pin_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Escalation, grafana/oncall style: the policy's steps are copied here when the report opens,
    # a cursor marks the next step, and the token changes at every step so a stale or duplicate
    # job finds nothing to do.
    escalation_steps: Mapped[list[EscalationStep]] = mapped_column(JSON, default=list)
    escalation_cursor: Mapped[int] = mapped_column(default=0)
    escalation_repeats: Mapped[int] = mapped_column(default=0)
    escalation_token: Mapped[str | None] = mapped_column(String(32))
    escalation_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("social_workers.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The alarm (hotline.alerting.alarms): due when nobody accepted in the policy's alarm time or
    # the escalation ran out of people; raised once by the ticker; ended by an acceptance.
    alarm_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    alarm_raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alarm_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Console case management: assigned to one SMS worker, one console user or one team, at most.
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("social_workers.id"))
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    # Retention: when the case finished (closed, duplicate, unfounded), whether an operator marked the
    # free text as needed beyond the retention period, and when personal data was removed.
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    keep_text: Mapped[bool] = mapped_column(default=False)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[ReporterContact | None] = relationship(back_populates="report")
    events: Mapped[list[ReportEvent]] = relationship(back_populates="report", order_by="ReportEvent.id")


class ReporterContact(Base):
    """How to reach a reporter who agreed to it. Absent for anonymous reports."""

    __tablename__ = "reporter_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    phone_encrypted: Mapped[str] = mapped_column(Text)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    consent: Mapped[str] = mapped_column(String(16))
    safe_time: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    report: Mapped[Report] = relationship(back_populates="contact")


class ReportEvent(Base):
    """One line of a report's timeline. ``detail`` never holds a phone number."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    report: Mapped[Report] = relationship(back_populates="events")


# The training simulator's emulated social workers (hotline.alerting.training): no area, never
# routed a real report, the only ones a training report may be assigned to.
TRAINING_WORKER_ROLE = "training"


class SocialWorker(Base):
    __tablename__ = "social_workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone_encrypted: Mapped[str] = mapped_column(Text)
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    role: Mapped[str] = mapped_column(String(16), default="worker")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    areas: Mapped[list[WorkerArea]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="WorkerArea.location_code"
    )


class WorkerArea(Base):
    __tablename__ = "worker_areas"
    __table_args__ = (UniqueConstraint("worker_id", "location_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("social_workers.id"))
    location_code: Mapped[str] = mapped_column(String(64), index=True)

    worker: Mapped[SocialWorker] = relationship(back_populates="areas")


class OutboundMessage(Base):
    """The outbox: written in the same transaction as what caused it, then sent by a job."""

    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("social_workers.id"), index=True)
    recipient_encrypted: Mapped[str] = mapped_column(Text)
    recipient_hash: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MESSAGE_PENDING)
    gateway: Mapped[str | None] = mapped_column(String(24))  # the route that carried it
    # The route to try first (the one the SMS it answers came by); None: the configured order.
    first_gateway: Mapped[str | None] = mapped_column(String(24))
    # The route whose failed delivery report sent it out again through the next one (once only).
    failed_gateway: Mapped[str | None] = mapped_column(String(24))
    gateway_message_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    gateway_status: Mapped[str | None] = mapped_column(String(32))
    failure_reason: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    training: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InboundMessage(Base):
    """An SMS as the gateway posted it, kept before any work is done on it (de-duplicated on id)."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway_id: Mapped[str] = mapped_column(String(96), unique=True)
    gateway: Mapped[str | None] = mapped_column(String(24))  # the route it came by (None: before 0009, AT)
    sender_encrypted: Mapped[str] = mapped_column(Text)
    sender_hash: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))


class UssdSessionEvent(Base):
    """AT's end-of-session event: how a USSD session ended and on which screen."""

    __tablename__ = "ussd_session_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(96), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    network_code: Mapped[str | None] = mapped_column(String(8))
    duration_ms: Mapped[int | None]
    hops: Mapped[int | None]
    last_screen: Mapped[str | None] = mapped_column(String(64))
    # The session's language, if still kept when it ended: drop-offs per language (hotline.languages).
    language: Mapped[str | None] = mapped_column(String(8))
    error_message: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Roster(Base):
    """Who is on call for an area ("CD" is the national duty roster), in the area's time zone."""

    __tablename__ = "rosters"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    rotations: Mapped[list[RosterRotation]] = relationship(
        back_populates="roster", cascade="all, delete-orphan", order_by="RosterRotation.id"
    )
    overrides: Mapped[list[RosterOverride]] = relationship(
        back_populates="roster", cascade="all, delete-orphan", order_by="RosterOverride.starts_at"
    )


class RosterRotation(Base):
    __tablename__ = "roster_rotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    members: Mapped[list[int]] = mapped_column(JSON)  # social worker ids, in turn order
    start_date: Mapped[date] = mapped_column(Date)
    handoff_hour: Mapped[int] = mapped_column(default=8)
    every_days: Mapped[int] = mapped_column(default=7)

    roster: Mapped[Roster] = relationship(back_populates="rotations")


class RosterOverride(Base):
    """A dated exception: a swap (``replaces`` one worker) or cover for a whole level."""

    __tablename__ = "roster_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    worker_id: Mapped[int] = mapped_column(ForeignKey("social_workers.id"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("social_workers.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))

    roster: Mapped[Roster] = relationship(back_populates="overrides")


class EscalationPolicy(Base):
    """An area's own policy; areas without one use the default (escalation.default_policy)."""

    __tablename__ = "escalation_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(String(64), unique=True)
    steps: Mapped[list[EscalationStep]] = mapped_column(JSON)
    urgent_steps: Mapped[list[EscalationStep]] = mapped_column(JSON)
    # Minutes without an acceptance before the alarm (None: the default policy's).
    alarm_minutes: Mapped[int | None]
    urgent_alarm_minutes: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VoiceCall(Base):
    """One phone call to one worker for one report (an escalation ``call`` step). The voice
    callback finds it by AT's session id: a call the hotline did not place is never answered."""

    __tablename__ = "voice_calls"
    __table_args__ = (Index("ix_voice_calls_due", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("social_workers.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=CALL_PENDING)
    session_id: Mapped[str | None] = mapped_column(String(100), unique=True)  # AT's "ATVId_..."
    # The report's escalation token when the call was written: its outcome hastens the escalation
    # only while the report still waits on this step.
    escalation_token: Mapped[str | None] = mapped_column(String(32))
    digits: Mapped[str | None] = mapped_column(String(8))
    duration_seconds: Mapped[int | None]
    gateway_status: Mapped[str | None] = mapped_column(String(40))  # AT's status, or its hangupCause
    cost: Mapped[str | None] = mapped_column(String(32))  # as AT words it, e.g. "USD 0.0500"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmsOptOut(Base):
    """A number that sent STOP: no SMS to it, not even a reply, until it writes to us again."""

    __tablename__ = "sms_opt_outs"

    phone_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


ROLES = ("admin", "supervisor", "operator", "viewer", "translator")
# Roles that see no report, so have no areas: an admin sees every area, a translator none.
ROLES_WITHOUT_AREAS = ("admin", "translator")


class User(Base):
    """A console user. ``areas`` scopes what they see (location codes); admins see everything."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The languages a translator reviews (hotline.languages); nobody else's matter.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    # A phone for the alarm SMS (encrypted, with its keyed hash), sent only when opted in.
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    alarm_sms: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set by an admin's password (a new user, a reset): changed before anything else is shown.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(Base):
    """One of a user's ten one-time codes for a lost authenticator, kept only as a hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Every read of personal data and every change made in the console."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(48), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Referral(Base):
    """A report referred to a partner (129, 122, police, health, shelter, legal) with a follow-up."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    partner: Mapped[str] = mapped_column(String(16))
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    done: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notice(Base):
    """An alarm for operators (SMS cap reached, low gateway balance), shown in the console until cleared.

    ``key`` makes raising idempotent: raising the same condition twice (one per hour, one per day)
    updates the open notice instead of stacking copies. A notice about one hour or day has
    ``ends_at``, the end of that period: it is no longer open from then on.
    """

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    level: Mapped[str] = mapped_column(String(16), default="warning")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiClient(Base):
    """A partner system calling the REST API: a hashed token and the scopes it was granted."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(8))  # first characters, to recognise a token
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every area
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PartnerWebhook(Base):
    """An outbound webhook: report events POSTed to a partner system, signed with HMAC-SHA256."""

    __tablename__ = "partner_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(500))
    secret_encrypted: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every area
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One event for one partner webhook: the exact body sent, and every attempt's outcome."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("webhook_id", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("partner_webhooks.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(96))  # idempotency: one delivery per event
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LanguageStatus(Base):
    """A language's state, set by an admin: draft, in_review or approved (hotline.platform.i18n's
    LANGUAGE_STATES). No row: French and English approved, the others drafts, as shipped.
    Read by name by hotline.platform.i18n_live."""

    __tablename__ = "languages"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TranslationText(Base):
    """A reviewer's work on one message of one language, on top of the shipped catalog: the
    corrected text (None: the catalog's text stands), its review state (draft, reviewed, flagged)
    and the flag's note. Read by name by hotline.platform.i18n_live."""

    __tablename__ = "translation_texts"
    __table_args__ = (UniqueConstraint("lang", "msgid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(8))
    msgid: Mapped[str] = mapped_column(Text)
    msgstr: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Team(Base):
    """Console users who share cases (Primero's and CasePro's teams): a report may be assigned to it.
    ``area_code`` is where it works: only reports there may be assigned to it."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    area_code: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan")


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    team: Mapped[Team] = relationship(back_populates="members")


class Label(Base):
    """A word operators tag reports with ("a rappeler", "police informee"): shared by everyone."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReportLabel(Base):
    __tablename__ = "report_labels"
    __table_args__ = (UniqueConstraint("report_id", "label_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id"), index=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SavedSearch(Base):
    """A user's named inbox filter: the query string's filters, as the inbox reads them."""

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    filters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
