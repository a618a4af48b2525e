"""Strict YAML/JSON loading: duplicate keys are errors (PyYAML and json accept them silently)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


class DuplicateKeyError(ValueError):
    """A mapping that defines the same key twice."""


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False):
    loader.flatten_mapping(node)  # resolves `<<: *anchor` merges first; merged keys may be overridden
    seen: dict = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen and (key_node.start_mark.line, key_node.start_mark.column) != seen[key]:
            raise DuplicateKeyError(
                f"duplicate key {key!r} at line {key_node.start_mark.line + 1} "
                f"(first at line {seen[key][0] + 1})")
        seen[key] = (key_node.start_mark.line, key_node.start_mark.column)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_documents(path: Path) -> list:
    """All non-empty documents of a YAML file."""
    with open(path, encoding="utf-8") as handle:
        return [doc for doc in yaml.load_all(handle, Loader=StrictLoader) if doc is not None]


def load_yaml(path: Path):
    documents = load_yaml_documents(path)
    if len(documents) != 1:
        raise ValueError(f"{path}: expected one YAML document, found {len(documents)}")
    return documents[0]


def load_yaml_text(text: str):
    return yaml.load(text, Loader=StrictLoader)


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(f"duplicate key {key!r}")
        result[key] = value
    return result


def load_json(path: Path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle, object_pairs_hook=_no_duplicates)
