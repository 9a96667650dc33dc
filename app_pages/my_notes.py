"""My notes: index a folder of the learner's own notes (or uploaded files) into the study index, incrementally."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import streamlit as st

from app_pages import common
from app_pages.cards import small
from app_pages.i18n import N_, _, ngettext
from app_pages.markup import escape_inline
from app_pages.progress_text import seconds_text
from indexer import BuildReport, StudyIndex
from indexer.layout import default_corpus_path
from indexer.notes_roots import NOTES_ROOTS_ENV, allowed_roots, check_notes_folder

ADDED_FILES, CHANGED_FILES, REMOVED_FILES = N_("Added files ({n})"), N_("Changed files ({n})"), N_("Removed files ({n})")
SUPPORTED = ["md", "markdown", "txt", "html", "htm", "pdf", "ipynb", "docx"]  # indexer/formats.py reads the last three


def add_folder(index: StudyIndex, folder: Path) -> None:
    """Index ``folder`` with its stages shown; keep the report to show it after the rerun.

    "Done" is said only once the updated index is open again, so the next question is answered at once.
    """
    started = time.perf_counter()
    bar = common.ProgressBar(_("Reading {folder}…").format(folder=escape_inline(str(folder))), title=_("Adding your notes"))
    try:
        report = StudyIndex.add(folder, path=index.index_path, progress=bar)
        if report.published:
            bar("opening the updated index", 0, 1)
            common.forget_index()
            common.get_index()
            bar("opening the updated index", 1, 1)
    except common.USER_ERRORS as exc:
        bar.failed(_("The notes could not be added"))
        common.fail(exc, _("Could not add this folder:"))
    bar.done(_("Done in {time}").format(time=seconds_text(time.perf_counter() - started)))
    st.session_state.notes_report = (str(folder), report)
    st.rerun()  # draw the whole page, sidebar counts included, from the updated index


def remove_folder(index: StudyIndex, folder: str) -> None:
    """Take one folder out of the index (a new index version, published atomically) and say so after the rerun."""
    bar = common.ProgressBar(_("Removing {folder}…").format(folder=escape_inline(folder)), title=_("Removing a folder"))
    try:
        report = StudyIndex.remove(folder, path=index.index_path, progress=bar)
    except common.USER_ERRORS as exc:
        common.fail(exc, _("Could not remove this folder:"))
    uploads = Path(index.index_path) / "uploads"
    if Path(folder) == uploads.resolve():
        # Uploaded copies live only here: keep them and the next upload would bring them back.
        shutil.rmtree(uploads, ignore_errors=True)
    common.forget_index()
    st.session_state.pop("notes_report", None)
    st.session_state.notes_removed = (folder, len(report.removed))
    st.rerun()


def show_folders(index: StudyIndex) -> None:
    """Every folder in the index with its document count; the learner's own can be removed."""
    folders = index.folders()
    st.subheader(_("Indexed folders ({n})").format(n=len(folders)), anchor=False)
    shipped = {str(default_corpus_path().resolve())}
    for number, (folder, count) in enumerate(folders.items()):
        with st.container(border=True, key=f"folder_{number}"):
            text, action = st.columns([5, 1], vertical_alignment="center")
            kind = _("the shipped notes and service pages") if folder in shipped else _("your notes")
            documents = ngettext("{n:,} document", "{n:,} documents", count).format(n=count)
            text.markdown(f"`{folder.replace('`', '')}`  \n{small(f'{documents} · {kind}')}")
            if folder not in shipped:
                if action.button(_("Remove"), key=f"remove_{number}", icon=":material/delete:",
                                 help=_("Take this folder's notes out of the index; the files stay")):
                    remove_folder(index, folder)


