"""SPARQL as text: finding a query's parts, and binding values into it without pasting text.

Values always go in as serialised RDF terms (``sparql_term``: pyoxigraph's escaped N-Triples syntax), so a value can
never become syntax. Two ways: ``bind_values`` adds a ``VALUES`` block (what a SPARQL server is sent), and
``inline_terms`` writes each term where its variable stood (what the embedded store is given: Oxigraph plans a
constant far better than a pre-bound variable).
"""

from __future__ import annotations

import re

from ..errors import QueryError
from ..model.vocabulary import PREFIXES

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*:?)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decode_escapes(query: str) -> str:
    """Return the query with its ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes decoded everywhere, as SPARQL 1.1 (19.2)
    decodes them before the grammar applies. An escape of no character is left as written.

    >>> decode_escapes(r"SELECT * WHERE { ?s ?p <x:a\u0041#> }")
    'SELECT * WHERE { ?s ?p <x:aA#> }'
    """

    def character(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return _CODEPOINT.sub(character, query)


def _significant(query: str) -> list[tuple[str, str, int]]:
    tokens = []
    previous = ""
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind in ("comment", "space"):
            continue
        text = match.group()
        if kind == "word" and previous == ":":  # the local part of a prefixed name, not a keyword
            kind = "name"
        tokens.append((kind, text, match.start()))
        previous = text if kind == "other" else (":" if text.endswith(":") else "")
    return tokens


def declared_prefixes(query: str) -> set[str]:
    """Return the prefixes a query declares itself.

    >>> sorted(declared_prefixes("PREFIX ex: <http://example.org/> prefix cp: <x:> SELECT * {}"))
    ['cp', 'ex']
    """
    tokens = _significant(query)
    return {
        tokens[index + 1][1][:-1]
        for index, token in enumerate(tokens[:-1])
        if token[0] == "word" and token[1].upper() == "PREFIX" and tokens[index + 1][1].endswith(":")
    }


def with_prefixes(query: str) -> str:
    """Declare the crossplan prefixes the query does not declare itself, all on its first line."""
    declared = declared_prefixes(query)
    prologue = "".join(f"PREFIX {name}: <{namespace}> " for name, namespace in PREFIXES.items() if name not in declared)
    return prologue + query


def sparql_term(term) -> str:
    """Serialise a pyoxigraph IRI or literal as SPARQL syntax (escaped, so a value can never become syntax).

    >>> from pyoxigraph import Literal
    >>> sparql_term(Literal('say "hi" } DROP ALL #'))
    '"say \\\\"hi\\\\" } DROP ALL #"'
    """
    kind = type(term).__name__
    if kind not in ("NamedNode", "Literal"):
        raise QueryError(f"cannot send a {kind} to a SPARQL server as a parameter value")
    return str(term)  # pyoxigraph writes N-Triples syntax: quotes, backslashes and line breaks escaped


def bind_values(query: str, substitutions: dict | None) -> str:
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
    tokens = _significant(query)
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
    first = next((token for token in tokens if token[2] > opening), None)  # what the WHERE group starts with
    if first and first[0] == "word" and first[1].upper() == "SELECT":
        # a sub-select cannot follow VALUES in the same group: wrap it in a group of its own
        return query[: opening + 1] + block + " {" + query[opening + 1 : closing] + "} " + query[closing:]
    return query[: opening + 1] + block + query[opening + 1 :]


def _variable_name(variable) -> str:
    name = variable.value if hasattr(variable, "value") else str(variable).lstrip("?$")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise QueryError(f"'{name}' is not a variable name")
    return name


def _where_group(tokens: list[tuple[str, str, int]]) -> tuple[int, int, bool]:
    """Return the offsets of the braces around the query's WHERE group, and whether it is CONSTRUCT WHERE's."""
    form = next(
        (index for index, (kind, text, _) in enumerate(tokens) if kind == "word" and text.upper() in _FORMS), None
    )
    if form is None:
        raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    construct = tokens[form][1].upper() == "CONSTRUCT"
    skip_template = construct and len(tokens) > form + 1 and tokens[form + 1][1] == "{"
    short_form = construct and not skip_template
    depth = parens = 0
    opening = None
    for kind, text, start in tokens[form + 1 :]:
        if kind != "other":
            continue
        if text == "(":
            parens += 1
        elif text == ")":
            parens -= 1
        elif text == "{":
            if depth == 0 and parens == 0 and opening is None:
                if skip_template:
                    skip_template = None  # the template's group: the next top-level group is WHERE's
                    depth += 1
                    continue
                opening = start
            depth += 1
        elif text == "}":
            depth -= 1
            if depth == 0 and opening is not None:
                return opening, start, short_form
    raise QueryError("cannot find the WHERE group of the query")


def inline_terms(query: str, substitutions: dict | None) -> str:
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
    tokens = _significant(query)
    opening, closing, short_form = _where_group(tokens)
    form = next(text.upper() for kind, text, _ in tokens if kind == "word" and text.upper() in _FORMS)
    pieces, done, depth = [], 0, 0
    for index, (kind, text, start) in enumerate(tokens):
        if start < opening and kind == "other":
            depth += {"(": 1, ")": -1}.get(text, 0)
        if kind != "other" or text not in "?$" or index + 1 == len(tokens):
            continue
        name_kind, name, name_start = tokens[index + 1]
        if name_kind != "word" or name_start != start + 1 or name not in terms:
            continue
        after_as = index > 0 and tokens[index - 1][0] == "word" and tokens[index - 1][1].upper() == "AS"
        if opening < start < closing and not after_as and not short_form:
            replacement = terms[name]
        elif start < opening and form == "SELECT" and not after_as:
            replacement = terms[name] if depth else f"({terms[name]} AS ?{name})"
        else:
            raise QueryError(
                f"?{name} is bound but also stands where a term cannot (at offset {start}): bind it with VALUES"
            )
        pieces += [query[done:start], replacement]
        done = start + 1 + len(name)
    return "".join(pieces) + query[done:]
