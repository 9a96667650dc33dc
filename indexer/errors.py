"""Errors of the study index. Their message is shown to the user as one line."""


class IndexerError(Exception):
    "Raised for problems the user can fix; the CLI and the app show the message as one line."


class SourceError(IndexerError):
    "A source file or folder cannot be used (missing, unreadable, not a folder)."


class ModelError(IndexerError):
    "The encoder cannot be loaded (no such folder, not a model, not downloadable here)."


class IndexMissingError(IndexerError):
    "No study index exists at the given location yet."


class IndexMismatchError(IndexerError):
    "The index was built with another encoder or an incompatible format."


class IndexCorruptError(IndexerError):
    "A file of the live index is damaged (not JSON, not a database, not an array): rebuild it."


class QueryError(IndexerError):
    "The question cannot be searched (empty, too long, nothing searchable in it)."
