"""The month names and relative phrases written out of dateparser's locale data are still the
installed dateparser's (regenerate `app/search/date_locales.py` after upgrading it), and a
search reads them without importing dateparser."""

from __future__ import annotations

import subprocess
import sys

from app.search.date_locales import LOCALES
from app.search.date_locales_source import locale_words
from app.search.date_words import KNOWN_LANGUAGES, date_words


def test_the_written_locales_are_dateparsers():
    assert list(LOCALES) == list(KNOWN_LANGUAGES)
    for language in KNOWN_LANGUAGES:
        assert LOCALES[language] == locale_words(language), f"regenerate date_locales.py ({language})"
    words = date_words(("en", "de"))
    assert words.months["januar"] == words.months["jan"] == 1 and words.full_months["december"] == 12
    assert words.relative[("last", "week")] == ("week", 1) and words.relative[("vorgestern",)] == ("day", 2)


def test_reading_date_words_does_not_import_dateparser():
    code = (
        "import sys; from app.search.date_words import date_words; w = date_words(('en', 'fr'));"
        "assert w.months['juillet'] == 7; print('dateparser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
