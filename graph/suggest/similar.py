"""Suggest links between the items of two plans, each with the evidence a person needs to accept or reject it.

The ranking reads the built store (a few SPARQL queries) and compares plan items — recommendations, actions and
workstreams, each with everything under it (a recommendation's actions and updates, a workstream's
recommendations) — by four general signals, each between 0 and 1:

- ``text``: the TF-IDF cosine of the two items' texts, on lower-cased, lightly stemmed words and pairs of
  neighbouring words, each weighted by how rare it is among all the texts of all plans of the data (an item's
  own text counts twice);
- ``sentence``: the TF-IDF cosine of the best-matching pair of sentences (they become the link's quotes);
- ``entities``: the weighted overlap of the organisations, documents and programmes the two items name, are
  addressed to, are owned by or link to (organisations count with the bodies they are part of); an entity
  weighs ``log((N + 1) / (n + 1))`` where ``n`` of the ``N`` recommendations of the data are connected to it;
- ``phrases``: the cosine of the distinctive phrases (two to five words, used by at least two and at most a
  tenth of all texts, weighted by rarity) that the items use.

The score is their weighted sum (``WEIGHTS``). Everything is plain Python: the data sets are a few hundred short
texts, and a numerical library would take longer to import than the ranking takes to run.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..errors import UnknownIdError
from ..model.nodes import NodeType, Relation
from ..questions.show import plan_titles

WEIGHTS = {"text": 0.6, "sentence": 0.1, "entities": 0.15, "phrases": 0.15}
"""How much each signal counts in a candidate's score (they sum to 1)."""

ITEM_TYPES = (NodeType.RECOMMENDATION, NodeType.ACTION, NodeType.WORKSTREAM)
"""The kinds of plan item that links are suggested between."""

DUPLICATE_RATIO = 0.85
"""Own texts at least this similar (difflib ratio, case-insensitive) are proposed as duplicate-of."""

METHOD = "crossplan suggest: TF-IDF of item texts, shared entities and distinctive phrases"
"""What an accepted suggestion records as its ``method``."""

