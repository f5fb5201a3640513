"""The fast engine's own implementations of the SHACL-SPARQL constraint components declared in
``shapes/components.ttl``.

Each does what its SPARQL validator does (pySHACL runs the SPARQL; the contract tests require
the same results from both), keyed by the component's IRI. A component is either judged on the
value node's term alone (ORCID, ISSN) or on the focus node's triples (DOI agreement, chains).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..graph_index import TripleIndex
from ..terms import Term, literal_parts, text_of

LDP = "https://ld-publish.example/ns#"
_PRISM_DOI = "http://prismstandard.org/namespaces/basic/2.0/doi"
_HAS_IDENTIFIER = "http://purl.org/spar/datacite/hasIdentifier"
_USES_SCHEME = "http://purl.org/spar/datacite/usesIdentifierScheme"
_DATACITE_DOI = "<http://purl.org/spar/datacite/doi>"
_LITERAL_VALUE = "http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue"
_SCHEMA_IDENTIFIER = "http://schema.org/identifier"
_PROPERTY_ID = "http://schema.org/propertyID"
_SCHEMA_VALUE = "http://schema.org/value"
_DOI_LABEL = '"DOI"'
_CONTEXT_FOR = "http://purl.org/spar/pro/isDocumentContextFor"
_HAS_NEXT = "https://w3id.org/oc/ontology/hasNext"
_WITH_ROLE = "http://purl.org/spar/pro/withRole"

_ORCID = re.compile(r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
_ISSN = re.compile(r"^[0-9]{4}-[0-9]{3}[0-9X]$")
# What the SPARQL's REPLACE chain encodes, in its order ("%" first).
_DOI_ENCODING = (("%", "%25"), ("<", "%3C"), (">", "%3E"), ('"', "%22"), ("{", "%7B"),
                 ("}", "%7D"), ("|", "%7C"), ("\\", "%5C"), ("^", "%5E"), ("`", "%60"),
                 ("[", "%5B"), ("]", "%5D"), ("#", "%23"), ("?", "%3F"))
# Then its dot segments, on the whole IRI, with the SPARQL's regular expressions: each runs
# twice, as REPLACE (no lookaround) needs to reach adjacent segments.
_DOT_SEGMENT_STEPS = tuple((re.compile(pattern), escape) for pattern, escape in (
    (r"/\.\./", "/%2E%2E/"), (r"/\.\./", "/%2E%2E/"), (r"/\.\.$", "/%2E%2E"),
    (r"/\./", "/%2E/"), (r"/\./", "/%2E/"), (r"/\.$", "/%2E")))


def _mod11(total: int) -> int:
    # The SPARQL computes x - 11 * FLOOR(x / 11); for integers that is Python's modulo.
    return total - 11 * math.floor(total / 11)


def orcid_ok(value: Term) -> bool:
    """ORCID iD or https://orcid.org/ IRI with the right ISO 7064 MOD 11-2 check character."""
    if value[0] == "_":
        return False
    return _orcid_digits_ok(text_of(value).removeprefix("https://orcid.org/"))


def issn_ok(value: Term) -> bool:
    """An ISSN literal NNNN-NNNC with the right check character."""
    if value[0] != '"':
        return False
    text = text_of(value)
    if not _ISSN.match(text):
        return False
    digits = text[0:4] + text[5:8]
    total = sum(weight * int(d) for weight, d in zip(range(8, 1, -1), digits, strict=True))
    check = _mod11(11 - _mod11(total))
    return text[8] == ("X" if check == 10 else str(check))


def _dois(index: TripleIndex, node: Term) -> list[Term]:
    found = list(index.objects(node, _PRISM_DOI))
    for ident in index.objects(node, _HAS_IDENTIFIER):
        if _DATACITE_DOI in index.objects(ident, _USES_SCHEME):
            found.extend(index.objects(ident, _LITERAL_VALUE))
    for ident in index.objects(node, _SCHEMA_IDENTIFIER):
        if _DOI_LABEL in index.objects(ident, _PROPERTY_ID):
            found.extend(index.objects(ident, _SCHEMA_VALUE))
    return found


def doi_agreement(index: TripleIndex, node: Term) -> bool:
    """prism:doi, DOI identifier values and the DOI IRI name one DOI (ignoring case)."""
    if node[0] == '"':
        return True  # the SPARQL's patterns match nothing with a literal subject
    values = [text_of(v).lower() for v in _dois(index, node)]
    if len(set(values)) > 1:
        return False
    iri = text_of(node)
    if not values or not iri.startswith("https://doi.org/"):
        return True
    encoded = values[0]
    for char, escape in _DOI_ENCODING:
        encoded = encoded.replace(char, escape)
    expected = "https://doi.org/" + encoded
    if "/." in expected:
        for pattern, escape in _DOT_SEGMENT_STEPS:
            expected = pattern.sub(escape, expected)
    return iri.lower() == expected.lower()


