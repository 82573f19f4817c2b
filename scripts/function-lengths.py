#!/usr/bin/env python3
"""Checks the rule "functions are at most 60 lines" (Docs/Development.md).

Usage: scripts/function-lengths.py [--limit N] [--list] [DIR_OR_FILE ...]
(default: Sources Tests Fuzz Benchmarks). Run by scripts/lint.sh, so by `make lint` and CI.

What is measured. Every body of code that hangs off a declaration at file or
type level: `func`, `init`, `deinit`, `subscript`, computed properties and
property observers (each accessor — get, set, willSet, didSet, _read, _modify —
on its own when the property spells them out), and closures that initialise a
stored property (`static let table = { … }()`). Its length is the number of
lines from the line of the declaring keyword (`func`, `init`, `var`, …; the
attributes above it do not count) to the line of its closing brace, both
included, blank and comment lines included: what a reader scrolls through.
Nested functions, closures and local types count towards the declaration that
holds them. Braces, keywords and parentheses inside string literals (plain,
multi-line, raw, with interpolations, nested) and comments (line, nested block)
are ignored. Top-level statements of a `main.swift` are not declarations and
are not measured.

The exceptions are the documented hot kernels: the table under "Function length
and documented hot kernels" in Docs/Development.md (first column
`Type.function`, second column the file), read from there so that the list has
one home. A row whose function is no longer over the limit, or no longer exists,
is reported too: the table must stay true.

Exit status: 0 when every declaration is within the limit or documented, 1
otherwise (one line per finding: file:line: name is N lines).
"""

from __future__ import annotations

import bisect
import re
import sys
from pathlib import Path

LIMIT = 60
ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "Docs" / "Development.md"
SECTION = "## Function length and documented hot kernels"

TYPE_KEYWORDS = {"struct", "class", "enum", "extension", "protocol", "actor", "precedencegroup"}
CODE_KEYWORDS = {"func", "init", "deinit", "subscript", "var", "let"}
# Declarations without a body of code: they end the previous declaration.
OTHER_KEYWORDS = {"case", "typealias", "associatedtype", "import", "operator", "macro"}
# Statements of top-level code (main.swift), not measured.
STATEMENTS = {"if", "guard", "for", "while", "repeat", "do", "switch", "defer"}
ACCESSORS = {"get", "set", "willSet", "didSet", "_read", "_modify", "init", "unsafeAddress", "unsafeMutableAddress"}


class SwiftSyntaxError(Exception):
    pass


def mask(source: str) -> str:
    """The source with the contents of string literals and comments blanked out
    (newlines kept, so offsets and line numbers do not move). Interpolated code
    inside strings is blanked too: it belongs to an expression, never declares."""
    out = list(source)
    n = len(source)

    def blank(start: int, end: int) -> None:
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "

    def line_comment(i: int) -> int:
        end = source.find("\n", i)
        return n if end < 0 else end

    def block_comment(i: int) -> int:
        depth, i = 1, i + 2
        while i < n:
            if source.startswith("/*", i):
                depth, i = depth + 1, i + 2
            elif source.startswith("*/", i):
                depth, i = depth - 1, i + 2
                if depth == 0:
                    return i
            else:
                i += 1
        raise SwiftSyntaxError("unterminated block comment")

    def string(i: int) -> int:
        """i at the first `#` or `"` of a literal; returns the offset after it."""
        hashes = 0
        while source[i] == "#":
            hashes, i = hashes + 1, i + 1
        multiline = source.startswith('"""', i)
        i += 3 if multiline else 1
        close = ('"""' if multiline else '"') + "#" * hashes
        escape = "\\" + "#" * hashes
        while i < n:
            if source.startswith(escape, i):
                i += len(escape)
                if i < n and source[i] == "(":
                    i = code(i + 1, until=")")
                else:
                    i += 1
            elif source.startswith(close, i):
                return i + len(close)
            elif source[i] == "\n" and not multiline:
                raise SwiftSyntaxError("unterminated string literal")
            else:
                i += 1
        raise SwiftSyntaxError("unterminated string literal")

    def code(i: int, until: str | None = None) -> int:
        """Skips code from i; with `until`, stops after the unmatched `)`."""
        depth = 0
        while i < n:
            c = source[i]
            if source.startswith("//", i):
                start, i = i, line_comment(i)
                if until is None:
                    blank(start, i)
            elif source.startswith("/*", i):
                start, i = i, block_comment(i)
                if until is None:
                    blank(start, i)
            elif c == '"' or (c == "#" and re.match(r'#+"', source[i:i + 64])):
                start, i = i, string(i)
                if until is None:
                    blank(start, i)
            elif until is not None and c == "(":
                depth, i = depth + 1, i + 1
            elif until is not None and c == ")":
                if depth == 0:
                    return i + 1
                depth, i = depth - 1, i + 1
            else:
                i += 1
        if until is not None:
            raise SwiftSyntaxError("unterminated string interpolation")
        return i

    code(0)
    return "".join(out)


