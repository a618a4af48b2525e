#!/usr/bin/env python3
"""Validates the stats and alert schemas (JSON Schema draft 2020-12) and documents against them.

Usage:
  validate_stats_alert_schemas.py                      # check both schemas and all examples:
                                                       #   schemas/examples/{stats,alert}.valid.*.json must pass,
                                                       #   schemas/examples/{stats,alert}.invalid.*.json must fail
  validate_stats_alert_schemas.py stats FILE...        # every FILE must be a valid stats record
  validate_stats_alert_schemas.py alert FILE...        # every FILE must be a valid alert record

Exit status 0 when everything is as expected, 1 otherwise (with one line per problem).
Needs python3-jsonschema (scripts/setup installs it).
"""
import glob
import json
import os
import sys

from jsonschema import Draft202012Validator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ("stats", "alert")


def validator(kind):
    with open(os.path.join(ROOT, "schemas", f"{kind}.schema.json"), encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors_of(check, path):
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        return [f"not JSON: {error}"]
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in check.iter_errors(document)]


def check_examples():
    problems = []
    for kind in KINDS:
        check = validator(kind)
        valid = sorted(glob.glob(os.path.join(ROOT, "schemas", "examples", f"{kind}.valid.*.json")))
        invalid = sorted(glob.glob(os.path.join(ROOT, "schemas", "examples", f"{kind}.invalid.*.json")))
        if not valid or not invalid:
            problems.append(f"{kind}: needs at least one valid and one invalid example")
        for path in valid:
            problems += [f"{os.path.basename(path)} should be valid: {e}" for e in errors_of(check, path)]
        for path in invalid:
            if not errors_of(check, path):
                problems.append(f"{os.path.basename(path)} should be invalid but passes")
        print(f"{kind}: {len(valid)} valid and {len(invalid)} invalid examples checked")
    return problems


def check_files(kind, paths):
    check = validator(kind)
    problems = []
    for path in paths:
        problems += [f"{path}: {e}" for e in errors_of(check, path)]
    print(f"{kind}: {len(paths)} documents checked")
    return problems


def main(arguments):
    if not arguments:
        problems = check_examples()
    elif arguments[0] in KINDS and len(arguments) > 1:
        problems = check_files(arguments[0], arguments[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