def save_uploads(index: StudyIndex, files) -> Path:
    """Keep uploaded files in one folder next to the index, so uploading again is incremental too."""
    folder = Path(index.index_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        (folder / Path(file.name).name).write_bytes(file.getvalue())
    return folder


def show_report(folder: str, report: BuildReport) -> None:
    st.subheader(_("Last update"), anchor=False)
    st.caption(escape_inline(folder))
    if not report.published:
        st.success(_("Nothing changed since the last time: the index is up to date."), icon=":material/check_circle:")
    columns = st.columns(5)
    columns[0].metric(_("Added"), len(report.added))
    columns[1].metric(_("Changed"), len(report.changed))
    columns[2].metric(_("Removed"), len(report.removed))
    columns[3].metric(_("Unchanged"), report.unchanged)
    columns[4].metric(_("Passages embedded"), report.embedded)
    for title, names in ((ADDED_FILES, report.added), (CHANGED_FILES, report.changed), (REMOVED_FILES, report.removed)):
        if names:
            with st.expander(_(title).format(n=len(names))):
                st.dataframe({_("file"): list(names)}, hide_index=True, width="stretch")
    if report.skipped:
        st.warning(_("{n} files were skipped; the table below says why.").format(n=len(report.skipped)), icon=":material/warning:")
    for warning in report.warnings:  # they quote front matter (entity: ...), which is the note's text
        st.warning(escape_inline(warning), icon=":material/warning:")


def user_notes(index: StudyIndex) -> tuple[dict[str, list], dict[str, list]]:
    """The learner's own documents in the index, and their files it skipped, as table columns."""
    documents = index.documents(kind="user")
    roots = {doc.root for doc in documents} | {str(Path(index.index_path) / "uploads")}
    skipped = [s for s in index.skipped() if any(s.path.startswith(root) for root in roots)]
    columns = {
        _("title"): [doc.title for doc in documents],
        _("file"): [doc.path for doc in documents],
        _("language"): [common.LANGUAGES.get(doc.lang, doc.lang) for doc in documents],
    }
    return columns, {_("file"): [s.path for s in skipped], _("why"): [s.reason for s in skipped]}


index = common.get_index()
st.title(_("My notes"))
st.caption(_(
    "Add your own notes (Markdown, plain text, HTML, PDF, Jupyter notebooks or Word files, in any of the three languages) "
    "to the study index. Only new or changed files are read and embedded again; files gone from the folder leave the index."
))

by_folder, by_upload = st.tabs([_("A folder on this computer"), _("Upload files")])
with by_folder:
    with st.form("add_folder_form"):
        folder = st.text_input(_("Folder"), placeholder="/home/me/aws-ml-notes", key="notes_folder")
        submitted = st.form_submit_button(_("Index this folder"), icon=":material/folder_open:")
    roots = ", ".join(str(root) for root in allowed_roots())
    st.caption(escape_inline(_("Folders inside {roots} (set {variable} to change); system and hidden folders are refused.").format(
        roots=roots, variable=NOTES_ROOTS_ENV)))
    if submitted:
        if not folder.strip():
            st.warning(_("Type the path of a folder that holds your notes."), icon=":material/folder_off:")
        else:
            try:
                # The app has no login: only folders under the allowed roots (indexer/notes_roots.py).
                allowed = check_notes_folder(folder.strip())
            except common.USER_ERRORS as exc:
                common.fail(exc, _("Could not add this folder:"))
            add_folder(index, allowed)
with by_upload:
    files = st.file_uploader(_("Notes"), type=SUPPORTED, accept_multiple_files=True, key="notes_upload")
    if st.button(_("Index the uploaded files"), icon=":material/upload:", disabled=not files):
        add_folder(index, save_uploads(index, files))

if "notes_report" in st.session_state:
    show_report(*st.session_state.notes_report)
if "notes_removed" in st.session_state:
    removed_folder, removed_count = st.session_state.pop("notes_removed")
    st.success(ngettext("Removed {n} document of {folder} from the index.", "Removed {n} documents of {folder} from the index.",
                        removed_count).format(n=removed_count, folder=escape_inline(removed_folder)), icon=":material/delete:")

index = common.get_index()
show_folders(index)
documents, skipped = user_notes(index)
count = len(next(iter(documents.values())))
st.subheader(_("Your notes in the index ({n})").format(n=count), anchor=False)
if not count:
    st.caption(_("None yet: index a folder or upload files above."))
else:
    st.dataframe(documents, hide_index=True, width="stretch", key="user_documents")
skipped_count = len(next(iter(skipped.values())))
if skipped_count:
    st.subheader(_("Skipped files ({n})").format(n=skipped_count), anchor=False)
    st.dataframe(skipped, hide_index=True, width="stretch", key="user_skipped")