def contributor_order(index: TripleIndex, node: Term) -> bool:
    """One first role per kind among ``node``'s roles, and no role reaches itself through
    oco:hasNext (a depth-first search that visits each role once: bylines of 5,000 authors)."""
    roles = index.objects(node, _CONTEXT_FOR)
    firsts: set[Term] = set()
    for role in roles:
        if not index.subjects(role, _HAS_NEXT):
            for kind in index.objects(role, _WITH_ROLE):
                if kind in firsts:
                    return False
                firsts.add(kind)
    done: set[Term] = set()
    for start in roles:
        if start in done:
            continue
        # Iterative DFS; a node on the current path reached again closes a circle.
        on_path: set[Term] = {start}
        stack: list[tuple[Term, Iterator[Term]]] = [(start, iter(index.objects(start, _HAS_NEXT)))]
        while stack:
            current, following = stack[-1]
            step = next(following, None)
            if step is None:
                stack.pop()
                on_path.discard(current)
                done.add(current)
            elif step in on_path:
                return False
            elif step not in done:
                on_path.add(step)
                stack.append((step, iter(index.objects(step, _HAS_NEXT))))
    return True


_DOI = re.compile(r"^10\.[0-9]{4,9}(\.[0-9]+)*/\S+$")
_DATACITE = "http://purl.org/spar/datacite/"


_ORCID_WEIGHTS = tuple(2 ** (16 - i) for i in range(1, 16))


@lru_cache(maxsize=1024)
def _orcid_digits_ok(ident: str) -> bool:
    if not _ORCID.match(ident):
        return False
    digits = ident[0:4] + ident[5:9] + ident[10:14] + ident[15:18]
    total = sum(w * int(d) for w, d in zip(_ORCID_WEIGHTS, digits, strict=True))
    check = _mod11(12 - _mod11(total))
    return ident[18] == ("X" if check == 10 else str(check))


def identifier_value(index: TripleIndex, node: Term) -> bool:
    """The identifier node's value is one of its scheme (DOI, ORCID iD, ISSN; others pass)."""
    pairs: list[tuple[str, str]] = []
    for scheme in index.objects(node, _USES_SCHEME):
        name = text_of(scheme)
        local = name[len(_DATACITE):] if name.startswith(_DATACITE) else ""
        pairs += [(local, text_of(v)) for v in index.objects(node, _LITERAL_VALUE)]
    for label in index.objects(node, _PROPERTY_ID):
        pairs += [(text_of(label).lower(), text_of(v)) for v in index.objects(node, _SCHEMA_VALUE)]
    for scheme, value in pairs:
        if scheme == "doi" and not _DOI.match(value):
            return False
        if scheme == "orcid" and not _orcid_digits_ok(value):
            return False
        if scheme in ("issn", "eissn") and not issn_ok(f'"{value}"'):
            return False
    return True


_CODE = re.compile(r'"([a-z]{2,3})"')


def known_language(query: str) -> Callable[[Term], bool]:
    """The language test, with the codes its SPARQL lists (read from the shapes graph, so the
    list has one home)."""
    codes = frozenset(_CODE.findall(query.split(" IN (", 1)[1]))

    def ok(value: Term) -> bool:
        if value[0] != '"':
            return False
        language = literal_parts(value)[1]
        return language is None or language.split("-", 1)[0].lower() in codes
    return ok


def chronology(parameters: Mapping[str, Term]) -> GraphTest:
    """No ``earlier`` value after a ``later`` one, comparing ISO dates as text to the second."""
    earlier = parameters[LDP + "earlier"][1:-1]
    later = parameters[LDP + "later"][1:-1]

    def ok(index: TripleIndex, node: Term) -> bool:
        firsts = [text_of(v)[:19] for v in index.objects(node, earlier)]
        seconds = [text_of(v)[:19] for v in index.objects(node, later)]
        return not any(a > b for a in firsts for b in seconds)
    return ok


GraphTest = Callable[[TripleIndex, Term], bool]


@dataclass(frozen=True, slots=True)
class Native:
    """One component's implementation: a test of the value node's term (``term_test``, or
    ``from_query`` making one from the validator's SPARQL), or of the value node in the record's
    triples (``graph_test``, or ``with_parameters`` making one from the shape's parameter
    values, IRIs in N-Triples form keyed by parameter IRI)."""

    term_test: Callable[[Term], bool] | None = None
    graph_test: GraphTest | None = None
    from_query: Callable[[str], Callable[[Term], bool]] | None = None
    with_parameters: Callable[[Mapping[str, Term]], GraphTest] | None = None


#: component IRI -> implementation
NATIVE: dict[str, Native] = {
    LDP + "OrcidConstraintComponent": Native(term_test=orcid_ok),
    LDP + "IssnConstraintComponent": Native(term_test=issn_ok),
    LDP + "DoiAgreementConstraintComponent": Native(graph_test=doi_agreement),
    LDP + "ContributorOrderConstraintComponent": Native(graph_test=contributor_order),
    LDP + "LanguageConstraintComponent": Native(from_query=known_language),
    LDP + "IdentifierValueConstraintComponent": Native(graph_test=identifier_value),
    LDP + "ChronologyConstraintComponent": Native(with_parameters=chronology),
}
