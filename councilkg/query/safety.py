"""Query safety: what a user's SPARQL is allowed to do, decided before it runs.

User SPARQL is untrusted. Only the read forms (SELECT, ASK, CONSTRUCT, DESCRIBE) run; SERVICE
(which would make the store fetch another endpoint over the network) and every update form are
refused here, before execution. The check works on tokens, so a keyword inside a string, an
IRI, a prefixed name or a comment is not mistaken for one, and SPARQL's \\u escapes (which the
grammar applies before parsing) are decoded first so they cannot hide a keyword.

The tokens are the grammar's own terminals (SPARQL 1.1, section 19.8), so the check reads the text as
Oxigraph's parser does; and where that parser is more lenient than the grammar (a keyword needs no
space after it, so ``SERVICESILENT`` and ``SERVICE:x`` are SERVICE to it) the check refuses more. It
is not the only guard: the processes that run users' queries cannot open a network connection at all
(``councilkg.query.sandbox``). Nesting and operator counts are capped (MAX_NESTING, MAX_OPERATORS),
because deeper queries overflow the parser's stack and kill the process running it.
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

# The terminals of the SPARQL 1.1 grammar (section 19.8), character for character: the check must cut the
# text into the tokens the engine's parser does, or a keyword hides inside what it takes for a name, a
# string or a comment (``p:.SERVICE`` is ``p:`` ``.`` ``SERVICE``; ``ex:a\#`` is one name, not a comment).
_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
                  "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_ECHAR = r"\\[tbnrf\\\"']"
_EXPONENT = "[eE][+-]?[0-9]+"
_STRINGS = "|".join([
    f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}))*'''",
    f'"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}))*"""',
    f"'(?:[^'\\\\\\n\\r]|{_ECHAR})*'",
    f'"(?:[^"\\\\\\n\\r]|{_ECHAR})*"',
])
#: the whitespace of the grammar, and the byte-order mark, which Oxigraph skips too
WHITESPACE = " \t\r\n\ufeff"
#: what a parameter's name must be: a SPARQL variable name (VARNAME), without its ? or $
VARNAME_RE = re.compile(f"^{_VARNAME}$")

