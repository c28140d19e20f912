"""Every page, in English, as each role: no Indonesian UI string in what the reader sees.

The pages and the roles are the access walk's (tests/security/test_access_walk.py: its URL
table and its world); each page a role may open (200, HTML) is read with the language set to
English. Its visible text (the HTML without tags, scripts and styles) must hold no msgid of
the catalogue whose English differs: an Indonesian string on an English page is a string
left out of the catalogue, or worded at the wrong time (stored, not translated when shown).

Only msgids of two words or more are looked for, as whole words: one Indonesian word can be a
company's or a product's name (the world's data is Indonesian), and a single word matched
inside a longer text says little. The few catalogue strings that are also the world's data
are listed in DATA with the reason."""

import html
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from tests.security.test_access_walk import (
    ADMIN_SITE,
    Pattern,
    World,
    _body,
    _request,
    build_world,
    cases_for,
    url_patterns,
)
from tests.security.world import ADMIN, ANON, ROLES

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
MIN_WORDS = 2
MIN_CHARS = 8
# The world's data that holds a catalogue string (its draft event is "Temu bisnis rahasia"):
# taken out of the text before it is read.
DATA = ("Temu bisnis rahasia",)
# One-word msgids that are English words as well, in an English sentence or a name:
# "volume" (of an item), "Bahasa" (Bahasa Indonesia, in the language switcher).
ENGLISH_TOO = frozenset({"volume", "Volume", "Bahasa", "Status", "status"})
HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


def _english_differs(catalogue) -> Iterator[tuple[str, str]]:
    """(msgid, its English) of each msgid no entry (whatever its context) leaves as it is."""
    english: dict[str, list[str]] = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        string = message.string if isinstance(message.string, str) else message.string[0]
        if string:
            english.setdefault(msgid, []).append(SPACE.sub(" ", string))
    for msgid, strings in english.items():
        if msgid not in strings:
            yield msgid, " | ".join(strings)


@cache
def indonesian_strings() -> tuple[re.Pattern, dict[str, str], frozenset[str]]:
    """The catalogue's msgids whose English differs: the literal pieces of two words or more
    (a pattern, and piece -> msgid), and the one-word msgids (looked for as a whole text)."""
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    pieces: dict[str, str] = {}
    words = set()
    for msgid, english in _english_differs(catalogue):
        if len(msgid.split()) == 1 and not PLACEHOLDER.search(msgid):
            words.add(msgid.strip(" :"))
        for piece in PLACEHOLDER.split(msgid):
            piece = SPACE.sub(" ", piece).strip(" :;,.()—-·")
            if len(piece.split()) >= MIN_WORDS and len(piece) >= MIN_CHARS and piece not in english:
                pieces[piece] = msgid
    ordered = sorted(pieces, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")
    return pattern, pieces, frozenset(words - ENGLISH_TOO)


def visible_text(page: str) -> str:
    text = SPACE.sub(" ", html.unescape(TAG.sub(" ", HIDDEN.sub(" ", page))))
    for data in DATA:
        text = text.replace(data, " ")
    return text


def text_nodes(page: str) -> Iterator[str]:
    """Each piece of text between two tags, as shown (a label, a heading, a badge)."""
    for node in TAG.split(HIDDEN.sub("<hidden>", page)):
        node = SPACE.sub(" ", html.unescape(node)).strip(" :")
        if node:
            yield node


def findings(page: str) -> list[tuple[str, str]]:
    """Each Indonesian string on the page, with the words around it: a piece of two words or
    more anywhere in the text, or a one-word msgid that is a whole text node (a column
    heading, a status badge)."""
    pattern, _pieces, words = indonesian_strings()
    text = visible_text(page)
    found = {
        (m[0], f"…{text[max(m.start() - 30, 0) : m.end() + 30]}…") for m in pattern.finditer(text)
    }
    found |= {(node, f"<{node}>") for node in text_nodes(page) if node in words}
    return sorted(found)


def indonesian_in(page: str) -> list[str]:
    return sorted({piece for piece, _context in findings(page)})


def in_context(page: str) -> list[str]:
    return [context for _piece, context in findings(page)]


def pages_for(role: str, world: World) -> list[str]:
    """The URLs of the pages the role may open (a GET answered with 200)."""
    urls = []
    for pattern in url_patterns():
        if pattern.is_admin and role != ADMIN:
            continue
        for case in cases_for(pattern, world):
            if case.method == "GET" and 200 in case.allowed.get(role, ()):
                urls.append(case.url(pattern, world))
    return list(dict.fromkeys(urls))


def read_in_english(role: str, client, login, world: World) -> tuple[int, list[str]]:
    if role != ANON:
        login(world.users[role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    read, problems = 0, []
    for url in pages_for(role, world):
        response = _request(client, "GET", url)
        body = _body(response)  # read to its end: a streamed file closes itself so
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        read += 1
        found = in_context(body.decode(errors="replace"))
        if found:
            problems.append(f"{role} {url}: {found}")
    return read, problems


def test_the_catalogue_gives_the_walk_strings_to_look_for():
    _pattern, pieces, words = indonesian_strings()
    assert len(pieces) > 500
    assert len(words) > 100
    page = "<h1>Paket pengadaan</h1><script>'Paket pengadaan'</script><th>Pembeli</th>"
    assert indonesian_in(page) == ["Paket pengadaan", "Pembeli"]
    # A word inside a longer text is not looked for: it may be a name ("Batik Pembeli").
    assert indonesian_in("<td>Batik Pembeli Jaya</td>") == []
    assert indonesian_in("<h1>Procurement packages</h1>") == []


def test_an_indonesian_string_on_an_english_page_is_caught(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert indonesian_in(client.get("/").content.decode())


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_in_english(role, client, login):
    world = build_world()
    read, problems = read_in_english(role, client, login, world)
    assert read > 5
    assert not problems, f"{len(problems)} pages show Indonesian:\n" + "\n".join(problems)


__all__ = ["ADMIN_SITE", "Pattern"]
