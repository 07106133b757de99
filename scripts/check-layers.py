#!/usr/bin/env python3
"""The module layering, checked: `make test` runs this before the tests.

    python3 scripts/check-layers.py [REPO]

Fails (exit 1, one line per problem) when a module under Sources/ imports a
first-party module its layer may not use, or imports a module that its target
in Package.swift does not declare. docs/architecture.md draws the same graph.
"""
import os
import re
import sys

# What each first-party module may import (C shims and outside packages aside).
ALLOWED = {
    "ArgoCore": set(),
    "ArgoAnalytics": {"ArgoCore"},
    "ArgoJSONScan": set(),
    "ArgoLua": {"ArgoJSONScan"},
    "ArgoPlugins": {"ArgoCore", "ArgoLua", "ArgoJSONScan"},
    "ArgoFetch": {"ArgoCore", "ArgoJSONScan"},
    "ArgoEngine": {"ArgoCore", "ArgoAnalytics", "ArgoPlugins", "ArgoFetch"},
    "ArgoStore": {"ArgoCore"},
    "ArgoService": {"ArgoCore", "ArgoAnalytics", "ArgoPlugins", "ArgoFetch", "ArgoEngine", "ArgoStore"},
    "ArgoSimulator": set(),
    # The command wires everything together; it still may not drive Lua itself.
    "ArgoCLI": {"ArgoCore", "ArgoAnalytics", "ArgoPlugins", "ArgoFetch", "ArgoEngine", "ArgoStore", "ArgoService", "ArgoSimulator"},
}

# Modules every target may use without declaring them.
PLATFORM = {"Foundation", "Glibc", "Darwin", "Dispatch", "Synchronization", "Testing", "XCTest", "_Concurrency"}

IMPORT = re.compile(r"\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:internal|public|private|fileprivate|package)\s+)?import\s+(?:\w+\s+)?(\w+)")


def declared_dependencies(package_text):
    """Target name -> the names its `dependencies:` list mentions (targets and products)."""
    targets = {}
    for match in re.finditer(r'\.(?:target|executableTarget|testTarget|systemLibrary)\(\s*name:\s*"(\w+)"', package_text):
        name = match.group(1)
        rest = package_text[match.end():]
        end = rest.find("\n        .")  # the next target at the same indentation
        body = rest if end < 0 else rest[:end]
        deps = set(re.findall(r'"(\w+)"', body.split("dependencies:", 1)[1])) if "dependencies:" in body else set()
        targets[name] = deps
    return targets


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else "."
    src = os.path.join(repo, "Sources")
    with open(os.path.join(repo, "Package.swift"), encoding="utf-8") as handle:
        declared = declared_dependencies(handle.read())
    modules = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    first_party = set(modules)
    problems = []
    for module in modules:
        if module.startswith("Argo") and module not in ALLOWED:
            problems.append(f"Sources/{module}: a module the layering does not know; add it to scripts/check-layers.py")
    for module in modules:
        for dependency in sorted(declared.get(module, set()) & first_party):
            if module in ALLOWED and dependency.startswith("Argo") and dependency not in ALLOWED[module]:
                problems.append(f"Package.swift: {module} depends on {dependency}, which its layer may not use")
        for root, _, files in os.walk(os.path.join(src, module)):
            for name in sorted(files):
                if not name.endswith(".swift"):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as handle:
                    for number, line in enumerate(handle, 1):
                        match = IMPORT.match(line)
                        if not match:
                            continue
                        imported = match.group(1)
                        where = f"{os.path.relpath(path, repo)}:{number}"
                        if imported in first_party and imported != module:
                            if module in ALLOWED and imported.startswith("Argo") and imported not in ALLOWED[module]:
                                problems.append(f"{where}: {module} may not import {imported}")
                            if imported not in declared.get(module, set()):
                                problems.append(f"{where}: {module} imports {imported}, which Package.swift does not declare for it")
                        elif imported not in PLATFORM and imported not in first_party and imported not in declared.get(module, set()):
                            problems.append(f"{where}: {module} imports {imported}, which Package.swift does not declare for it")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
