"""The languages studykg's graph labels, corpus, phrases and practice questions are written in, in display order.

One tuple, so adding a language is one change here plus its texts (labels, phrase and quiz
templates, the app's catalogue), which the tests then ask for.
"""

STUDY_LANGUAGES: tuple[str, ...] = ("en", "vi", "it")
