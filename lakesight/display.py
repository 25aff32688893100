"""Printing data as data through Rich (docs/security.md, "What the commands print").

Rich reads `[...]` in a string as markup and `:name:` as an emoji code, drops some control
characters and passes others (ESC) to the terminal. A cell, a column name, a principal or a file
name is data: it is printed through a console with markup, emoji and highlighting off, or as a
`Text` (never parsed), and every control or bidi character in it is shown as a visible escape.
"""

from __future__ import annotations

import unicodedata

from rich.console import Console
from rich.text import Text

#: names of the characters Unicode leaves unnamed (control characters) that people meet
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BACKSPACE",
    0x09: "TAB",
    0x0A: "LINE FEED",
    0x0B: "VERTICAL TAB",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESC",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}
#: format characters that reorder or hide text on a terminal (bidi controls)
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def plain_console(*, stderr: bool = False) -> Console:
    """A console that prints strings as they are: no markup, no emoji codes, no highlighting."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def character_name(char: str) -> str:
    """`U+0009 (TAB)`, `U+00A0 (NO-BREAK SPACE)`: a character as a reader can identify it."""
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "") or "control character"
    return f"U+{code:04X} ({name})"


def is_hidden(char: str) -> bool:
    """A character a terminal does not show as itself: a control or bidi character."""
    return unicodedata.category(char) == "Cc" or ord(char) in _BIDI


def shown(value: object, *, keep_newlines: bool = True) -> str:
    """A value as text, each control or bidi character as a visible escape (`\\x1b`, `\\u202e`);
    a newline stays one (a multi-line cell) unless `keep_newlines` is false. None is empty."""
    if value is None:
        return ""
    text = str(value)
    return "".join(
        _escape(char) if is_hidden(char) and (char != "\n" or not keep_newlines) else char
        for char in text
    )


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def data(value: object) -> Text:
    """A table cell or message part holding data: never read as markup or emoji."""
    return Text(shown(value))
