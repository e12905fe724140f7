"""The development outbox (`make dev`) masks numbers, the recipient's and any quoted in a body."""

from __future__ import annotations

from flask.testing import FlaskClient

from hotline.platform.runtime import Runtime
from hotline.sms import messages


def test_the_dev_outbox_masks_the_call_back_number_inside_a_details_sms(
    client: FlaskClient, runtime: Runtime
) -> None:
    worker, reporter = "+243810000111", "+243990000222"
    with runtime.session() as session:
        messages.add_message(
            session,
            runtime,
            recipient_encrypted=runtime.cipher.encrypt(worker),
            recipient_hash=runtime.cipher.lookup_hash(worker),
            body=f"K7F3QX Kwilu/Kikwit. Rappelez {reporter}, l'apres-midi.",
            purpose="details",
        )
        session.commit()
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "Rappelez +243 99* *** *222" in page
    assert reporter not in page and worker not in page