_PHRASE_SHARE = 0.1  # a phrase is distinctive when at most this share of all texts use it (and at least 2 do)
_SHORTEST_SENTENCE = 3  # sentences of fewer distinct words (after stop words) are never matched
_SPECIFIC_SHARE = 0.9  # a recommendation scoring this share of its workstream's score is preferred to it
_OWN_TEXT_WEIGHT = 2  # an item's own text counts twice as much as each text under it

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just may me might more most must my no nor not now of
    off on once only or other our ours out over own same shall she should so some such than that the their theirs
    them then there these they this those through to too under until up upon very via was we were what when where
    which while who whom why will with within would you your yours whilst whether etc""".split()
)

_URL = re.compile(r"(?:https?://|www\.)\S+")  # addresses are not words
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“‘\"'(•])|\s+•\s+|\s*;\s+(?=[a-z])")
_LONG_SENTENCE = 320
_FEED_CUE = re.compile(r"\b(?:feeds?|feeding) into\b|\binform(?:s|ing)?\b|\bcontribut(?:e|es|ing) to\b", re.IGNORECASE)

_ITEMS = """SELECT ?id ?type ?plan ?label ?text ?title ?parent ?workstream ?position WHERE {
  ?n cp:inPlan ?p ; a ?type ; dcterms:identifier ?id ; rdfs:label ?label .
  ?p dcterms:identifier ?plan .
  OPTIONAL { ?n cp:text ?text }
  OPTIONAL { ?n dcterms:title ?title }
  OPTIONAL { ?up cp:hasAction|cp:hasUpdate ?n . ?up dcterms:identifier ?parent }
  OPTIONAL { ?n cp:inWorkstream ?w . ?w dcterms:identifier ?workstream }
  OPTIONAL { ?n cp:position ?position }
}"""
_ITEM_ORGANISATIONS = """SELECT ?id ?organisation WHERE {
  ?n cp:inPlan ?p ; dcterms:identifier ?id .
  { ?n cp:addressedTo ?o } UNION { ?n cp:ownedBy ?o }
  ?o dcterms:identifier ?organisation
}"""
_ENTITIES = """SELECT ?id ?type ?label ?alternative ?parent WHERE {
  VALUES ?type { cp:Organisation cp:Document cp:Programme }
  ?e a ?type ; dcterms:identifier ?id ; rdfs:label ?label .
  OPTIONAL { ?e skos:altLabel ?alternative }
  OPTIONAL { ?e org:subOrganizationOf|dcterms:isPartOf ?up . ?up dcterms:identifier ?parent }
}"""
_LINKS = """SELECT ?from ?to ?relation WHERE {
  ?l a cp:Link ; cp:from ?f ; cp:to ?t ; cp:relation ?relation .
  ?f dcterms:identifier ?from . ?t dcterms:identifier ?to
}"""


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class SharedEntity:
    """An organisation, document or programme both items are connected to."""

    id: str
    type: str
    label: str

    def to_json(self) -> dict:
        return {"id": self.id, "type": self.type, "label": self.label}


@dataclass
class Evidence:
    """Why two items may be linked: what they share and the best-matching sentence of each."""

    shared_terms: list[str]
    shared_phrases: list[str]
    shared_entities: list[SharedEntity]
    from_sentence: str
    to_sentence: str
    from_sentence_item: str
    to_sentence_item: str
    signals: dict[str, float]

    def to_json(self) -> dict:
        return {
            "shared_terms": self.shared_terms,
            "shared_phrases": self.shared_phrases,
            "shared_entities": [entity.to_json() for entity in self.shared_entities],
            "from_sentence": self.from_sentence,
            "to_sentence": self.to_sentence,
            "from_sentence_item": self.from_sentence_item,
            "to_sentence_item": self.to_sentence_item,
            "signals": {name: round(value, 3) for name, value in self.signals.items()},
        }


@dataclass
class Suggestion:
    """A candidate link from an item of one plan to an item of another, with its score and evidence."""

    source_id: str
    target_id: str
    score: float
    relation: Relation
    evidence: Evidence | None
    source_label: str = ""
    target_label: str = ""
    source_type: str = ""
    target_type: str = ""
    existing: list[str] = field(default_factory=list)  # relations of links already in the data between the two
    number: int = 0
    _match: tuple = field(default=(), repr=False, compare=False)

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "from": self.source_id,
            "to": self.target_id,
            "score": round(self.score, 3),
            "relation": self.relation.value,
            "existing": bool(self.existing),
            "existing_relations": self.existing,
            "from_type": self.source_type,
            "to_type": self.target_type,
            "from_label": self.source_label,
            "to_label": self.target_label,
            "evidence": self.evidence.to_json(),
        }


# --------------------------------------------------------------------------------------------
# Words, sentences and phrases


def stem(word: str) -> str:
    """Reduce a lower-case word to a crude stem, so that plurals and verb forms meet.

    >>> [stem(w) for w in ("transitions", "services", "agencies", "trained", "training", "informed", "process")]
    ['transition', 'service', 'agency', 'train', 'train', 'inform', 'process']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz" else word
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        word = word[:-2]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz" else word
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[tuple[str, str]]:
    """Return (stem, word as written) for each word of a text; possessives and web addresses are dropped.

    >>> words("The YJB’s proposals")
    [('the', 'The'), ('yjb', 'YJB'), ('proposal', 'proposals')]
    """
    out = []
    for match in _WORD.finditer(_URL.sub(" ", text)):
        written = re.sub(r"['’]s$", "", match.group())
        out.append((stem(written.lower().replace("’", "'")), written))
    return out


def terms(text: str) -> list[str]:
    """Return the index terms of a text: the stems that are not stop words, and each pair of neighbouring ones.

    >>> terms("transitions to adult services")
    ['transition', 'adult', 'service', 'transition adult', 'adult service']
    """
    return _terms_of(words(text))


