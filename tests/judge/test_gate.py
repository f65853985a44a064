"""The query gate: one read-only SELECT, decided by the parser, on both dialects."""
import pytest

from app.judge.gate import QueryRejected, check_query

DIALECTS = ["sqlite", "postgres"]

ALLOWED = [
    "SELECT 1",
    "select name from employees where salary > 100 order by name",
    "WITH top AS (SELECT * FROM t) SELECT * FROM top",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r",
    "SELECT a FROM t UNION SELECT b FROM u ORDER BY 1",
    "(SELECT 1)",
    "SELECT 1;",
    "-- a comment\nSELECT 1 /* trailing */",
    "SELECT dept, rank() OVER (PARTITION BY dept ORDER BY salary DESC) FROM employees",
]

REJECTED = [
    ("SELECT 1; SELECT 2", "exactly one statement"),
    ("SELECT 1; DROP TABLE t", "exactly one statement"),
    ("DELETE FROM t", "only SELECT"),
    ("INSERT INTO t VALUES (1)", "only SELECT"),
    ("UPDATE t SET a = 1", "only SELECT"),
    ("DROP TABLE t", "only SELECT"),
    ("CREATE TABLE x (a int)", "only SELECT"),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "DELETE"),
    ("SELECT * INTO copy FROM t", "INTO"),
    ("SELECT * FROM t FOR UPDATE", "LOCK"),
    ("SELECT pg_sleep(5)", "pg_sleep"),
    ("SELECT sleep(5)", "sleep"),
    ("SELECT load_extension('/tmp/x.so')", "load_extension"),
    ("SELECT readfile('/etc/passwd')", "readfile"),
    ("SELECT set_config('statement_timeout', '0', false)", "set_config"),
    ("PRAGMA table_info(t)", "only SELECT"),
    ("VACUUM", "only SELECT"),
    ("BEGIN", "only SELECT"),
    ("", "empty"),
    ("   \n\t", "empty"),
    ("-- only a comment", "empty"),
    ("SELECT FROM WHERE (((", "could not parse"),
    ("SELECT 1\x00", "NUL"),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql", ALLOWED)
def test_read_only_selects_pass(sql, dialect):
    assert check_query(sql, dialect, 10_000) is not None


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql,reason", REJECTED)
def test_everything_else_is_rejected_with_a_reason(sql, reason, dialect):
    with pytest.raises(QueryRejected) as info:
        check_query(sql, dialect, 10_000)
    assert reason.lower() in str(info.value).lower()


def test_length_cap():
    query = "SELECT " + " + ".join(["1"] * 100)
    check_query(query, "sqlite", len(query))
    with pytest.raises(QueryRejected, match="longer than"):
        check_query(query, "sqlite", len(query) - 1)


# --- the engine-faithful scanners (app/judge/lexical.py) ------------------------------------------

from app.judge import lexical  # noqa: E402
from app.judge.lexical import COMMENT, NAME, NUMBER, OPERATOR, OTHER, PARAMETER, PUNCT, SPACE, STRING, WORD  # noqa: E402


def read(sql, dialect="postgres"):
    """(kind, text, value) of every token but spaces, as the engine's lexer would cut them."""
    return [(t.kind, sql[t.start:t.end], t.value) for t in lexical.scan(sql, dialect) if t.kind != SPACE]


def cut(sql, dialect="postgres"):
    return [(t.kind, sql[t.start:t.end]) for t in lexical.scan(sql, dialect) if t.kind != SPACE]


def test_pg_whitespace_is_five_ascii_characters_and_everything_high_is_identifier():
    assert [t.kind for t in lexical.scan(" \t\n\r\f", "postgres")] == [SPACE]
    assert cut("interval\u00a0$a$ x") == [(WORD, "interval\u00a0$a$"), (WORD, "x")]
    assert cut("a\u3000b\ufeffc\u2028d") == [(WORD, "a\u3000b\ufeffc\u2028d")]
    assert cut("x\vy") == [(WORD, "x"), (OTHER, "\v"), (WORD, "y")]   # \v is no space in PostgreSQL 15


def test_pg_dash_comment_ends_at_newline_or_carriage_return():
    assert cut("1 -- c ; x\n2") == [(NUMBER, "1"), (COMMENT, "-- c ; x"), (NUMBER, "2")]
    assert cut("1 -- c\r; 2") == [(NUMBER, "1"), (COMMENT, "-- c"), (PUNCT, ";"), (NUMBER, "2")]
    assert cut("1 -- to the end") == [(NUMBER, "1"), (COMMENT, "-- to the end")]


