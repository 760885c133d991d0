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
from functools import lru_cache

from councilkg.errors import UnsafeQueryError

READ_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
MAX_QUERY_CHARS = 100_000


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


@lru_cache(maxsize=128)
def analyse(query: str) -> QueryInfo:
    """Check that query is a read-only SPARQL query without SERVICE; return its form.

    Raises UnsafeQueryError with a plain explanation otherwise. Results are cached (a QueryInfo
    is immutable): the canned queries are checked once, not on every run.
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
    """Bind variables to RDF terms with inline VALUES blocks (see _inject_values)."""
    if not bindings:
        return info.text
    items = tuple(bindings.items())
    if decode_escapes(info.text) == info.text:  # re-analysing the text gives the same tokens: cacheable
        return _inject_cached(info.text, items)
    return _inject_values(info, items)


@lru_cache(maxsize=256)
def _inject_cached(text: str, items: tuple[tuple[str, str], ...]) -> str:
    return _inject_values(analyse(text), items)


def _inject_values(info: QueryInfo, items: tuple[tuple[str, str], ...]) -> str:
    """Bind variables to RDF terms with inline VALUES blocks.

    ``bindings`` maps variable names (without ?) to terms already serialised in N-Triples
    syntax (never user text). A VALUES block is placed at the start of the query's WHERE
    group and of every group inside it that uses one of the variables (UNION branches,
    OPTIONALs, EXISTS patterns, subqueries): the variable then means the given term
    everywhere, as with pyoxigraph's ``substitutions``, and each group is evaluated with it
    already bound. This works on any SPARQL 1.1 endpoint.
    """
    bindings = dict(items)
    tokens = info.tokens
    where = _where_brace(tokens, info.form)
    spans = _group_spans(tokens, where)
    inserts: list[tuple[int, str]] = []
    # a subquery's WHERE group is judged by the whole subquery, its SELECT and GROUP BY included
    scope = {open_index: (open_index, close_index) for open_index, close_index in spans}
    for open_index, close_index in spans:
        if _opens_subquery(tokens, open_index):
            inner = next(i for i in range(open_index + 1, close_index) if tokens[i].text == "{")
            scope[inner] = (open_index, close_index)
    for open_index, _close_index in spans:
        if _opens_subquery(tokens, open_index):
            continue  # the braces around a subquery: its own WHERE group gets the block
        first, last = scope[open_index]
        used = {t.text[1:] for t in tokens[first + 1 : last] if t.kind == "var"} & set(bindings)
        if tokens[open_index] is where:
            used = set(bindings)
        if not used:
            continue
        names = [name for name in bindings if name in used]
        values = " ".join(f"?{name}" for name in names)
        row = " ".join(bindings[name] for name in names)
        inserts.append((tokens[open_index].end, f" VALUES ({values}) {{ ({row}) }} "))
    text = info.text
    for position, block in sorted(inserts, reverse=True):
        text = text[:position] + block + text[position:]
    return text


def _group_spans(tokens: tuple[Token, ...], where: Token) -> list[tuple[int, int]]:
    """(open, close) token indexes of the WHERE group and every group graph pattern inside it.

    The braces of a VALUES data block are not groups.
    """
    start = tokens.index(where)
    spans: list[tuple[int, int]] = []
    stack: list[tuple[int, bool]] = []  # (index of '{', is a group)
    for i in range(start, len(tokens)):
        t = tokens[i]
        if t.text == "{":
            stack.append((i, not _opens_values_data(tokens, i)))
        elif t.text == "}" and stack:
            open_index, is_group = stack.pop()
            if is_group:
                spans.append((open_index, i))
            if not stack:
                break
    return spans


def _opens_subquery(tokens: tuple[Token, ...], index: int) -> bool:
    """Whether the '{' at index wraps a subquery."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following is not None and following.kind == "word" and following.text.upper() == "SELECT"


def _opens_values_data(tokens: tuple[Token, ...], index: int) -> bool:
    """Whether the '{' at index opens the data block of a VALUES clause."""
    j = index - 1
    if j >= 0 and tokens[j].text == ")":
        while j >= 0 and tokens[j].text != "(":
            j -= 1
        j -= 1
    elif j >= 0 and tokens[j].kind == "var":
        j -= 1
    return j >= 0 and tokens[j].kind == "word" and tokens[j].text.upper() == "VALUES"


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