def phrases(text: str) -> set[str]:
    """Return the phrases of two to five words of a text that neither start nor end with a stop word.

    >>> sorted(phrases("transitions to adult services"))
    ['adult service', 'transition to adult', 'transition to adult service']
    """
    return set().union(*(_phrases_of([token for token, _ in words(sentence)]) for sentence in split_sentences(text)))


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences (and long sentences into clauses); each is a verbatim piece of the text.

    >>> split_sentences("Provide support. The YJB will review • audits; and report (annually).")
    ['Provide support.', 'The YJB will review', 'audits', 'and report (annually).']
    """
    pieces = [piece.strip(" •") for piece in _SENTENCE_END.split(text)]
    out = []
    for piece in pieces:
        if len(piece) > _LONG_SENTENCE and ", " in piece:
            out.extend(part for part in _split_long(piece) if part)
        elif piece:
            out.append(piece)
    return out


def _split_long(sentence: str) -> list[str]:
    """Cut a very long sentence at commas into runs of clauses no longer than the limit."""
    parts, current = [], ""
    for clause in sentence.split(", "):
        candidate = f"{current}, {clause}" if current else clause
        if current and len(candidate) > _LONG_SENTENCE:
            parts.append(current)
            current = clause
        else:
            current = candidate
    parts.append(current)
    return parts


# --------------------------------------------------------------------------------------------
# Vectors


def _vector(counts: Counter, idf: dict[str, float]) -> dict[str, float]:
    """Return the L2-normalised TF-IDF vector (sub-linear term frequency) of term counts."""
    vector = {term: (1.0 + math.log(count)) * idf[term] for term, count in counts.items() if count >= 1 and term in idf}
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {term: value / norm for term, value in vector.items() if value} if norm else {}


def _cosine(left: dict[str, float], right: dict[str, float]) -> float:
    if len(right) < len(left):
        left, right = right, left
    return sum(value * right.get(term, 0.0) for term, value in left.items())


@dataclass
class _Text:
    """One printed text of a plan item (its own text, or a workstream's title), tokenised once."""

    item: str
    sentences: list[str]
    terms: Counter
    phrases: set[str]
    entities: set[str]
    surface: dict[str, Counter]
    sentence_terms: list[Counter]


@dataclass
class _Item:
    id: str
    type: NodeType
    plan: str
    label: str
    text: str | None
    title: str | None
    parent: str | None
    workstream: str | None
    position: int
    children: list[str] = field(default_factory=list)
    prepared: bool = False
    members: list[str] = field(default_factory=list)  # the item and everything under it that has text
    vector: dict[str, float] = field(default_factory=dict)
    phrase_vector: dict[str, float] = field(default_factory=dict)
    phrases: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)
    sentences: list[int] = field(default_factory=list)  # indexes into _Corpus.sentences


