"""Queries that understand when and where (#33): a table of queries in English, German,
French, Spanish, Portuguese and Italian with the filters each must give, today being Saturday
5 December 2026, in a library that holds Lisbon, Porto, Portugal, Japan, Georgia, Nice and
Tbilisi, the people Anna and Ben Okafor, the albums Trips/Lisbon 2023 and Family, and the tags
Family/Anna and beach. Words that only look like dates or places stay words."""

from __future__ import annotations

from datetime import date

import pytest

from app.search.date_words import date_words
from app.search.query_tokens import fold
from app.search.understanding import Vocabulary, understand

TODAY = date(2026, 12, 5)
PLACES = {"Lisbon": False, "Porto": False, "Portugal": True, "Japan": True, "Georgia": True, "Nice": False}
PLACES |= {"Tbilisi": False, "São Paulo": False}
VOCABULARY = Vocabulary(
    {fold(name): (name, wide) for name, wide in PLACES.items()},
    ("Anna", "Ben Okafor"),
    ("Trips/Lisbon 2023", "Family"),
    ("Family/Anna", "beach"),
)

# language | query | after | before | place | words left | people, album, tag (name=value; ...)
TABLE = """
en | beach July 2023 | 2023-07-01 | 2023-08-01 | - | beach |
en | July 2023 | 2023-07-01 | 2023-08-01 | - | - |
en | photos from 2019 | 2019-01-01 | 2020-01-01 | - | photos |
en | 2019 | 2019-01-01 | 2020-01-01 | - | - |
en | dog in 2021 | 2021-01-01 | 2022-01-01 | - | dog |
en | summer 2022 | 2022-06-01 | 2022-09-01 | - | - |
en | hiking summer of 2022 | 2022-06-01 | 2022-09-01 | - | hiking |
en | winter 2023 | 2022-12-01 | 2023-03-01 | - | - |
en | spring 2020 | 2020-03-01 | 2020-06-01 | - | - |
en | autumn 2021 | 2021-09-01 | 2021-12-01 | - | - |
en | fall 2021 leaves | 2021-09-01 | 2021-12-01 | - | leaves |
en | snow last winter | 2025-12-01 | 2026-03-01 | - | snow |
en | last summer | 2026-06-01 | 2026-09-01 | - | - |
en | this summer | 2026-06-01 | 2026-09-01 | - | - |
en | this winter | 2026-12-01 | 2027-03-01 | - | - |
en | last spring | 2026-03-01 | 2026-06-01 | - | - |
en | last fall | 2026-09-01 | 2026-12-01 | - | - |
en | yesterday | 2026-12-04 | 2026-12-05 | - | - |
en | cake yesterday | 2026-12-04 | 2026-12-05 | - | cake |
en | today | 2026-12-05 | 2026-12-06 | - | - |
en | day before yesterday | 2026-12-03 | 2026-12-04 | - | - |
en | last week | 2026-11-23 | 2026-11-30 | - | - |
en | this week | 2026-11-30 | 2026-12-07 | - | - |
en | last month | 2026-11-01 | 2026-12-01 | - | - |
en | this month | 2026-12-01 | 2027-01-01 | - | - |
en | last year | 2025-01-01 | 2026-01-01 | - | - |
en | this year | 2026-01-01 | 2027-01-01 | - | - |
en | 3 years ago | 2023-01-01 | 2024-01-01 | - | - |
en | 2 days ago | 2026-12-03 | 2026-12-04 | - | - |
en | 2 months ago | 2026-10-01 | 2026-11-01 | - | - |
en | christmas 2019 | 2019-12-24 | 2019-12-27 | - | - |
en | christmas eve 2020 | 2020-12-24 | 2020-12-25 | - | - |
en | last christmas | 2025-12-24 | 2025-12-27 | - | - |
en | new year's eve 2022 | 2022-12-31 | 2023-01-01 | - | - |
en | halloween 2021 costumes | 2021-10-31 | 2021-11-01 | - | costumes |
en | easter 2024 | 2024-03-29 | 2024-04-02 | - | - |
en | easter 2023 | 2023-04-07 | 2023-04-11 | - | - |
en | 2019-2021 | 2019-01-01 | 2022-01-01 | - | - |
en | 2019–2021 | 2019-01-01 | 2022-01-01 | - | - |
en | from 2019 to 2021 | 2019-01-01 | 2022-01-01 | - | - |
en | 2019 to 2021 | 2019-01-01 | 2022-01-01 | - | - |
en | between 2018 and 2020 | 2018-01-01 | 2021-01-01 | - | - |
en | between March and May 2020 | 2020-03-01 | 2020-06-01 | - | - |
en | from June to August 2021 | 2021-06-01 | 2021-09-01 | - | - |
en | between November 2019 and February 2020 | 2019-11-01 | 2020-03-01 | - | - |
en | 14 July 2023 | 2023-07-14 | 2023-07-15 | - | - |
en | July 14, 2023 | 2023-07-14 | 2023-07-15 | - | - |
en | 14th July 2023 | 2023-07-14 | 2023-07-15 | - | - |
en | 2023-07-14 | 2023-07-14 | 2023-07-15 | - | - |
en | 2023-07 | 2023-07-01 | 2023-08-01 | - | - |
en | flowers in may | 2026-05-01 | 2026-06-01 | - | flowers |
en | in december | 2026-12-01 | 2027-01-01 | - | - |
en | last july | 2026-07-01 | 2026-08-01 | - | - |
en | last december | 2025-12-01 | 2026-01-01 | - | - |
en | this july | 2026-07-01 | 2026-08-01 | - | - |
en | jan 2024 | 2024-01-01 | 2024-02-01 | - | - |
en | may flowers | - | - | - | may flowers |
en | march of the penguins | - | - | - | march of the penguins |
en | sunday best | - | - | - | sunday best |
en | summer dress | - | - | - | summer dress |
en | fall leaves | - | - | - | fall leaves |
en | winter coat | - | - | - | winter coat |
en | august rush | - | - | - | august rush |
en | christmas tree | - | - | - | christmas tree |
en | new year fireworks | - | - | - | new year fireworks |
en | easter eggs | - | - | - | easter eggs |
en | spring flowers | - | - | - | spring flowers |
en | route 66 | - | - | - | route 66 |
en | 1000 islands | - | - | - | 1000 islands |
en | top 10 cats | - | - | - | top 10 cats |
en | mars rover | - | - | - | mars rover |
en | a year ago | - | - | - | a year ago |
en | beach +"July 2023" | - | - | - | beach +"July 2023" |
en | 2099 | - | - | - | 2099 |
en | Anna in Lisbon 2023 | 2023-01-01 | 2024-01-01 | Lisbon | - | people=Anna
en | Anna at the beach | - | - | - | at the beach | people=Anna
en | Ben Okafor and Anna | - | - | - | - | people=Ben Okafor,Anna
en | sunset in Lisbon | - | - | Lisbon | sunset |
en | sunset in lisbon | - | - | Lisbon | sunset |
en | Lisbon tram | - | - | Lisbon | tram |
en | lisbon tram | - | - | - | lisbon tram |
en | Portugal | - | - | Portugal | - |
en | portugal coast | - | - | Portugal | coast |
en | at the beach in Japan | - | - | Japan | at the beach |
en | Georgia | - | - | Georgia | - |
en | peaches from georgia | - | - | Georgia | peaches |
en | nice weather | - | - | - | nice weather |
en | sunset in Nice | - | - | Nice | sunset |
en | snow in Tbilisi last winter | 2025-12-01 | 2026-03-01 | Tbilisi | snow |
en | beach in São Paulo | - | - | São Paulo | beach |
en | beach in sao paulo | - | - | São Paulo | beach |
en | Paris in 2019 | 2019-01-01 | 2020-01-01 | - | Paris |
en | tram Lisbon 2023 | 2023-01-01 | 2024-01-01 | Lisbon | tram |
en | album Lisbon 2023 | - | - | - | - | album=Trips/Lisbon 2023
en | Trips/Lisbon 2023 | - | - | - | - | album=Trips/Lisbon 2023
en | album Family | - | - | - | - | album=Family
en | family dinner | - | - | - | family dinner |
en | #beach sunset | - | - | - | sunset | tag=beach
en | tagged Family/Anna | - | - | - | - | tag=Family/Anna
en | beach sunset | - | - | - | beach sunset |
de | Strand im Juli 2023 | 2023-07-01 | 2023-08-01 | - | Strand |
de | gestern | 2026-12-04 | 2026-12-05 | - | - |
de | vorgestern | 2026-12-03 | 2026-12-04 | - | - |
de | letzte Woche | 2026-11-23 | 2026-11-30 | - | - |
de | letzten Monat | 2026-11-01 | 2026-12-01 | - | - |
de | letztes Jahr | 2025-01-01 | 2026-01-01 | - | - |
de | dieses Jahr | 2026-01-01 | 2027-01-01 | - | - |
de | Sommer 2022 | 2022-06-01 | 2022-09-01 | - | - |
de | Schnee letzten Winter | 2025-12-01 | 2026-03-01 | - | Schnee |
de | Weihnachten 2019 | 2019-12-24 | 2019-12-27 | - | - |
de | Silvester 2022 | 2022-12-31 | 2023-01-01 | - | - |
de | Ostern 2024 | 2024-03-29 | 2024-04-02 | - | - |
de | von 2019 bis 2021 | 2019-01-01 | 2022-01-01 | - | - |
de | zwischen März und Mai 2020 | 2020-03-01 | 2020-06-01 | - | - |
de | 14. Juli 2023 | 2023-07-14 | 2023-07-15 | - | - |
de | Sonnenuntergang in Lisbon | - | - | Lisbon | Sonnenuntergang |
de | Sommerkleid | - | - | - | Sommerkleid |
de | Mai Blumen | - | - | - | Mai Blumen |
fr | plage juillet 2023 | 2023-07-01 | 2023-08-01 | - | plage |
fr | hier | 2026-12-04 | 2026-12-05 | - | - |
fr | la semaine dernière | 2026-11-23 | 2026-11-30 | - | - |
fr | le mois dernier | 2026-11-01 | 2026-12-01 | - | - |
fr | l'année dernière | 2025-01-01 | 2026-01-01 | - | - |
fr | cette année | 2026-01-01 | 2027-01-01 | - | - |
fr | ce mois-ci | 2026-12-01 | 2027-01-01 | - | - |
fr | l'été 2022 | 2022-06-01 | 2022-09-01 | - | - |
fr | plage l'été dernier | 2026-06-01 | 2026-09-01 | - | plage |
fr | cet hiver | 2026-12-01 | 2027-03-01 | - | - |
fr | Noël 2019 | 2019-12-24 | 2019-12-27 | - | - |
fr | Pâques 2024 | 2024-03-29 | 2024-04-02 | - | - |
fr | de 2019 à 2021 | 2019-01-01 | 2022-01-01 | - | - |
fr | entre mars et mai 2020 | 2020-03-01 | 2020-06-01 | - | - |
fr | 14 juillet 2023 | 2023-07-14 | 2023-07-15 | - | - |
fr | en juillet | 2026-07-01 | 2026-08-01 | - | - |
fr | coucher de soleil à Lisbon | - | - | Lisbon | coucher de soleil |
fr | robe d'été | - | - | - | robe d'été |
es | playa julio de 2023 | 2023-07-01 | 2023-08-01 | - | playa |
es | ayer | 2026-12-04 | 2026-12-05 | - | - |
es | la semana pasada | 2026-11-23 | 2026-11-30 | - | - |
es | el año pasado | 2025-01-01 | 2026-01-01 | - | - |
es | este mes | 2026-12-01 | 2027-01-01 | - | - |
es | verano de 2022 | 2022-06-01 | 2022-09-01 | - | - |
es | el verano pasado | 2026-06-01 | 2026-09-01 | - | - |
es | Navidad 2019 | 2019-12-24 | 2019-12-27 | - | - |
es | Nochevieja 2022 | 2022-12-31 | 2023-01-01 | - | - |
es | de 2019 a 2021 | 2019-01-01 | 2022-01-01 | - | - |
es | entre marzo y mayo de 2020 | 2020-03-01 | 2020-06-01 | - | - |
es | 14 de julio de 2023 | 2023-07-14 | 2023-07-15 | - | - |
es | en julio | 2026-07-01 | 2026-08-01 | - | - |
es | atardecer en Lisbon | - | - | Lisbon | atardecer |
es | vestido de verano | - | - | - | vestido de verano |
pt | praia em julho de 2023 | 2023-07-01 | 2023-08-01 | - | praia |
pt | ontem | 2026-12-04 | 2026-12-05 | - | - |
pt | semana passada | 2026-11-23 | 2026-11-30 | - | - |
pt | ano passado | 2025-01-01 | 2026-01-01 | - | - |
pt | o verão passado | 2026-06-01 | 2026-09-01 | - | - |
pt | Natal 2019 | 2019-12-24 | 2019-12-27 | - | - |
pt | Páscoa 2024 | 2024-03-29 | 2024-04-02 | - | - |
pt | entre março e maio de 2020 | 2020-03-01 | 2020-06-01 | - | - |
pt | elétrico em Lisbon | - | - | Lisbon | elétrico |
pt | praia no Porto | - | - | Porto | praia |
it | spiaggia luglio 2023 | 2023-07-01 | 2023-08-01 | - | spiaggia |
it | ieri | 2026-12-04 | 2026-12-05 | - | - |
it | quest'anno | 2026-01-01 | 2027-01-01 | - | - |
it | Natale 2019 | 2019-12-24 | 2019-12-27 | - | - |
"""


