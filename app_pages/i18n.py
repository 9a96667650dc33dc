"""The app's own words in the learner's language: gettext catalogues (en, vi, it) read through Babel.

The messages live in ``app_pages/locale/<lang>/LC_MESSAGES/studykg.po``, the format every
translation tool edits. They are compiled in memory the first time a language is used
(Babel's ``read_po`` and ``write_mo``), so a changed ``.po`` can never disagree with a
stale ``.mo``. ``_()`` and ``ngettext()`` answer in the language chosen in the sidebar
(``?ui=``); without a choice, the study language of the page (``?lang=``), else English.
Strings defined at import time are marked with ``N_()`` and translated where shown.
tests/test_app_helpers.py extracts every marked string with Babel and checks that each
catalogue translates it. After adding or changing a string, bring the catalogues in step and
translate what is new (an entry marked fuzzy counts as untranslated)::

    pybabel extract -k N_ -k ngettext:1,2 --no-location -w 120 -o /tmp/studykg.pot app.py app_pages
    pybabel update -w 120 -i /tmp/studykg.pot -d app_pages/locale -D studykg
"""

from __future__ import annotations

import gettext
from datetime import datetime, timezone
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "studykg"
LOCALE_DIR = Path(__file__).parent / "locale"
UI_LANGUAGES = {"en": "English", "vi": "Tiếng Việt", "it": "Italiano"}
DEFAULT = "en"
KEY = "ui_lang"  # the sidebar picker's session key
PARAM = "ui"  # ... and its URL parameter


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang``; English, or a language without a catalogue, is the source text itself."""
    path = catalogue_path(lang)
    if lang == DEFAULT or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def current() -> str:
    """The language the app speaks in this session: the sidebar's choice, else ``?ui=``, else ``?lang=``, else English."""
    try:
        import streamlit as st

        chosen = st.session_state.get(KEY)
        if chosen in UI_LANGUAGES:
            return chosen
        return initial_language(st.query_params.get(PARAM, ""), st.query_params.get("lang", ""))
    except Exception:  # outside a Streamlit run (helpers called from tests or the command line)
        return DEFAULT


def initial_language(ui: str, study: str) -> str:
    """``?ui=`` when it names a language the app speaks, else the quiz/study language ``?lang=``, else English."""
    for lang in (ui, study):
        if lang in UI_LANGUAGES:
            return lang
    return DEFAULT


def _(message: str) -> str:
    """``message`` in the app's current language (the English text when no translation exists)."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the current language (Vietnamese has one, Italian two)."""
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined (a module constant); ``_()`` translates it where shown."""
    return message


def relative_time(when: str | datetime, now: datetime | None = None, lang: str | None = None) -> str:
    """How far ``when`` (ISO 8601; UTC when it has no zone) is from now, in words ("in 3 days", "tra 3 giorni").

    Review showed due times as UTC timestamps, which a learner had to convert in their head.
    """
    moment = datetime.fromisoformat(when) if isinstance(when, str) else when
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    delta = moment - (now or datetime.now(timezone.utc))
    return format_timedelta(delta, add_direction=True, threshold=1.0, locale=lang or current())


def language_picker() -> str:
    """The sidebar's language choice, seeded from the URL and written back to ``?ui=`` so a link keeps it."""
    import streamlit as st

    state, params = st.session_state, st.query_params
    in_url = params.get(PARAM, "")
    marker, chosen = f"_url:{KEY}", f"_chosen:{KEY}"
    if in_url in UI_LANGUAGES:
        if state.get(marker) != in_url:  # first load, a shared link, back or forward
            state[KEY] = in_url
        state[chosen] = True
    elif not state.get(chosen):
        # Nothing chosen yet: the app speaks the quiz or study language the page was opened with.
        state[KEY] = initial_language("", params.get("lang", ""))
        state[chosen] = state[KEY] != DEFAULT
    # A page link carries only its own parameters: put the choice back, so the next page keeps it.
    if state.get(chosen):
        params[PARAM] = state[KEY]
    state[marker] = state[KEY]
    return st.sidebar.selectbox(
        "Language · Ngôn ngữ · Lingua",  # in every language: whoever cannot read the current one finds it
        list(UI_LANGUAGES),
        key=KEY,
        format_func=UI_LANGUAGES.get,
        on_change=_to_url,
    )


def _to_url() -> None:
    import streamlit as st

    value = st.session_state.get(KEY, DEFAULT)
    st.query_params[PARAM] = value
    st.session_state[f"_url:{KEY}"] = value
    st.session_state[f"_chosen:{KEY}"] = True
