"""Patterns as automata: exact (non-greedy) matching, minimal DFAs, cycle errors."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrs.domain.profiles.model import Pattern
from lrs.domain.profiles.patterns import (
    Node,
    PatternError,
    accepts,
    build_tree,
    compile_pattern,
    compile_tree,
    compile_union,
)

A, B, C, D = (Node("template", t) for t in "ABCD")


def seq(*children):
    return Node("sequence", children=children)


def alt(*children):
    return Node("alternates", children=children)


def opt(child):
    return Node("optional", children=(child,))


def star(child):
    return Node("zeroOrMore", children=(child,))


def plus(child):
    return Node("oneOrMore", children=(child,))


def dfa(tree):
    return compile_tree("p", tree)


def language(tree, alphabet="ABCD", max_len=5):
    machine = dfa(tree)
    return {
        "".join(word)
        for n in range(max_len + 1)
        for word in itertools.product(alphabet, repeat=n)
        if accepts(machine, list(word))
    }


class TestExactMatching:
    def test_zero_or_more_then_the_same_template(self):
        """The spec's greedy reference matcher fails this; the automaton does not."""
        machine = dfa(seq(star(A), A))
        assert accepts(machine, ["A", "A"])
        assert accepts(machine, ["A"])
        assert accepts(machine, ["A"] * 5)
        assert not accepts(machine, [])

    def test_optional_then_the_same_template(self):
        machine = dfa(seq(opt(A), A))
        assert accepts(machine, ["A"]) and accepts(machine, ["A", "A"])
        assert not accepts(machine, ["A", "A", "A"])

    def test_one_or_more_then_the_same_template(self):
        machine = dfa(seq(plus(A), A, B))
        assert not accepts(machine, ["A", "B"])
        assert accepts(machine, ["A", "A", "B"])
        assert accepts(machine, ["A", "A", "A", "B"])

    def test_nested_alternates_and_optional(self):
        tree = seq(A, alt(seq(B, opt(C)), alt(C, seq(D, D))), opt(A))
        assert language(tree, max_len=4) == {
            "AB",
            "ABC",
            "AC",
            "ADD",
            "ABA",
            "ABCA",
            "ACA",
            "ADDA",
        }

    def test_alternates_of_repetitions(self):
        tree = alt(plus(A), seq(B, star(alt(A, C))))
        machine = dfa(tree)
        assert accepts(machine, ["A", "A"])
        assert accepts(machine, ["B", "C", "A", "C"])
        assert not accepts(machine, ["A", "B"])

    def test_a_statement_matching_several_templates_follows_every_path(self):
        machine = dfa(seq(alt(seq(A, B), seq(C, D))))
        start = {machine.start}
        after = machine.step(start, ["A", "C"])  # one statement matching A and C
        assert len(after) == 2
        assert machine.is_accepting(machine.step(after, ["D"]))
        assert machine.is_accepting(machine.step(after, ["B"]))

    def test_unknown_templates_lead_to_the_dead_state(self):
        machine = dfa(seq(A, B))
        assert machine.step({machine.start}, ["Z"]) == frozenset()
        assert machine.expected({machine.start}) == ["A"]


class TestSeveralPrimaryPatterns:
    """A profile's primary patterns are one automaton: a registration follows any of them."""

    def machine(self):
        return compile_union([("course", seq(A, plus(B), C)), ("class", seq(A, D, star(B)))])

    def test_labels_say_which_pattern_is_complete(self):
        machine = self.machine()
        start = {machine.start}
        assert machine.possible(start) == ["class", "course"]
        after_a = machine.step(start, ["A"])
        assert machine.possible(after_a) == ["class", "course"]
        after_ad = machine.step(after_a, ["D"])
        assert machine.completed(after_ad) == ["class"]
        assert machine.possible(after_ad) == ["class"]
        after_ab = machine.step(after_a, ["B"])
        assert machine.completed(after_ab) == [] and machine.possible(after_ab) == ["course"]
        assert machine.completed(machine.step(after_ab, ["C"])) == ["course"]

    def test_one_key_for_the_union(self):
        assert self.machine().pattern_id == "course|class"


