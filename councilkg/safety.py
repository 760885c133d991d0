"""Query safety: what a user's SPARQL is allowed to do, decided before it runs.

User SPARQL is untrusted. Only the read forms (SELECT, ASK, CONSTRUCT, DESCRIBE) run; SERVICE
(which would make the store fetch another endpoint over the network) and every update form are
refused here, before execution. The check works on tokens, so a keyword inside a string, an
IRI, a prefixed name or a comment is not mistaken for one, and SPARQL's \\u escapes (which the
grammar applies before parsing) are decoded first so they cannot hide a keyword.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

READ_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
MAX_QUERY_CHARS = 100_000


class UnsafeQueryError(ValueError):
    """The query is refused; the message says why and what is allowed."""


@dataclass(frozen=True)
class Token:
    kind: str  # word | var | iri | pname | string | number | punct
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    text: str  # the query with \u escapes decoded
    tokens: tuple[Token, ...]


_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7\u00C0-\uFFFF]*[\w\-:%\u00B7\u00C0-\uFFFF])?)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*+\-/|!=<>^@])
    """,
    re.VERBOSE,
)


def decode_escapes(text: str) -> str:
    """Apply SPARQL's codepoint escapes (\\uXXXX, \\UXXXXXXXX), as the grammar does before parsing."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise UnsafeQueryError(f"invalid escape {match.group(0)!r} in the query")
        return chr(code)

    return _ESCAPE_RE.sub(replace, text)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            # Leave it to the SPARQL parser to report a syntax error; it cannot hide a keyword.
            tokens.append(Token("punct", text[pos], pos, pos + 1))
            pos += 1
            continue
        kind = match.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(0), match.start(), match.end()))
        pos = match.end()
    return tokens


def analyse(query: str) -> QueryInfo:
    """Check that query is a read-only SPARQL query without SERVICE; return its form.

    Raises UnsafeQueryError with a plain explanation otherwise.
    """
    if not isinstance(query, str) or not query.strip():
        raise UnsafeQueryError("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise UnsafeQueryError(f"the query is longer than {MAX_QUERY_CHARS:,} characters")
    text = decode_escapes(query)
    if "\x00" in text:
        raise UnsafeQueryError("the query contains a NUL character")
    tokens = tokenize(text)
    words = [t for t in tokens if t.kind == "word"]
    for t in words:
        if t.text.upper() == "SERVICE":
            raise UnsafeQueryError(
                "SERVICE is not allowed: a federated query would make this server contact another endpoint. "
                "Query this graph only."
            )
    form = _form(tokens)
    return QueryInfo(form, text, tuple(tokens))


def _form(tokens: list[Token]) -> str:
    i = 0
    while i < len(tokens):
        t = tokens[i]
        upper = t.text.upper() if t.kind == "word" else ""
        if upper == "BASE":
            i += 2
            continue
        if upper == "PREFIX":
            i += 3
            continue
        if upper in READ_FORMS:
            return upper
        if upper in UPDATE_WORDS:
            raise UnsafeQueryError(
                f"{upper} is an update: this endpoint is read-only. Only SELECT, ASK, CONSTRUCT and DESCRIBE queries run."
            )
        break
    raise UnsafeQueryError("not a SPARQL query: it must start (after PREFIX and BASE lines) with SELECT, ASK, CONSTRUCT or DESCRIBE")


def inject_values(info: QueryInfo, bindings: dict[str, str]) -> str:
    """Bind variables by an inline VALUES block at the start of the query's top-level WHERE group.

    ``bindings`` maps variable names (without ?) to terms already serialised in N-Triples
    syntax. This is the protocol-side equivalent of pyoxigraph's ``substitutions`` for
    endpoints that have none. The terms are serialised RDF terms, never user text pasted
    into the query.
    """
    if not bindings:
        return info.text
    tokens = info.tokens
    brace = _where_brace(tokens, info.form)
    names = list(bindings)
    values = " ".join(f"?{name}" for name in names)
    row = " ".join(bindings[name] for name in names)
    block = f" VALUES ({values}) {{ ({row}) }} "
    return info.text[: brace.end] + block + info.text[brace.end :]


def _where_brace(tokens: tuple[Token, ...], form: str) -> Token:
    depth = 0
    seen_template = False
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.upper() == "WHERE" and depth == 0:
            for nxt in tokens[i + 1 :]:
                if nxt.text == "{":
                    return nxt
            break
        if t.text == "{":
            if depth == 0:
                if form == "CONSTRUCT" and not seen_template:
                    seen_template = True
                elif form != "CONSTRUCT":
                    return t
            depth += 1
        elif t.text == "}":
            depth -= 1
    raise UnsafeQueryError("cannot find the query's WHERE clause to bind parameters")
