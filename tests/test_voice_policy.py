"""A ``call`` step in escalation policies (the JSON, the console's lines, the default urgent policy)
and the voice settings, read strictly at start."""

from __future__ import annotations

import pytest

from hotline.alerting.escalation import PolicyError, check_steps, default_policy
from hotline.gateways.africastalking_voice import AfricasTalkingVoice
from hotline.gateways.voice import NoVoice
from hotline.platform.runtime import build_voice
from hotline.platform.settings import Settings, SettingsError
from hotline.web.console.policy_form import format_steps, parse_steps

VOICE = {
    "HOTLINE_VOICE": "on",
    "AT_API_KEY": "key",
    "AT_VOICE_NUMBER": "+254711082000",
    "HOTLINE_PUBLIC_URL": "https://hotline.example.org/",
}


def test_a_policy_may_call_levels() -> None:
    steps = [{"notify": ["primary"]}, {"wait": 180}, {"call": ["primary", "backup"]}, {"wait": 60}]
    assert check_steps(steps) == steps


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        ({"call": []}, "call takes levels"),
        ({"call": ["boss"]}, "call takes levels"),
        ({"call": "primary"}, "call takes levels"),
        ({"call": None}, "call takes levels"),
        ({"call": ["primary"], "wait": 3}, "one of notify, call, wait or repeat"),
    ],
)
def test_a_call_step_names_known_levels_as_a_list(step: object, problem: str) -> None:
    with pytest.raises(PolicyError, match=f"step 1: {problem}"):
        check_steps([step])


def test_the_default_urgent_policy_calls_the_primary_after_an_unanswered_sms() -> None:
    assert default_policy()["urgent"][:5] == [
        {"notify": ["primary", "backup"]},
        {"wait": 180},
        {"call": ["primary"]},
        {"wait": 180},
        {"notify": ["supervisor"]},
    ]
    assert not any("call" in step for step in default_policy()["normal"])


def test_the_console_reads_and_writes_call_lines() -> None:
    steps, errors = parse_steps("notify primary\nwait 3\ncall primary\nappel backup, supervisor\nwait 3")
    assert errors == []
    assert steps[2:4] == [{"call": ["primary"]}, {"call": ["backup", "supervisor"]}]
    assert format_steps(steps) == "notify primary\nwait 3\ncall primary\ncall backup, supervisor\nwait 3"


def test_voice_is_off_unless_turned_on(environ: dict[str, str]) -> None:
    settings = Settings.from_env(environ)
    assert (settings.voice, settings.voice_say) == (False, ("en",))
    assert isinstance(build_voice(settings), NoVoice)


def test_voice_on_reads_its_settings_and_builds_the_at_adapter(environ: dict[str, str]) -> None:
    settings = Settings.from_env({**environ, **VOICE, "HOTLINE_VOICE_SAY": "en,sw"})

    assert settings.voice and settings.at_voice_number == "+254711082000"
    assert settings.voice_prompt_url == "https://hotline.example.org/static/voice"
    assert settings.voice_say == ("en", "sw")
    assert isinstance(build_voice(settings), AfricasTalkingVoice)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"HOTLINE_VOICE": "yes"}, "HOTLINE_VOICE must be on or off"),
        ({"AT_VOICE_NUMBER": ""}, "needs AT_VOICE_NUMBER"),
        ({"HOTLINE_PUBLIC_URL": ""}, "needs HOTLINE_PUBLIC_URL"),
        ({"AT_VOICE_NUMBER": "0711082000"}, "E.164"),
        ({"HOTLINE_VOICE_SAY": "en,xx"}, "HOTLINE_VOICE_SAY"),
        ({"HOTLINE_VOICE_PROMPT_URL": "ftp://cdn.example.org/voice"}, "HOTLINE_VOICE_PROMPT_URL"),
    ],
)
def test_a_bad_voice_setting_stops_the_process_at_start(
    environ: dict[str, str], changes: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({**environ, **VOICE, **changes})
