"""Finds the metric names a PromQL expression (or a Grafana query) selects.

Not a full PromQL parser: promtool checks the syntax. This tokenizer only has to tell metric
names from functions, keywords, label names and literals, which PromQL's grammar makes easy:
strings, label matchers `{…}`, ranges `[…]` and grouping lists `by (…)` hold no metric names,
and an identifier followed by `(` is a function or an aggregation.
"""

from __future__ import annotations

import re

GRAFANA_SUBSTITUTIONS = {
    "$__rate_interval": "5m",
    "${__rate_interval}": "5m",
    "$__interval": "1m",
    "${__interval}": "1m",
    "$__range": "1h",
    "${__range}": "1h",
    "$__range_s": "3600",
    "$__interval_ms": "60000",
}

KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
    "offset", "atan2", "inf", "nan", "start", "end",
}
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
    "topk", "quantile", "limitk", "limit_ratio",
}

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<number>0x[0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)?)
  | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<variable>\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def substitute_grafana_variables(expr: str, variables: dict[str, str] | None = None) -> str:
    """Replaces Grafana's built-in and dashboard variables with values promtool can parse."""
    for name, value in GRAFANA_SUBSTITUTIONS.items():
        expr = expr.replace(name, value)
    for name, value in (variables or {}).items():
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    return expr


def metric_names(expr: str) -> set[str]:
    """Metric names selected by a PromQL expression. Raises ValueError on `__name__` selectors."""
    if "__name__" in expr:
        raise ValueError("selects metrics by __name__, which cannot be checked against the catalog")
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(expr) if m.lastgroup != "space"]
    names: set[str] = set()
    index = 0
    while index < len(tokens):
        kind, text = tokens[index]
        if kind == "open":
            if text in "{[":
                index = _skip_group(tokens, index)
                continue
            index += 1
            continue
        if kind == "ident":
            following = tokens[index + 1] if index + 1 < len(tokens) else (None, "")
            lowered = text.lower()
            if lowered in GROUPING and following == ("open", "("):
                index = _skip_group(tokens, index + 1)
                continue
            if following == ("open", "("):
                index += 1  # a function or an aggregation
                continue
            if lowered in AGGREGATIONS and following[0] == "ident" and following[1].lower() in ("by", "without"):
                index += 1  # `sum by (…) (…)`
                continue
            if lowered in KEYWORDS:
                index += 1
                continue
            names.add(text)
        index += 1
    return names


def _skip_group(tokens, open_index: int) -> int:
    """Index after the bracket group that opens at open_index."""
    pairs = {"(": ")", "{": "}", "[": "]"}
    opener = tokens[open_index][1]
    closer = pairs[opener]
    depth = 0
    for index in range(open_index, len(tokens)):
        kind, text = tokens[index]
        if kind == "open" and text == opener:
            depth += 1
        elif kind == "close" and text == closer:
            depth -= 1
            if depth == 0:
                return index + 1
    raise ValueError(f"unbalanced {opener!r}")


_LABEL_VALUES = re.compile(r"^\s*label_values\s*\((.*)\)\s*$", re.DOTALL)
_QUERY_RESULT = re.compile(r"^\s*query_result\s*\((.*)\)\s*$", re.DOTALL)


def grafana_variable_query_metrics(query: str) -> set[str]:
    """Metric names used by a Grafana Prometheus variable query (label_values, query_result)."""
    match = _LABEL_VALUES.match(query)
    if match:
        arguments = match.group(1)
        # label_values(label) or label_values(series_selector, label)
        depth, split_at = 0, None
        for position, char in enumerate(arguments):
            if char in "({[":
                depth += 1
            elif char in ")}]":
                depth -= 1
            elif char == "," and depth == 0:
                split_at = position
        if split_at is None:
            return set()
        return metric_names(arguments[:split_at])
    match = _QUERY_RESULT.match(query)
    if match:
        return metric_names(match.group(1))
    if query.strip().startswith(("metrics(", "label_names(")):
        raise ValueError(f"variable query {query!r} cannot be checked against the catalog")
    return metric_names(query)
