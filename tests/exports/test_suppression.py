"""The suppression rule on its own: primary (fewer than three people), secondary (no relation
left with a single hidden figure) and figures computed from one another."""

from __future__ import annotations

from exports.suppression import Relation, primary, suppress


def test_primary_hides_one_or_two_people_never_none_or_three() -> None:
    basis = {"none": 0, "one": 1, "two": 2, "three": 3}
    assert primary(basis, 3) == {"one", "two"}
    assert primary(basis, 1) == set()


def test_a_lone_hidden_part_takes_the_smallest_other_part_with_it() -> None:
    basis = {"a": 1, "b": 40, "c": 7, "d": 0, "total": 48}
    hidden = suppress(basis, [Relation(("a", "b", "c", "d"), "total")], 3)
    # "d" is empty (known to be nothing): hiding it would protect nothing.
    assert hidden == {"a", "c"}


def test_the_total_goes_when_no_other_part_can() -> None:
    basis = {"only": 2, "empty": 0, "total": 2}
    assert suppress(basis, [Relation(("only", "empty"), "total")], 3) == {"only", "total"}
    basis = {"only": 5, "total": 5}
    assert suppress(basis, [Relation(("only",), "total")], 3) == set()


def test_two_hidden_parts_need_nothing_more() -> None:
    basis = {"a": 1, "b": 2, "c": 9, "total": 12}
    assert suppress(basis, [Relation(("a", "b", "c"), "total")], 3) == {"a", "b"}


def test_secondary_suppression_cascades_across_relations() -> None:
    # Schools a, b in one district, c, d in another; districts add up to the region.
    basis = {"a": 1, "b": 10, "c": 20, "d": 30, "m1": 11, "m2": 50, "region": 61}
    relations = [
        Relation(("a", "b"), "m1"),
        Relation(("c", "d"), "m2"),
        Relation(("m1", "m2"), "region"),
    ]
    hidden = suppress(basis, relations, 3)
    # a alone in m1 → b; both of m1 hidden is fine, m1 itself stays; nothing else.
    assert hidden == {"a", "b"}
    basis["m1"] = 2  # the whole first district is small: its total is hidden too
    basis["a"], basis["b"] = 1, 1
    hidden = suppress(basis, relations, 3)
    assert {"a", "b", "m1"} <= hidden
    assert "m2" in hidden  # else region − m2 gives m1 back
    assert "c" in hidden or "d" in hidden  # else m2 = c + d gives m2 back


def test_followers_hide_with_their_figure_and_relations_see_them() -> None:
    basis = {"count_a": 2, "count_b": 9, "total": 11}
    follows = {"count_a": ("share_a",), "count_b": ("share_b",)}
    hidden = suppress(basis, [Relation(("count_a", "count_b"), "total")], 3, follows)
    assert hidden == {"count_a", "share_a", "count_b", "share_b"}


def test_no_relation_is_left_with_a_single_hidden_figure() -> None:
    """A grid of schools × forms with row and column totals, many small cells."""
    schools, forms = range(6), range(4)
    basis: dict[object, int] = {}
    for s in schools:
        for f in forms:
            basis[(s, f)] = (s * 7 + f * 3) % 5  # 0..4: many ones and twos
    for s in schools:
        basis[(s, "all")] = sum(basis[(s, f)] for f in forms)
    for f in forms:
        basis[("all", f)] = sum(basis[(s, f)] for s in schools)
    basis[("all", "all")] = sum(basis[(s, "all")] for s in schools)
    relations = [Relation(tuple((s, f) for f in forms), (s, "all")) for s in schools]
    relations += [Relation(tuple((s, f) for s in schools), ("all", f)) for f in forms]
    relations.append(Relation(tuple((s, "all") for s in schools), ("all", "all")))
    relations.append(Relation(tuple(("all", f) for f in forms), ("all", "all")))
    hidden = suppress(basis, relations, 3)
    assert primary(basis, 3) <= hidden
    for relation in relations:
        assert sum(1 for cell in relation.cells if cell in hidden) != 1, relation
