"""Values made safe where they leave the process: secrets redacted, untrusted
text defused for the medium it is written to.

Article texts, titles, outlets and file names come from whoever wrote the
input; store URLs and tokens come from the operator. Each function here is the
one place a kind of value is made safe for one destination: a terminal
(`printable`, and `for_rich` where rich prints it), a spreadsheet (`spreadsheet_cell`), a message or a page
(`redact_url`), a log line (`redact_query_tokens`). docs/security.md lists
where each is used.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# Spreadsheets run a cell that starts with one of these as a formula (=HYPERLINK(...),
# +cmd|..., @SUM(...)); tab and carriage return start one too in some of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Characters a terminal acts on rather than shows: C0/C1 controls (escape
# sequences, newlines, bells), Unicode line and paragraph separators, and the
# bidirectional controls that reorder what follows them.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TOKEN_PARAM = re.compile(r"(?i)([?&](?:token|access_token)=)[^&#\s]*")
_URL_PASSWORD = re.compile(r"(//[^:/@\s]*:)[^@/\s]*@")
REDACTED = "***"


def printable(text: Any) -> str:
    """`text` as one safe terminal line: every control character written as an
    escape (`\\x1b`, `\\n`, `\\u202e`) instead of being sent to the terminal."""
    return _TERMINAL_UNSAFE.sub(_escape_char, str(text))


def for_rich(text: Any) -> str:
    """`printable(text)` for rich's console, tables and progress bars, with
    its markup (`[/]`, `[link=...]`) shown as written, never interpreted."""
    from rich.markup import escape

    return escape(printable(text))


def _escape_char(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: a text starting (after
    blanks) with `=`, `+`, `-` or `@`, or with a tab or carriage return, gets a
    leading apostrophe, which spreadsheets show as text and do not evaluate.
    Its line breaks become `\n` (the csv module leaves a lone `\r` unquoted,
    which splits the row for every reader). Other values are returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def redact_url(url: str) -> str:
    """A store URL without its password (`postgresql://cw:***@host/db`), for
    messages, summaries, pages and logs. Paths and password-less URLs are
    returned as they are."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL that urlsplit can take apart
        return redact_urls_in(url)
    if not password:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{REDACTED}@{netloc[1]}"))


def redact_urls_in(text: str) -> str:
    """Any `scheme://user:password@` in a message (a driver's error may echo
    the connection string) with the password hidden."""
    return _URL_PASSWORD.sub(rf"\1{REDACTED}@", text)


def redact_query_tokens(target: str) -> str:
    """A request target with the value of any `token` query parameter hidden
    (the calendar feed's token travels in the URL; logs must not keep it)."""
    return _TOKEN_PARAM.sub(rf"\1{REDACTED}", target)
