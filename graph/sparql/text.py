"""SPARQL as text: one tokeniser for every reader of a query, and binding values into it without pasting text.

``tokenize`` splits a query as SPARQL's grammar does (strings, IRIs, variables, prefixed names, keywords and
symbols; comments dropped), so that a keyword inside a string, an IRI or a prefixed name is never taken for one.
The read-only guard (``sparql/guard.py``) and the functions below read queries through it.

Values always go in as serialised RDF terms (``sparql_term``: pyoxigraph's escaped N-Triples syntax), so a value can
never become syntax. Two ways: ``bind_values`` adds a ``VALUES`` block (what a SPARQL server is sent), and
``inline_terms`` writes each term where its variable stood (what the embedded store is given: Oxigraph plans a
constant far better than a pre-bound variable).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import QueryError
from ..model.vocabulary import PREFIXES

if TYPE_CHECKING:
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple, Variable

    #: an RDF term, as pyoxigraph has them
    Term = NamedNode | BlankNode | Literal | Triple
    #: values bound to a query's variables, as pyoxigraph's ``substitutions`` take them
    Substitutions = Mapping[Variable, Term]

_TOKEN_PATTERN = r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<variable>[?$]\w+)
  | (?P<blank>_:[\w.-]*)
  | (?P<language>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z\u00c0-\U000effff][\w.-]*)?:(?:[\w:%.-]|\\.)*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>\S)
    """
_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    """One significant piece of a query: its kind, its text and where it starts (an offset into the query).

    Kinds: ``string``, ``iri``, ``variable`` (``?x``/``$x``), ``blank`` (``_:b``), ``language`` (``@en``),
    ``pname`` (a prefixed name, ``cp:Plan``, or a prefix, ``cp:``), ``word`` (a keyword or function name) and
    ``other`` (one symbol or digit).
    """

    kind: str
    text: str
    start: int


@functools.cache
def _token_regex() -> re.Pattern[str]:
    # Compiled on first use: it is the costliest part of importing this module.
    return re.compile(_TOKEN_PATTERN, re.VERBOSE | re.DOTALL)


def tokenize(query: str) -> list[Token]:
    """Return the significant tokens of a query (comments and white space left out).

    >>> [(token.kind, token.text) for token in tokenize('SELECT ?s WHERE { ?s cp:status "a # b" } # done')]
    [('word', 'SELECT'), ('variable', '?s'), ('word', 'WHERE'), ('other', '{'), ('variable', '?s'), ('pname', 'cp:status'), ('string', '"a # b"'), ('other', '}')]
    """
    return [
        Token(match.lastgroup or "other", match.group(), match.start())
        for match in _token_regex().finditer(query)
        if match.lastgroup != "comment"
    ]


# the keywords as a word of their own (not a variable's or a prefixed name's part): else no need to tokenise
_GRAPH_OR_FROM = re.compile(r"(?<![?$\w:])(?:graph|from)(?![\w:])", re.IGNORECASE)


def names_graphs(query: str) -> bool:
    """Whether a query looks inside named graphs or chooses its dataset (``GRAPH``, ``FROM``, ``FROM NAMED``).

    >>> names_graphs("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"), names_graphs('SELECT ?graph { ?s cp:graph "GRAPH" }')
    (True, False)
    """
    if not _GRAPH_OR_FROM.search(query):  # most queries (``?from`` is a variable, ``cp:graph`` a name): no tokens
        return False
    return any(token.kind == "word" and token.text.upper() in ("GRAPH", "FROM") for token in tokenize(query))


def decode_escapes(query: str) -> str:
    """Return the query with its ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes decoded everywhere, as SPARQL 1.1 (19.2)
    decodes them before the grammar applies. An escape of no character is left as written.

    >>> decode_escapes(r"SELECT * WHERE { ?s ?p <x:a\u0041#> }")
    'SELECT * WHERE { ?s ?p <x:aA#> }'
    """

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return _CODEPOINT.sub(character, query)


def declared_prefixes(query: str) -> set[str]:
    """Return the prefixes a query declares itself.

    >>> sorted(declared_prefixes("PREFIX ex: <http://example.org/> prefix cp: <x:> SELECT * {}"))
    ['cp', 'ex']
    """
    tokens = tokenize(query)
    return {
        tokens[index + 1].text[:-1]
        for index, token in enumerate(tokens[:-1])
        if token.kind == "word"
        and token.text.upper() == "PREFIX"
        and tokens[index + 1].kind == "pname"
        and tokens[index + 1].text.endswith(":")
    }


def with_prefixes(query: str) -> str:
    """Declare the crossplan prefixes the query does not declare itself, all on its first line."""
    declared = declared_prefixes(query)
    prologue = "".join(f"PREFIX {name}: <{namespace}> " for name, namespace in PREFIXES.items() if name not in declared)
    return prologue + query


def sparql_term(term: object) -> str:
    """Serialise a pyoxigraph IRI or literal as SPARQL syntax (escaped, so a value can never become syntax).

    >>> from pyoxigraph import Literal
    >>> sparql_term(Literal('say "hi" } DROP ALL #'))
    '"say \\\\"hi\\\\" } DROP ALL #"'
    """
    kind = type(term).__name__
    if kind not in ("NamedNode", "Literal"):
        raise QueryError(f"cannot send a {kind} to a SPARQL server as a parameter value")
    return str(term)  # pyoxigraph writes N-Triples syntax: quotes, backslashes and line breaks escaped


