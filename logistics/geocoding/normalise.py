"""Addresses as comparable text: case, accents and street-type abbreviations made equal,
and a written address split into house number, street, postcode and place.

"12 r. de Bellain, 59500 DOUAI", "Hindenburgstr. 12" and "Rømersgade 22, 1362 København
K" are all read the same way: the number may come first (French) or last (German,
Danish), the postcode is a group of 4 or 5 digits after a comma, and the rest of that
part is the place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: letters that do not decompose into a base letter and an accent
_LETTERS = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "å": "a", "ł": "l", "đ": "d",
                          "ð": "d", "þ": "th", "ı": "i"})
#: street types and words written short, in the forms people type them
_WORDS = {
    "r": "rue", "bd": "boulevard", "bld": "boulevard", "boul": "boulevard", "bvd": "boulevard",
    "av": "avenue", "ave": "avenue", "pl": "place", "st": "saint", "ste": "sainte",
    "ch": "chemin", "chem": "chemin", "imp": "impasse", "all": "allee", "rte": "route",
    "fg": "faubourg", "fbg": "faubourg", "qu": "quai", "sq": "square", "crs": "cours",
    "res": "residence", "lot": "lotissement", "hab": "hameau", "pass": "passage",
    "prom": "promenade", "mal": "marechal", "gal": "general", "gen": "general",
    "pdt": "president", "dr": "docteur", "str": "strasse",
}
#: words that say nothing about which street it is
_FILLER = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "et"})
#: a house number in one word ("12", "12b", "12bis"), or two: "12 bis" first, "22 B" last
_NUMBER = re.compile(r"^\d{1,5}(?:[a-z]|bis|ter|quater|to\d{1,5})?$")
#: a range of numbers ("3-5", "3 / 5"), kept in one word through folding
_RANGE = re.compile(r"\b(\d{1,5})\s*[-–/]\s*(\d{1,5})\b")
_NUMBER_FIRST = re.compile(r"^\d{1,5} (?:bis|ter|quater)$")
_NUMBER_LAST = re.compile(r"^\d{1,5} (?:bis|ter|quater|[a-z])$")
_POSTCODE = re.compile(r"\b(\d{4,5})\b")


def fold(text: str) -> str:
    """Lower case, without accents, punctuation as spaces, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w]+", " ", text.replace("_", " "))
    return " ".join(text.split())


def street_key(street: str) -> str:
    """A street name as the index compares it: folded, abbreviations written out, a
    glued German ``…str`` or ``…straße`` made ``… strasse``-equal, filler words dropped."""
    words = []
    for word in fold(street).split():
        word = _WORDS.get(word, word)
        if word.endswith("str") and len(word) > 4:  # Hauptstr. -> hauptstrasse
            word = word[:-3] + "strasse"
        words.append(word)
    kept = [w for w in words if w not in _FILLER]
    return " ".join(kept or words)


def number_key(number: str) -> str:
    """A house number as the index compares it: ``12``, ``12b``, ``12bis``, ``3to5``."""
    return fold(_RANGE.sub(r"\1to\2", number)).replace(" ", "")


def number_keys(number: str) -> frozenset[str]:
    """The numbers a house number stands for: itself, and each number of a range
    ("3-5": 3, 4 and 5), so that "3" finds the house numbered "3-5" and back."""
    key = number_key(number)
    m = re.fullmatch(r"(\d+)to(\d+)", key)
    if m is None:
        return frozenset({key})
    a, b = sorted((int(m.group(1)), int(m.group(2))))
    return frozenset({key, *(str(n) for n in range(a, min(b, a + 20) + 1))})


@dataclass(frozen=True)
class Query:
    """A written address, split: house number (or None), street, postcode, place."""

    number: str | None
    street: str
    postcode: str | None
    place: str


def parse(text: str) -> Query:
    """Split a written address into its parts (see the module's docstring). Without a
    comma, a postcode and what follows it are the place: "12 rue X 59500 Douai"."""
    parts = [p.strip() for p in _RANGE.sub(r"\1to\2", text).split(",") if p.strip()]
    if not parts:
        return Query(None, "", None, "")
    first, rest = parts[0], " ".join(parts[1:])
    inline = _POSTCODE.search(first)
    if inline is not None and inline.start() > 0 and not rest:
        first, rest = first[: inline.start()], first[inline.start():]
    postcode_match = _POSTCODE.search(rest)
    postcode = postcode_match.group(1) if postcode_match else None
    place = fold(_POSTCODE.sub(" ", rest))
    words = fold(first).split()
    number = None
    if words:
        # "12 bis rue X", "12b rue X" (French), "Rue X 12", "X-gade 22 B" (German, Danish)
        for take, first_form, last_form in ((2, _NUMBER_FIRST, _NUMBER_LAST), (1, _NUMBER, _NUMBER)):
            head, tail = " ".join(words[:take]), " ".join(words[-take:])
            if len(words) > take and first_form.match(head):
                number, words = number_key(head), words[take:]
                break
            if len(words) > take and last_form.match(tail):
                number, words = number_key(tail), words[:-take]
                break
    return Query(number, " ".join(words), postcode, place)
