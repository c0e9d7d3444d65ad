"""Text that comes from outside - a broker, a venue, a client - made safe to print.

A newline in an order id would forge a log line; an escape sequence in a symbol would drive
the terminal (clear it, retitle it, move the cursor). Such characters are shown escaped
(``\\n``, ``\\x1b``), never acted on. Rich tables get it as plain ``Text``: no markup either.
"""
from __future__ import annotations

from rich.text import Text


def printable(value: object) -> str:
    """``str(value)`` with every non-printable character escaped (``\\x1b``, ``\\r``, ...)."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def cell(value: object) -> Text:
    """A table cell of outside text: escaped, and not read as rich markup."""
    return Text(printable(value))
