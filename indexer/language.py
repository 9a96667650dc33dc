"""Language detection for files whose front matter does not say."""

from __future__ import annotations

import re

_WORDS = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """Return an ISO 639-1 code, or "und" when the text has too few words to tell.

    py3langid ships its model inside the package, so this works offline.
    """
    sample = text[:6000]
    if len(_WORDS.findall(sample)) < 3:
        return "und"
    import py3langid

    lang, _score = py3langid.classify(sample)
    return lang