class _Corpus:
    """Every plan item of the data set, tokenised, with the statistics the ranking needs."""

    def __init__(self, store):
        self.items: dict[str, _Item] = {}
        for row in store.select(_ITEMS):
            try:
                node_type = NodeType.from_term(row["type"])
            except ValueError:
                continue
            self.items[row["id"]] = _Item(
                row["id"],
                node_type,
                row["plan"],
                row["label"],
                row["text"],
                row["title"],
                row["parent"],
                row["workstream"],
                row["position"] or 0,
            )
        self.plans = plan_titles(store)
        self.links = store.select(_LINKS)
        self._read_entities(store)
        self._build_families()
        self._index_texts()

    # -- structure ---------------------------------------------------------------------------

    def _read_entities(self, store) -> None:
        self.entity_labels: dict[str, tuple[str, str]] = {}
        self.entity_parents: dict[str, set[str]] = defaultdict(set)
        names: dict[str, set[str]] = defaultdict(set)
        for row in store.select(_ENTITIES):
            self.entity_labels[row["id"]] = (NodeType.from_term(row["type"]).value, row["label"])
            names[row["id"]].add(row["label"].strip())
            if row["alternative"]:
                names[row["id"]].add(row["alternative"].strip())
            if row["parent"]:
                self.entity_parents[row["id"]].add(row["parent"])
        self.entity_names: dict[str, set[str]] = defaultdict(set)  # a name as matched -> entities
        exact, folded = [], []
        for entity, labels in names.items():
            for name in labels:
                key = _quote_marks(name)
                if " " in name:
                    self.entity_names[key.lower()].add(entity)
                    folded.append(key)
                else:
                    self.entity_names[key].add(entity)
                    exact.append(key)
        self.entity_patterns = [_names_pattern(exact, 0), _names_pattern(folded, re.IGNORECASE)]
        self.direct_entities: dict[str, set[str]] = defaultdict(set)
        for row in store.select(_ITEM_ORGANISATIONS):
            self.direct_entities[row["id"]].add(row["organisation"])
        for row in self.links:
            if row["to"] in self.entity_labels and row["from"] in self.items:
                self.direct_entities[row["from"]].add(row["to"])
            if row["from"] in self.entity_labels and row["to"] in self.items:
                self.direct_entities[row["to"]].add(row["from"])

    def _mentions(self, text: str) -> set[str]:
        text = _quote_marks(text)
        found = set()
        for pattern, fold in zip(self.entity_patterns, (False, True), strict=False):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                found |= self.entity_names.get(match.group().lower() if fold else match.group(), set())
        return found

    def _with_parents(self, entities: set[str]) -> set[str]:
        out, todo = set(), list(entities)
        while todo:
            entity = todo.pop()
            if entity not in out:
                out.add(entity)
                todo.extend(self.entity_parents.get(entity, ()))
        return out

    def _build_families(self) -> None:
        for item in self.items.values():
            if item.parent in self.items:
                self.items[item.parent].children.append(item.id)
            elif item.workstream in self.items and item.type is NodeType.RECOMMENDATION:
                self.items[item.workstream].children.append(item.id)
        for item in self.items.values():
            item.children.sort(key=self._child_order)

    def _child_order(self, child: str) -> tuple:
        return self.items[child].type is NodeType.UPDATE, self.items[child].position

    def family(self, item_id: str) -> list[str]:
        """Return an item and everything under it (actions, updates, a workstream's recommendations)."""
        out, todo = [], [item_id]
        while todo:
            current = todo.pop(0)
            out.append(current)
            todo[:0] = self.items[current].children
        return out

    def same_recommendation(self, first: str, second: str) -> bool:
        """Tell whether two items are one, or nested, or parts of one recommendation (never worth a link)."""
        if first in self.family(second) or second in self.family(first):
            return True
        root = self._recommendation_of(first)
        return root is not None and root == self._recommendation_of(second)

    def _recommendation_of(self, item_id: str) -> str | None:
        item = self.items[item_id]
        while item.type is not NodeType.RECOMMENDATION:
            if item.parent not in self.items:
                return None
            item = self.items[item.parent]
        return item.id

    def own_text(self, item_id: str) -> str:
        item = self.items[item_id]
        parts = (item.title if item.type is NodeType.WORKSTREAM else None, item.text)
        return " ".join(part for part in parts if part)

    # -- texts ---------------------------------------------------------------------------------

    def _index_texts(self) -> None:
        self.texts: dict[str, _Text] = {}
        for item_id in self.items:
            text = self.own_text(item_id)
            if text:
                self.texts[item_id] = self._tokenise(item_id, text)
        count = max(len(self.texts), 1)
        term_frequency = Counter(term for text in self.texts.values() for term in text.terms)
        self.idf = {term: math.log((1 + count) / (1 + df)) + 1 for term, df in term_frequency.items()}
        phrase_frequency = Counter(phrase for text in self.texts.values() for phrase in text.phrases)
        limit = max(2, int(_PHRASE_SHARE * count))
        self.phrase_idf = {phrase: math.log(count / df) for phrase, df in phrase_frequency.items() if 2 <= df <= limit}
        self.entity_idf = self._entity_weights()
        self.sentences: list[tuple[str, str, dict[str, float]]] = []  # (item id, sentence, vector)
        self.sentence_ranges: dict[str, range] = {}
        for item_id, text in self.texts.items():
            start = len(self.sentences)
            for sentence, counts in zip(text.sentences, text.sentence_terms, strict=False):
                # a heading or a fragment of one or two words matches too easily to be evidence
                words_in_it = sum(1 for term in counts if " " not in term)
                vector = _vector(counts, self.idf) if words_in_it >= _SHORTEST_SENTENCE else {}
                self.sentences.append((item_id, sentence, vector))
            self.sentence_ranges[item_id] = range(start, len(self.sentences))

    def _entity_weights(self) -> dict[str, float]:
        """Weigh each entity by how few recommendations (with their actions and updates) it is connected to.

        An entity connected to every recommendation weighs nothing; ``log((N + 1) / (df + 1))``.
        """
        recommendations = [item.id for item in self.items.values() if item.type is NodeType.RECOMMENDATION]
        frequency: Counter = Counter()
        for item_id in recommendations:
            entities: set[str] = set()
            for member in self.family(item_id):
                entities |= self.direct_entities.get(member, set())
                entities |= self.texts[member].entities if member in self.texts else set()
            frequency.update(self._with_parents(entities))
        count = len(recommendations)
        return {entity: math.log((count + 1) / (frequency[entity] + 1)) for entity in self.entity_labels}

    def _tokenise(self, item_id: str, text: str) -> _Text:
        sentences = split_sentences(text)
        all_terms: Counter = Counter()
        sentence_terms, found_phrases, surface = [], set(), {}
        for sentence in sentences:
            tokens = words(sentence)
            counts = Counter(_terms_of(tokens))
            sentence_terms.append(counts)
            all_terms.update(counts)
            found_phrases |= _phrases_of([token for token, _ in tokens])
            for token, written in tokens:
                surface.setdefault(token, Counter())[written if written.isupper() else written.lower()] += 1
        return _Text(item_id, sentences, all_terms, found_phrases, self._mentions(text), surface, sentence_terms)

    def prepare(self, item: _Item) -> None:
        """Gather an item's family: its TF-IDF and phrase vectors, sentences and entities (once)."""
        if item.prepared:
            return
        item.prepared = True
        counts: Counter = Counter()
        phrase_counts: Counter = Counter()
        entities: set[str] = set()
        for member in self.family(item.id):
            entities |= self.direct_entities.get(member, set())
            text = self.texts.get(member)
            if text is None:
                continue
            item.members.append(member)
            weight = _OWN_TEXT_WEIGHT if member == item.id and item.type is not NodeType.WORKSTREAM else 1
            for term, value in text.terms.items():
                counts[term] += value * weight
            phrase_counts.update(text.phrases & self.phrase_idf.keys())
            entities |= text.entities
            item.sentences.extend(self.sentence_ranges[member])
        item.vector = _vector(counts, self.idf)
        item.phrases = set(phrase_counts)
        item.phrase_vector = _vector(phrase_counts, self.phrase_idf)
        item.entities = self._with_parents(entities)

    def describe(self, term: str, left: _Item, right: _Item) -> str:
        """Return a term as written (its most common spelling in the two items' texts)."""
        spelled = []
        for part in term.split(" "):
            counts: Counter = Counter()
            for member in left.members + right.members:
                counts.update(self.texts[member].surface.get(part, Counter()))
            spelled.append(counts.most_common(1)[0][0] if counts else part)
        return " ".join(spelled)


