"""Generate realistic synthetic crossplan data (YAML in the project's format, plus N-Triples) at a given scale.

The data imitates a cross-government tracker: many inspectorate action plans, each with workstreams and
recommendations of realistic length, actions, dated updates, owners from a pool of organisations, target dates,
and links of every relation and basis within and across plans, each with a quote taken from its source item.
Everything is drawn from one seeded random generator, so the same scale and seed give byte-identical files.

    python -m bench generate --scale 100k          # writes bench/data/100k/
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 3
DEFAULT_SEED = 20240601
DATA_ROOT = Path(__file__).parent / "data"

# Scales by target triple count, and (for the browser graph) by target node count.
TRIPLE_SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
NODE_SCALES = {"nodes-2k": 2_000, "nodes-10k": 10_000}
# Measured averages of one generated plan (see ``meta.json`` of any scale); used to choose the number of plans.
TRIPLES_PER_PLAN = 1_600
NODES_PER_PLAN = 123
REGISTRY_TRIPLES_PER_PLAN = 26

INSPECTORATES = ["hmip", "hmicfrs", "ofsted", "cqc", "estyn", "hmiprisons", "nao", "ccg", "hiw", "cssiw", "jti", "pac"]
TOPICS = [
    ("accommodation", "accommodation on release"),
    ("transitions", "transitions to adult services"),
    ("slcn", "speech, language and communication needs"),
    ("ete", "education, training and employment"),
    ("mental-health", "mental health support"),
    ("substance-misuse", "substance misuse services"),
    ("resettlement", "resettlement planning"),
    ("diversion", "pre-court diversion"),
    ("trauma", "trauma-informed practice"),
    ("violence", "serious youth violence"),
    ("exclusion", "exclusion from school"),
    ("remand", "remand decisions"),
    ("restorative", "restorative justice"),
    ("victims", "victim contact"),
    ("information", "information sharing"),
    ("custody", "custody close to home"),
    ("courts", "court processes"),
    ("desistance", "desistance"),
    ("families", "family support"),
    ("digital", "digital inclusion"),
    ("workforce", "workforce development"),
    ("health", "health assessments"),
    ("exploitation", "child criminal exploitation"),
    ("disproportionality", "racial disproportionality"),
]
WORKSTREAMS = [
    ("prevention", "Prevention"),
    ("pre-court-diversion", "Pre-Court Diversion"),
    ("community", "Community"),
    ("resettlement", "Resettlement and Transitions"),
    ("custody", "Custody"),
    ("system-oversight", "System Oversight"),
    ("health-and-wellbeing", "Health and Wellbeing"),
    ("education", "Education, Training and Employment"),
    ("workforce", "Workforce"),
    ("data-and-evidence", "Data and Evidence"),
    ("partnerships", "Partnerships"),
    ("victims", "Victims and Restorative Practice"),
]
ORG_KINDS = [
    "Department for",
    "Ministry of",
    "Office for",
    "Board of",
    "Agency for",
    "Inspectorate of",
    "Council for",
    "Service for",
    "Commission for",
    "Directorate of",
]
ORG_FIELDS = [
    "Justice",
    "Education",
    "Health",
    "Housing",
    "Communities",
    "Probation",
    "Youth Justice",
    "Prisons",
    "Policing",
    "Social Care",
    "Children",
    "Families",
    "Employment",
    "Skills",
    "Courts",
    "Victims",
    "Local Government",
    "Public Health",
    "Mental Health",
    "Digital Services",
    "Safeguarding",
    "Equalities",
    "Sport",
    "Transport",
    "Welfare",
    "Offender Management",
    "Rehabilitation",
    "Early Years",
]
REGIONS = [
    "",
    "",
    "",
    "North West",
    "North East",
    "Midlands",
    "London",
    "South West",
    "South East",
    "Wales",
    "Yorkshire",
    "East of England",
]
SUBJECTS = [
    "children",
    "young people",
    "young adults",
    "victims",
    "families",
    "care leavers",
    "people on probation",
    "prisoners",
    "practitioners",
    "local partners",
    "children in custody",
    "children on remand",
]
VERBS = [
    "Ensure that",
    "Develop",
    "Review",
    "Provide",
    "Establish",
    "Improve",
    "Strengthen",
    "Publish",
    "Agree",
    "Commission",
    "Evaluate",
    "Embed",
    "Introduce",
    "Consider",
    "Monitor",
]
OBJECTS = [
    "a national framework for",
    "joint protocols on",
    "guidance on",
    "dedicated funding for",
    "training for staff in",
    "data sharing arrangements on",
    "an independent evaluation of",
    "a workforce plan covering",
    "clear pathways for",
    "minimum standards for",
    "a shared approach to",
    "quality assurance of",
    "a review of the arrangements for",
]
CLAUSES = [
    "so that {subject} receive consistent support",
    "across all local authority areas",
    "in partnership with the {org}",
    "by the end of {year}",
    "drawing on the findings of the {topic} review",
    "and report progress to the {org} every quarter",
    "including for {subject} with complex needs",
    "with particular attention to {topic}",
    "a minimum of one month prior to release",
    "taking account of the views of {subject}",
    "in line with the {topic} strategy",
]
UPDATE_OPENERS = [
    "The {org} has",
    "Work is under way and the {org} has",
    "Since the last update the {org} has",
    "Following consultation, the {org} has",
    "In collaboration with the {org}, partners have",
]
UPDATE_ACTIONS = [
    "published revised guidance on {topic}",
    "completed a review of {topic}",
    "commissioned an evaluation of {topic}",
    "agreed a joint protocol covering {topic}",
    "delivered training to {n} practitioners on {topic}",
    "established a task and finish group on {topic}",
    "piloted a new approach to {topic} in {n} areas",
    "secured funding for {topic} until {year}",
    "reported to the ministerial board on {topic}",
    "mapped existing provision for {topic}",
]
UPDATE_TAILS = [
    "Further work is planned for {year}.",
    "The findings will be published in {month} {year}.",
    "This action is now complete.",
    "Progress will be reviewed at the next board meeting.",
    "Funding has been confirmed for a further year.",
    "Early feedback from {subject} has been positive.",
    "The evaluation report is expected in {month} {year}.",
    "A further update will follow in {month} {year}.",
    "Delays were caused by the pandemic; the revised timescale is {month} {year}.",
    "Local areas have been asked to report on implementation by {month} {year}.",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
ROLES = [
    "Director of Policy",
    "Head of Operations",
    "Chief Executive",
    "Deputy Director",
    "Programme Lead",
    "Head of Commissioning",
    "Strategic Lead",
    "Divisional Director",
    "Head of Practice",
]
SEARCH_WORD = "accommodation"


@dataclass
class _Item:
    local: str
    text: str | None
    fields: dict = field(default_factory=dict)
    children: list = field(default_factory=list)


@dataclass
class _Plan:
    plan_id: str
    title: str
    source: str
    head: dict
    workstreams: list[_Item]
    recommendations: list[_Item]
    links: list[dict] = field(default_factory=list)


class _Writer:
    """Random text and values drawn from one seeded generator."""

    def __init__(self, rng: random.Random, organisations: list[dict]):
        self.rng = rng
        self.organisations = organisations

    def pick(self, items):
        return items[self.rng.randrange(len(items))]

    def org(self) -> dict:
        return self.pick(self.organisations)

    def fill(self, template: str, topic: str | None = None) -> str:
        return template.format(
            subject=self.pick(SUBJECTS),
            org=self.org()["name"],
            year=self.rng.randint(2019, 2026),
            topic=topic or self.pick(TOPICS)[1],
            n=self.rng.randint(3, 60),
            month=self.pick(MONTHS),
        )

    def recommendation_text(self, topic: str) -> str:
        clauses = [self.fill(self.pick(CLAUSES), topic) for _ in range(self.rng.randint(1, 3))]
        text = f"{self.pick(VERBS)} {self.pick(OBJECTS)} {topic} for {self.pick(SUBJECTS)}, " + ", ".join(clauses) + "."
        if self.rng.random() < 0.08:
            text = text[:-1] + f", including suitable {SEARCH_WORD} in place before release."
        return text

    def update_text(self, topic: str) -> str:
        sentences = []
        for _ in range(self.rng.randint(2, 7)):
            sentence = (
                self.fill(self.pick(UPDATE_OPENERS), topic) + " " + self.fill(self.pick(UPDATE_ACTIONS), topic) + "."
            )
            sentences.append(sentence)
            if self.rng.random() < 0.5:
                sentences.append(self.fill(self.pick(UPDATE_TAILS), topic))
        if self.rng.random() < 0.05:
            sentences.append(f"Children’s {SEARCH_WORD} needs are now assessed at the point of sentence.")
        return " ".join(sentences)

    def action_text(self, topic: str) -> str:
        return f"{self.pick(VERBS)} {self.pick(OBJECTS)} {topic}, {self.fill(self.pick(CLAUSES), topic)}."

    def owners(self) -> list[dict]:
        owners = []
        for _ in range(self.rng.choice((1, 1, 1, 2))):
            organisation = self.org()
            owner = {"text": f"{self.pick(ROLES)} ({organisation['abbreviation']})"}
            if self.rng.random() < 0.85:
                owner["organisation"] = organisation["id"]
            owners.append(owner)
        return owners

    def target_dates(self, year: int) -> list[dict]:
        roll = self.rng.random()
        month = self.rng.randint(1, 12)
        if roll < 0.6:
            return [{"text": f"{MONTHS[month - 1]} {year}", "date": f"{year}-{month:02d}"}]
        if roll < 0.75:
            return [{"text": str(year), "date": str(year)}]
        if roll < 0.85:
            return [{"text": f"Q{self.rng.randint(1, 4)} {year}/{(year + 1) % 100:02d}"}]
        if roll < 0.92:
            return [{"text": "Ongoing"}]
        return []


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def make_organisations(rng: random.Random, count: int) -> list[dict]:
    """Return ``count`` organisations with unique ids, names and abbreviations, some part of others."""
    organisations, seen = [], set()
    while len(organisations) < count:
        region = rng.choice(REGIONS)
        name = f"{rng.choice(ORG_KINDS)} {rng.choice(ORG_FIELDS)}" + (f" {region}" if region else "")
        if name in seen:
            name = f"{name} {len(organisations)}"
        seen.add(name)
        abbreviation = "".join(word[0] for word in name.split() if word[0].isupper() or word[0].isdigit())
        entry = {"id": _slug(name), "name": name, "abbreviation": abbreviation}
        if organisations and region and rng.random() < 0.6:
            entry["part-of"] = rng.choice(organisations)["id"]
        organisations.append(entry)
    return organisations


def _make_plan(index: int, writer: _Writer, organisations: list[dict]) -> _Plan:
    rng = writer.rng
    inspectorate = rng.choice(INSPECTORATES)
    topic_slug, topic = rng.choice(TOPICS)
    plan_id = f"{inspectorate}-{topic_slug}-{index:04d}"
    year = rng.randint(2015, 2024)
    title = f"Action plan: a thematic inspection of {topic} ({inspectorate.upper()} {year})"
    head = {
        "owners": sorted({writer.org()["id"] for _ in range(rng.randint(1, 2))}),
        "date": f"{year}-{rng.randint(1, 12):02d}",
    }
    workstreams = []
    for local, name in rng.sample(WORKSTREAMS, rng.randint(3, 7)):
        item = _Item(local, None, {"title": name})
        if rng.random() < 0.5:
            item.fields["text"] = f"Work to improve {name.lower()} outcomes for {rng.choice(SUBJECTS)}."
        if rng.random() < 0.3:
            item.fields["owners"] = writer.owners()
        workstreams.append(item)
    recommendations = []
    addressee = None
    for number in range(1, rng.randint(14, 34) + 1):
        item_topic = topic if rng.random() < 0.5 else rng.choice(TOPICS)[1]
        local = f"r{number}"
        removed = rng.random() < 0.03 and number > 1
        item = _Item(local, None if removed else writer.recommendation_text(item_topic))
        item.fields["number"] = str(number)
        item.fields["workstream"] = rng.choice(workstreams).local
        if addressee is None or rng.random() < 0.25:
            addressee = sorted({writer.org()["id"] for _ in range(rng.randint(1, 3))})
        item.fields["addressed-to"] = addressee
        item.fields["addressee-text"] = f"The {writer.org()['name']} should:"
        if removed:
            item.fields["status"] = "removed"
            recommendations.append(item)
            continue
        item.fields["response"] = rng.choices(["agreed", "partly-agreed", "not-agreed"], [6, 3, 1])[0]
        status = rng.choices(["complete", "ongoing", "not-applicable", None], [35, 50, 10, 5])[0]
        if status:
            item.fields["status"] = status
            due = rng.randint(year, year + 4)
            item.fields["status-text"] = {"complete": "COMPLETE", "not-applicable": "N/A"}.get(
                status, f"ONGOING - Long term ({due}/{due + 1}+)"
            )
            if status == "ongoing":
                item.fields["timescale"] = f"Long term ({due}/{due + 1}+)"
        item.fields["owners"] = writer.owners()
        item.fields["target-dates"] = writer.target_dates(rng.randint(year, year + 3))
        for _ in range(rng.choices([0, 1, 2, 3, 4], [2, 3, 3, 1, 1])[0]):
            action = {"text": writer.action_text(item_topic)}
            action_status = rng.choices(["complete", "ongoing", None], [4, 4, 2])[0]
            if action_status:
                action["status"] = action_status
                action["status-text"] = action_status.upper()
            if rng.random() < 0.5:
                action["owners"] = writer.owners()
            if rng.random() < 0.5:
                action["target-dates"] = writer.target_dates(rng.randint(year, year + 3))
            item.children.append(("actions", action))
        update_year, update_month = year, rng.randint(1, 12)
        for position in range(rng.choices([1, 2, 3], [3, 4, 3])[0]):
            label = "Action Plan" if position == 0 else "Action Plan Update"
            update = {
                "title": f"{label} ({MONTHS[update_month - 1]} {update_year})",
                "date": f"{update_year}-{update_month:02d}",
                "text": writer.update_text(item_topic),
            }
            if rng.random() < 0.4:
                update["status"] = rng.choice(["complete", "ongoing"])
            if rng.random() < 0.3:
                update["owners"] = writer.owners()
            if rng.random() < 0.3:
                update["target-dates"] = writer.target_dates(update_year + 1)
            item.children.append(("updates", update))
            update_month += rng.randint(4, 12)
            update_year, update_month = update_year + (update_month - 1) // 12, (update_month - 1) % 12 + 1
        recommendations.append(item)
    return _Plan(plan_id, title, f"{plan_id}-source", head, workstreams, recommendations)


def _quote(rng: random.Random, text: str | None, fallback: str) -> str:
    if not text:
        return fallback
    words = text.split()
    length = min(len(words), rng.randint(5, 14))
    start = rng.randint(0, len(words) - length)
    return " ".join(words[start : start + length])


def _add_links(plans: list[_Plan], documents: list[dict], programmes: list[dict], rng: random.Random) -> None:
    """Add links of every relation and basis, within plans and across them (to the next few plans)."""
    count = len(plans)
    for index, plan in enumerate(plans):
        keys = set()
        live = [item for item in plan.recommendations if item.text]

        def add(
            source: str,
            target: str,
            relation: str,
            basis: str,
            quote: str,
            target_quote: str | None = None,
            keys=keys,
            plan=plan,
        ):
            key = (source, relation, target)
            if source == target or key in keys:
                return
            keys.add(key)
            link = {"from": source, "to": target, "relation": relation, "basis": basis, "quote": quote}
            if target_quote:
                link["target-quote"] = target_quote
            if basis == "suggested":
                link["method"] = "tfidf-cosine 0.4"
                link["date"] = f"{rng.randint(2023, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            elif basis == "judged" and rng.random() < 0.3:
                link["note"] = "Both items address the same cohort and outcome."
            plan.links.append(link)

        for item in plan.recommendations:
            if not item.text:
                other = rng.choice(live)
                add(
                    item.local,
                    other.local,
                    "duplicate-of",
                    "explicit",
                    f"Recommendation {item.fields['number']} was removed as it was a duplicate of recommendation {other.fields['number']}.",
                )
                continue
            roll = rng.random
            later = [other for other in live if int(other.fields["number"]) > int(item.fields["number"])]
            if later and roll() < 0.25:
                other = rng.choice(later)
                add(
                    item.local,
                    other.local,
                    "feeds-into",
                    rng.choice(["explicit", "explicit", "judged"]),
                    _quote(rng, item.text, ""),
                )
            if roll() < 0.08:
                other = rng.choice(live)
                add(
                    item.local,
                    other.local,
                    "related-to",
                    "explicit",
                    _quote(rng, item.text, ""),
                    _quote(rng, other.text, ""),
                )
            if later and roll() < 0.03:
                add(item.local, rng.choice(later).local, "supersedes", "explicit", _quote(rng, item.text, ""))
            if roll() < 0.05:
                target = rng.choice(plan.workstreams).local if roll() < 0.5 else rng.choice(programmes)["id"]
                add(item.local, target, "delegated-to", "explicit", _quote(rng, item.text, ""))
            if roll() < 0.15:
                target = rng.choice(documents)["id"] if roll() < 0.6 else rng.choice(programmes)["id"]
                add(item.local, target, "references", "explicit", _quote(rng, item.text, ""))
            if count > 1:
                other_plan = plans[(index + rng.randint(1, min(3, count - 1))) % count]
                other_live = [other for other in other_plan.recommendations if other.text]
                if roll() < 0.12:
                    other = rng.choice(other_live)
                    add(
                        item.local,
                        f"{other_plan.plan_id}/{other.local}",
                        "feeds-into",
                        rng.choice(["explicit", "judged", "suggested"]),
                        _quote(rng, item.text, ""),
                    )
                if roll() < 0.10:
                    workstream = rng.choice(other_plan.workstreams)
                    add(
                        item.local,
                        f"{other_plan.plan_id}/{workstream.local}",
                        "related-to",
                        rng.choice(["judged", "judged", "suggested"]),
                        _quote(rng, item.text, ""),
                    )
                if roll() < 0.04:
                    other = rng.choice(other_live)
                    add(
                        item.local,
                        f"{other_plan.plan_id}/{other.local}",
                        "duplicate-of",
                        rng.choice(["judged", "suggested"]),
                        _quote(rng, item.text, ""),
                        _quote(rng, other.text, ""),
                    )
                if roll() < 0.02:
                    add(
                        item.local,
                        f"{other_plan.plan_id}/{rng.choice(other_plan.workstreams).local}",
                        "delegated-to",
                        "explicit",
                        _quote(rng, item.text, ""),
                    )
        if count > 1:
            cited = plans[(index + 1) % count]
            add(plan.plan_id, cited.source, "references", "explicit", f"as set out in {cited.title}")


# ------------------------------------------------------------------------------------------------
# Writing YAML by hand: double-quoted scalars (JSON strings are valid YAML 1.2), long text folded over lines.


def _quoted(text: str, indent: int, width: int = 110) -> str:
    if len(text) + indent < width:
        return json.dumps(text, ensure_ascii=False)
    lines, line = [], []
    length = indent
    for word in text.split(" "):
        if line and length + len(word) > width:
            lines.append(" ".join(line))
            line, length = [], indent + 2
        line.append(word)
        length += len(word) + 1
    lines.append(" ".join(line))
    pad = "\n" + " " * (indent + 2)
    return '"' + pad.join(json.dumps(part, ensure_ascii=False)[1:-1] for part in lines) + '"'


_PLAIN_KEYS = {
    "id",
    "workstream",
    "response",
    "status",
    "organisation",
    "from",
    "to",
    "relation",
    "basis",
    "source",
    "part-of",
}


def _scalar(value, indent: int) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return _quoted(str(value), indent)


def _emit_mapping(out: list[str], mapping: dict, indent: int, first_prefix: str) -> None:
    """Write a mapping as a block sequence entry (``first_prefix`` is ``- `` or spaces)."""
    pad = " " * indent
    first = True
    for key, value in mapping.items():
        prefix = pad + first_prefix if first else pad + " " * len(first_prefix)
        first = False
        inner = indent + len(first_prefix)
        if key in ("owners", "target-dates") and value and isinstance(value[0], dict):
            out.append(f"{prefix}{key}:")
            for entry in value:
                _emit_mapping(out, entry, inner + 2, "- ")
        elif key in ("addressed-to", "owners", "publisher", "abbreviations"):
            out.append(f"{prefix}{key}: [{', '.join(value)}]")
        elif key in _PLAIN_KEYS:
            out.append(f"{prefix}{key}: {value}")
        else:
            out.append(f"{prefix}{key}: {_scalar(value, inner)}")


def plan_yaml(plan: _Plan) -> str:
    """Return the YAML text of one plan file."""
    out = [
        "# Synthetic plan generated by bench/generate.py (seeded; not real data).",
        "",
        "plan:",
        f"  id: {plan.plan_id}",
        f"  title: {_quoted(plan.title, 2)}",
        f"  source: {plan.source}",
        f"  owners: [{', '.join(plan.head['owners'])}]",
        f'  date: "{plan.head["date"]}"',
        "",
        "workstreams:",
    ]
    for item in plan.workstreams:
        _emit_mapping(out, {"id": item.local, **item.fields}, 2, "- ")
    out += ["", "recommendations:"]
    for item in plan.recommendations:
        fields = {"id": item.local, "number": item.fields["number"], "workstream": item.fields["workstream"]}
        if item.text:
            fields["text"] = item.text
        fields.update((k, v) for k, v in item.fields.items() if k not in fields)
        fields = {k: v for k, v in fields.items() if v not in (None, [], "")}
        _emit_mapping(out, fields, 2, "- ")
        for kind in ("actions", "updates"):
            children = [child for child_kind, child in item.children if child_kind == kind]
            if children:
                out.append(f"    {kind}:")
                for child in children:
                    _emit_mapping(out, {k: v for k, v in child.items() if v not in (None, [], "")}, 6, "- ")
        out.append("")
    out.append("links:")
    for link in plan.links:
        _emit_mapping(out, link, 2, "- ")
    return "\n".join(out) + "\n"


def registry_yaml(name: str, entries: list[dict]) -> str:
    out = [f"# Synthetic {name} generated by bench/generate.py.", f"{name}:"]
    for entry in entries:
        _emit_mapping(out, entry, 2, "- ")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------------


def plans_for(scale: str) -> int:
    """Return the number of plans that makes a scale (``10k`` … ``1m`` triples, ``nodes-2k`` … nodes)."""
    if scale in TRIPLE_SCALES:
        return max(2, round(TRIPLE_SCALES[scale] / (TRIPLES_PER_PLAN + REGISTRY_TRIPLES_PER_PLAN)))
    if scale in NODE_SCALES:
        return max(2, round(NODE_SCALES[scale] / NODES_PER_PLAN))
    raise ValueError(f"unknown scale '{scale}' (one of: {', '.join([*TRIPLE_SCALES, *NODE_SCALES])})")


def generate(directory: Path, plan_count: int, seed: int = DEFAULT_SEED) -> dict:
    """Write a synthetic data directory with ``plan_count`` plans; return its description (ids the queries use)."""
    rng = random.Random(seed * 1_000_003 + plan_count)
    organisations = make_organisations(rng, max(20, int(8 * math.sqrt(plan_count * 10))))
    writer = _Writer(rng, organisations)
    plans = [_make_plan(index, writer, organisations) for index in range(plan_count)]
    documents = [
        {
            "id": plan.source,
            "title": plan.title,
            "publisher": plan.head["owners"],
            "date": plan.head["date"],
            "url": f"https://www.example.gov.uk/publications/{plan.plan_id}",
            "licence": "Open Government Licence v3.0",
        }
        for plan in plans
    ]
    for number in range(max(5, plan_count // 2)):
        topic = rng.choice(TOPICS)[1]
        documents.append(
            {
                "id": f"report-{number:04d}-{_slug(topic)}",
                "title": f"Review of {topic} ({2010 + number % 15})",
                "publisher": [writer.org()["id"]],
                "date": str(2010 + number % 15),
            }
        )
    programmes = []
    for number in range(max(5, plan_count // 4)):
        topic = rng.choice(TOPICS)[1]
        programme = {
            "id": f"programme-{number:04d}-{_slug(topic)}",
            "name": f"{topic.capitalize()} programme {number}",
            "owners": [writer.org()["id"]],
        }
        if programmes and rng.random() < 0.2:
            programme["part-of"] = rng.choice(programmes)["id"]
        programmes.append(programme)
    _add_links(plans, documents, programmes, rng)

    if directory.exists():
        shutil.rmtree(directory)
    (directory / "plans").mkdir(parents=True)
    organisation_entries = []
    for organisation in organisations:
        entry = {
            "id": organisation["id"],
            "name": organisation["name"],
            "abbreviations": [organisation["abbreviation"]],
        }
        if "part-of" in organisation:
            entry["part-of"] = organisation["part-of"]
        organisation_entries.append(entry)
    (directory / "organisations.yaml").write_text(
        registry_yaml("organisations", organisation_entries), encoding="utf-8"
    )
    (directory / "documents.yaml").write_text(registry_yaml("documents", documents), encoding="utf-8")
    (directory / "programmes.yaml").write_text(registry_yaml("programmes", programmes), encoding="utf-8")
    for plan in plans:
        (directory / "plans" / f"{plan.plan_id}.yaml").write_text(plan_yaml(plan), encoding="utf-8")
    return _describe(plans)


def _describe(plans: list[_Plan]) -> dict:
    """Pick the ids the benchmark queries use: a deep feeds-into start, a busy node, a plan pair with many links."""
    feeds: dict[str, list[str]] = {}
    degree: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    for plan in plans:
        for link in plan.links:
            source = (
                f"{plan.plan_id}/{link['from']}"
                if "/" not in link["from"] and link["from"] != plan.plan_id
                else link["from"]
            )
            target = link["to"]
            if "/" not in target and any(target == item.local for item in plan.recommendations + plan.workstreams):
                target = f"{plan.plan_id}/{target}"
            degree[source] = degree.get(source, 0) + 1
            degree[target] = degree.get(target, 0) + 1
            if link["relation"] == "feeds-into":
                feeds.setdefault(source, []).append(target)
            if "/" in target and target.split("/")[0] != plan.plan_id:
                key = (plan.plan_id, target.split("/")[0])
                pairs[key] = pairs.get(key, 0) + 1

    def reach(start: str) -> int:
        seen, stack = set(), [start]
        while stack:
            for nxt in feeds.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return len(seen)

    starts = sorted(feeds)[:: max(1, len(feeds) // 400)]
    deepest = max(starts, key=lambda node: (reach(node), node)) if starts else None
    busiest = max(sorted(degree), key=lambda node: degree[node] if "/" in node else -1)
    middle = plans[len(plans) // 2]
    mapping = max(sorted(pairs), key=lambda key: pairs[key]) if pairs else (plans[0].plan_id, plans[-1].plan_id)
    return {
        "plans": len(plans),
        "feeds_start": deepest,
        "feeds_reach": reach(deepest) if deepest else 0,
        "neighbourhood": busiest,
        "lookup": f"{middle.plan_id}/{middle.recommendations[len(middle.recommendations) // 2].local}",
        "search": SEARCH_WORD,
        "mapping": list(mapping),
        "edit_plan": f"plans/{middle.plan_id}.yaml",
    }


def write_ntriples(directory: Path, target: Path) -> tuple[int, int]:
    """Load a data directory with crossplan and write its triples (and the ontology's) as N-Triples.

    Returns (triple count, node count).
    """
    from pyoxigraph import RdfFormat, parse, serialize

    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.model.vocabulary import ONTOLOGY_IRI
    from crossplan.graph.rdf.quads import dataset_quads
    from crossplan.graph.resources import ontology_text

    dataset = load_dataset(directory)
    triples = {quad.triple for quad in dataset_quads(dataset)}
    data_triples = len(triples)
    triples.update(parse(ontology_text(), format=RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI))
    with target.open("wb") as stream:
        serialize(triples, stream, format=RdfFormat.N_TRIPLES)
    return data_triples, len(dataset.nodes)


def ensure_scale(
    scale: str, root: Path = DATA_ROOT, seed: int = DEFAULT_SEED, quiet: bool = False
) -> tuple[Path, dict]:
    """Return (data directory, description) of a scale, generating it unless an identical one is already there."""
    target = root / scale
    meta_path = target / "meta.json"
    plan_count = plans_for(scale)
    wanted = {"generator": GENERATOR_VERSION, "seed": seed, "plans": plan_count}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if all(meta.get(key) == value for key, value in wanted.items()):
            return target / "yaml", meta
    started = time.perf_counter()
    if not quiet:
        print(f"generating {scale}: {plan_count} plans …", flush=True)
    meta = generate(target / "yaml", plan_count, seed)
    triples, nodes = write_ntriples(target / "yaml", target / "data.nt")
    size = sum(path.stat().st_size for path in (target / "yaml").rglob("*.yaml"))
    meta.update(
        wanted,
        scale=scale,
        triples=triples,
        nodes=nodes,
        yaml_bytes=size,
        seconds=round(time.perf_counter() - started, 1),
    )
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    if not quiet:
        print(f"  {triples:,} triples, {nodes:,} nodes, {size / 1e6:.1f} MB of YAML in {meta['seconds']} s", flush=True)
    return target / "yaml", meta
