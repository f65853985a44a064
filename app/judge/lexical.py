"""Engine-faithful scanners: where PostgreSQL and SQLite see strings, quoted names, comments and statement ends.

The gate reads a query with sqlglot, but the engine runs it through its own
lexer, and the two disagree at the edges: sqlglot takes any Unicode space as a
separator where PostgreSQL takes every byte >= 0x80 as an identifier character,
so `interval<U+00A0>$a$ …` is a dollar-quoted string for one and an identifier
for the other. A query can then be one SELECT to the gate and several
statements to the engine. These scanners model only what decides token
boundaries, rule for rule after PostgreSQL 15's scan.l (standard_conforming_strings
on, as in the sandbox) and SQLite's tokenize.c; gate.py compares their reading
with sqlglot's and refuses any difference. Input the engine's lexer itself
rejects raises LexError: the engine would run nothing.
"""
from __future__ import annotations

import re
from typing import Callable, NamedTuple, Optional

# Token kinds. STRING and NAME are opaque (their content is data); COMMENT and
# SPACE separate tokens; the rest are code.
SPACE, COMMENT, STRING, NAME = "space", "comment", "string", "name"
WORD, NUMBER, PARAMETER, OPERATOR, PUNCT, OTHER = "word", "number", "parameter", "operator", "punct", "other"
OPAQUE = frozenset({STRING, NAME})
SEPARATORS = frozenset({SPACE, COMMENT})

HIGH = "\u0080-\U0010ffff"        # a byte >= 0x80 in UTF-8 is a code point >= U+0080
IDENTIFIER = re.compile(rf"[A-Za-z_{HIGH}][A-Za-z0-9_${HIGH}]*")   # same rule in scan.l and tokenize.c