def test_pg_block_comments_nest():
    assert cut("1 /* a /* b */ ; c */ 2") == [(NUMBER, "1"), (COMMENT, "/* a /* b */ ; c */"), (NUMBER, "2")]
    assert cut("/**/1") == [(COMMENT, "/**/"), (NUMBER, "1")]
    with pytest.raises(lexical.LexError, match="unterminated /\\* comment"):
        lexical.scan("1 /* a /* b */", "postgres")


def test_pg_operators_stop_at_comment_starts():
    assert cut("1 +-- x\n2") == [(NUMBER, "1"), (PUNCT, "+"), (COMMENT, "-- x"), (NUMBER, "2")]
    assert cut("2 */* c */ 3") == [(NUMBER, "2"), (PUNCT, "*"), (COMMENT, "/* c */"), (NUMBER, "3")]
    assert cut("a @> b ->> 'k'")[1] == (OPERATOR, "@>")
    assert cut("a=-1")[1:3] == [(PUNCT, "="), (PUNCT, "-")]     # trailing - is dropped from =-
    assert cut("a ?- b")[1] == (OPERATOR, "?-")                   # … unless the operator has a non-SQL char


def test_pg_standard_strings_double_quotes_and_keep_backslashes():
    assert read("'it''s'") == [(STRING, "'it''s'", "it's")]
    assert read("'a\\' ; 'b'") == [(STRING, "'a\\'", "a\\"), (PUNCT, ";", None), (STRING, "'b'", "b")]
    with pytest.raises(lexical.LexError, match="unterminated quoted string"):
        lexical.scan("'abc", "postgres")


def test_pg_strings_continue_over_a_newline_only():
    assert read("'a'\n'b'") == [(STRING, "'a'\n'b'", "ab")]
    assert read("'a' -- c\n  'b'") == [(STRING, "'a' -- c\n  'b'", "ab")]
    assert read("'a'\r'b'") == [(STRING, "'a'\r'b'", "ab")]
    assert [k for k, _, _ in read("'a' 'b'")] == [STRING, STRING]           # same line: two literals
    assert [k for k, _, _ in read("'a' /* c */\n'b'")] == [STRING, COMMENT, STRING]


def test_pg_escape_strings_take_backslash_escapes():
    assert read("E'a\\'b'") == [(STRING, "E'a\\'b'", "a'b")]
    assert read("e'\\n\\t\\\\\\101\\x41\\u00e9\\U0001F600'")[0][2] == "\n\t\\AA\u00e9\U0001F600"
    assert read("E'x''y'")[0][2] == "x'y"
    assert read("E'a\\\\' ; 'b'")[1] == (PUNCT, ";", None)
    with pytest.raises(lexical.LexError, match="invalid Unicode escape"):
        lexical.scan("E'\\u12'", "postgres")


def test_pg_prefixed_strings_and_quoted_names():
    assert read("N'x''y'") == [(STRING, "N'x''y'", "x'y")]
    assert read("B'101'") == [(STRING, "B'101'", "101")]
    assert read("x'1F'") == [(STRING, "x'1F'", "1F")]
    assert read("b'1''0'") == [(STRING, "b'1'", "1"), (STRING, "'0'", "0")]    # no doubling in bit strings
    assert read("U&'d\\0061t'")[0][:2] == (STRING, "U&'d\\0061t'")
    assert read('U&"d\\0061t"')[0][:2] == (NAME, 'U&"d\\0061t"')
    assert cut("U&x") == [(WORD, "U"), (OPERATOR, "&"), (WORD, "x")]
    assert cut("ab'x'") == [(WORD, "ab"), (STRING, "'x'")]                    # a prefix only at a token start
    assert read('"a""b" "Straße"') == [(NAME, '"a""b"', 'a"b'), (NAME, '"Straße"', "Straße")]
    with pytest.raises(lexical.LexError, match="zero-length"):
        lexical.scan('SELECT ""', "postgres")


def test_pg_dollar_quotes_start_only_at_a_token_start():
    assert read("$$a'b$$") == [(STRING, "$$a'b$$", "a'b")]
    assert read("$q$ $x$ ; $q$") == [(STRING, "$q$ $x$ ; $q$", " $x$ ; ")]
    assert read("$a$x$ba$a$")[0][2] == "x$ba"
    assert cut("a$b$ ; $b") == [(WORD, "a$b$"), (PUNCT, ";"), (OTHER, "$"), (WORD, "b")]
    assert cut("1$a$x$a$") == [(NUMBER, "1"), (STRING, "$a$x$a$")]
    assert cut("$1 $x") == [(PARAMETER, "$1"), (OTHER, "$"), (WORD, "x")]
    with pytest.raises(lexical.LexError, match="unterminated dollar"):
        lexical.scan("$a$ x $b$", "postgres")


