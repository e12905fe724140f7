"""Console sessions end after 30 idle minutes, and after 12 hours whatever happens."""

from __future__ import annotations

from tests.support.consolekit import login


def test_a_session_left_idle_for_more_than_thirty_minutes_asks_to_log_in_again(client, runtime, clock):
    login(client, runtime, "operator")
    clock.advance(minutes=29)
    assert client.get("/console/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/console/")
    assert response.status_code == 302
    assert "/console/login?expired=1" in response.headers["Location"]
    assert client.get("/console/").status_code == 302  # really logged out, not just redirected once


def test_a_session_in_constant_use_still_ends_after_twelve_hours(client, runtime, clock):
    login(client, runtime, "operator")
    for _ in range(35):  # 11 h 40 of work, a page every 20 minutes
        clock.advance(minutes=20)
        assert client.get("/console/").status_code == 200
    clock.advance(minutes=21)
    assert client.get("/console/").status_code == 302


def test_a_gateway_callback_neither_reads_nor_renews_an_operator_s_session(client, runtime):
    """The callbacks open no cookie session (hotline.web.console.ConsoleSessions): a request to
    one that carries an operator's cookie gets no renewed session back."""
    from tests.support.environment import TEST_TOKEN

    login(client, runtime, "operator")
    page = client.get("/console/")
    assert page.status_code == 200 and "hotline_session=" in page.headers.get("Set-Cookie", "")
    hop = client.post(
        f"/webhooks/at/{TEST_TOKEN}/ussd",
        data={
            "sessionId": "ATUid_cookie",
            "serviceCode": "*384*44135#",
            "phoneNumber": "+243810000001",
            "networkCode": "63001",
            "text": "",
        },
    )
    assert hop.status_code == 200 and hop.get_data(as_text=True).startswith("CON ")
    assert "Set-Cookie" not in hop.headers