class LexError(Exception):
    """The engine's own lexer refuses this input (unterminated string, trailing junk …)."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} at character {position + 1}")
        self.position = position
        self.tokens: list[Token] = []


class Token(NamedTuple):
    kind: str
    start: int                     # index of the first character
    end: int                       # index after the last character
    style: str = ""                # how a STRING or NAME is quoted: ' E N U& B X $ " [ ` U&"
    value: Optional[str] = None    # a STRING's or NAME's content as the engine reads it


class _Scanner:
    """One pass over the text; each `_scan_*` method reads one token class and returns its end."""

    def __init__(self, sql: str):
        self.sql = sql
        self.tokens: list[Token] = []

    def scan(self) -> list[Token]:
        pos = 0
        try:
            while pos < len(self.sql):
                pos = self._next(pos)
        except LexError as exc:
            exc.tokens = self.tokens      # what was read before the error, for a better message
            raise
        return self.tokens

    def _next(self, pos: int) -> int:
        raise NotImplementedError

    def _emit(self, kind: str, start: int, end: int, style: str = "", value: Optional[str] = None) -> int:
        self.tokens.append(Token(kind, start, end, style, value))
        return end

    def _at(self, pos: int) -> str:
        return self.sql[pos] if pos < len(self.sql) else ""

    def _run(self, pattern: re.Pattern, kind: str, pos: int) -> int:
        return self._emit(kind, pos, pattern.match(self.sql, pos).end())

    def _doubled(self, quote: str, pos: int, what: str, escapes: bool = False) -> tuple[int, str]:
        """Reads from just after an opening `quote` to just after its closing one; a doubled quote
        is one quote of content, and with `escapes` a backslash takes the next character."""
        sql, parts, start = self.sql, [], pos
        while True:
            stop = sql.find(quote, pos)
            backslash = sql.find("\\", pos, stop if stop >= 0 else len(sql)) if escapes else -1
            if backslash >= 0:
                parts.append(sql[pos:backslash])
                pos, char = _pg_escape(sql, backslash)
                parts.append(char)
                continue
            if stop < 0:
                raise LexError(f"unterminated {what}", start - 1)
            parts.append(sql[pos:stop])
            if sql.startswith(quote, stop + 1):
                parts.append(quote)
                pos = stop + 2
                continue
            return stop + 1, "".join(parts)


# --- PostgreSQL ------------------------------------------------------------------------------------

PG_SPACE = " \t\n\r\f"
PG_SPACES = re.compile(r"[ \t\n\r\f]+")
PG_DASH_COMMENT = re.compile(r"--[^\n\r]*")
PG_OP_CHARS = "~!@#^&|`?+-*/%<>="
PG_OPERATOR = re.compile(r"[~!@#^&|`?+\-*/%<>=]+")
PG_PUNCT_PAIRS = ("::", "..", ":=")
PG_DOLLAR_DELIMITER = re.compile(rf"\$(?:[A-Za-z_{HIGH}][A-Za-z0-9_{HIGH}]*)?\$")
PG_PARAMETER = re.compile(r"\$[0-9]+")
PG_OCTAL_ESCAPE = re.compile(r"[0-7]{1,3}")
PG_HEX_ESCAPE = re.compile(r"x[0-9A-Fa-f]{1,2}")
PG_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
DIGITS = re.compile(r"[0-9]*")
ASCII_DIGITS = "0123456789"


class PostgresScanner(_Scanner):
    """PostgreSQL 15's scan.l, INITIAL state: the first matching branch below is flex's longest match."""

    def _next(self, pos: int) -> int:
        sql, char = self.sql, self.sql[pos]
        ahead = sql[pos:pos + 3]
        if char in PG_SPACE:
            return self._run(PG_SPACES, SPACE, pos)
        if ahead.startswith("--"):
            return self._run(PG_DASH_COMMENT, COMMENT, pos)
        if ahead.startswith("/*"):
            return self._block_comment(pos)
        if char == "'":
            return self._quoted(pos, pos + 1, "'")
        if ahead[:2] in ("E'", "e'", "N'", "n'"):
            return self._quoted(pos, pos + 2, ahead[0].upper())
        if ahead[:2] in ("B'", "b'", "X'", "x'"):
            return self._bit_string(pos, ahead[0].upper())
        if ahead in ("U&'", "u&'"):
            return self._quoted(pos, pos + 3, "U&")
        if ahead in ('U&"', 'u&"'):
            return self._name(pos, pos + 3, 'U&"')
        if char == '"':
            return self._name(pos, pos + 1, '"')
        if char == "$":
            return self._dollar(pos)
        if IDENTIFIER.match(char):
            return self._run(IDENTIFIER, WORD, pos)
        if _starts_number(sql, pos):
            return self._number(pos)
        if ahead[:2] in PG_PUNCT_PAIRS:
            return self._emit(PUNCT, pos, pos + 2)
        if char in PG_OP_CHARS:
            return self._operator(pos)
        if char in ",()[].;:":
            return self._emit(PUNCT, pos, pos + 1)
        return self._emit(OTHER, pos, pos + 1)

    def _block_comment(self, pos: int) -> int:
        """Nested /* */ comments; an unterminated one is an error."""
        sql, depth, at = self.sql, 0, pos + 2
        while True:
            opens, closes = sql.find("/*", at), sql.find("*/", at)
            if closes < 0:
                raise LexError("unterminated /* comment", pos)
            if 0 <= opens < closes:
                depth, at = depth + 1, opens + 2
            elif depth:
                depth, at = depth - 1, closes + 2
            else:
                return self._emit(COMMENT, pos, closes + 2)

    def _quoted(self, pos: int, body: int, style: str) -> int:
        """'…', E'…', N'…' and U&'…' with their continuation over a newline ('a'<newline>'b' is 'ab')."""
        parts = []
        while True:
            end, part = self._doubled("'", body, "quoted string", escapes=style == "E")
            parts.append(part)
            resumed = self._continuation(end)
            if resumed is None:
                return self._emit(STRING, pos, end, style, "".join(parts))
            body = resumed + 1

    def _bit_string(self, pos: int, style: str) -> int:
        """B'…' and X'…': no doubled quotes, but the same continuation."""
        parts, body = [], pos + 2
        while True:
            stop = self.sql.find("'", body)
            if stop < 0:
                raise LexError("unterminated bit string literal", pos)
            parts.append(self.sql[body:stop])
            resumed = self._continuation(stop + 1)
            if resumed is None:
                return self._emit(STRING, pos, stop + 1, style, "".join(parts))
            body = resumed + 1

    def _continuation(self, pos: int) -> Optional[int]:
        """scan.l's {quotecontinue}: spaces or -- comments, a newline, more of them, then a quote.
        Returns that quote's index, or None when the string ends at `pos`."""
        sql, newline = self.sql, False
        while pos < len(sql):
            char = sql[pos]
            if char in "\n\r":
                newline, pos = True, pos + 1
            elif char in " \t\f":
                pos += 1
            elif sql.startswith("--", pos):
                pos = PG_DASH_COMMENT.match(sql, pos).end()
                if pos >= len(sql):
                    return None
            elif char == "'" and newline:
                return pos
            else:
                return None
        return None

    def _name(self, pos: int, body: int, style: str) -> int:
        end, value = self._doubled('"', body, "quoted identifier")
        if not value:
            raise LexError("zero-length delimited identifier", pos)
        return self._emit(NAME, pos, end, style, value)

    def _dollar(self, pos: int) -> int:
        """$1 is a parameter, $tag$…$tag$ a string; any other $ stands alone."""
        parameter = PG_PARAMETER.match(self.sql, pos)
        if parameter:
            if IDENTIFIER.match(self.sql, parameter.end()):
                raise LexError("trailing junk after parameter", pos)
            return self._emit(PARAMETER, pos, parameter.end())
        delimiter = PG_DOLLAR_DELIMITER.match(self.sql, pos)
        if not delimiter:
            return self._emit(OTHER, pos, pos + 1)
        tag = delimiter.group(0)
        stop = self.sql.find(tag, delimiter.end())
        if stop < 0:
            raise LexError("unterminated dollar-quoted string", pos)
        return self._emit(STRING, pos, stop + len(tag), "$", self.sql[delimiter.end():stop])

    def _number(self, pos: int) -> int:
        """Integers, decimals and reals; an identifier glued to one is an error ("trailing junk")
        because {integer}{identifier} is then the longest match, as PostgreSQL 15.x has it."""
        sql = self.sql
        end = DIGITS.match(sql, pos).end()
        integer_part = end > pos
        if sql.startswith("..", end) and integer_part:
            return self._emit(NUMBER, pos, end)            # 1..2 is 1, then ..
        if self._at(end) == ".":
            end = DIGITS.match(sql, end + 1).end()
        if self._at(end) in ("e", "E"):
            signed = self._at(end + 1) in ("+", "-")
            digits = DIGITS.match(sql, end + 1 + signed).end()
            if digits == end + 1 + signed:
                raise LexError("trailing junk after numeric literal", pos)
            junk = IDENTIFIER.match(sql, digits) if signed else IDENTIFIER.match(sql, end)
            if junk and (signed or junk.end() > digits):
                raise LexError("trailing junk after numeric literal", pos)
            return self._emit(NUMBER, pos, digits)
        if IDENTIFIER.match(sql, end):
            raise LexError("trailing junk after numeric literal", pos)
        return self._emit(NUMBER, pos, end)

    def _operator(self, pos: int) -> int:
        """{operator}: cut before an embedded /* or --, then drop trailing + and - unless the
        operator holds a character SQL operators don't have (`=-` is two tokens, `?-` one)."""
        text = PG_OPERATOR.match(self.sql, pos).group(0)
        cuts = [at for at in (text.find("/*"), text.find("--")) if at > 0]
        length = min(cuts) if cuts else len(text)
        if length > 1 and text[length - 1] in "+-" and not any(c in "~!@#^&|`?%" for c in text[:length - 1]):
            while length > 1 and text[length - 1] in "+-":
                length -= 1
        kind = PUNCT if length == 1 and text[0] in ",()[].;:+-*/%^<>=" else OPERATOR
        return self._emit(kind, pos, pos + length)


