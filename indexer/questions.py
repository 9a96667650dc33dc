"""Question checks: what a question must look like before any part of the index is opened.

Kept apart from the search so the CLI and the app can refuse an empty or wordless question
at once, without loading the encoder or the index.
"""

from __future__ import annotations

from kg.folding import has_word

from .errors import QueryError

MAX_QUESTION_CHARS = 1000


def check_question(query: str) -> str:
    """The question with its whitespace collapsed, or a ``QueryError`` the user can fix in one line."""
    query = " ".join((query or "").split())
    if not query:
        raise QueryError("the question is empty; type a few words, e.g. 'which service converts text to speech?'")
    if len(query) > MAX_QUESTION_CHARS:
        raise QueryError(f"the question is {len(query):,} characters long; the limit is {MAX_QUESTION_CHARS:,}: ask about one thing at a time")
    if not has_word(query):  # underscores and punctuation alone are not words
        raise QueryError(f"nothing to search for in '{query[:40]}': the question has no words")
    return query
