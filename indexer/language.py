"""Language detection for files whose front matter does not say."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable

from kg.folding import letter_words


def detect_language(text: str) -> str:
    """Return an ISO 639-1 code, or "und" when the text has too few words to tell.

    py3langid ships its model inside the package, so this works offline.
    """
    sample = text[:6000]
    if len(letter_words(sample)) < 3:
        return "und"
    import py3langid

    lang, _score = py3langid.classify(sample)
    return lang


def question_language(question: str, candidates: Iterable[str]) -> str | None:
    """The most likely language of a short question among ``candidates`` (the index's languages), or None.

    Unrestricted identification guesses wildly on a dozen words; choosing among the few
    languages the notes are written in is what the ranking needs to know.
    """
    languages = _known(candidates)
    if len(languages) < 2 or len(letter_words(question)) < 2:
        return languages[0] if len(languages) == 1 else None
    identifier = _identifier(languages)
    if identifier is None:
        return None
    lang, _score = identifier.classify(question)
    return lang


def prepare_question_language(candidates: Iterable[str]) -> None:
    """Start loading the identifier for ``candidates`` in a background thread.

    Its model takes most of a second to unpack; a search opening its other parts meanwhile
    should not wait for it in turn.
    """
    languages = _known(candidates)
    if len(languages) >= 2:
        threading.Thread(target=_identifier, args=(languages,)).start()  # not a daemon: see OnnxEncoder


def _known(candidates: Iterable[str]) -> tuple[str, ...]:
    """The distinct languages detection can choose among, sorted (so they key the identifier cache)."""
    return tuple(sorted({lang for lang in candidates if lang and lang != "und"}))


_identifier_lock = threading.Lock()


@functools.lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]):
    """py3langid's model restricted to ``languages`` (loaded once per set), or None when it knows fewer than two."""
    with _identifier_lock:  # a warm-up thread and a first question must not load it twice
        return _restricted_identifier(languages)


def _restricted_identifier(languages: tuple[str, ...]):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    known = [lang for lang in languages if lang in identifier.nb_classes]
    if len(known) < 2:
        return None
    identifier.set_languages(known)
    return identifier