def _pg_escape(sql: str, pos: int) -> tuple[int, str]:
    """One backslash escape of an E'…' string at `pos`: returns where it ends and what it means."""
    if pos + 1 >= len(sql):
        raise LexError("unterminated quoted string", pos)
    char = sql[pos + 1]
    if char in "uU":
        width = 4 if char == "u" else 8
        digits = sql[pos + 2:pos + 2 + width]
        if len(digits) < width or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise LexError("invalid Unicode escape", pos)
        return pos + 2 + width, _code_point(int(digits, 16))
    octal = PG_OCTAL_ESCAPE.match(sql, pos + 1)
    if octal:
        return octal.end(), _code_point(int(octal.group(0), 8) & 0xFF)
    hexa = PG_HEX_ESCAPE.match(sql, pos + 1)
    if hexa:
        return hexa.end(), _code_point(int(hexa.group(0)[1:], 16))
    return pos + 2, PG_SIMPLE_ESCAPES.get(char, char)


def _starts_number(sql: str, pos: int) -> bool:
    after = sql[pos + 1:pos + 2]
    return sql[pos] in ASCII_DIGITS or (sql[pos] == "." and after != "" and after in ASCII_DIGITS)


def _code_point(value: int) -> str:
    return chr(value) if 0 <= value <= 0x10FFFF else "\ufffd"


# --- SQLite ----------------------------------------------------------------------------------------