def test_pg_numbers_and_trailing_junk():
    assert cut("1 1.5 .5 1. 1e5 1.5E-3 1..2") == [
        (NUMBER, "1"), (NUMBER, "1.5"), (NUMBER, ".5"), (NUMBER, "1."), (NUMBER, "1e5"), (NUMBER, "1.5E-3"),
        (NUMBER, "1"), (PUNCT, ".."), (NUMBER, "2")]
    assert cut("1e+5$a$x$a$") == [(NUMBER, "1e+5"), (STRING, "$a$x$a$")]
    for junk in ("1abc", "1e", "1e+", "1e$a$ x $a$", "1e5$", "0x1f", "1_000", "$1a", "1\u00e9"):
        with pytest.raises(lexical.LexError, match="trailing junk"):
            lexical.scan(junk, "postgres")


def test_sqlite_whitespace_comments_and_quotes():
    assert cut("1\f2", "sqlite") == [(NUMBER, "1"), (NUMBER, "2")]
    assert cut("1 -- c\r; 2\n3", "sqlite") == [(NUMBER, "1"), (COMMENT, "-- c\r; 2"), (NUMBER, "3")]
    assert cut("1 /* a /* b */ ; 2", "sqlite") == [(NUMBER, "1"), (COMMENT, "/* a /* b */"), (PUNCT, ";"),
                                                   (NUMBER, "2")]
    assert cut("1 /* to the end", "sqlite") == [(NUMBER, "1"), (COMMENT, "/* to the end")]
    assert read("'it''s' \"a\"\"b\" `c` [d e] x'0A'", "sqlite") == [
        (STRING, "'it''s'", "it's"), (NAME, '"a""b"', 'a"b'), (NAME, "`c`", "c"), (NAME, "[d e]", "d e"),
        (STRING, "x'0A'", "0A")]
    assert cut("E'x' $$", "sqlite")[:2] == [(WORD, "E"), (STRING, "'x'")]


def test_sqlite_identifiers_variables_numbers_and_illegal_tokens():
    assert cut("caf\u00e9 a$b", "sqlite") == [(WORD, "caf\u00e9"), (WORD, "a$b")]
    assert cut("?1 :x @y $a::b $c(')", "sqlite") == [
        (PARAMETER, "?1"), (PARAMETER, ":x"), (PARAMETER, "@y"), (PARAMETER, "$a::b"), (PARAMETER, "$c(')")]
    assert cut("0x1F 1.5e3 .5", "sqlite") == [(NUMBER, "0x1F"), (NUMBER, "1.5e3"), (NUMBER, ".5")]
    assert cut("a->>'k'", "sqlite")[1] == (OPERATOR, "->>")
    for illegal in ("1abc", "'open", "[open", "x'0'", "a ^ b", "!a", "\\"):
        with pytest.raises(lexical.LexError):
            lexical.scan(illegal, "sqlite")


# --- the gate refuses what the two lexers read differently ----------------------------------------

SMUGGLING = [
    "SELECT interval\u00a0$a$ x; COMMIT; SET work_mem = '1GB'; SELECT $a$",
    "SELECT 1 AS a\u2003$b$; SET application_name = 'x' --$b$",
    "SELECT e\u3000$a$; SET search_path = pg_catalog; $a$",
    "SELECT \ufeff$a$; SELECT 2; $a$",
    "SELECT x\u0085$$; BEGIN READ WRITE; $$",
    "SELECT 'a' -- c\r; SET TimeZone = 'UTC'",
]


@pytest.mark.parametrize("sql", SMUGGLING)
def test_smuggled_statements_are_refused_on_postgres(sql):
    with pytest.raises(QueryRejected):
        check_query(sql, "postgres", 10_000)


@pytest.mark.parametrize("sql,reason", [
    ("SELECT interval\u00a0$a$ x; COMMIT; $a$", "U+00A0 (NO-BREAK SPACE) at character 16"),
    ("SELECT\v1", "control character U+000B"),
    ("SELECT caf\u00e9 FROM t", "outside any string, quoted name or comment"),
    ("SELECT 'a'\n'b'", "read this query differently near character 8"),
    ("SELECT '\ud800'", "surrogate"),
    ("SELECT 1 /* open", "unterminated"),
])
def test_refusals_tell_the_player_where_and_why(sql, reason):
    with pytest.raises(QueryRejected) as info:
        check_query(sql, "postgres", 10_000)
    assert reason in str(info.value)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql", [
    "SELECT 'café', \"Straße\" AS \"größe\" FROM t -- prix en €\n",
    "SELECT 'a\u00a0b' /* ünïcode \u3000 */ FROM t",
    "SELECT 1 /* a */ + 2 -- b\n;",
    "SELECT a FROM t WHERE b = 'x;y' AND c = 'it''s'",
])
def test_unicode_inside_quotes_and_comments_stays_allowed(sql, dialect):
    assert check_query(sql, dialect, 10_000) is not None


