"""Finding the organisations of the registry in printed text (addressee rows, owner cells), or adding new ones."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..datafiles.loading import Dataset
from ..model.nodes import NodeType
from .printed import fold, slug


@dataclass
class NewOrganisation:
    id: str
    name: str
    abbreviation: str | None


class OrganisationIndex:
    """Find registry organisations in printed text by name (any case) or abbreviation (exact case)."""

    _STOP_WORDS = {"should", "all", "both", "other", "others", "partners", "etc", "relevant", "agencies"}

    def __init__(self, organisations: list[tuple[str, str, list[str]]], taken_ids: set[str], add: bool) -> None:
        self.names: dict[str, str] = {}
        self.abbreviations: dict[str, str] = {}
        for org_id, name, abbreviations in organisations:
            self.names.setdefault(fold(name).lower(), org_id)
            for abbreviation in abbreviations:
                self.abbreviations.setdefault(fold(abbreviation), org_id)
        self.taken_ids = set(taken_ids)
        self.add = add
        self.added: list[NewOrganisation] = []
        self.unknown: list[str] = []
        self._pattern: re.Pattern[str] | None = None

    @classmethod
    def from_dataset(cls, dataset: Dataset, plan_id: str, add: bool) -> OrganisationIndex:
        """Index the organisations of a data set; ``plan_id`` and every node id are taken for new ones."""
        organisations = [
            (node.id, node.label, node.abbreviations)
            for node in dataset.nodes.values()
            if node.type is NodeType.ORGANISATION
        ]
        return cls(organisations, set(dataset.nodes) | {plan_id}, add)

    def _regex(self) -> re.Pattern[str]:
        if self._pattern is None:
            alternatives = [(len(name), f"(?i:{re.escape(name)})") for name in self.names]
            alternatives += [(len(abbreviation), re.escape(abbreviation)) for abbreviation in self.abbreviations]
            alternatives.sort(key=lambda item: -item[0])
            body = "|".join(pattern for _, pattern in alternatives) or r"(?!x)x"
            self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
        return self._pattern

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Return (start, end, organisation id) of every organisation named in ``text``, longest names first."""
        folded = fold(text)
        found = []
        for match in self._regex().finditer(folded):
            org_id = self.abbreviations.get(match.group()) or self.names.get(match.group().lower())
            if org_id:
                found.append((match.start(), match.end(), org_id))
        return found

    def organisation_of_owner(self, text: str) -> str | None:
        """Return the one organisation an owner cell names, or None when it names none or several."""
        ids = {org_id for _, _, org_id in self.find(text)}
        return ids.pop() if len(ids) == 1 else None

    def addressees(self, text: str) -> list[str]:
        """Return the organisation ids named in an addressee text; unknown names are listed (or added)."""
        found = self.find(text)
        ids = []
        leftover = text.replace("\n", " ")  # as printed: unknown names are listed as the table spells them
        for start, end, org_id in found:
            leftover = leftover[:start] + "," + " " * (end - start - 1) + leftover[end:]
            if org_id not in ids:
                ids.append(org_id)
        for segment in re.split(r"\s*(?:,|;|&|\band\b|\bor\b)\s*", leftover):
            name = re.sub(r"(?i)^(?:the|all)\b\s*", "", segment.strip()).strip(" .:;")
            if name.count("(") != name.count(")"):
                name = name.strip("()").strip()
            if not re.search(r"[A-Za-z]{2,}", name) or name.lower() in self._STOP_WORDS:
                continue
            unknown_id = self._unknown(name)
            if unknown_id and unknown_id not in ids:
                ids.append(unknown_id)
        return ids

    def _unknown(self, name: str) -> str | None:
        if not self.add:
            if name not in self.unknown:
                self.unknown.append(name)
            return None
        match = re.fullmatch(r"(.+?)\s*\(([A-Z][A-Za-z&]{1,11})\)", name)
        full_name, abbreviation = (match.group(1), match.group(2)) if match else (name, None)
        base = slug(abbreviation or full_name, 40) or "organisation"
        org_id, suffix = base, 2
        while org_id in self.taken_ids:
            org_id, suffix = f"{base}-{suffix}", suffix + 1
        self.taken_ids.add(org_id)
        self.added.append(NewOrganisation(org_id, full_name, abbreviation))
        self.names[fold(full_name).lower()] = org_id
        if abbreviation:
            self.abbreviations[fold(abbreviation)] = org_id
        self._pattern = None
        return org_id
