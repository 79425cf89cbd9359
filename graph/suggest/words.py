"""Split English text into what text similarity compares: word stems, index terms, phrases and sentences.

Plain Python, no language model: a crude stemmer (so that plurals and verb forms meet), stop words, pairs of
neighbouring words as terms, and sentences (long ones cut into clauses) that are verbatim pieces of the text. And
the names of organisations, documents and programmes found in a text as whole words (``NameFinder``).
"""

from __future__ import annotations

import functools
import re

STOPWORDS = frozenset(
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
_POSSESSIVE = re.compile(r"['’]s$")


@functools.lru_cache(maxsize=1 << 16)
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
    return [_token(written) for written in word_spellings(text)]


def word_spellings(text: str) -> list[str]:
    """Return the words of a text as written, web addresses dropped (before possessives are cut)."""
    if "://" in text or "www." in text:  # what every web address (``_URL``) has
        text = _URL.sub(" ", text)
    return _WORD.findall(text)


@functools.lru_cache(maxsize=1 << 16)
def _token(written: str) -> tuple[str, str]:
    """(stem, word as written) of one word as ``_WORD`` found it; the same words recur, so each is worked out once."""
    if "'" in written or "’" in written:  # the only words a possessive ending can be cut from
        written = _POSSESSIVE.sub("", written)
    return stem(written.lower().replace("’", "'")), written


@functools.lru_cache(maxsize=1 << 16)
def word_info(written: str) -> tuple[str, str, bool, bool]:
    """What tokenising needs of one word as ``word_spellings`` found it: its stem, its spelling as the surface
    forms count it (kept when all capitals, else lower-case), whether it is an index term (``terms_of``) and
    whether it is a stop word (``phrases_of``)."""
    token, written = _token(written)
    spelling = written if written.isupper() else written.lower()
    return token, spelling, token not in STOPWORDS and len(token) > 1, token in STOPWORDS


def terms(text: str) -> list[str]:
    """Return the index terms of a text: the stems that are not stop words, and each pair of neighbouring ones.

    >>> terms("transitions to adult services")
    ['transition', 'adult', 'service', 'transition adult', 'adult service']
    """
    return terms_of(words(text))


def phrases(text: str) -> set[str]:
    """Return the phrases of two to five words of a text that neither start nor end with a stop word.

    >>> sorted(phrases("transitions to adult services"))
    ['adult service', 'transition to adult', 'transition to adult service']
    """
    return set().union(*(phrases_of([token for token, _ in words(sentence)]) for sentence in split_sentences(text)))


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences (and long sentences into clauses); each is a verbatim piece of the text.

    >>> split_sentences("Provide support. The YJB will review • audits; and report (annually).")
    ['Provide support.', 'The YJB will review', 'audits', 'and report (annually).']
    """
    pieces = [piece.strip(" •") for piece in _SENTENCE_END.split(text)]
    out: list[str] = []
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


def terms_of(tokens: list[tuple[str, str]]) -> list[str]:
    stems = [token for token, _ in tokens if token not in STOPWORDS and len(token) > 1]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def phrases_of(stems: list[str], longest: int = 5) -> set[str]:
    found = set()
    count = len(stems)
    for start, first in enumerate(stems):
        if first in STOPWORDS:
            continue
        phrase = first
        for end in range(start + 1, min(start + longest, count)):
            last = stems[end]
            phrase = f"{phrase} {last}"  # the words start..end joined by spaces, as ``" ".join`` makes them
            if last not in STOPWORDS:
                found.add(phrase)
    return found


def straight_quotes(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def terms_of_infos(infos: list[tuple[str, str, bool, bool]]) -> list[str]:
    """``terms_of`` of the words' ``word_info``."""
    stems = [info[0] for info in infos if info[2]]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def phrases_of_infos(infos: list[tuple[str, str, bool, bool]], longest: int = 5) -> set[str]:
    """``phrases_of`` of the words' ``word_info``."""
    found = set()
    count = len(infos)
    for start, (first, _, _, stop) in enumerate(infos):
        if stop:
            continue
        phrase = first
        for end in range(start + 1, min(start + longest, count)):
            last = infos[end]
            phrase = f"{phrase} {last[0]}"  # the words start..end joined by spaces, as ``" ".join`` makes them
            if not last[3]:
                found.add(phrase)
    return found


def names_pattern(names: list[str], flags: int) -> re.Pattern[str] | None:
    """Match any of some names as whole words (longest first)."""
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(set(names), key=lambda name: (-len(name), name)))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", flags)


