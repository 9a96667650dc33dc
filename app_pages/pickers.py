"""The entity picker of Browse, Path and Related: any name in any study language finds its entity.

The picker lists the entities by their label in the app's language; typing filters that list
by substring (the browser's default fuzzy filter paired "Firehose" with task statements that
merely contain its letters in order). A name the list does not show, such as an alias, a
synonym or a label in another language ("rừng cắt", "rilevamento delle anomalie"), is sent
as typed and matched here, against every label and synonym, ranked by match quality
(``kg.link.Resolver.suggest``): the best match is opened and the next ones offered as chips.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from indexer import StudyIndex
from kg.errors import KGError

from .charts import type_title
from .common import USER_ERRORS, to_url
from .errors import error_markdown
from .i18n import _, current
from .markup import escape_inline

MATCHES = 8  # names offered for what was typed: the best one is opened, the others shown as chips


def entity_names(index: StudyIndex, types: tuple[str, ...] = ()) -> list[str]:
    """Local names of the curated entities, ordered by their label in the app's language, for pickers."""
    chosen = [e for e in index.graph.entities.values() if not types or e.type in types]
    return [e.name for e in sorted(chosen, key=lambda e: label_in(e, current()).casefold())]


def label_in(entity, lang: str) -> str:
    """The entity's label in ``lang`` when the graph has one, else its English label."""
    return dict(entity.labels).get(lang) or entity.label


def entity_caption(index: StudyIndex) -> Callable[[str], str]:
    """A picker's format_func: "Amazon Polly · Service" ("Rilevamento delle anomalie · Concetto" in Italian)."""
    by_name = {e.name: e for e in index.graph.entities.values()}
    lang = current()

    def caption(name: str) -> str:
        entity = by_name.get(name)
        if entity is None:
            return name
        label = label_in(entity, lang)
        return f"{label[:1].upper()}{label[1:]} · {type_title(entity.type)}"

    return caption


def ranked_matches(index: StudyIndex, text: str, n: int = MATCHES) -> list[str]:
    """Local names of the entities ``text`` names or resembles, best match first (the exact name, if any, leads)."""
    names: list[str] = []
    try:
        names.append(index.entity(text).name)
    except (KGError, *USER_ERRORS):
        pass
    names += [entity.name for entity in index.graph.suggest(text, n)]
    return list(dict.fromkeys(names))[:n]


def resolve_name(index: StudyIndex, name: str | None) -> str | None:
    """The local name of the entity ``name`` resolves to; an unknown name shows its suggestions."""
    if not name:
        return None
    try:
        return index.entity(name).name
    except USER_ERRORS as exc:
        # The message quotes the name, which may come from the URL: escaped, it cannot add links or images.
        st.warning(error_markdown(_("No entity has this name:"), exc), icon=":material/help:")
        return None


def entity_from_url(index: StudyIndex, key: str, param: str = "entity") -> str | None:
    """Seed entity picker ``key`` from ``?param=`` (a label, alias or local name) when the URL changed."""
    requested = st.query_params.get(param, "")
    marker = f"_url:{key}"
    if key not in st.session_state or st.session_state.get(marker) != requested:
        st.session_state[key] = resolve_name(index, requested)
        st.session_state[marker] = requested
    return st.session_state[key]


def entity_picker(index: StudyIndex, key: str, param: str = "entity", *, label: str | None = None, container=st) -> str | None:
    """A searchable entity picker whose choice lives in ``?param=``; a typed name in any language is matched too."""
    entity_from_url(index, key, param)
    names = entity_names(index)
    choice = container.selectbox(
        label or _("Entity"),
        names,
        index=None,
        key=key,
        format_func=entity_caption(index),
        placeholder=_("Type a name in any language: a service, an algorithm, a concept…"),
        accept_new_options=True,
        filter_mode="contains",
        on_change=_typed,
        args=(index, key, param),
    )
    typed, others = st.session_state.get(f"_typed:{key}", ("", []))
    if typed and choice in others[:1]:
        if len(others) > 1:
            container.pills(
                _("Other matches for “{text}”").format(text=escape_inline(typed)), others[1:], key=f"{key}_others",
                format_func=entity_caption(index), on_change=_pick_other, args=(key, param),
            )
    elif typed and not others:
        container.warning(_("No entity is named like “{text}”.").format(text=escape_inline(typed)), icon=":material/search_off:")
    return choice if choice in set(names) else None


def _typed(index: StudyIndex, key: str, param: str) -> None:
    """Widget callback: a name from the list goes to the URL; typed text opens its best match and keeps the others."""
    value = st.session_state.get(key)
    st.session_state.pop(f"_typed:{key}", None)
    if value and value not in {e.name for e in index.graph.entities.values()}:
        matches = ranked_matches(index, value)
        st.session_state[f"_typed:{key}"] = (value, matches)
        st.session_state[key] = matches[0] if matches else None
    to_url(key, param)


def _pick_other(key: str, param: str) -> None:
    chosen = st.session_state.get(f"{key}_others")
    st.session_state[f"{key}_others"] = None
    if chosen:
        st.session_state[key] = chosen
        st.session_state.pop(f"_typed:{key}", None)
        to_url(key, param)