_TOKEN_RE = re.compile(
    "|".join([
        f"(?P<ws>[{WHITESPACE}]+)",
        r"(?P<comment>#[^\n\r]*)",
        f"(?P<string>{_STRINGS})",
        r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
        f"(?P<var>[?$]{_VARNAME})",
        f"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
        f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
        "(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)",
        f"(?P<number>[0-9]+\\.[0-9]*{_EXPONENT}|\\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}|[0-9]*\\.[0-9]+|[0-9]+)",
        "(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
        r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|<<|>>|\{\||\|\}|[{}()\[\];,.*+\-/|!=<>^@~])",
    ])
)
#: nesting deeper than this (braces, brackets and parentheses together) is refused: Oxigraph's parser
#: recurses on it, and 10,000 nested braces overflow its stack and kill the server process
MAX_NESTING = 128
#: more operators than this (UNION, OPTIONAL, MINUS, FILTER, BIND, binary operators, path steps, ...) are
#: refused: 20,000 ``+``, ``&&`` or ``UNION``, or 5,000 ``OPTIONAL``, overflow the same stack
MAX_OPERATORS = 2_000
_OPERATOR_WORDS = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "EXISTS", "VALUES", "IN"}
_OPERATOR_PUNCT = {"&&", "||", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^", "!", ".", ";", ","}
_OPENING, _CLOSING = {"{", "(", "[", "<<", "{|"}, {"}", ")", "]", ">>", "|}"}
#: words that contain SERVICE: Oxigraph matches a keyword without looking at what follows it, so
#: ``SERVICESILENT<…>`` is ``SERVICE SILENT <…>`` to it, and ``SERVICE:x`` may be ``SERVICE :x``
_SERVICE_RE = re.compile("SERVICE", re.IGNORECASE)


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
    if decode_escapes(text) != text:
        raise UnsafeQueryError("the query has an escaped escape (such as \\u005Cu0041): write the character itself")
    if "\x00" in text:
        raise UnsafeQueryError("the query contains a NUL character")
    tokens = tokenize(text)
    for i, t in enumerate(tokens):
        if _names_service(t, tokens[i + 1] if i + 1 < len(tokens) else None):
            raise UnsafeQueryError(
                "SERVICE is not allowed: a federated query would make this server contact another endpoint. "
                "Query this graph only."
            )
    _check_size(tokens)
    form = _form(tokens)
    return QueryInfo(form, text, tuple(tokens))


def _names_service(token: Token, following: Token | None) -> bool:
    """Whether the engine could read SERVICE in this token (see _SERVICE_RE).

    Every word is a keyword or a function name, and none contains SERVICE. A prefixed name whose prefix
    begins with SERVICE is SERVICE and a name to Oxigraph when a group follows it (``SERVICE:x { … }``,
    ``SERVICEsilent:x { … }``); elsewhere (``PREFIX service: <…>``, ``?s service:p ?o``) it is a name.
    """
    if token.kind in ("word", "langtag", "bnode"):
        return bool(_SERVICE_RE.search(token.text))
    if token.kind == "pname":
        return bool(_SERVICE_RE.match(token.text)) and following is not None and following.text == "{"
    return False


def _check_size(tokens: list[Token]) -> None:
    """Refuse nesting deeper than MAX_NESTING and more than MAX_OPERATORS operators (they overflow the parser's stack)."""
    depth = deepest = operators = 0
    for t in tokens:
        if t.kind == "punct":
            if t.text in _OPENING:
                depth += 1
                deepest = max(deepest, depth)
            elif t.text in _CLOSING:
                depth -= 1
            elif t.text in _OPERATOR_PUNCT:
                operators += 1
        elif t.kind == "word" and t.text.upper() in _OPERATOR_WORDS:
            operators += 1
        if deepest > MAX_NESTING:
            raise UnsafeQueryError(f"the query nests brackets and braces more than {MAX_NESTING} deep: "
                                   "no query needs that many, and the engine's parser cannot take them")
    if operators > MAX_OPERATORS:
        raise UnsafeQueryError(f"the query has more than {MAX_OPERATORS:,} operators (UNION, OPTIONAL, FILTER, "
                               "+, &&, path steps, ...): split it, or give long lists of values in a VALUES block")


def check_variable_name(name: str) -> str:
    """The name if it is a SPARQL variable name (VARNAME, without ? or $); UnsafeQueryError otherwise.

    Parameter names go into the text of the query (``VALUES (?name) { ... }``), so anything else could
    change what the query does.
    """
    if not isinstance(name, str) or not VARNAME_RE.match(name):
        raise UnsafeQueryError(f"{name!r} is not a SPARQL variable name: a parameter's name is letters, digits and "
                               "underscores (for example council or as_at), without ? or $")
    return name


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


def inject_values(info: QueryInfo, bindings: dict[str, str], *, separate: bool = False) -> str:
    """Bind variables to RDF terms with inline VALUES blocks (see _inject_values); ``separate``: one block per
    variable rather than one block of them all."""
    if not bindings:
        return info.text
    for name in bindings:
        check_variable_name(name)
    items = tuple(bindings.items())
    if decode_escapes(info.text) == info.text:  # re-analysing the text gives the same tokens: cacheable
        return _inject_cached(info.text, items, separate)
    return _inject_values(info, items, separate)


@lru_cache(maxsize=256)
def _inject_cached(text: str, items: tuple[tuple[str, str], ...], separate: bool) -> str:
    return _inject_values(analyse(text), items, separate)


def _inject_values(info: QueryInfo, items: tuple[tuple[str, str], ...], separate: bool = False) -> str:
    """Bind variables to RDF terms with inline VALUES blocks.

    ``bindings`` maps variable names (without ?) to terms already serialised in N-Triples
    syntax (never user text). VALUES blocks are placed at the start of the query's WHERE
    group and of every group inside it that uses one of the variables (UNION branches,
    OPTIONALs, EXISTS patterns, subqueries): the variable then means the given term everywhere
    (inside a subquery that does not project it too, where pyoxigraph's ``substitutions`` leave it
    free), and each group is evaluated with it already bound. This works on any SPARQL 1.1 endpoint.
    The WHERE group itself goes without a block for a variable that the subquery opening it projects
    (``_bound_by_leading_subquery``).

    The variables a group uses share one block (``VALUES (?council ?date) { (<…> "…") }``), or with
    ``separate`` each has a block of its own (``VALUES ?council { <…> } VALUES ?date { "…" }``): the same
    solutions to SPARQL. Endpoints are sent separate blocks, as Virtuoso 7.2 loses rows under a block of
    several variables in a nested group (leaders_at_date and role_network given a council and a date); the
    embedded store the shared one, which Oxigraph answers faster (leaders_at_date on the real store: about
    10% less CPU time).
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
            used = set(bindings) - _bound_by_leading_subquery(tokens, spans, open_index)
        if not used:
            continue
        names = [name for name in bindings if name in used]
        if separate:
            block = " ".join(f"VALUES ?{name} {{ {bindings[name]} }}" for name in names)
        else:
            block = f"VALUES ({' '.join(f'?{name}' for name in names)}) {{ ({' '.join(bindings[name] for name in names)}) }}"
        inserts.append((tokens[open_index].end, f" {block} "))
    text = info.text
    for position, block in sorted(inserts, reverse=True):
        text = text[:position] + block + text[position:]
    return text


def _bound_by_leading_subquery(tokens: tuple[Token, ...], spans: list[tuple[int, int]], where_index: int) -> set[str]:
    """The variables that the subquery opening the WHERE group projects as they are (``?council``, not
    ``(… AS ?council)``); for a UNION of subqueries there, those every branch projects.

    Each such subquery gets its own VALUES block for them, so every solution of the WHERE group already
    has them bound to the values: a second block around it is redundant, and costs Oxigraph a join of
    the block with the subquery's rows (board_members' example: 0.5 ms of 3).
    """
    closes = dict(spans)
    bound: set[str] | None = None
    brace = where_index + 1
    while brace < len(tokens) and tokens[brace].text == "{" and _opens_subquery(tokens, brace):
        projected = _projected_as_is(tokens, brace + 1)
        bound = projected if bound is None else bound & projected
        after = closes[brace] + 1
        if not (after < len(tokens) and tokens[after].kind == "word" and tokens[after].text.upper() == "UNION"):
            return bound
        brace = after + 1
    return set()  # nothing, or a UNION with a branch that is not a subquery


def _projected_as_is(tokens: tuple[Token, ...], select_index: int) -> set[str]:
    """The variables a SELECT clause names on their own; none for ``SELECT *``, whose projection depends
    on its pattern."""
    projected: set[str] = set()
    depth = 0
    for t in tokens[select_index + 1 :]:
        if depth == 0 and (t.text == "{" or (t.kind == "word" and t.text.upper() in {"WHERE", "FROM"})):
            break
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif depth == 0 and t.text == "*":
            return set()
        elif depth == 0 and t.kind == "var":
            projected.add(t.text[1:])
    return projected


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
