"""What a folder handed to someone may hold: the strings of an extract, the files and links of
a folder (the leak tests: tests/functional/consume/test_dashboards.py and
tests/functional/security/test_portals.py; docs/security.md, "Who may be given what")."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lakesight.security.access import connect_confined

#: an attribute that loads or links something (xlink:href too), and a CSS url(...)
LINK = re.compile(r"""(?:\b(?:href|src)\s*=\s*["']([^"']*)["'])|(?:url\(\s*["']?([^"')]*))""")
#: where a page may point without leaving itself
INSIDE_SCHEMES = ("data:",)


def extract_strings(path: Path) -> set[str]:
    """Every distinct text value of every secure table of an extract (opened confined)."""
    con = connect_confined(path)
    try:
        found: set[str] = set()
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'secure'"
        ).fetchall()
        for (table,) in tables:
            columns = con.execute(
                "select column_name from information_schema.columns where table_schema = 'secure'"
                " and table_name = ? and data_type = 'VARCHAR'",
                [table],
            ).fetchall()
            for (column,) in columns:
                found |= {
                    v
                    for (v,) in con.execute(
                        f'select distinct "{column}" from secure."{table}"'
                    ).fetchall()
                    if v is not None
                }
        return found
    finally:
        con.close()


def files(folder: Path) -> list[Path]:
    """Every file under `folder` (symlinks followed), sorted."""
    return sorted(path for path in folder.rglob("*") if path.is_file())


def links(text: str) -> list[str]:
    """Every href, src and CSS url() of an HTML or SVG text."""
    return [a or b for a, b in LINK.findall(text)]


def leaving(link: str, page: Path, root: Path) -> str | None:
    """Why `link` on `page` leaves `root` or points nowhere (None: it stays inside)."""
    if link.startswith(INSIDE_SCHEMES) or link.startswith("#") or link == "":
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith("/"):
        return f"{link} is absolute"
    target = (page.parent / unquote(parts.path)).resolve()
    if root.resolve() not in target.parents:
        return f"{link} leaves {root.name}"
    if not target.is_file():
        return f"{link} points to no file"
    return None


#: a word of a text for the value search: letters, digits and the marks inside e-mails, phones
#: and street numbers; an inline image (a data: URI) holds no word
TOKEN = re.compile(r"[\w@+-]+(?:\.[\w@+-]+)*")  # a dot inside a word, not one ending it
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


def canonical(value: str) -> str:
    """A value as the words it is made of, one space apart (so other spacing or punctuation
    between its words, a line break or a comma, does not hide it)."""
    return " ".join(TOKEN.findall(value))


class Values:
    """Many values (thousands of e-mails, phones, streets) found in a text by its words: the
    text's runs of up to the longest value's number of words, looked up in a set (a regular
    expression of thousands of alternatives took minutes on a portal)."""

    def __init__(self, values: set[str]) -> None:
        self.keys = {canonical(value): value for value in values if canonical(value)}
        self.firsts = {key.split(" ", 1)[0] for key in self.keys}
        self.longest = max((key.count(" ") + 1 for key in self.keys), default=0)

    def first(self, text: str) -> str | None:
        """The first value found in `text`, or None."""
        words = TOKEN.findall(DATA_URI.sub(" ", text))
        for i, word in enumerate(words):
            if word not in self.firsts:
                continue
            for n in range(1, self.longest + 1):
                found = self.keys.get(" ".join(words[i : i + n]))
                if found is not None:
                    return found
        return None