def _terms_of(tokens: list[tuple[str, str]]) -> list[str]:
    stems = [token for token, _ in tokens if token not in _STOPWORDS and len(token) > 1]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def _phrases_of(stems: list[str], longest: int = 5) -> set[str]:
    found = set()
    for start, first in enumerate(stems):
        if first in _STOPWORDS:
            continue
        for end in range(start + 2, min(start + longest, len(stems)) + 1):
            if stems[end - 1] not in _STOPWORDS:
                found.add(" ".join(stems[start:end]))
    return found


def _quote_marks(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def _names_pattern(names: list[str], flags: int) -> re.Pattern | None:
    """Match any of some names as whole words (longest first)."""
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(set(names), key=lambda name: (-len(name), name)))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", flags)


# --------------------------------------------------------------------------------------------
# Ranking


def suggest_links(
    store,
    from_plan: str,
    to_plan: str,
    *,
    top: int = 3,
    min_score: float = 0.0,
    include_existing: bool = False,
    item_types: tuple[NodeType | str, ...] | None = ITEM_TYPES,
    excluded: set[tuple[str, str]] | frozenset = frozenset(),
) -> list[Suggestion]:
    """Rank candidate links from the items of ``from_plan`` to the items of ``to_plan``, best first.

    ``store`` is the built store of a data directory (``open_store``) or a ``memory_store``. At most ``top``
    candidates are kept per item of ``from_plan``, none scoring below ``min_score`` (nor 0); ``item_types`` limits
    the kinds of item compared (default: recommendations, actions and workstreams).

    Left out: pairs in ``excluded`` (rejected ones, either way round); pairs already linked in the data (either
    way) unless ``include_existing``, which keeps them flagged ``existing``; and, unless ``include_existing``,
    pairs a link in the data makes redundant (a link between two recommendations covers their workstreams,
    actions and updates). Of two candidates that are nested (a recommendation and its action) only the better
    is kept, and a workstream gives way to one of its recommendations that scores nearly as well. Within one
    plan each pair comes once. Suggestions are numbered from 1 in the order returned.
    Raises UnknownIdError for an unknown plan.
    """
    item_types = tuple(NodeType(kind) if isinstance(kind, str) else kind for kind in (item_types or ITEM_TYPES))
    excluded = set(excluded)
    corpus = _Corpus(store)
    for plan in (from_plan, to_plan):
        if plan not in corpus.plans:
            from ..text import did_you_mean

            raise UnknownIdError(f"no plan with id '{plan}'{did_you_mean(plan, corpus.plans)}")
    targets = _plan_items(corpus, to_plan, item_types)
    for target in targets:
        corpus.prepare(target)
    index = _SentenceIndex(corpus, {number for target in targets for number in target.sentences})
    existing = _existing_pairs(corpus)
    covered = _covered_pairs(corpus, existing)
    candidates = []
    for source in _plan_items(corpus, from_plan, item_types):
        corpus.prepare(source)
        best_sentences = index.best_matches(source)
        candidates.append(
            [
                score_pair(corpus, source, target, best_sentences)
                for target in targets
                if not corpus.same_recommendation(source.id, target.id)
            ]
        )
    suggestions = []
    for ranked in candidates:
        ranked.sort(key=lambda s: (-s.score, s.target_id))
        kept = _keep_best(corpus, ranked, existing, covered, excluded, top, min_score, include_existing)
        suggestions += [explain(corpus, suggestion) for suggestion in kept]
    ordered = sorted(suggestions, key=lambda s: (-s.score, s.source_id, s.target_id))
    suggestions = _drop_nested_sources(corpus, ordered, same_plan=from_plan == to_plan)
    for number, suggestion in enumerate(suggestions, start=1):
        suggestion.number = number
    return suggestions


