"""Which folders the app may index: the app has no login, so a typed path must not reach any file the server can read.

The command line trusts its user (``studykg add`` reads any folder); the app's "a folder on
this computer" only accepts folders inside the allowed roots: ``$STUDYKG_NOTES_ROOTS``
(folders separated by ``os.pathsep``), else the home directory of the user running the app.
System folders and hidden folders (``~/.ssh``, ``~/.aws``: tool state and secrets) are refused
even inside an allowed root. Paths are resolved first, so ``..`` and links cannot step out.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import SourceError

NOTES_ROOTS_ENV = "STUDYKG_NOTES_ROOTS"
SYSTEM_FOLDERS = tuple(
    Path(p) for p in ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/run", "/sbin", "/sys", "/usr", "/var")
)


def allowed_roots() -> list[Path]:
    """The folders under which the app may index notes: ``$STUDYKG_NOTES_ROOTS``, else the home directory."""
    configured = [p for p in os.environ.get(NOTES_ROOTS_ENV, "").split(os.pathsep) if p.strip()]
    return [Path(p).expanduser().resolve() for p in configured] or [Path.home().resolve()]


def check_notes_folder(folder: str | Path, roots: list[Path] | None = None) -> Path:
    """The resolved ``folder`` if the app may index it.

    Raises:
        SourceError: the folder is outside the allowed roots, a system folder, or hidden.
    """
    roots = roots if roots is not None else allowed_roots()
    resolved = Path(folder).expanduser().resolve()
    if any(resolved == system or resolved.is_relative_to(system) for system in SYSTEM_FOLDERS):
        raise SourceError(f"{folder}: a system folder; the app only indexes notes folders")
    inside = [root for root in roots if resolved.is_relative_to(root)]
    if not inside:
        where = ", ".join(map(str, roots))
        raise SourceError(
            f"{folder}: outside the folders the app may read ({where}); set {NOTES_ROOTS_ENV} to allow another, "
            "or run 'studykg add' on the command line"
        )
    hidden = [part for part in resolved.relative_to(inside[0]).parts if part.startswith(".")]
    if hidden:
        raise SourceError(f"{folder}: inside the hidden folder '{hidden[0]}', which holds tool state, not notes")
    return resolved


__all__ = ["NOTES_ROOTS_ENV", "allowed_roots", "check_notes_folder"]