TOKEN = re.compile(r"`[^`\n]*`|#?[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9A-Za-z_]*|[{}()\[\];.]|[^\sA-Za-z0-9_{}()\[\];.`]+")


class Unit:
    def __init__(self, kind: str, name: str, line: int):
        self.kind, self.name, self.line = kind, name, line
        self.accessors: list[tuple[str, int, int]] = []


def declarations(path: Path) -> list[tuple[str, int, int]]:
    """(name, first line, line count) of every measured body in the file."""
    source = path.read_text(encoding="utf-8")
    text = mask(source)
    newlines = [k for k, c in enumerate(text) if c == "\n"]

    def line_of(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    tokens = [(m.group(0), m.start()) for m in TOKEN.finditer(text)]
    results: list[tuple[str, int, int]] = []
    # Stack entries: (kind, payload, paren depth when opened). kind: "type" (payload:
    # type name), "unit" (a Unit), "accessor" ((name, line)), "other".
    stack: list[tuple[str, object, int]] = [("file", None, 0)]
    parens = 0
    pending: tuple[str, str, int] | None = None  # (keyword, name, line)

    def type_path() -> str:
        return ".".join(str(p) for kind, p, _ in stack if kind == "type")

    def qualified(name: str) -> str:
        prefix = type_path()
        return f"{prefix}.{name}" if prefix else name

    def following_name(k: int) -> str:
        for word, _ in tokens[k + 1:k + 8]:
            if word in {"static", "class", "final", "private", "fileprivate", "lazy", "nonisolated"}:
                continue
            return word.strip("`")
        return "?"

    def accessor_before(k: int) -> str | None:
        """The accessor keyword that opens the brace at token k (`get`, `set(v)`,
        `get throws(E)`, `mutating get`), if any."""
        j = k - 1
        while j >= 0:
            if tokens[j][0] == ")":
                depth = 0
                while j >= 0:
                    depth += {")": 1, "(": -1}.get(tokens[j][0], 0)
                    j -= 1
                    if depth == 0:
                        break
            elif tokens[j][0] in ("throws", "async"):
                j -= 1
            else:
                break
        return tokens[j][0] if j >= 0 and tokens[j][0] in ACCESSORS else None

    for k, (word, offset) in enumerate(tokens):
        kind, payload, base = stack[-1]
        previous = tokens[k - 1][0] if k else ""
        if word in "([":
            parens += 1
        elif word in ")]":
            parens -= 1
        elif word == "{":
            at_declaration_level = kind in ("file", "type") and parens == base
            if at_declaration_level and pending and pending[0] in TYPE_KEYWORDS:
                stack.append(("type", pending[1], parens))
                pending = None
            elif at_declaration_level and pending and pending[0] in CODE_KEYWORDS:
                keyword, name, line = pending
                label = "init" if keyword == "init" else "deinit" if keyword == "deinit" else name
                if keyword == "subscript":
                    label = "subscript"
                stack.append(("unit", Unit(keyword, qualified(label), line), parens))
            elif kind == "unit" and payload.kind in ("var", "subscript") and parens == base and accessor_before(k):
                stack.append(("accessor", (accessor_before(k), line_of(offset)), parens))
            else:
                stack.append(("other", None, parens))
        elif word == "}":
            if len(stack) == 1:
                raise SwiftSyntaxError(f"line {line_of(offset)}: unmatched closing brace")
            kind, payload, base = stack.pop()
            end = line_of(offset)
            if kind == "unit":
                unit = payload
                if unit.accessors:
                    results.extend((f"{unit.name}.{a}", first, last - first + 1) for a, first, last in unit.accessors)
                else:
                    results.append((unit.name, unit.line, end - unit.line + 1))
                # A body ends its declaration, unless the expression goes on
                # (`}()`, `}.map { … }`): then the next brace still belongs to it.
                if k + 1 >= len(tokens) or tokens[k + 1][0] not in (".", "(", "?", "!"):
                    pending = None
            elif kind == "accessor":
                name, first = payload
                stack[-1][1].accessors.append((name, first, end))
            elif kind == "type":
                pending = None
        elif kind in ("file", "type") and parens == base and previous != "." and not word.startswith("`"):
            if word in TYPE_KEYWORDS or word in CODE_KEYWORDS:
                if word in TYPE_KEYWORDS and word in ("class", "actor") and following_name(k) in CODE_KEYWORDS | {"func"}:
                    continue  # `class func`, `class var`: a modifier
                name = following_name(k)
                if word in TYPE_KEYWORDS:  # `extension Outer.Inner`
                    j = k + 2
                    while j + 1 < len(tokens) and tokens[j][0] == ".":
                        name, j = f"{name}.{tokens[j + 1][0]}", j + 2
                pending = (word, name, line_of(offset))
            elif word in OTHER_KEYWORDS:
                pending = None
            elif kind == "file" and word in STATEMENTS and previous not in ("=", "return", "(", ",", ":"):
                pending = None  # top-level code of a main.swift: not a declaration
    if len(stack) != 1:
        raise SwiftSyntaxError("unmatched opening brace")
    return results


def hot_kernels() -> dict[tuple[str, str], int]:
    """(name, file) → line of the row in Docs/Development.md."""
    rows: dict[tuple[str, str], int] = {}
    inside = False
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            inside = line.strip() == SECTION
            continue
        match = re.match(r"\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|", line) if inside else None
        if match:
            rows[(match.group(1), match.group(2))] = number
    if not rows:
        sys.exit(f"function-lengths: no hot-kernel table under '{SECTION}' in {DOC}")
    return rows


def display(file: Path) -> str:
    """The path relative to the package root (as the hot-kernel table spells it)."""
    resolved = file.resolve()
    return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(resolved)


def main(argv: list[str]) -> int:
    limit, listing, roots = LIMIT, False, []
    args = iter(argv)
    for arg in args:
        if arg == "--limit":
            limit = int(next(args))
        elif arg == "--list":
            listing = True
        else:
            roots.append(arg)
    roots = roots or ["Sources", "Tests", "Fuzz", "Benchmarks"]
    files: list[Path] = []
    for root in roots:
        path = (ROOT / root) if not Path(root).is_absolute() else Path(root)
        if path.is_dir():  # not build folders and checkouts (.build, .venv, …)
            files.extend(f for f in sorted(path.rglob("*.swift"))
                         if not any(part.startswith(".") for part in f.relative_to(path).parts))
        else:
            files.append(path)
    kernels = hot_kernels()
    seen: set[tuple[str, str]] = set()
    findings: list[str] = []
    for file in files:
        relative = display(file)
        try:
            found = declarations(file)
        except SwiftSyntaxError as error:
            findings.append(f"{relative}: cannot be read by the checker: {error}")
            continue
        for name, line, count in found:
            if listing:
                print(f"{count:5d} {relative}:{line}: {name}")
            if count <= limit:
                continue
            key = (name, relative)
            if key in kernels:
                seen.add(key)
            else:
                findings.append(f"{relative}:{line}: {name} is {count} lines (limit {limit}; "
                                "split it into named phases, or document a hot kernel in Docs/Development.md)")
    checked = {display(file) for file in files}
    for key, row in sorted(kernels.items(), key=lambda item: item[1]):
        if key[1] in checked and key not in seen:
            findings.append(f"Docs/Development.md:{row}: {key[0]} ({key[1]}) is listed as a hot kernel "
                            f"over {limit} lines but is not one (any more): remove its row")
    for finding in findings:
        print(finding)
    if findings:
        print(f"function-lengths: {len(findings)} finding(s) (limit {limit} lines, Docs/Development.md)", file=sys.stderr)
        return 1
    print(f"function-lengths: {len(files)} files, every function within {limit} lines or a documented hot kernel")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
