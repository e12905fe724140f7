"""Redis replies read as text.

Our clients never set ``decode_responses``, so replies are bytes; redis-py's types say
``bytes | str`` because they cannot know. These read either as ``str``.
"""

from __future__ import annotations

from collections.abc import Mapping


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def text_hash(values: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    """An ``HGETALL`` reply with its fields and values as text."""
    return {text(k): text(v) for k, v in values.items()}
