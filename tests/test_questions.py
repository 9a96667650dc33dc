"""Question checks run before anything is opened: wordless questions are refused in one line."""

import pytest

from indexer.errors import QueryError
from indexer.questions import MAX_QUESTION_CHARS, check_question


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "the question is empty"),
        ("   \n\t ", "the question is empty"),
        ("___", "the question has no words"),
        ("?!? ... ---", "the question has no words"),
        ("x" * (MAX_QUESTION_CHARS + 1), "characters long; the limit is"),
    ],
)
def test_wordless_or_huge_questions_are_refused(question, message):
    with pytest.raises(QueryError, match=message):
        check_question(question)


@pytest.mark.parametrize("question", ["what is  RCF?\n", "thuật toán nào?", "S3", "k_means"])
def test_a_question_with_words_passes_with_its_spaces_collapsed(question):
    assert check_question(question) == " ".join(question.split())


def test_search_uses_the_same_check():
    import indexer.search as search

    assert search.check_question is check_question
