"""The language every word is shown in: English, Azerbaijani or Russian (gettext catalogs).

Why here, in ``vault``: the words a defender or a lawyer reads come from both layers — the app and
the command line (``tui``) and the errors, reports, certificates and ``VERIFY.txt`` (``vault``) —
and ``tui`` may import ``vault`` but not the other way round. One module holds the choice of
language and the lookup, so there is one answer to "which language is this sentence in".

How to mark a sentence (the extraction in ``packaging/catalogs.py`` finds these calls):

- ``_("The vault is locked.")``: translated where it is shown, in the language chosen now;
- ``ngettext("{n} item", "{n} items", n).format(n=n)``: numbers, with each language's plural rule
  (Russian has three forms, Azerbaijani and English two); never build a plural by adding letters;
- ``N_("Add")``: only marks a constant (a key label, a table heading, a module-level message) for
  extraction; translate it with ``_()`` where it is shown, because a module is imported before the
  language is known;
- placeholders are named (``{name}``), so a translation can move them where its grammar needs them;
  never join translated pieces into one sentence with ``+``.

The language is a process-wide choice (``set_language``: at start from ``--lang``, ``EVAULT_LANG``
or the system locale; again at unlock from the vault's own setting). A document written for someone
else — a bundle's report in the lawyer's language — is written inside ``document_language(lang)``,
which changes the language for the current thread only, so the app on the main thread keeps
speaking the defender's language while an export runs in a worker.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path

LANGUAGES = ("en", "az", "ru")
DEFAULT_LANGUAGE = "en"
# Each language's own name for itself: what a person looking for her language recognises.
LANGUAGE_NAMES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}
DOMAIN = "evault"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# The variables that name the system's language, strongest first (POSIX: LC_ALL overrides
# LC_MESSAGES, which overrides LANG).
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
LANGUAGE_VARIABLE = "EVAULT_LANG"

_chosen = {"lang": DEFAULT_LANGUAGE}  # the process-wide choice (one entry, changed in place)
_for_this_thread: ContextVar[str | None] = ContextVar("evault_document_language", default=None)


def normalise_language(value: str | None) -> str | None:
    """The supported language a setting names, or None: ``az_AZ.UTF-8``, ``az-Latn``, ``AZ`` and
    ``az`` all name Azerbaijani; ``C``, ``POSIX`` and languages we have no catalog for name none."""
    if not value:
        return None
    code = value.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_").split("_", 1)[0]
    code = code.lower()
    return code if code in LANGUAGES else None


def choose_language(asked: str | None, environ: Mapping[str, str]) -> str:
    """``--lang``, else ``EVAULT_LANG``, else the system locale, else English.

    A variable naming a language we do not have (``LANG=de_DE.UTF-8``) is passed over, not an
    error: the next source decides. Only the first locale variable that is set counts, as in C."""
    for value in (asked, environ.get(LANGUAGE_VARIABLE)):
        found = normalise_language(value)
        if found is not None:
            return found
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:
            return normalise_language(value) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Make ``lang`` the language of everything shown from now on (an unknown code: English)."""
    _chosen["lang"] = normalise_language(lang) or DEFAULT_LANGUAGE


def language() -> str:
    """The language sentences are translated into here and now."""
    return _for_this_thread.get() or _chosen["lang"]


@contextlib.contextmanager
def document_language(lang: str) -> Iterator[None]:
    """Write a document in ``lang`` on this thread only; the rest of the program is unchanged."""
    token = _for_this_thread.set(normalise_language(lang) or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _for_this_thread.reset(token)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English, or a missing catalog: the original words)."""
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    try:
        with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as file:
            return gettext.GNUTranslations(file)
    except (OSError, ValueError):  # a damaged install still speaks English rather than stopping
        return gettext.NullTranslations()


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a sentence about ``n`` things that the current language uses for ``n``."""
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` translated in a context, for a short word with two meanings in English."""
    return translations(language()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (translated where shown)."""
    return message


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LANGUAGE_VARIABLE",
    "N_",
    "_",
    "choose_language",
    "document_language",
    "language",
    "ngettext",
    "normalise_language",
    "pgettext",
    "set_language",
    "translations",
]
