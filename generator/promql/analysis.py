"""Questions about a parsed PromQL expression (promql-parser's AST)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import promql_parser as pp

# Aggregations that return input series unchanged, labels and all.
#: The functions that take a counter's range vector: their range is $__rate_interval (MD102)
#: and their argument no gauge (MD103).
COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase"})
_SELECTING_AGGREGATIONS = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})
# Functions that add the label named by their second argument.
_LABEL_WRITERS = frozenset({"label_replace", "label_join"})
_SET_OPERATORS = frozenset({"and", "or", "unless"})


def children(node: pp.Expr) -> list[pp.Expr]:
    """The direct sub-expressions of ``node``."""
    if isinstance(node, pp.AggregateExpr):
        return [n for n in (node.param, node.expr) if n is not None]
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, pp.Call):
        return list(node.args)
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr | pp.SubqueryExpr):
        return [node.expr]
    if isinstance(node, pp.MatrixSelector):
        return [node.vector_selector]
    return []


def walk(node: pp.Expr) -> Iterator[pp.Expr]:
    """``node`` and every node below it, depth first."""
    yield node
    for child in children(node):
        yield from walk(child)


def counter_calls(node: pp.Expr) -> Iterator[pp.Call]:
    """Every ``rate``/``irate``/``increase`` call in ``node``, depth first."""
    for found in walk(node):
        if isinstance(found, pp.Call) and found.func.name in COUNTER_FUNCTIONS:
            yield found


def shortest_range_ms(node: pp.Expr) -> int | None:
    """The shortest range (``[5m]``, a subquery's ``[5m:1m]``) under ``node``, in ms."""
    ranges = [n.range for n in walk(node) if isinstance(n, pp.MatrixSelector | pp.SubqueryExpr)]
    return min(round(r.total_seconds() * 1000) for r in ranges) if ranges else None


def metric_name(selector: pp.VectorSelector) -> str | None:
    """The metric name of a selector, from ``foo{}`` or ``{__name__="foo"}``."""
    if selector.name:
        return selector.name
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__" and matcher.op == pp.MatchOp.Equal:
            return matcher.value
    return None


def selectors(node: pp.Expr) -> Iterator[pp.VectorSelector]:
    """Every vector selector under ``node``."""
    return (n for n in walk(node) if isinstance(n, pp.VectorSelector))


@dataclass(frozen=True)
class LabelSet:
    """Labels an expression's result series carry.

    ``closed``: exactly (at most) ``labels``. Open: every input label except
    ``labels``, which were removed on the way.
    """

    closed: bool
    labels: frozenset[str] = frozenset()

    def has(self, label: str) -> bool:
        return label in self.labels if self.closed else label not in self.labels

    def keep(self, keep: frozenset[str]) -> LabelSet:
        return LabelSet(True, self.labels & keep if self.closed else keep - self.labels)

    def drop(self, drop: frozenset[str]) -> LabelSet:
        return LabelSet(self.closed, self.labels - drop if self.closed else self.labels | drop)

    def add(self, add: frozenset[str]) -> LabelSet:
        return LabelSet(self.closed, self.labels | add if self.closed else self.labels - add)

    def meet(self, other: LabelSet) -> LabelSet:
        """Labels present on both sides' series."""
        if self.closed and other.closed:
            return LabelSet(True, self.labels & other.labels)
        if self.closed or other.closed:
            closed, open_ = (self, other) if self.closed else (other, self)
            return LabelSet(True, closed.labels - open_.labels)
        return LabelSet(False, self.labels | other.labels)


ALL_LABELS = LabelSet(False)
NO_LABELS = LabelSet(True)


def output_labels(node: pp.Expr) -> LabelSet:
    """Which labels survive to the result of ``node`` (aggregations, joins, label_replace)."""
    if isinstance(node, pp.VectorSelector | pp.MatrixSelector):
        return ALL_LABELS
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr | pp.SubqueryExpr):
        return output_labels(node.expr)
    if isinstance(node, pp.AggregateExpr):
        return _aggregate_labels(node)
    if isinstance(node, pp.Call):
        return _call_labels(node)
    if isinstance(node, pp.BinaryExpr):
        return _binary_labels(node)
    return NO_LABELS


def _aggregate_labels(node: pp.AggregateExpr) -> LabelSet:
    inner = output_labels(node.expr)
    op = str(node.op)
    if op in _SELECTING_AGGREGATIONS:
        return inner
    extra = frozenset()
    if op == "count_values" and isinstance(node.param, pp.StringLiteral):
        extra = frozenset({node.param.val})
    modifier = node.modifier
    if modifier is None:
        return LabelSet(True, extra)
    labels = frozenset(modifier.labels)
    if modifier.type == pp.AggModifierType.Without:
        return inner.drop(labels).add(extra)
    return inner.keep(labels).add(extra)


