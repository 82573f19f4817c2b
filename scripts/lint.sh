#!/usr/bin/env bash
# `make lint`: swift-format's rule checks (configuration: .swift-format) on the
# package's Swift sources, tests and fuzzer, then the function-length rule
# (scripts/function-lengths.py: at most 60 lines except the hot kernels listed
# in Docs/Development.md) on those and the benchmarks. Exit 1 on any finding.
#
# The rules chosen catch real problems (force unwraps and `try!`, undocumented
# public declarations, assignments in expressions, retroactive conformances,
# ambiguous trailing-closure overloads, …) and pass on the tree as it is. Style
# rules the code does not follow (one declaration per line, semicolons, import
# order, line length) are off, and the pretty-printer's whitespace findings
# ([Indentation], [Spacing], [AddLines], …) are dropped: swift-format cannot turn
# them off (swiftlang/swift-format#764) and the tree is not formatted by it.
set -euo pipefail
cd "$(dirname "$0")/.."
whitespace='\[(Indentation|Spacing|AddLines|RemoveLine|TrailingWhitespace|LineLength|TrailingComma|EndOfLineComment)\]'
findings=$(swift format lint --parallel --configuration .swift-format --recursive Sources Tests Fuzz Package.swift 2>&1 \
    | grep -E '(warning|error):' | grep -Ev "$whitespace" || true)
status=0
if [[ -n "$findings" ]]; then
    printf '%s\n' "$findings"
    echo "lint: $(printf '%s\n' "$findings" | wc -l) finding(s) (rules in .swift-format)" >&2
    status=1
fi
python3 scripts/function-lengths.py Sources Tests Fuzz Benchmarks || status=1
if [[ $status -ne 0 ]]; then exit 1; fi
echo "lint: no findings"