_WORDISH = re.compile(r"[\w-]")  # what may not touch a name (``names_pattern``'s look-behind and look-ahead)
_HEAD = re.compile(r"[A-Za-z0-9]*")
_RUNS = re.compile(r"[A-Za-z0-9]+")
_FEW_HEADS = 64  # up to this many first runs of folded names, the places are found by a pattern of them
_CASE_ODD = frozenset("\u0130\u0131\u017f\u212a")  # İ ı ſ K: equal to an ASCII letter when case is ignored


class NameFinder:
    """Find some names in texts exactly as ``names_pattern(names, re.IGNORECASE if fold else 0).finditer`` does
    (whole words, longest first, left to right, no overlaps), returning each match (lower-cased when ``fold``).

    The pattern tries every name at every word start. Where a name matches, the text's run of ASCII letters and
    digits there is the name's own leading run (the name's next character is none of them, or the name ends and
    its look-ahead forbids a word character), so this tries only the names whose leading run is the word there.
    Names or texts it cannot treat so (non-ASCII names, letters equal to an ASCII one when case is ignored) are
    left to the pattern."""

    def __init__(self, names: list[str], *, fold: bool) -> None:
        self.names, self.fold = names, fold
        listed = sorted(set(names), key=lambda name: (-len(name), name))  # the pattern's order
        self.fast = all(name and name.isascii() for name in listed)
        self.by_head: dict[str, list[str]] = {}
        for name in listed if self.fast else ():
            key = name.lower() if fold else name
            self.by_head.setdefault(_HEAD.match(key).group(), []).append(key)  # type: ignore[union-attr]
        # every place the pattern's look-behind allows, with the run of letters and digits there
        self.heads = frozenset(self.by_head) if "" not in self.by_head else None
        self.starts = re.compile(r"(?<![\w-])[A-Za-z0-9]" + ("*" if "" in self.by_head else "+"))
        # a few folded first runs: the places whose run is one of them found by the pattern engine, not word by word
        self.head_starts = None
        if self.heads and fold and len(self.heads) <= _FEW_HEADS:
            alternatives = "|".join(sorted(self.heads, key=lambda head: (-len(head), head)))
            self.head_starts = re.compile(rf"(?<![\w-])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str] | None:
        return names_pattern(self.names, re.IGNORECASE if self.fold else 0)

    def find(self, text: str) -> list[str]:
        if not self.names:
            return []
        starts = self.starts
        if self.fast and self.heads is not None and text.isascii():
            if self.head_starts is not None:
                starts = self.head_starts  # an ASCII text: only the places whose run is a name's first run
            else:
                # no word of the text is a name's first run (the runs where names may start are among these): nothing
                runs = _RUNS.findall(text)
                if self.heads.isdisjoint(map(str.lower, runs) if self.fold else runs):
                    return []
        lowered = text.lower() if self.fold else text
        if not self.fast or (self.fold and (len(lowered) != len(text) or not _CASE_ODD.isdisjoint(text))):
            assert self.pattern is not None
            return [match.group().lower() if self.fold else match.group() for match in self.pattern.finditer(text)]
        if starts is self.starts and self.heads is not None and self.heads.isdisjoint(_RUNS.findall(lowered)):
            return []
        found, done, size = [], 0, len(text)
        by_head, wordish = self.by_head, _WORDISH.match
        for start in starts.finditer(text):
            at, stop = start.span()
            if at < done:
                continue
            for name in by_head.get(lowered[at:stop], ()):
                end = at + len(name)
                if lowered.startswith(name, at) and (end == size or wordish(text, end) is None):
                    found.append(name if self.fold else text[at:end])
                    done = end
                    break
        return found
