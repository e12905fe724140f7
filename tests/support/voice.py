"""Escalation phone calls in tests: the runtime's voice gateway is the real AT adapter and SDK sending
to the fake AT, whose voice callbacks go to the app served on loopback (the ``live_server``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hotline.gateways.africastalking_voice import AfricasTalkingVoice
from hotline.platform.runtime import Runtime
from tests.support.environment import TEST_TOKEN
from tests.support.fake_at import FakeAT
from tests.support.fake_at_voice import FakeVoice

VOICE_NUMBER = "+243800000700"  # the AT virtual number calls come from


@contextmanager
def voice_on(runtime: Runtime, fake: FakeAT, live_server: str, **settings: Any) -> Iterator[FakeVoice]:
    """HOTLINE_VOICE=on for this runtime (and the app serving it), through ``fake``; put back after."""
    before = runtime.settings, runtime.voice
    runtime.settings = runtime.settings.with_overrides(
        voice=True,
        at_voice_number=VOICE_NUMBER,
        public_url=live_server,
        voice_prompt_url=live_server + "/static/voice",
        **settings,
    )
    runtime.voice = AfricasTalkingVoice(
        fake.username or "sandbox", fake.api_key, VOICE_NUMBER, api_url=fake.url
    )
    fake.voice.callback_url = f"{live_server}/webhooks/at/{TEST_TOKEN}/voice"
    try:
        yield fake.voice
    finally:
        runtime.settings, runtime.voice = before
