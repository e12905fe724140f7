"""SMS as Africa's Talking posts them to our callback (docs/africastalking.md section 3).

- ``sms``: a reporter's SMS, with a fresh AT id (or the one given); returns the id;
- ``worker_sms``: a social worker's SMS with the AT id given;
- ``worker_texts``: a sender's texts in turn, then the queued jobs run (the worker reply tests);
- ``sms_from``: one SMS from a phone, without AT's linkId (the flood and SMS cap tests);
- ``incoming``: the form alone, with fields changed or (None) left out.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from flask.testing import FlaskClient

from tests.support.builders import Worker
from tests.support.environment import BASE, TEST_TOKEN

PHONE = "+243810000001"
KIKWIT_TEXT = "Une fille est retenue a Kikwit dans une maison depuis hier"

_ids = count(1)
_sms_ids = count(1)
_flood_ids = count(1)


def sms(client: FlaskClient, text: str, phone: str = PHONE, message_id: str | None = None) -> str:
    """POST one SMS exactly as AT does; returns AT's id for it."""
    message_id = message_id or f"7a1bd5b8-0000-4000-8000-{next(_ids):012d}"
    response = client.post(
        f"{BASE}/sms",
        data={
            "from": phone,
            "to": "12345",
            "text": text,
            "date": "2026-01-05T08:00:00Z",
            "id": message_id,
            "linkId": "SampleLinkId123",
            "networkCode": "63001",
        },
    )
    assert response.status_code == 200
    return message_id


def worker_sms(client: FlaskClient, phone: str, text: str, message_id: str) -> None:
    response = client.post(
        f"{BASE}/sms",
        data={"from": phone, "to": "12345", "text": text, "id": message_id, "date": "2026-01-05 08:10:00"},
    )
    assert response.status_code == 200


def worker_texts(
    client: FlaskClient,
    run_jobs: Callable[[], None],
    sender: Worker | str,
    *texts: str,
    at_id: str | None = None,
) -> None:
    """``sender`` writes each text to the short code, in turn; then a worker handles them in that
    order (one FIFO queue) and sends the answers."""
    for text in texts:
        form = {
            "from": sender if isinstance(sender, str) else sender.phone,
            "to": "12345",
            "text": text,
            "date": "2026-01-05 08:00:12",
            "id": at_id or f"ATSMS-{next(_sms_ids)}",
            "linkId": "SampleLinkId123",
            "networkCode": "63001",
        }
        assert client.post(f"/webhooks/at/{TEST_TOKEN}/sms", data=form).status_code == 200
    run_jobs()


def sms_from(client: FlaskClient, phone: str, text: str) -> None:
    form = {
        "from": phone,
        "to": "12345",
        "text": text,
        "date": "2026-01-05 08:00:12",
        "id": f"ATSMS-flood-{next(_flood_ids)}",
        "networkCode": "63001",
    }
    assert client.post(f"{BASE}/sms", data=form).status_code == 200


def incoming(**changes: str | None) -> dict[str, str]:
    form: dict[str, str | None] = {
        "from": PHONE,
        "to": "12345",
        "text": "Une fille est retenue a Kikwit",
        "date": "2017-05-03T06:04:45Z",
        "id": "7a1bd5b8-5b1f-4b2c-9f7f-0b1c6f9c2d31",
        "linkId": "SampleLinkId123",
        "networkCode": "63001",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}