SQLITE_SPACES = re.compile(r"[ \t\n\f\r\v]+")      # sqlite3Isspace once a CC_SPACE character started it
SQLITE_DASH_COMMENT = re.compile(r"--[^\n]*")       # ends at \n only, unlike PostgreSQL
SQLITE_ID_CHAR = re.compile(rf"[A-Za-z0-9_${HIGH}]")
SQLITE_NUMBER = re.compile(r"0[xX][0-9A-Fa-f]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
SQLITE_BLOB = re.compile(r"[xX]'([0-9A-Fa-f]*)'")
SQLITE_VARIABLE_SUFFIX = re.compile(r"[^ \t\n\f\r\v)]*")
SQLITE_TWO_CHAR = ("->>", "->", "<=", "<>", "<<", ">=", ">>", "==", "!=", "||")


class SqliteScanner(_Scanner):
    """SQLite's sqlite3GetToken (3.40), branch for branch; an "illegal" token is a LexError."""

    def _next(self, pos: int) -> int:
        sql, char = self.sql, self.sql[pos]
        if char in " \t\n\f\r":
            return self._run(SQLITE_SPACES, SPACE, pos)
        if char == "\ufeff":
            return self._emit(SPACE, pos, pos + 1)       # the UTF-8 byte-order mark counts as space
        if sql.startswith("--", pos):
            return self._run(SQLITE_DASH_COMMENT, COMMENT, pos)
        if sql.startswith("/*", pos) and pos + 2 < len(sql):
            stop = sql.find("*/", pos + 2)
            return self._emit(COMMENT, pos, len(sql) if stop < 0 else stop + 2)   # may run to the end
        if char == "'":
            end, value = self._doubled("'", pos + 1, "quoted string")
            return self._emit(STRING, pos, end, "'", value)
        if char in '"`':
            end, value = self._doubled(char, pos + 1, "quoted identifier")
            return self._emit(NAME, pos, end, char, value)
        if char == "[":
            stop = sql.find("]", pos)
            if stop < 0:
                raise LexError("unrecognized token (unterminated [name])", pos)
            return self._emit(NAME, pos, stop + 1, "[", sql[pos + 1:stop])
        if char in "xX" and self._at(pos + 1) == "'":
            return self._blob(pos)
        if _starts_number(sql, pos):
            return self._number(pos)
        if char in "?$@#:":
            return self._variable(pos)
        if IDENTIFIER.match(char):
            return self._run(IDENTIFIER, WORD, pos)
        for pair in SQLITE_TWO_CHAR:
            if sql.startswith(pair, pos):
                return self._emit(OPERATOR, pos, pos + len(pair))
        if char in ";(),.":
            return self._emit(PUNCT, pos, pos + 1)
        if char in "-+*/%=<>|&~":
            return self._emit(OPERATOR, pos, pos + 1)
        raise LexError(f"unrecognized token {char!r}", pos)

    def _blob(self, pos: int) -> int:
        blob = SQLITE_BLOB.match(self.sql, pos)
        if not blob or len(blob.group(1)) % 2:
            raise LexError("malformed blob literal", pos)
        return self._emit(STRING, pos, blob.end(), "X", blob.group(1))

    def _number(self, pos: int) -> int:
        end = SQLITE_NUMBER.match(self.sql, pos).end()
        if SQLITE_ID_CHAR.match(self.sql, end):
            raise LexError("unrecognized token (trailing junk after a number)", pos)
        return self._emit(NUMBER, pos, end)

    def _variable(self, pos: int) -> int:
        """?NNN, and $name, @name, #name, :name with Tcl's name::part and name(suffix)."""
        sql = self.sql
        if sql[pos] == "?":
            return self._emit(PARAMETER, pos, DIGITS.match(sql, pos + 1).end())
        at, named = pos + 1, 0
        while at < len(sql):
            if SQLITE_ID_CHAR.match(sql, at):
                named, at = named + 1, at + 1
            elif sql[at] == "(" and named:
                stop = SQLITE_VARIABLE_SUFFIX.match(sql, at + 1).end()
                if self._at(stop) != ")":
                    raise LexError("unrecognized token (unterminated variable suffix)", pos)
                at = stop + 1
                break
            elif sql.startswith("::", at):
                at += 2
            else:
                break
        if not named:
            raise LexError(f"unrecognized token {sql[pos:at]!r}", pos)
        return self._emit(PARAMETER, pos, at)


SCANNERS: dict[str, Callable[[str], _Scanner]] = {"postgres": PostgresScanner, "sqlite": SqliteScanner}


def scan(sql: str, dialect: str) -> list[Token]:
    """The engine's reading of `sql` as tokens, separators included; LexError where the engine's lexer fails."""
    return SCANNERS[dialect](sql).scan()
