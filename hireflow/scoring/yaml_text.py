"""YAML data files whose values are sentences: parse them, and find sentences YAML split.

A rubric written as ``text: {zh: ..., en: Describes situation, task, own actions and
result}`` parses as ``{"en": "Describes situation", "task": None, "own actions and
result": None}``: inside ``{...}`` an unquoted comma ends a text, and in a plain text
``: `` starts a mapping. The loader then silently keeps the first words of the sentence.
:func:`split_texts` finds the places where that happened, so that the loaders can refuse
the file and name the field instead; the fix is to quote the text.

Two shapes are recognised, on the parsed node tree (so the line of each is known):

* an entry of a flow mapping (``{...}``) that has no ``:`` at all (``{en: a, b}``: ``b``);
* a mapping key that is an unquoted text with a space in it and no value
  (``conclusion first and then the reasons:`` or ``...: null``), as left behind when such
  a file was loaded and written back.

Language keys of localised texts (``zh``, ``en``, ``zh-CN``) are what :data:`LANGUAGE_KEY`
accepts; the validators of models and questions refuse any other key in a text.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["LANGUAGE_KEY", "SPLIT_HINT", "load_yaml", "split_texts"]

# "zh", "en", "ja", "zh-CN", "pt_BR": a two- or three-letter code with optional subtags.
LANGUAGE_KEY = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

SPLIT_HINT = (
    "looks like part of a sentence that YAML split at an unquoted ', ' (inside {...}) or "
    "': '; put the whole text in quotes"
)

# libyaml where PyYAML was built with it (its wheels are): several times faster, same values.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"


def load_yaml(raw: str) -> tuple[Any, list[tuple[int, str, str]]]:
    """The document's value and the split texts in it (see :func:`split_texts`), read in one
    parse. YAML syntax errors propagate as :class:`yaml.YAMLError`."""
    loader = _LOADER(raw)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, split_texts(node)


def split_texts(node: yaml.Node | None) -> list[tuple[int, str, str]]:
    """``(line, field, fragment)`` for every place in the tree where a sentence was split:
    ``field`` is the path of the mapping that holds the fragment (``dimensions[0].anchors[3]
    .text``), ``line`` is 1-based."""
    found: list[tuple[int, str, str]] = []
    pending: list[tuple[yaml.Node, str]] = [(node, "")] if node is not None else []
    while pending:
        current, path = pending.pop()
        if isinstance(current, yaml.SequenceNode):
            pending.extend((item, f"{path}[{i}]") for i, item in enumerate(current.value))
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if _split_here(current, key, value):
                    found.append((key.start_mark.line + 1, path, str(key.value)))
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                pending.append((value, f"{path}.{name}" if path else name))
    return sorted(found)


def _split_here(mapping: yaml.MappingNode, key: yaml.Node, value: yaml.Node) -> bool:
    if not isinstance(key, yaml.ScalarNode) or key.style not in (None, ""):
        return False
    if not isinstance(value, yaml.ScalarNode) or value.tag != _NULL:
        return False
    if mapping.flow_style and value.value == "" and value.start_mark.index == key.end_mark.index:
        return True  # "{en: a, b}": b was never given a value with ':'
    return bool(re.search(r"\s", str(key.value).strip()))