def _call_labels(node: pp.Call) -> LabelSet:
    name = node.func.name
    vectors = [a for a in node.args if not isinstance(a, pp.NumberLiteral | pp.StringLiteral)]
    if node.func.return_type != pp.ValueType.Vector or not vectors:
        return NO_LABELS
    labels = output_labels(vectors[0])
    if name in _LABEL_WRITERS and isinstance(node.args[1], pp.StringLiteral):
        labels = labels.add(frozenset({node.args[1].val}))
    if name == "histogram_quantile":
        labels = labels.drop(frozenset({"le"}))
    return labels


def _binary_labels(node: pp.BinaryExpr) -> LabelSet:
    lhs, rhs = output_labels(node.lhs), output_labels(node.rhs)
    if _is_scalar(node.lhs):
        return rhs
    if _is_scalar(node.rhs):
        return lhs
    op = str(node.op)
    modifier = node.modifier
    if op == "or":
        return lhs.meet(rhs)
    if op in _SET_OPERATORS or modifier is None:
        return lhs
    group = frozenset(modifier.group_labels or ())
    if modifier.card == pp.VectorMatchCardinality.ManyToOne:
        return lhs.add(group)
    if modifier.card == pp.VectorMatchCardinality.OneToMany:
        return rhs.add(group)
    matching = modifier.matching
    if matching is None:
        return lhs
    labels = frozenset(matching.labels)
    if matching.type == pp.LabelModifierType.Include:
        return lhs.keep(labels)
    return lhs.drop(labels)


def _is_scalar(node: pp.Expr) -> bool:
    if isinstance(node, pp.NumberLiteral):
        return True
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr):
        return _is_scalar(node.expr)
    if isinstance(node, pp.Call):
        return node.func.return_type == pp.ValueType.Scalar
    if isinstance(node, pp.BinaryExpr):
        return _is_scalar(node.lhs) and _is_scalar(node.rhs)
    return False


# Functions whose result does not come series by series from their input.
_MIXING_FUNCTIONS = frozenset({"absent", "absent_over_time", "scalar", "vector"})


def separation_problem(node: pp.Expr, label: str) -> str | None:
    """Why ``node`` would mix series of different ``label`` values, or None.

    None means: evaluated over many values of ``label`` at once, with
    ``label`` added to every ``by (...)`` and ``on (...)`` list, each result
    series comes from input series of one ``label`` value only, and those are
    exactly the series a query for that value alone would combine. That holds
    when every selector filters on ``label`` (so every input series has it),
    each aggregation groups by it and each join matches on it; it fails for
    what looks across series regardless of grouping (``absent``, ``scalar``,
    ``vector``), for ``without``/``ignoring`` that name the label, for an
    aggregation with no grouping clause to add it to, and for a function that
    overwrites the label.
    """
    for item in walk(node):
        reason = _node_mixes(item, label)
        if reason:
            return reason
    return None


def _node_mixes(node: pp.Expr, label: str) -> str | None:
    if isinstance(node, pp.VectorSelector):
        if not any(m.name == label for m in node.matchers.matchers):
            return f"selector {metric_name(node) or '{...}'} does not filter on {label}"
    elif isinstance(node, pp.Call):
        name = node.func.name
        if name in _MIXING_FUNCTIONS:
            return f"{name}() does not keep series apart"
        writes = name in _LABEL_WRITERS and isinstance(node.args[1], pp.StringLiteral)
        if writes and node.args[1].val == label:
            return f"{name}() overwrites {label}"
    elif isinstance(node, pp.AggregateExpr):
        op, modifier = str(node.op), node.modifier
        if modifier is None:
            return f"{op}() has no by (...) to keep {label} in"
        if modifier.type == pp.AggModifierType.Without:
            return f"{op} without (...) cannot be made to keep {label}"
    elif isinstance(node, pp.BinaryExpr) and node.modifier and node.modifier.matching:
        matching = node.modifier.matching
        if matching.type != pp.LabelModifierType.Include and label in matching.labels:
            return f"ignoring ({label}) matches series across {label}"
    return None


def groupings_keep(node: pp.Expr, labels: frozenset[str]) -> bool:
    """Every ``by`` and ``on`` list under ``node`` names all of ``labels``."""
    for item in walk(node):
        if isinstance(item, pp.AggregateExpr):
            modifier = item.modifier
            if modifier is None or modifier.type == pp.AggModifierType.Without:
                return False
            if not labels <= frozenset(modifier.labels):
                return False
        if isinstance(item, pp.BinaryExpr) and item.modifier and item.modifier.matching:
            matching = item.modifier.matching
            if matching.type == pp.LabelModifierType.Include and not labels <= frozenset(
                matching.labels
            ):
                return False
    return True