def explain_pair(store, source_id: str, target_id: str) -> Suggestion:
    """Score one pair of plan items and gather its evidence (to accept a link that was not suggested).

    Raises UnknownIdError when either id is not an item of a plan.
    """
    corpus = _Corpus(store)
    for item_id in (source_id, target_id):
        if item_id not in corpus.items:
            raise UnknownIdError(f"'{item_id}' is not an item of a plan")
    source, target = corpus.items[source_id], corpus.items[target_id]
    corpus.prepare(source)
    corpus.prepare(target)
    suggestion = score_pair(corpus, source, target, _SentenceIndex(corpus, set(target.sentences)).best_matches(source))
    explain(corpus, suggestion)
    suggestion.existing = _existing_pairs(corpus).get(frozenset((source_id, target_id)), [])
    return suggestion


class _SentenceIndex:
    """An inverted index of some sentences, to find each one's best match among another item's sentences."""

    def __init__(self, corpus: _Corpus, numbers: set[int]):
        self.corpus = corpus
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number in sorted(numbers):
            for term, value in corpus.sentences[number][2].items():
                self.postings[term].append((number, value))

    def best_matches(self, source: _Item) -> dict[int, tuple[float, int]]:
        """Map each indexed sentence to (best cosine, number of the source sentence that gives it)."""
        best: dict[int, tuple[float, int]] = {}
        for left in source.sentences:
            scores: dict[int, float] = defaultdict(float)
            for term, value in self.corpus.sentences[left][2].items():
                for number, weight in self.postings.get(term, ()):
                    scores[number] += value * weight
            for number, similarity in scores.items():
                if similarity > best.get(number, (0.0, -1))[0]:
                    best[number] = (similarity, left)
        return best


def _plan_items(corpus: _Corpus, plan: str, item_types) -> list[_Item]:
    items = [item for item in corpus.items.values() if item.plan == plan and item.type in item_types]
    order = {NodeType.WORKSTREAM: 0, NodeType.RECOMMENDATION: 1, NodeType.ACTION: 2}
    return sorted(items, key=lambda item: (order.get(item.type, 3), item.id))


def _existing_pairs(corpus: _Corpus) -> dict[frozenset, list[str]]:
    pairs: dict[frozenset, list[str]] = defaultdict(list)
    for row in corpus.links:
        pairs[frozenset((row["from"], row["to"]))].append(Relation.from_term(row["relation"]).value)
    return pairs


