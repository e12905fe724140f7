"""What each process keeps in memory: nothing loaded that its work does not use (issue 7, memory).

The resident-size target itself belongs to the benchmark (``make bench``); these tests pin the
causes found there, each in a fresh interpreter where the test session's own imports don't count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import babel.core
import pycountry
import pytest
from babel.messages.pofile import read_po

from hotline.ops.redis_server import free_port
from hotline.platform.i18n import CATALOGS, Translations
from hotline.platform.locations import Locations, iso_provinces
from tests.support.environment import TEST_TOKEN

ROOT = Path(__file__).resolve().parent.parent


def run_fresh(code: str, env: dict[str, str] | None = None) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON object as its last line."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def with_at_gateway(environ: dict[str, str]) -> dict[str, str]:
    """The real AT gateway, pointed at a port where nothing listens (nothing is sent)."""
    return {
        **environ,
        "SMS_GATEWAY": "africastalking",
        "AT_USERNAME": "hotline",
        "AT_API_KEY": "fake-at-key",
        "AT_API_URL": f"http://127.0.0.1:{free_port()}",
    }


def test_the_web_app_imports_the_at_sdk_only_when_it_sends(environ: dict[str, str]) -> None:
    # The web process builds the AT gateway but never sends: the SDK and requests stay out of it,
    # and prometheus_client waits for a scrape.
    env = with_at_gateway(environ)
    found = run_fresh(
        f"""
        import json, sys
        from hotline.web.app import create_app
        from hotline.gateways import GatewayUnavailable

        app = create_app()
        hop = app.test_client().post("/webhooks/at/{TEST_TOKEN}/ussd", data={{
            "sessionId": "ATUid_memory", "serviceCode": "*123#", "phoneNumber": "+243810000001",
            "text": "", "networkCode": "63001"}})
        before = "africastalking" in sys.modules
        unused = sorted(m for m in ("requests", "prometheus_client") if m in sys.modules)
        try:
            app.extensions["hotline"].gateway.send("+243810000002", "test")  # nothing listens
            outcome = "sent"
        except GatewayUnavailable as exc:
            outcome = str(exc)
        print(json.dumps({{"hop": hop.status_code, "gateway": app.extensions["hotline"].gateway.name,
                          "before_send": before, "after_send": "africastalking" in sys.modules,
                          "outcome": outcome, "unused": unused}}))
    """,
        env,
    )
    assert found == {
        "hop": 200,
        "gateway": "africastalking",
        "before_send": False,
        "after_send": True,
        "outcome": "ConnectionError",
        "unused": [],
    }


# What the console, the API, sending and the metrics bring: none of it serves an AT callback.
NOT_FOR_CALLBACKS = (
    "africastalking",
    "argon2",
    "croniter",
    "flask_login",
    "flask_wtf",
    "prometheus_client",
    "pyotp",
    "requests",
    "wtforms",
)


def test_the_callbacks_process_loads_nothing_but_what_a_callback_needs(environ: dict[str, str]) -> None:
    # The Procfile's callbacks line (issue 17, memory): a hop, an SMS, a delivery report and the
    # health check served, and none of the console's, the API's or the sender's packages loaded.
    env = with_at_gateway(environ)
    found = run_fresh(
        f"""
        import json, sys
        from hotline.web.callbacks import create_app

        client = create_app().test_client()
        hooks = "/webhooks/at/{TEST_TOKEN}"
        answers = [
            client.post(hooks + "/ussd", data={{"sessionId": "ATUid_memory", "serviceCode": "*123#",
                        "phoneNumber": "+243810000001", "text": "", "networkCode": "63001"}}).status_code,
            client.post(hooks + "/sms", data={{"id": "ATXid_memory", "from": "+243810000002",
                        "to": "12345", "text": "AIDE", "date": "2026-01-01 10:00:00"}}).status_code,
            client.post(hooks + "/sms/delivery", data={{"id": "ATXid_x", "status": "Success"}}).status_code,
            client.get("/healthz").status_code,
            client.get("/console/").status_code,
        ]
        loaded = sorted(m for m in {NOT_FOR_CALLBACKS!r} if m in sys.modules)
        print(json.dumps({{"answers": answers, "loaded": loaded}}))
    """,
        env,
    )
    assert found == {"answers": [200, 200, 200, 200, 404], "loaded": []}


def test_the_province_check_reads_pycountry_s_own_names() -> None:
    official = {s.code: s.name for s in pycountry.subdivisions.get(country_code="CD")}
    assert iso_provinces() == official
    assert len(official) == 26


def test_loading_locations_does_not_load_the_world_s_subdivisions() -> None:
    # pycountry's lookup would index ~5,000 subdivisions (~6 MB) for the life of the process.
    found = run_fresh("""
        import json, pycountry
        from hotline.platform.locations import Locations
        locations = Locations.load()
        print(json.dumps({"provinces": len(locations.provinces()),
                          "table_loaded": pycountry.subdivisions._is_loaded}))
    """)
    assert found == {"provinces": 26, "table_loaded": False}


def test_the_province_check_parses_only_the_congo_s_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    # json.load of pycountry's whole file (~5,000 subdivisions) took 2 MB more at its peak and left
    # 1.5 MB resident in every process: the file is read in pieces, and only CD- entries parsed.
    parsed: list[str] = []
    loads = json.loads

    def counting(text: str | bytes, **kwargs: object) -> object:
        entry = loads(text, **kwargs)
        parsed.append(entry.get("code", "?") if isinstance(entry, dict) else "?")
        return entry

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole file was parsed")

    monkeypatch.setattr(json, "loads", counting)
    monkeypatch.setattr(json, "load", whole)
    assert len(iso_provinces()) == 26
    assert len(parsed) == 26 and all(code.startswith("CD-") for code in parsed)


def test_catalogs_hold_what_babel_reads_from_the_po_files() -> None:
    expected = {}
    for po in sorted(CATALOGS.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        expected[po.parent.parent.name] = {
            str(m.id): str(m.string)
            for m in catalog
            if m.id and isinstance(m.string, str) and m.string and not m.fuzzy
        }
    assert Translations.load()._catalogs == expected


def test_catalogs_load_without_babel_s_locale_data(monkeypatch: pytest.MonkeyPatch) -> None:
    # A catalog bound to its header's language loads CLDR data (~2.5 MB) that lookups never use.
    def no_locale(*args: object, **kwargs: object) -> None:
        raise AssertionError("a locale was parsed")

    monkeypatch.setattr(babel.core.Locale, "parse", no_locale)
    translations = Translations.load()
    assert set(translations.languages()) == {"en", "fr", "kg", "ln", "lua", "sw"}
    assert translations.translate("kg", "not a message id") == "not a message id"


def test_a_drifted_province_name_still_stops_the_load(tmp_path: Path) -> None:
    data = json.loads((ROOT / "hotline" / "data" / "locations.json").read_text(encoding="utf-8"))
    next(p for p in data["provinces"] if p["code"] == "CD-KL")["name"] = "Kwango"
    path = tmp_path / "locations.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="CD-KL is named 'Kwango', ISO 3166-2 says 'Kwilu'"):
        Locations.load(path)
