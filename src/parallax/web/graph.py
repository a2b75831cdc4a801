"""The provenance picture of a story, drawn server-side as SVG: who copied or rewrote whom.

Each origin group is a block; inside it the original sits on top and every article that derives from
another sits one row under it (siblings side by side). An arrow goes from the copy to what it copies,
labelled with the relation ("reprint of", "rewrite of"). Everything from the articles is escaped here,
the SVG needs no script and no external resource, and each node links to its article page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from parallax.model import Brief, Story
from parallax.render.common import SourceIndex, relation_label
from parallax.web.views import PALETTE, article_href

NODE_W, NODE_H = 184, 62
H_GAP, V_GAP, BLOCK_GAP, MARGIN = 16, 70, 30, 12


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _cut(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


@dataclass
class Node:
    id: str
    x: int = 0
    y: int = 0
    depth: int = 0
    colour: int = 0


def provenance(brief: Brief, story: Story) -> dict[str, Any]:
    """{svg: str, width, height, edges: [{from, to, relation, label, evidence, score, ...}], groups: int}"""
    index = SourceIndex(brief)
    members = [a for a in story.articles if a in index.by_id]
    member_set = set(members)
    parent: dict[str, str] = {}
    for aid in members:
        for rel in index.by_id[aid].derived_from:
            if rel.article in member_set and rel.article != aid:
                parent.setdefault(aid, rel.article)
                break

    def depth(aid: str) -> int:
        d, seen = 0, {aid}
        while aid in parent and parent[aid] not in seen:
            aid = parent[aid]
            seen.add(aid)
            d += 1
        return d

    groups: dict[str, list[str]] = {}
    for aid in members:
        groups.setdefault(index.group_of.get(aid) or "\0" + aid, []).append(aid)
    # the largest group (the most copied report) first
    groups = dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))
    nodes: dict[str, Node] = {}
    x0 = MARGIN
    height = 0
    for k, (_gid, arts) in enumerate(groups.items()):
        levels: dict[int, list[str]] = {}
        for aid in arts:
            levels.setdefault(depth(aid), []).append(aid)
        widest = max(len(v) for v in levels.values())
        block_w = widest * NODE_W + (widest - 1) * H_GAP
        for d, row in sorted(levels.items()):
            row_w = len(row) * NODE_W + (len(row) - 1) * H_GAP
            start = x0 + (block_w - row_w) // 2
            for j, aid in enumerate(row):
                y = MARGIN + 22 + d * (NODE_H + V_GAP)
                nodes[aid] = Node(aid, start + j * (NODE_W + H_GAP), y, d, k % PALETTE)
                height = max(height, y + NODE_H)
        x0 += block_w + BLOCK_GAP
    width = max(x0 - BLOCK_GAP + MARGIN, 2 * MARGIN + NODE_W)
    height += MARGIN

    edges = []
    for aid in members:
        a = index.by_id[aid]
        for rel in a.derived_from:
            target = index.by_id.get(rel.article)
            edges.append({"from": aid, "from_outlet": a.source or aid, "to": rel.article,
                          "to_outlet": (target.source if target else None) or rel.article,
                          "relation": rel.relation, "label": relation_label(rel), "evidence": rel.evidence,
                          "score": rel.score, "drawn": aid in nodes and rel.article in nodes,
                          "from_href": article_href(aid), "to_href": article_href(rel.article)})

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="prov" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="prov-title prov-desc">',
        '<title id="prov-title">Who copied or rewrote whom</title>',
        f'<desc id="prov-desc">{len(members)} articles in {len(groups)} independent origin groups; '
        f'{sum(1 for e in edges if e["drawn"])} derivations. Arrows point from a copy to what it copies.</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>',
    ]
    # group frames
    for k, (_gid, arts) in enumerate(groups.items()):
        xs = [nodes[a].x for a in arts]
        ys = [nodes[a].y for a in arts]
        gx, gy = min(xs) - 8, min(ys) - 26
        gw, gh = max(xs) + NODE_W + 8 - gx, max(ys) + NODE_H + 8 - gy
        parts.append(f'<rect class="group og{k % PALETTE}" x="{gx}" y="{gy}" width="{gw}" height="{gh}" rx="10"/>')
        parts.append(f'<text class="group-label" x="{gx + 8}" y="{gy + 16}">origin {k + 1}'
                     f'{" · " + str(len(arts)) + " articles" if len(arts) > 1 else ""}</text>')
    # edges under the nodes
    for e in edges:
        if not e["drawn"]:
            continue
        c, p = nodes[e["from"]], nodes[e["to"]]
        x1, y1 = c.x + NODE_W // 2, c.y
        x2, y2 = p.x + NODE_W // 2, p.y + NODE_H
        if y1 <= y2:  # same row or upside down: go round the side
            x1, y1, x2, y2 = c.x, c.y + NODE_H // 2, p.x + NODE_W, p.y + NODE_H // 2
            d = f"M{x1},{y1} C{x1 - 40},{y1} {x2 + 40},{y2} {x2},{y2}"
        else:
            d = f"M{x1},{y1} C{x1},{y1 - 40} {x2},{y2 + 40} {x2},{y2}"
        mx, my = (x1 + x2) // 2, (y1 + y2) // 2
        label = _cut(e["label"], 22)
        lw = 7 * len(label) + 10
        parts.append(f'<g class="edge edge-{_e(e["relation"])}"><title>{_e(e["from_outlet"])} — {_e(e["label"])} '
                     f'{_e(e["to_outlet"])}: {_e(e["evidence"])}</title>'
                     f'<path d="{d}" marker-end="url(#arrow)"/>'
                     f'<rect class="edge-label-bg" x="{mx - lw // 2}" y="{my - 10}" width="{lw}" height="18" rx="4"/>'
                     f'<text class="edge-label" x="{mx}" y="{my + 3}" text-anchor="middle">{_e(label)}</text></g>')
    for aid, n in nodes.items():
        a = index.by_id[aid]
        outlet = a.source or aid
        sub = a.published[:16].replace("T", " ") if a.published else aid
        credit = next((c.name for c in a.credits if c.name and c.kind == "wire"), None)
        kind = "original" if aid not in parent else "derived"
        parts.append(
            f'<a href="{_e(article_href(aid))}" class="node node-{kind} og{n.colour}">'
            f'<title>{_e(outlet)} — {_e(a.title or aid)}</title>'
            f'<rect x="{n.x}" y="{n.y}" width="{NODE_W}" height="{NODE_H}" rx="6"/>'
            f'<text class="node-outlet" x="{n.x + 10}" y="{n.y + 20}">{_e(_cut(outlet, 22))}</text>'
            f'<text class="node-sub" x="{n.x + 10}" y="{n.y + 37}">{_e(_cut(sub, 28))}</text>'
            f'<text class="node-sub" x="{n.x + 10}" y="{n.y + 53}">'
            f'{_e(_cut(("credits " + credit) if credit else kind, 28))}</text></a>'
        )
    parts.append("</svg>")
    return {"svg": "".join(parts), "width": width, "height": height, "edges": edges, "groups": len(groups),
            "articles": len(members)}
