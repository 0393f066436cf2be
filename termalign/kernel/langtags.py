"""Language tags: validated and written in one BCP 47 form everywhere (TMX, TBX, PO, XLIFF).

:func:`language_tag` is the one place a tag is checked and normalised, with
``langcodes`` (the IANA subtag registry):

* case and separators are fixed (``EN_us`` → ``en-US``), ISO 639-2/3 codes and
  macrolanguage members become the 2-letter code (``zho``, ``cmn`` → ``zh``);
* Chinese always carries its script, since that is what a translation tool needs
  to know: an explicit script subtag wins (``zh-Hant``), else the script found
  in the text (``script="Hant"``), else the one the region implies (``zh-TW`` →
  Hant), else Simplified.  A region that is the script's default is dropped
  (``zh_CN`` → ``zh-Hans``, ``zh-TW`` → ``zh-Hant``); others are kept
  (``zh-HK`` → ``zh-Hant-HK``);
* anything that is not a registered language is refused with one sentence
  (``xx``, ``chinese``, ``en-Latn-US-x``).

:func:`same_language` compares the language only (``zh`` matches ``zh-Hant``),
which is how a reader finds the source variant of a unit.
"""

from __future__ import annotations

import langcodes

from termalign.kernel.errors import ConfigError

__all__ = ["LanguageTagError", "language_tag", "same_language", "primary_language"]

_SCRIPTS = {"hans": "Hans", "hant": "Hant", "simplified": "Hans", "traditional": "Hant"}
_SCRIPT_REGION = {"Hans": "CN", "Hant": "TW"}  # the region a script implies, dropped when it is that
_SPECIAL = {"und", "mul", "zxx"}  # undetermined, multiple, no linguistic content: valid, kept


class LanguageTagError(ConfigError):
    """A language tag that is not BCP 47 or names no registered language."""


def _parse(tag: str) -> langcodes.Language:
    cleaned = tag.strip().replace("_", "-")
    if not cleaned:
        raise LanguageTagError("the language tag is empty; use a BCP 47 tag such as zh-Hans or en")
    language = None
    try:
        if langcodes.tag_is_valid(cleaned):
            language = langcodes.Language.get(langcodes.standardize_tag(cleaned, macro=True))
    except (langcodes.tag_parser.LanguageTagError, ValueError):
        language = None
    if language is None or not language.language:
        raise LanguageTagError(
            f"{tag!r} is not a language tag termalign knows; use a BCP 47 tag such as zh-Hans, zh-Hant or en"
        )
    return language


def language_tag(tag: str, *, script: str = "") -> str:
    """The normalised BCP 47 form of ``tag``; ``script`` is the script seen in the text, if known."""
    if tag.strip().lower() in _SPECIAL:
        return tag.strip().lower()
    language = _parse(tag)
    if language.language != "zh":
        return language.to_tag()
    seen = _SCRIPTS.get(script.strip().lower(), "")
    region = language.territory or ""
    if language.script:
        chosen = language.script
    elif seen:
        chosen = seen
        if region and langcodes.Language.get(f"zh-{region}").maximize().script != seen:
            region = ""  # zh-CN on a Traditional text: the text says what the script is
    else:
        chosen = language.maximize().script or "Hans"
    if region == _SCRIPT_REGION.get(chosen):
        region = ""
    return "-".join(part for part in ("zh", chosen, region) if part)


def primary_language(tag: str) -> str:
    """The language subtag alone, lower case (``zh`` for ``zh-Hant-HK``); no validation."""
    return tag.strip().replace("_", "-").split("-")[0].lower()


def same_language(a: str, b: str) -> bool:
    """Whether two tags name the same language, whatever their script or region."""
    return bool(a and b) and primary_language(a) == primary_language(b)
