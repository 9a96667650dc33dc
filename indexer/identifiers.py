"""API and class names spelled as words: "StopEndpoint" is also "Stop Endpoint".

Documentation names operations in camel case ("CreateTrainingJob") while questions write
them as words ("create a training job"); both the BM25 index and the encoder see both.
"""

from __future__ import annotations

import re

_CAMEL_CASE = re.compile(r"\b(?=[A-Za-z0-9]*[a-z][A-Z])[A-Za-z][A-Za-z0-9]*\b")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def identifier_words(*texts: str) -> str:
    """The camel-case names in ``texts`` split into words, each name once, in a stable order."""
    names = {name for text in texts if text for name in _CAMEL_CASE.findall(text)}
    return " ".join(sorted(_CAMEL_BOUNDARY.sub(" ", name) for name in names))


def with_identifier_words(text: str) -> str:
    """``text`` followed by its camel-case names as words: what the encoder and a BM25 query see."""
    words = identifier_words(text)
    return f"{text}\n{words}" if words else text
