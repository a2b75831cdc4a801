"""Architecture check: no import cycles, no private cross-module imports, no sys.path edits in the package.

    python tools/check_architecture.py [--root src/parallax] [--clients tests bench tools]

Every import in the package counts, the lazy ones inside functions too: a cycle hidden in a function body
is still a cycle between two modules' responsibilities. A "private" name is one that starts with an
underscore; importing it from another module (`from parallax.x import _y`), or reaching it through an
imported module (`x._y`), is a reach-in. A module may use its own package's `__init__` re-exports.
The clients (tests, benchmarks, tools) use the package as its users do: no private name of the package,
imported or reached through a module. Exit status 1 when anything is found, with one line per finding.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def resolve(name: str, modules: set[str]) -> str | None:
    """The longest known module that `name` (a module or module.attribute) names."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def scan(root: Path) -> tuple[dict[str, set[str]], list[str]]:
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    modules = set(files)
    top = root.name
    graph: dict[str, set[str]] = {m: set() for m in modules}
    findings: list[str] = []
    for mod, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        aliases: dict[str, str] = {}  # local name -> module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == top or a.name.startswith(top + "."):
                        target = resolve(a.name, modules)
                        if target and target != mod:
                            graph[mod].add(target)
                        if a.asname and target:
                            aliases[a.asname] = target
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    findings.append(f"{path}:{node.lineno}: relative import (use absolute parallax.… imports)")
                    continue
                base = node.module or ""
                if not (base == top or base.startswith(top + ".")):
                    continue
                for a in node.names:
                    full = f"{base}.{a.name}"
                    target = resolve(full, modules) if full in modules else resolve(base, modules)
                    if target and target != mod:
                        graph[mod].add(target)
                    if full in modules:
                        aliases[a.asname or a.name] = full
                    owner = resolve(base, modules)
                    if a.name.startswith("_") and not a.name.startswith("__") and owner != mod:
                        findings.append(f"{path}:{node.lineno}: imports private name {a.name} from {base}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                target = aliases.get(node.value.id)
                if target and node.attr.startswith("_") and not node.attr.startswith("__") and target != mod:
                    findings.append(f"{path}:{node.lineno}: reaches into {target}.{node.attr}")
            if isinstance(node, ast.Attribute) and node.attr == "path" and isinstance(node.value, ast.Name) \
                    and node.value.id == "sys":
                findings.append(f"{path}:{node.lineno}: uses sys.path (the package must not edit the import path)")
    return graph, findings


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    comp.append(m)
                    if m == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def scan_clients(dirs: list[Path], root: Path) -> list[str]:
    """Private names of the package used by code outside it (tests, benchmarks, tools)."""
    modules = {module_name(p, root) for p in root.rglob("*.py")}
    top = root.name
    findings: list[str] = []
    for d in dirs:
        for path in sorted(d.rglob("*.py")) if d.is_dir() else []:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            aliases: dict[str, str] = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for a in node.names:
                        if (a.name == top or a.name.startswith(top + ".")) and a.name in modules:
                            aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else top
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    base = node.module or ""
                    if not (base == top or base.startswith(top + ".")):
                        continue
                    for a in node.names:
                        if a.name.startswith("_") and not a.name.startswith("__"):
                            findings.append(f"{path}:{node.lineno}: imports private name {a.name} from {base}")
                        if f"{base}.{a.name}" in modules:
                            aliases[a.asname or a.name] = f"{base}.{a.name}"
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                        and node.value.id in aliases and node.attr.startswith("_") and not node.attr.startswith("__"):
                    findings.append(f"{path}:{node.lineno}: reaches into {aliases[node.value.id]}.{node.attr}")
    return findings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1] / "src" / "parallax")
    ap.add_argument("--clients", type=Path, nargs="*", default=None,
                    help="folders of code that uses the package (default: tests, bench and tools beside src)")
    args = ap.parse_args(argv)
    graph, findings = scan(args.root)
    repo = args.root.resolve().parents[1]
    clients = args.clients if args.clients is not None else [repo / "tests", repo / "bench", repo / "tools"]
    findings += scan_clients(clients, args.root)
    for comp in cycles(graph):
        # Show one concrete loop through the component.
        findings.append("import cycle among: " + ", ".join(comp))
    for f in findings:
        print(f)
    n_edges = sum(len(v) for v in graph.values())
    print(f"{len(graph)} modules, {n_edges} imports: {'OK' if not findings else f'{len(findings)} finding(s)'}",
          file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