def bind_values(query: str, substitutions: Substitutions | None) -> str:
    """Return the query with a ``VALUES`` block binding the substitutions at the start of its WHERE group.

    >>> from pyoxigraph import Literal, Variable
    >>> bind_values('SELECT ?x WHERE { ?x ?p ?id FILTER(?id != "{") }', {Variable("id"): Literal("a")})
    'SELECT ?x WHERE { VALUES (?id) { ("a") } ?x ?p ?id FILTER(?id != "{") }'
    >>> bind_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {Variable("s"): Literal("a")})
    'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { ("a") } ?s ?p ?o }'
    >>> bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {Variable("s"): Literal("a")})
    'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { ("a") } ?s ?p ?o }'
    """
    if not substitutions:
        return query
    names = " ".join(f"?{_variable_name(variable)}" for variable in substitutions)
    values = " ".join(sparql_term(term) for term in substitutions.values())
    block = f" VALUES ({names}) {{ ({values}) }}"
    tokens = tokenize(query)
    opening, closing, short_form = _where_group(tokens)
    if short_form:
        # CONSTRUCT WHERE { T } allows only triples in T: spell it out as CONSTRUCT { T } WHERE { VALUES … T }
        where = (
            query.rindex("WHERE", 0, opening)
            if "WHERE" in query[:opening]
            else query.lower().rindex("where", 0, opening)
        )
        template = query[opening : closing + 1]
        return query[:where] + template + " WHERE {" + block + query[opening + 1 :]
    first = next((token for token in tokens if token.start > opening), None)  # what the WHERE group starts with
    if first and first.kind == "word" and first.text.upper() == "SELECT":
        # a sub-select cannot follow VALUES in the same group: wrap it in a group of its own
        return query[: opening + 1] + block + " {" + query[opening + 1 : closing] + "} " + query[closing:]
    return query[: opening + 1] + block + query[opening + 1 :]


def _variable_name(variable: object) -> str:
    value = getattr(variable, "value", None)
    name = value if isinstance(value, str) else str(variable).lstrip("?$")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise QueryError(f"'{name}' is not a variable name")
    return name


def _where_group(tokens: list[Token]) -> tuple[int, int, bool]:
    """Return the offsets of the braces around the query's WHERE group, and whether it is CONSTRUCT WHERE's."""
    form = next(
        (index for index, token in enumerate(tokens) if token.kind == "word" and token.text.upper() in _FORMS), None
    )
    if form is None:
        raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    construct = tokens[form].text.upper() == "CONSTRUCT"
    skip_template = construct and len(tokens) > form + 1 and tokens[form + 1].text == "{"
    short_form = construct and not skip_template
    depth = parens = 0
    opening = None
    for token in tokens[form + 1 :]:
        if token.kind != "other":
            continue
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.text == "{":
            if depth == 0 and parens == 0 and opening is None:
                if skip_template:
                    skip_template = False  # the template's group: the next top-level group is WHERE's
                    depth += 1
                    continue
                opening = token.start
            depth += 1
        elif token.text == "}":
            depth -= 1
            if depth == 0 and opening is not None:
                return opening, token.start, short_form
    raise QueryError("cannot find the WHERE group of the query")


def inline_terms(query: str, substitutions: Substitutions | None) -> str:
    """Return the query with each substituted variable replaced by its term, serialised as SPARQL.

    Oxigraph (0.5) chooses its join order before it applies ``substitutions``, so a pre-bound variable is
    planned as if it were free: a question about one plan scanned every link of a million-triple store (580 ms)
    where the same query with the plan's IRI written in took 5 ms. Written-in terms are escaped RDF terms
    (``sparql_term``), so a value still cannot become syntax.

    Inside the WHERE group the variable becomes the term; in a SELECT's projection it becomes ``(term AS ?v)``,
    so the result keeps its column. A bound variable anywhere else (``AS ?v``, ORDER BY, GROUP BY, a template)
    cannot be a constant: that raises QueryError, and ``bind_values`` is the way for such a query.

    >>> from pyoxigraph import Literal, NamedNode, Variable
    >>> inline_terms('SELECT ?n ?id WHERE { ?n <x:id> ?id FILTER(?id != "?id") }', {Variable("id"): Literal("a")})
    'SELECT ?n ("a" AS ?id) WHERE { ?n <x:id> "a" FILTER("a" != "?id") }'
    >>> inline_terms("SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o }", {Variable("o"): NamedNode("x:o")})
    'SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p <x:o> }'
    >>> inline_terms("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o", {Variable("o"): NamedNode("x:o")})
    Traceback (most recent call last):
    crossplan.graph.errors.QueryError: ?o is bound but also stands where a term cannot (at offset 38): bind it with VALUES
    """
    if not substitutions:
        return query
    terms = {_variable_name(variable): sparql_term(term) for variable, term in substitutions.items()}
    tokens = tokenize(query)
    opening, closing, short_form = _where_group(tokens)
    form = next(token.text.upper() for token in tokens if token.kind == "word" and token.text.upper() in _FORMS)
    pieces: list[str] = []
    done = depth = 0
    for index, token in enumerate(tokens):
        if token.start < opening and token.kind == "other":
            depth += {"(": 1, ")": -1}.get(token.text, 0)
        name = token.text[1:]
        if token.kind != "variable" or name not in terms:
            continue
        previous = tokens[index - 1] if index else None
        after_as = previous is not None and previous.kind == "word" and previous.text.upper() == "AS"
        if opening < token.start < closing and not after_as and not short_form:
            replacement = terms[name]
        elif token.start < opening and form == "SELECT" and not after_as:
            replacement = terms[name] if depth else f"({terms[name]} AS ?{name})"
        else:
            raise QueryError(
                f"?{name} is bound but also stands where a term cannot (at offset {token.start}): bind it with VALUES"
            )
        pieces += [query[done : token.start], replacement]
        done = token.start + len(token.text)
    return "".join(pieces) + query[done:]
