"""Errors of study mode. Their message is shown to the user as one line, like the index's and the graph's."""


class StudyError(Exception):
    "Raised for study-mode problems the user can fix; the CLI and the app show the message as one line."


class LearnerError(StudyError):
    "The learner database or an import file cannot be used; the message names the file."


class AnkiExportError(StudyError):
    "The Anki package cannot be written; the message names the file."


class BankError(StudyError):
    "A bank file cannot be used; the message names the file, the line and the cause."