def _rows() -> list[tuple[str, ...]]:
    rows = []
    for line in TABLE.strip().splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        rows.append(tuple(cells + [""] * (7 - len(cells))))
    return rows


def test_the_table_is_large_and_covers_three_languages_and_more():
    rows = _rows()
    assert len(rows) >= 150 and {r[0] for r in rows} >= {"en", "de", "fr", "es", "pt", "it"}


@pytest.mark.parametrize(("language", "query", "after", "before", "place", "words", "extra"), _rows())
def test_what_a_query_is_understood_to_say(language, query, after, before, place, words, extra):
    languages = ("en",) if language == "en" else ("en", language)
    understood = understand(query, VOCABULARY, date_words(languages), TODAY).to_json()
    wanted = {name: value for part in extra.split(";") if "=" in part for name, value in [part.strip().split("=", 1)]}
    assert (understood["after"], understood["before"]) == (
        None if after == "-" else after,
        None if before == "-" else before,
    ), understood
    assert understood["place"] == (None if place == "-" else place), understood
    assert understood["words"] == ("" if words == "-" else words), understood
    assert understood["people"] == (wanted["people"].split(",") if "people" in wanted else [])
    assert understood["album"] == wanted.get("album") and understood["tag"] == wanted.get("tag"), understood


def test_nothing_understood_leaves_the_words_as_typed():
    for query in ("a dog on a beach", "red car +night -people", 'sign "OPEN 24 HOURS"', "may flowers"):
        understood = understand(query, VOCABULARY, date_words(("en", "de", "fr")), TODAY)
        assert understood.parts == () and understood.words == query
