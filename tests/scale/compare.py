"""What the cluster pipeline must reproduce of the batch: origin groups, stories, brief facts per story."""

from __future__ import annotations

import json
from typing import Any


def of_brief(brief: Any) -> dict[str, Any]:
    """The batch's outcome keyed by article ids and story membership."""
    return {
        "groups": {a.id: (a.group, sorted((d.article, d.relation) for d in a.derived_from)) for a in brief.articles},
        "stories": {json.dumps(sorted(s.articles)): story_facts(s.to_dict()) for s in brief.stories},
    }


def of_run(outcome: dict[str, Any]) -> dict[str, Any]:
    """The same of a cluster run (`parallax.scale.load_outcome`)."""
    groups = {}
    for r in outcome["articles"]:
        derived = json.loads(r["derived_json"] or "[]")
        groups[r["id"]] = (r["group_id"], sorted((d["article"], d["relation"]) for d in derived))
    stories = {}
    for s in outcome["stories"]:
        d = json.loads(s["story_json"])
        stories[json.dumps(sorted(d["articles"]))] = story_facts(d)
    return {"groups": groups, "stories": stories}


def story_facts(d: dict[str, Any]) -> dict[str, Any]:
    return {"id": d["id"], "headline": d["headline"],
            "facts": [(f["text"], f["sources"], f["support"], f["status"], f["speaker"]) for f in d["facts"]],
            "disputes": [(x["kind"], x["about"], [(v["value"], v["sources"]) for v in x["variants"]])
                         for x in d["disputes"]]}