def _covered_pairs(corpus: _Corpus, existing: dict[frozenset, list[str]]) -> set[tuple[str, str]]:
    """Return the pairs a link already in the data makes redundant: the same ends, or broader ones, or parts."""
    covered = set()
    for pair in existing:
        ends = tuple(pair)
        if len(ends) != 2 or not all(end in corpus.items for end in ends):
            continue
        first, second = (_lineage(corpus, end) for end in ends)
        covered.update((x, y) for x in first for y in second)
        covered.update((y, x) for x in first for y in second)
    return covered


def _keep_best(corpus, ranked, existing, covered, excluded, top, min_score, include_existing) -> list[Suggestion]:
    """Keep the best candidates of one item: not nested in a better one, not redundant, not rejected."""
    kept: list[Suggestion] = []
    kept_lineages: list[set[str]] = []
    scores = {s.target_id: s.score for s in ranked}
    for suggestion in ranked:
        pair = (suggestion.source_id, suggestion.target_id)
        if excluded & {pair, pair[::-1]}:
            continue
        # a workstream gives way to one of its recommendations that scores nearly as well: the recommendation
        # says more precisely what is linked
        target = corpus.items[suggestion.target_id]
        inside = target.children if target.type is NodeType.WORKSTREAM else []
        if any(scores.get(item, 0.0) >= _SPECIFIC_SHARE * suggestion.score for item in inside):
            continue
        if frozenset(pair) in existing:
            if not include_existing:
                continue
            suggestion.existing = existing[frozenset(pair)]
        elif (pair in covered and not include_existing) or any(pair[1] in lineage for lineage in kept_lineages):
            continue
        if suggestion.score <= 0.0 or suggestion.score < min_score or len(kept) >= top:
            continue
        kept.append(suggestion)
        kept_lineages.append(_lineage(corpus, suggestion.target_id))
    return kept


def _drop_nested_sources(corpus: _Corpus, suggestions: list[Suggestion], same_plan: bool) -> list[Suggestion]:
    """Of suggestions whose sources are nested (a recommendation and its action) and whose targets are the same
    or nested, keep the best; a workstream gives way to one of its recommendations that scores nearly as well.
    Within one plan, a pair the other way round counts as the same."""
    best = {(s.source_id, s.target_id): s.score for s in suggestions}
    kept: list[Suggestion] = []
    for suggestion in suggestions:
        source, target = suggestion.source_id, suggestion.target_id
        item = corpus.items[source]
        if item.type is NodeType.WORKSTREAM and any(
            best.get((child, target), 0.0) >= _SPECIFIC_SHARE * suggestion.score for child in item.children
        ):
            continue
        if any(
            (k.source_id != source and _nested(corpus, k.source_id, source) and _nested(corpus, k.target_id, target))
            or (same_plan and _nested(corpus, k.source_id, target) and _nested(corpus, k.target_id, source))
            for k in kept
        ):
            continue
        kept.append(suggestion)
    return kept


def _nested(corpus: _Corpus, first: str, second: str) -> bool:
    return first == second or first in _lineage(corpus, second) or second in _lineage(corpus, first)


def _lineage(corpus: _Corpus, item_id: str) -> set[str]:
    """Return the items a link to this one makes redundant: itself, what it is part of and, unless it is a
    workstream (whose recommendations are worth linking one by one), its actions and updates."""
    item = corpus.items[item_id]
    out = {item_id} if item.type is NodeType.WORKSTREAM else set(corpus.family(item_id))
    while True:
        parent = item.parent or (item.workstream if item.type is NodeType.RECOMMENDATION else None)
        if parent not in corpus.items:
            return out
        out.add(parent)
        item = corpus.items[parent]


def score_pair(corpus: _Corpus, source: _Item, target: _Item, best_sentences: dict[int, tuple]) -> Suggestion:
    """Score one candidate link (its evidence and proposed relation are filled in by ``explain``).

    ``best_sentences`` maps each sentence of the target's plan to its best cosine with a sentence of the source.
    """
    sentence, left, right = 0.0, None, None
    for number in target.sentences:
        similarity, match = best_sentences.get(number, (0.0, -1))
        if similarity > sentence:
            sentence, left, right = similarity, match, number
    signals = {
        "text": _cosine(source.vector, target.vector),
        "sentence": sentence,
        "entities": _weighted_overlap(source.entities, target.entities, corpus.entity_idf),
        "phrases": _cosine(source.phrase_vector, target.phrase_vector),
    }
    score = sum(WEIGHTS[name] * value for name, value in signals.items())
    suggestion = Suggestion(
        source.id,
        target.id,
        score,
        Relation.RELATED_TO,
        None,
        source.label,
        target.label,
        source.type.value,
        target.type.value,
    )
    suggestion._match = (signals, left, right)
    return suggestion


