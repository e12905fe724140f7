"""REST API v1 as a partner system uses it: a bearer token with scopes and areas, JSON in and out,
every call audited, no reporter number or free text without the reports:personal scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.models import ApiClient, AuditEntry, Report, ReportEvent
from hotline.partners.api_clients import create_client, revoke_client
from tests.support.builders import REPORTER_PHONE, add_roster, add_worker, kwilu_team, report

KINSHASA = "CD-KN/gombe"


def new_client(runtime, *scopes: str, areas: tuple[str, ...] = ()) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        client, token = create_client(db, runtime, "Primero Kwilu", list(scopes), list(areas))
        db.commit()
        return client.id, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_audits(runtime, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with runtime.session() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_request_without_a_valid_token_is_refused_in_json(client, runtime):
    _, token = new_client(runtime, "reports:read")
    for headers in ({}, bearer("htl_not-a-token"), {"Authorization": token}):
        response = client.get("/api/v1/reports", headers=headers)
        assert response.status_code == 401
        assert response.json["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_token_is_stored_only_as_a_hash_and_shown_once(runtime):
    client_id, token = new_client(runtime, "reports:read")
    with runtime.session() as db:
        row = db.get(ApiClient, client_id)
        assert token not in (row.token_hash, row.token_hint) and len(token) > 40
        assert token.startswith(row.token_hint)


def test_a_revoked_client_is_refused(client, runtime):
    client_id, token = new_client(runtime, "reports:read")
    assert client.get("/api/v1/reports", headers=bearer(token)).status_code == 200
    with runtime.session() as db:
        revoke_client(db, runtime, client_id)
        db.commit()
    assert client.get("/api/v1/reports", headers=bearer(token)).status_code == 401


def test_last_use_is_written_at_most_once_a_minute(client, runtime, clock):
    client_id, token = new_client(runtime, "reports:read")

    def last_used():  # type: ignore[no-untyped-def]
        with runtime.session() as db:
            return db.get(ApiClient, client_id).last_used_at

    client.get("/api/v1/reports", headers=bearer(token))
    first = last_used()
    clock.advance(seconds=30)
    client.get("/api/v1/reports", headers=bearer(token))
    assert last_used() == first
    clock.advance(seconds=31)
    client.get("/api/v1/reports", headers=bearer(token))
    assert last_used() == clock.now()


def test_the_list_hides_numbers_free_text_and_training_reports(client, runtime):
    report(runtime, phone=REPORTER_PHONE, contact="callback", description="Mama Nzuzi au marché")
    report(runtime, training=True)
    _, token = new_client(runtime, "reports:read")
    response = client.get("/api/v1/reports", headers=bearer(token))
    assert response.status_code == 200
    assert len(response.json["items"]) == 1
    assert response.json["items"][0]["contact"] == "callback"
    assert REPORTER_PHONE not in response.text and "Nzuzi" not in response.text
    assert response.headers["Cache-Control"] == "no-store"
    (entry,) = api_audits(runtime, "api_reports_listed")
    assert entry.user_id is None and entry.detail["actor"].startswith("api:")


def test_reports_filter_by_status_category_area_urgency_and_time(client, runtime, clock):
    first = report(runtime, urgent=True)
    clock.advance(hours=2)
    second = report(runtime, category="forced_labour")
    third = report(runtime, location=KINSHASA)
    _, token = new_client(runtime, "reports:read")

    def references(query: str) -> list[str]:
        response = client.get(f"/api/v1/reports?{query}", headers=bearer(token))
        assert response.status_code == 200, response.json
        return [r["reference"] for r in response.json["items"]]

    assert references("urgent=true") == [first.reference]
    assert references("category=forced_labour") == [second.reference]
    assert references("area=CD-KN") == [third.reference]
    assert references("area=CD-KL") == [second.reference, first.reference]
    since = clock.now().isoformat()
    assert references(f"since={since.replace('+', '%2B')}") == [third.reference, second.reference]
    assert references("status=closed") == []
    for bad in (
        "status=lost",
        "urgent=yes",
        "since=yesterday",
        "limit=0",
        "cursor=-1",
        "since=0001-01-01T00:00:00%2B05:00",
        "area=CD-XX",
    ):
        response = client.get(f"/api/v1/reports?{bad}", headers=bearer(token))
        assert response.status_code == 400 and response.json["error"] == "bad_request", bad


def test_pages_follow_the_cursor_to_the_end(client, runtime):
    made = [report(runtime).reference for _ in range(5)]
    _, token = new_client(runtime, "reports:read")
    seen, cursor = [], ""
    while cursor is not None:
        page = client.get(
            f"/api/v1/reports?limit=2{cursor and '&cursor=' + cursor}", headers=bearer(token)
        ).json
        seen += [r["reference"] for r in page["items"]]
        cursor = page["next_cursor"]
    assert seen == made[::-1]


def test_a_client_restricted_to_an_area_never_sees_another_areas_report(client, runtime):
    kwilu, kinshasa = report(runtime), report(runtime, location=KINSHASA)
    _, token = new_client(runtime, "reports:read", "reports:write", areas=("CD-KL",))
    listed = client.get("/api/v1/reports", headers=bearer(token)).json["items"]
    assert [r["reference"] for r in listed] == [kwilu.reference]
    assert client.get(f"/api/v1/reports/{kinshasa.reference}", headers=bearer(token)).status_code == 404
    assert (
        client.post(
            f"/api/v1/reports/{kinshasa.reference}/notes", json={"text": "x"}, headers=bearer(token)
        ).status_code
        == 404
    )


def test_free_text_needs_the_personal_scope_and_its_read_is_audited(client, runtime):
    made = report(runtime, description="Mama Nzuzi au marché")
    _, plain = new_client(runtime, "reports:read")
    _, trusted = new_client(runtime, "reports:read", "reports:personal")
    body = client.get(f"/api/v1/reports/{made.reference}", headers=bearer(plain)).json
    assert "description" not in body and body["events"][0]["kind"] == "received"
    body = client.get(f"/api/v1/reports/{made.reference}", headers=bearer(trusted)).json
    assert body["description"] == "Mama Nzuzi au marché"
    assert [a.detail["personal"] for a in api_audits(runtime, "api_report_read")] == [False, True]


def test_the_reporters_number_needs_consent_a_reason_and_the_scope(client, runtime):
    consenting = report(runtime, phone=REPORTER_PHONE, contact="callback", safe_time="evening")
    confidential = report(runtime, phone=REPORTER_PHONE, contact="confidential")
    _, reader = new_client(runtime, "reports:read")
    _, trusted = new_client(runtime, "reports:read", "reports:personal")
    reason = {"reason": "Primero case follow-up call"}
    url = f"/api/v1/reports/{consenting.reference}/contact"
    assert client.post(url, json=reason, headers=bearer(reader)).status_code == 403
    assert client.post(url, json={"reason": "x"}, headers=bearer(trusted)).status_code == 400
    answer = client.post(url, json=reason, headers=bearer(trusted))
    assert answer.status_code == 200 and answer.json["phone"] == REPORTER_PHONE
    refused = client.post(
        f"/api/v1/reports/{confidential.reference}/contact", json=reason, headers=bearer(trusted)
    )
    assert refused.status_code == 403 and REPORTER_PHONE not in refused.text
    (revealed,) = api_audits(runtime, "number_revealed")
    assert revealed.detail["actor"].startswith("api:") and revealed.target_id == consenting.reference
    assert len(api_audits(runtime, "number_reveal_refused")) == 2


def test_a_status_change_stops_escalation_as_in_the_console(client, runtime):
    kwilu_team(runtime)
    made = report(runtime)
    _, reader = new_client(runtime, "reports:read")
    _, writer = new_client(runtime, "reports:read", "reports:write")
    url = f"/api/v1/reports/{made.reference}/status"
    assert client.post(url, json={"status": "in_progress"}, headers=bearer(reader)).status_code == 403
    answer = client.post(url, json={"status": "in_progress"}, headers=bearer(writer))
    assert answer.status_code == 200 and answer.json["status"] == "in_progress"
    with runtime.session() as db:
        stored = db.get(Report, made.id)
        assert stored.escalation_due_at is None
        kinds = [e.kind for e in db.scalars(select(ReportEvent).where(ReportEvent.report_id == made.id))]
        assert "escalation_stopped" in kinds
    again = client.post(url, json={"status": "in_progress"}, headers=bearer(writer))
    assert again.status_code == 422 and again.json["error"] == "refused"
    (changed,) = api_audits(runtime, "report_status_changed")
    assert changed.user_id is None and changed.detail["to"] == "in_progress"
    closed = client.post(url, json={"status": "closed"}, headers=bearer(writer)).json
    assert closed["finished_at"] is not None


def test_a_note_lands_on_the_timeline_under_the_clients_name(client, runtime):
    made = report(runtime)
    client_id, token = new_client(runtime, "reports:write")
    url = f"/api/v1/reports/{made.reference}/notes"
    assert client.post(url, json={"text": "Suivi Primero ouvert"}, headers=bearer(token)).status_code == 201
    assert client.post(url, json={"text": "   "}, headers=bearer(token)).status_code == 422
    for body in ("not json", "[1]", '{"text": 3}'):
        response = client.post(url, data=body, content_type="application/json", headers=bearer(token))
        assert response.status_code == 400, body
    with runtime.session() as db:
        note = db.scalar(select(ReportEvent).where(ReportEvent.kind == "note"))
        assert note.actor == f"api:{client_id}" and note.detail["note"] == "Suivi Primero ouvert"


def test_workers_are_listed_with_masked_numbers_and_rosters_say_who_is_on_call(client, runtime):
    ana = add_worker(runtime, "Ana Mbuyi", areas=("CD-KL",))
    add_worker(runtime, "Jo Kabila", areas=("CD-KN",))
    add_roster(runtime, "CD-KL", {"primary": [ana]})
    _, token = new_client(runtime, "workers:read", areas=("CD-KL/kikwit",))
    workers = client.get("/api/v1/workers", headers=bearer(token))
    assert [w["name"] for w in workers.json["items"]] == ["Ana Mbuyi"]
    assert ana.phone not in workers.text and workers.json["items"][0]["phone"].endswith(ana.phone[-3:])
    rosters = client.get("/api/v1/rosters", headers=bearer(token)).json["items"]
    assert rosters[0]["area"] == "CD-KL"
    assert rosters[0]["on_call"]["primary"] == [{"id": ana.id, "name": "Ana Mbuyi"}]
    _, reader = new_client(runtime, "reports:read")
    assert client.get("/api/v1/workers", headers=bearer(reader)).status_code == 403


@pytest.mark.parametrize("rate", [120, 7])  # the default, and HOTLINE_API_RATE_PER_MINUTE=7
def test_a_client_over_its_rate_is_told_to_wait(client, runtime, clock, rate):
    runtime.settings = runtime.settings.with_overrides(api_rate_per_minute=rate)
    _, token = new_client(runtime, "reports:read")
    clock.advance(seconds=60 - clock.now().timestamp() % 60)  # the start of a window
    codes = [client.get("/api/v1/workers", headers=bearer(token)).status_code for _ in range(rate)]
    assert codes == [403] * rate  # counted, though refused for want of a scope
    last = client.get("/api/v1/workers", headers=bearer(token))
    assert last.status_code == 429 and int(last.headers["Retry-After"]) == 60
    clock.advance(seconds=60)
    assert client.get("/api/v1/reports", headers=bearer(token)).status_code == 200


def test_unknown_paths_and_methods_answer_json(client, runtime):
    _, token = new_client(runtime, "reports:read", "reports:write")
    missing = client.get("/api/v1/nothing", headers=bearer(token))
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    wrong = client.delete("/api/v1/reports", headers=bearer(token))
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    too_big = client.post(
        "/api/v1/reports/ABC/notes", data="x" * 20000, content_type="application/json", headers=bearer(token)
    )
    assert too_big.status_code == 413 and too_big.json["error"]


def test_a_client_scoped_to_the_whole_country_sees_every_provinces_reports(client, runtime):
    # The national area CD covers every province, as it does in the console and for the alarms.
    kwilu, kinshasa = report(runtime), report(runtime, location=KINSHASA)
    _, token = new_client(runtime, "reports:read", areas=("CD",))
    listed = client.get("/api/v1/reports", headers=bearer(token)).json["items"]
    assert {r["reference"] for r in listed} == {kwilu.reference, kinshasa.reference}
    assert client.get(f"/api/v1/reports/{kinshasa.reference}", headers=bearer(token)).status_code == 200