class TestMinimalDFA:
    def test_equivalent_states_are_merged(self):
        # (A|B)* C  needs 2 states: before C and after it
        assert dfa(seq(star(alt(A, B)), C)).size == 2
        # A* A* is A*
        assert dfa(seq(star(A), star(A))).size == 1

    def test_state_ids_are_deterministic(self):
        tree = seq(A, star(alt(B, C)), D)
        first, second = dfa(tree), dfa(tree)
        assert first.transitions == second.transitions
        assert first.start == "0"
        assert set(first.transitions) == {str(i) for i in range(first.size)}

    def test_dead_states_are_dropped(self):
        machine = dfa(seq(A, B))
        assert all(
            target in machine.transitions
            for row in machine.transitions.values()
            for target in row.values()
        )

    @settings(max_examples=60, deadline=None)
    @given(
        st.recursive(
            st.sampled_from([A, B, C]),
            lambda inner: st.one_of(
                st.lists(inner, min_size=1, max_size=3).map(lambda xs: seq(*xs)),
                st.lists(inner, min_size=2, max_size=3).map(lambda xs: alt(*xs)),
                inner.map(opt),
                inner.map(star),
                inner.map(plus),
            ),
            max_leaves=6,
        )
    )
    def test_agrees_with_a_regular_expression(self, tree):
        import re

        def regex(node):
            if node.kind == "template":
                return node.value
            parts = [regex(c) for c in node.children]
            return {
                "sequence": lambda: "(?:" + "".join(parts) + ")",
                "alternates": lambda: "(?:" + "|".join(parts) + ")",
                "optional": lambda: f"(?:{parts[0]})?",
                "zeroOrMore": lambda: f"(?:{parts[0]})*",
                "oneOrMore": lambda: f"(?:{parts[0]})+",
            }[node.kind]()

        pattern = re.compile(regex(tree))
        expected = {
            "".join(w)
            for n in range(5)
            for w in itertools.product("ABC", repeat=n)
            if pattern.fullmatch("".join(w))
        }
        assert language(tree, "ABC", 4) == expected


class TestTrees:
    def patterns(self, **kinds):
        found = {}
        for pid, (kind, members) in kinds.items():
            found[pid] = Pattern(pid, kind, tuple(members))
        return found

    def test_a_pattern_that_contains_itself_is_an_error(self):
        patterns = self.patterns(p=("sequence", ["A", "q"]), q=("optional", ["p"]))
        with pytest.raises(PatternError, match="p -> q -> p"):
            build_tree("p", patterns.get, lambda t: t == "A")

    def test_self_reference(self):
        patterns = self.patterns(p=("zeroOrMore", ["p"]))
        with pytest.raises(PatternError, match="contains itself"):
            compile_pattern("p", patterns.get, lambda t: False)

    def test_deep_cycle(self):
        patterns = self.patterns(
            p=("sequence", ["A", "q"]), q=("alternates", ["B", "r"]), r=("oneOrMore", ["q"])
        )
        with pytest.raises(PatternError, match="q -> r -> q"):
            build_tree("p", patterns.get, lambda t: t in "AB")

    def test_shared_subpatterns_are_not_cycles(self):
        patterns = self.patterns(p=("sequence", ["q", "q"]), q=("alternates", ["A", "B"]))
        machine = compile_pattern("p", patterns.get, lambda t: t in "AB")
        assert accepts(machine, ["A", "B"])

    def test_a_dangling_member_is_an_error(self):
        patterns = self.patterns(p=("sequence", ["A", "nowhere"]))
        with pytest.raises(PatternError, match="nowhere"):
            build_tree("p", patterns.get, lambda t: t == "A")