def explain(corpus: _Corpus, suggestion: Suggestion) -> Suggestion:
    """Fill in a scored candidate's evidence and proposed relation."""
    source, target = corpus.items[suggestion.source_id], corpus.items[suggestion.target_id]
    signals, left, right = suggestion._match
    left_item, left_text = _quote_of(corpus, source, left)
    right_item, right_text = _quote_of(corpus, target, right)
    shared_phrases = _maximal(source.phrases & target.phrases)
    by_rarity = lambda phrase: (-corpus.phrase_idf[phrase], -len(phrase), phrase)  # noqa: E731
    suggestion.evidence = Evidence(
        shared_terms=_top_terms(corpus, source, target),
        shared_phrases=[corpus.describe(p, source, target) for p in sorted(shared_phrases, key=by_rarity)][:5],
        shared_entities=_describe_entities(corpus, source.entities & target.entities),
        from_sentence=left_text,
        to_sentence=right_text,
        from_sentence_item=left_item,
        to_sentence_item=right_item,
        signals=signals,
    )
    suggestion.relation = propose_relation(corpus.own_text(source.id), corpus.own_text(target.id), left_text)
    return suggestion


def _quote_of(corpus: _Corpus, item: _Item, number: int | None) -> tuple[str, str]:
    """Return (item id, sentence) of a sentence, or the item's own first sentence when nothing matched."""
    if number is None:
        if not item.sentences:
            return item.id, ""
        number = item.sentences[0]
    return corpus.sentences[number][0], corpus.sentences[number][1]


def _weighted_overlap(left: set[str], right: set[str], weights: dict[str, float]) -> float:
    """Return the cosine of two sets whose members weigh ``weights[member]``."""
    squares = [sum(weights.get(member, 0.0) ** 2 for member in members) for members in (left & right, left, right)]
    return squares[0] / math.sqrt(squares[1] * squares[2]) if squares[0] else 0.0


def _maximal(found: set[str]) -> set[str]:
    """Drop phrases contained in a longer phrase of the same set."""
    return {phrase for phrase in found if not any(phrase != other and f" {phrase} " in f" {other} " for other in found)}


def _top_terms(corpus: _Corpus, source: _Item, target: _Item, count: int = 6) -> list[str]:
    contributions = {
        term: value * target.vector[term]
        for term, value in source.vector.items()
        if term in target.vector and " " not in term
    }
    best = sorted(contributions, key=lambda term: (-contributions[term], term))[:count]
    return [corpus.describe(term, source, target) for term in best]


def _describe_entities(corpus: _Corpus, entities: set[str]) -> list[SharedEntity]:
    ordered = sorted(entities, key=lambda entity: (-corpus.entity_idf.get(entity, 0.0), entity))
    return [SharedEntity(entity, *corpus.entity_labels[entity]) for entity in ordered if corpus.entity_idf.get(entity)]


def propose_relation(source_text: str, target_text: str, source_sentence: str) -> Relation:
    """Propose a relation: duplicate-of when the wording nearly matches, feeds-into when the best-matching
    sentence says it informs or feeds into something, otherwise related-to.

    >>> propose_relation("Develop a national strategy.", "Develop a national strategy", "")
    <Relation.DUPLICATE_OF: 'duplicate-of'>
    >>> propose_relation("A", "B", "The findings will inform the 2030 strategy.")
    <Relation.FEEDS_INTO: 'feeds-into'>
    >>> propose_relation("A", "B", "This plan will be informed by the thematic.")
    <Relation.RELATED_TO: 'related-to'>
    """
    if source_text and target_text:
        matcher = difflib.SequenceMatcher(None, source_text.lower(), target_text.lower(), autojunk=False)
        checks = (matcher.real_quick_ratio, matcher.quick_ratio, matcher.ratio)  # cheapest first
        if all(check() >= DUPLICATE_RATIO for check in checks):
            return Relation.DUPLICATE_OF
    if _FEED_CUE.search(source_sentence):
        return Relation.FEEDS_INTO
    return Relation.RELATED_TO
