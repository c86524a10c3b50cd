"""Patterns as finite automata over Statement Template ids.

A profile's primary patterns are compiled once: Thompson's construction
gives an NFA per pattern, joined under one start state (a registration
follows the profile if it follows *any* primary pattern), subset
construction a DFA whose accepting states are labelled with the patterns
they complete, and Moore's partition refinement the minimal DFA, whose
states are renumbered "0", "1", … breadth-first from the start, so the same
patterns always yield the same state ids (they are what the store keeps per
registration: one row per registration and profile, not one per pattern).

Matching is exact, not greedy (unlike the spec's reference ``matches``):
``sequence[zeroOrMore(A), A]`` accepts ``A A``. A statement may match several
templates, so the position of a registration is a *set* of DFA states and a
statement moves every state along every template it matches. The empty set
is the dead state: the statements so far cannot be completed to a match.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lrs.domain.profiles.model import Pattern


class PatternError(ValueError):
    """A pattern that cannot be compiled: a cycle, or a member that resolves to nothing."""

    def __init__(self, message: str, cycle: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.cycle = cycle  # the patterns of a cycle, when that is the problem


# ---------------------------------------------------------------- pattern trees


@dataclass(frozen=True)
class Node:
    """A pattern expression: ``kind`` is "template" (``value`` is its id) or a pattern kind."""

    kind: str
    value: str = ""
    children: tuple[Node, ...] = ()


def build_tree(
    pattern_id: str,
    find_pattern: Callable[[str], Pattern | None],
    is_template: Callable[[str], bool],
) -> Node:
    """Expand ``pattern_id`` into a tree; raise :class:`PatternError` on cycles or dangling ids."""

    def expand(member: str, trail: tuple[str, ...]) -> Node:
        pattern = find_pattern(member)
        if pattern is None:
            if is_template(member):
                return Node("template", member)
            raise PatternError(
                f"{member} (in {trail[-1]}) is neither a template nor a pattern that is loaded"
            )
        if member in trail:
            cycle = trail[trail.index(member) :]
            raise PatternError(
                f"pattern {member} contains itself: {' -> '.join((*cycle, member))}", cycle
            )
        children = tuple(expand(m, (*trail, member)) for m in pattern.members)
        return Node(pattern.kind, pattern.id, children)

    if find_pattern(pattern_id) is None:
        raise PatternError(f"no pattern {pattern_id}")
    return expand(pattern_id, ())


# ---------------------------------------------------------------- Thompson NFA


class _NFA:
    def __init__(self) -> None:
        self.epsilon: list[list[int]] = []
        self.moves: list[list[tuple[str, int]]] = []

    def state(self) -> int:
        self.epsilon.append([])
        self.moves.append([])
        return len(self.epsilon) - 1

    def build(self, node: Node) -> tuple[int, int]:
        """A fragment (start, accept) recognising ``node``."""
        start, accept = self.state(), self.state()
        kind = node.kind
        if kind == "template":
            self.moves[start].append((node.value, accept))
        elif kind == "sequence":
            current = start
            for child in node.children:
                s, a = self.build(child)
                self.epsilon[current].append(s)
                current = a
            self.epsilon[current].append(accept)
        elif kind == "alternates":
            for child in node.children:
                s, a = self.build(child)
                self.epsilon[start].append(s)
                self.epsilon[a].append(accept)
        else:  # optional, zeroOrMore, oneOrMore: exactly one child
            s, a = self.build(node.children[0])
            self.epsilon[start].append(s)
            self.epsilon[a].append(accept)
            if kind in ("optional", "zeroOrMore"):
                self.epsilon[start].append(accept)
            if kind in ("zeroOrMore", "oneOrMore"):
                self.epsilon[a].append(s)
        return start, accept

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen = set(states)
        todo = list(seen)
        while todo:
            for nxt in self.epsilon[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return frozenset(seen)


# ---------------------------------------------------------------- DFA


@dataclass(frozen=True)
class DFA:
    """A minimal DFA; a missing transition goes to the (implicit) dead state.

    It may recognise several primary patterns at once (their union, as the
    spec's ``follows`` accepts statements that follow *any* primary pattern):
    ``labels`` says which patterns are complete in each accepting state,
    ``alive`` which can still be completed from each state.
    """

    pattern_id: str  # the pattern, or for a union "P1|P2|…"
    start: str
    transitions: dict[str, dict[str, str]]
    labels: dict[str, frozenset[str]]
    alive: dict[str, frozenset[str]]
    patterns: tuple[str, ...]

    @property
    def accepting(self) -> frozenset[str]:
        return frozenset(self.labels)

    @property
    def alphabet(self) -> frozenset[str]:
        return frozenset(t for row in self.transitions.values() for t in row)

    def step(self, states: Iterable[str], templates: Iterable[str]) -> frozenset[str]:
        """Where ``states`` go on a statement matching ``templates`` (empty: dead)."""
        moved = set()
        for state in states:
            row = self.transitions.get(state, {})
            for template in templates:
                target = row.get(template)
                if target is not None:
                    moved.add(target)
        return frozenset(moved)

    def is_accepting(self, states: Iterable[str]) -> bool:
        return any(s in self.labels for s in states)

    def completed(self, states: Iterable[str]) -> list[str]:
        """The patterns the statements so far complete."""
        return sorted({p for s in states for p in self.labels.get(s, ())})

    def possible(self, states: Iterable[str]) -> list[str]:
        """The patterns the statements so far can still complete."""
        return sorted({p for s in states for p in self.alive.get(s, ())})

    def expected(self, states: Iterable[str]) -> list[str]:
        """The templates a next statement could match to keep the match alive."""
        return sorted({t for s in states for t in self.transitions.get(s, {})})

    @property
    def size(self) -> int:
        return len(self.transitions)


def compile_tree(pattern_id: str, tree: Node) -> DFA:
    return compile_union([(pattern_id, tree)])


def compile_union(trees: list[tuple[str, Node]]) -> DFA:
    """The minimal DFA accepting what any of the patterns accepts, labelled by pattern."""
    nfa = _NFA()
    start = nfa.state()
    accepts: dict[int, str] = {}
    for pattern_id, tree in trees:
        s, a = nfa.build(tree)
        nfa.epsilon[start].append(s)
        accepts[a] = pattern_id
    alphabet = sorted({t for moves in nfa.moves for t, _ in moves})

    # Subset construction.
    first = nfa.closure([start])
    subsets: dict[frozenset[int], int] = {first: 0}
    table: list[dict[str, int]] = []
    order = [first]
    i = 0
    while i < len(order):
        current = order[i]
        row: dict[str, int] = {}
        for symbol in alphabet:
            target = nfa.closure(t for s in current for sym, t in nfa.moves[s] if sym == symbol)
            if not target:
                continue
            if target not in subsets:
                subsets[target] = len(order)
                order.append(target)
            row[symbol] = subsets[target]
        table.append(row)
        i += 1
    labels = [frozenset(accepts[s] for s in subset if s in accepts) for subset in order]
    key = "|".join(pattern_id for pattern_id, _ in trees)
    return _minimise(key, tuple(p for p, _ in trees), table, labels, alphabet)


def _minimise(
    key: str,
    patterns: tuple[str, ...],
    table: list[dict[str, int]],
    labels: list[frozenset[str]],
    alphabet: list[str],
) -> DFA:
    """Moore's partition refinement, then drop states that cannot reach acceptance."""
    n = len(table)
    dead = n  # an explicit dead state makes the transition function total
    kinds: dict[frozenset[str], int] = {}
    block = [kinds.setdefault(label, len(kinds)) for label in [*labels, frozenset()]]
    while True:
        signatures: dict[tuple, int] = {}
        new_block = []
        for s in range(n + 1):
            row = table[s] if s < n else {}
            signature = (block[s], *(block[row.get(a, dead)] for a in alphabet))
            new_block.append(signatures.setdefault(signature, len(signatures)))
        if len(signatures) == len(set(block)):
            break
        block = new_block
    block = new_block
    representative: dict[int, int] = {}
    for s in range(n):
        representative.setdefault(block[s], s)
    # Which patterns each block can still complete (empty: the dead state).
    alive: dict[int, set[str]] = {block[s]: set(labels[s]) for s in range(n)}
    changed = True
    while changed:
        changed = False
        for b, s in representative.items():
            for t in table[s].values():
                if not alive[block[t]] <= alive[b]:
                    alive[b] |= alive[block[t]]
                    changed = True

    # Renumber breadth-first from the start, following symbols in sorted order.
    names: dict[int, str] = {}
    transitions: dict[str, dict[str, str]] = {}
    queue: deque[int] = deque()
    if alive.get(block[0]):
        names[block[0]] = "0"
        queue.append(block[0])
    while queue:
        b = queue.popleft()
        renamed: dict[str, str] = {}
        for symbol in alphabet:
            target = table[representative[b]].get(symbol)
            if target is None or not alive[block[target]]:
                continue
            tb = block[target]
            if tb not in names:
                names[tb] = str(len(names))
                queue.append(tb)
            renamed[symbol] = names[tb]
        transitions[names[b]] = renamed
    return DFA(
        pattern_id=key,
        start="0" if names else "",
        transitions=transitions,
        labels={names[b]: labels[representative[b]] for b in names if labels[representative[b]]},
        alive={names[b]: frozenset(alive[b]) for b in names},
        patterns=patterns,
    )


def compile_pattern(
    pattern_id: str,
    find_pattern: Callable[[str], Pattern | None],
    is_template: Callable[[str], bool],
) -> DFA:
    """The minimal DFA of a pattern; raise :class:`PatternError` if it cannot be built."""
    return compile_tree(pattern_id, build_tree(pattern_id, find_pattern, is_template))


def compile_patterns(
    pattern_ids: list[str],
    find_pattern: Callable[[str], Pattern | None],
    is_template: Callable[[str], bool],
) -> DFA:
    """One DFA for several (primary) patterns: it accepts what any of them accepts."""
    return compile_union([(p, build_tree(p, find_pattern, is_template)) for p in pattern_ids])


def accepts(dfa: DFA, sequence: Iterable[Iterable[str] | str]) -> bool:
    """Whether ``sequence`` (each item a template id or a set of them) is a complete match."""
    states: frozenset[str] = frozenset([dfa.start]) if dfa.start else frozenset()
    for item in sequence:
        states = dfa.step(states, [item] if isinstance(item, str) else item)
        if not states:
            return False
    return dfa.is_accepting(states)