@pytest.mark.parametrize("sql", [
    "SELECT E'a\\'b', E'\\n', U&'d\\0061t', b'101', x'1f', n'x''y', $$a$$, $q$b;$q$, 'it''s'",
    "SELECT a::text, b->>'x', c @> d, e || f, g ~ 'h' FROM t WHERE k >= 1 AND l <> 2 AND m != 3",
    "SELECT date '2020-01-01' + interval '1 day', 1e5, .5, $1",
    "SELECT a FROM t GROUP\n\tBY a ORDER  BY a",
])
def test_postgres_syntax_that_both_lexers_read_alike_passes(sql):
    assert check_query(sql, "postgres", 10_000) is not None


@pytest.mark.parametrize("sql", [
    "SELECT 0x1f",                   # an integer for SQLite, a blob for sqlglot
    "SELECT $a(')",
])
def test_sqlite_differences_are_refused(sql):
    with pytest.raises(QueryRejected):
        check_query(sql, "sqlite", 10_000)


# --- each agreement rule, on readings sqlglot might produce -----------------------------------------

from sqlglot.tokens import Token as SqlglotToken, TokenType  # noqa: E402

from app.judge.gate import require_same_reading  # noqa: E402


def their(token_type, sql, start, end, text=None):
    """A sqlglot token over sql[start:end] (sqlglot's `end` is inclusive)."""
    return SqlglotToken(token_type, sql[start:end] if text is None else text, start=start, end=end - 1)


def agrees(sql, theirs):
    try:
        require_same_reading(sql, lexical.scan(sql, "postgres"), theirs)
    except QueryRejected:
        return False
    return True


def test_agreement_needs_the_same_string_boundaries_and_content():
    sql = "SELECT 'ab' x"
    select, x = their(TokenType.SELECT, sql, 0, 6), their(TokenType.VAR, sql, 12, 13)
    assert agrees(sql, [select, their(TokenType.STRING, sql, 7, 11, "ab"), x])
    assert not agrees(sql, [select, their(TokenType.STRING, sql, 7, 13, "ab' x"), x])   # ends elsewhere
    assert not agrees(sql, [select, their(TokenType.STRING, sql, 7, 11, "a"), x])       # other content
    assert not agrees(sql, [select, their(TokenType.IDENTIFIER, sql, 7, 11, "ab"), x])  # a name, not a string
    assert not agrees(sql, [select, x])                                                 # no string at all


def test_agreement_needs_the_same_comments_and_statement_ends():
    sql = "SELECT 1 -- c\r; 2"
    select, one = their(TokenType.SELECT, sql, 0, 6), their(TokenType.NUMBER, sql, 7, 8)
    semicolon, two = their(TokenType.SEMICOLON, sql, 14, 15), their(TokenType.NUMBER, sql, 16, 17)
    assert agrees(sql, [select, one, semicolon, two])
    assert not agrees(sql, [select, one])                                  # comment read up to the end
    assert not agrees(sql, [select, one, their(TokenType.VAR, sql, 9, 13), semicolon, two])   # code in a comment
    assert not agrees(sql, [select, one, their(TokenType.VAR, sql, 14, 15), two])             # `;` not an end
    spaced = "SELECT 1 FROM t GROUP  BY 1"
    assert agrees(spaced, [their(TokenType.SELECT, spaced, 0, 6), their(TokenType.NUMBER, spaced, 7, 8),
                           their(TokenType.FROM, spaced, 9, 13), their(TokenType.VAR, spaced, 14, 15),
                           their(TokenType.GROUP_BY, spaced, 16, 25), their(TokenType.NUMBER, spaced, 26, 27)])


def test_adjacent_string_literals_are_refused():
    with pytest.raises(QueryRejected, match="two string literals in a row"):
        check_query("SELECT 'a' 'b'", "sqlite", 10_000)      # SQLite: 'a' AS 'b'; sqlglot: CONCAT
    assert check_query("SELECT date '2020-01-01', 'a' || 'b'", "postgres", 10_000) is not None
