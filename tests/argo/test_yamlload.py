"""The YAML loader: lines kept, duplicate keys refused, alias bombs answered at once."""

from __future__ import annotations

import pytest
import yaml

from lab.argo.yamlload import MAX_EXPANDED_NODES, AliasBombError, LineDict, load_documents


def bomb(levels: int, width: int = 8) -> str:
    """A "billion laughs" document: each level refers ``width`` times to the one before."""
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_mappings_know_the_line_of_each_key() -> None:
    (doc,) = load_documents("a: 1\nb:\n  c: 2\n")
    assert isinstance(doc, LineDict)
    assert (doc.line_of("a"), doc.line_of("b"), doc["b"].line_of("c")) == (1, 2, 3)


def test_a_key_written_twice_is_refused_with_both_lines() -> None:
    with pytest.raises(yaml.YAMLError, match=r"duplicate key 'b' \(first written on line 2\)"):
        load_documents("a: 1\nb: 2\nb: 3\n")


def test_an_alias_bomb_is_refused_before_it_is_built() -> None:
    text = bomb(levels=10)  # 8**10 nodes once expanded, about 500 bytes of YAML
    assert len(text) < 600
    with pytest.raises(AliasBombError, match="aliases expand this document to more than") as caught:
        load_documents(text)
    assert caught.value.problem_mark.line == 5  # level 5: 8**6 nodes, past the limit


def test_a_few_aliases_are_fine() -> None:
    (doc,) = load_documents(bomb(levels=3))
    assert len(doc["l2"]) == 8 and doc["l2"][0][0] == ["x"] * 8


def test_the_limit_counts_expanded_nodes() -> None:
    width = 100
    ok = bomb(levels=2, width=width)  # about 100 * 100 nodes
    load_documents(ok)
    assert width**3 > MAX_EXPANDED_NODES
    with pytest.raises(AliasBombError):
        load_documents(bomb(levels=3, width=width))


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(yaml.YAMLError):
        load_documents("a: &a [1, *a]\n")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(yaml.YAMLError):
        load_documents("[" * 100_000 + "]" * 100_000)


def test_empty_documents_are_dropped() -> None:
    assert load_documents("# only a comment\n---\n") == []


def test_a_huge_document_without_aliases_is_refused_as_such() -> None:
    text = "items:\n" + "".join(f"  - {i}\n" for i in range(MAX_EXPANDED_NODES + 10))
    with pytest.raises(AliasBombError, match="the document has more than 100000 nodes"):
        load_documents(text)
