"""Text that reaches a terminal shows what it holds, and cannot act on the terminal.

An escape sequence in a server's answer, a file name or a value could move the cursor,
rewrite a line already printed or hide text; a carriage return could print a line over
another; a bidirectional override could show characters in another order than they are
sent. Such characters are shown as escapes (``\\x1b``, ``\\u202e``) instead.
"""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, C1 controls, bidirectional embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every character that could act on a terminal written as an escape; line breaks kept."""
    return _UNSAFE.sub(_escape, text)
