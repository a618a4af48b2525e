#!/usr/bin/env python3
"""Validate callback-stream JSON documents against the JSON Schemas in schemas/ (draft 2020-12).

Usage:
  scripts/validate_schemas.py
      Check every schema, then every example in schemas/examples/: files named
      <schema>.valid.<label>.json must validate, <schema>.invalid.<label>.json must not.
      A .jsonl example holds one document per line (each line is checked).
  scripts/validate_schemas.py --schema summary FILE... | -
      Validate files (or stdin with -) against schemas/<schema>.schema.json. Each file
      holds one JSON document, or one document per line when it ends in .jsonl or when
      --lines is given (stdin is always read as lines). Blank lines are skipped.

Exit status: 0 when everything is as expected, 1 otherwise (each problem is printed).
Requires python3-jsonschema (Debian: apt-get install python3-jsonschema), version 4.x.
"""

import argparse
import json
import pathlib
import sys

try:
    from jsonschema import Draft202012Validator
except ImportError:  # pragma: no cover
    sys.exit("python3 jsonschema is missing: apt-get install python3-jsonschema")

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
EXAMPLES = SCHEMAS / "examples"


def load_validator(name):
    path = SCHEMAS / f"{name}.schema.json"
    if not path.is_file():
        raise SystemExit(f"unknown schema {name!r} (no {path.relative_to(ROOT)})")
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def documents(text, as_lines):
    """Yields (label, document or JSONDecodeError) for one document or one per line."""
    if not as_lines:
        try:
            yield "", json.loads(text)
        except json.JSONDecodeError as error:
            yield "", error
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f":{number}", json.loads(line)
        except json.JSONDecodeError as error:
            yield f":{number}", error


def problems(validator, document):
    if isinstance(document, json.JSONDecodeError):
        return [f"not JSON: {document}"]
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]


def check_examples():
    failures = 0
    validators = {}
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        name = path.name[: -len(".schema.json")]
        validators[name] = load_validator(name)
    examples = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".json", ".jsonl"))
    if not examples:
        print("no examples found", file=sys.stderr)
        return 1
    for path in examples:
        parts = path.name.split(".")
        if len(parts) < 4 or parts[0] not in validators or parts[1] not in ("valid", "invalid"):
            print(f"FAIL {path.name}: name must be <schema>.valid|invalid.<label>.json[l]")
            failures += 1
            continue
        validator = validators[parts[0]]
        expect_valid = parts[1] == "valid"
        text = path.read_text(encoding="utf-8")
        for label, document in documents(text, path.suffix == ".jsonl"):
            found = problems(validator, document)
            if expect_valid and found:
                failures += 1
                print(f"FAIL {path.name}{label}: expected valid, got:")
                for problem in found:
                    print(f"    {problem}")
            elif not expect_valid and not found:
                failures += 1
                print(f"FAIL {path.name}{label}: expected invalid, but it validates")
            else:
                print(f"ok   {path.name}{label}")
    print(f"{len(examples)} example files, {failures} failures")
    return 1 if failures else 0


def check_files(schema, files, as_lines):
    validator = load_validator(schema)
    failures = 0
    count = 0
    for name in files:
        if name == "-":
            text, lines = sys.stdin.read(), True
        else:
            text = pathlib.Path(name).read_text(encoding="utf-8")
            lines = as_lines or name.endswith(".jsonl")
        for label, document in documents(text, lines):
            count += 1
            found = problems(validator, document)
            if found:
                failures += 1
                print(f"FAIL {name}{label}:")
                for problem in found:
                    print(f"    {problem}")
    print(f"{count} documents checked against {schema}, {failures} invalid")
    return 1 if failures or count == 0 else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schema", help="schema name (lifecycle-event, summary, live-session, dead-letter)")
    parser.add_argument("--lines", action="store_true", help="read every file as one document per line")
    parser.add_argument("files", nargs="*", help="files to validate, - for stdin")
    args = parser.parse_args()
    if args.schema is None:
        if args.files:
            parser.error("files need --schema")
        return check_examples()
    if not args.files:
        parser.error("--schema needs files (or - for stdin)")
    return check_files(args.schema, args.files, args.lines)


if __name__ == "__main__":
    sys.exit(main())
