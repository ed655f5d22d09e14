"""The one transition engine (DESIGN 4).

Every lifecycle is a table of `Transition`s in its app's `states.py`. `apply` runs a transition
in a fixed order inside the caller's transaction: lock the row, check the source state, check
the permission, refuse a decision to whoever raised the thing (P-5), run every guard and
collect the reasons, set the state and save, audit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.db import DatabaseError, connection, models, transaction
from django.utils.translation import gettext as _

from oms.audit import recorder
from oms.core import prepared, registry, stamps, txmemo
from oms.engine import updates


class WorkflowError(Exception):
    """Base of the engine's typed errors; `message` is for the user, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(WorkflowError):
    """The record is not in a state the transition starts from."""

    def __init__(self, transition: str, state: str) -> None:
        super().__init__(
            _("当前状态“%(state)s”不能执行“%(transition)s”。") % {"state": state, "transition": transition}
        )
        self.transition = transition
        self.state = state


class PermissionDenied(WorkflowError):
    """The actor may not run the transition on this record."""

    def __init__(self, transition: str) -> None:
        super().__init__(_("您没有权限执行“%(transition)s”。") % {"transition": transition})
        self.transition = transition


class SelfDecision(PermissionDenied):
    """P-5: the actor entered, requested or raised the thing this transition decides."""

    def __init__(self, transition: str) -> None:
        WorkflowError.__init__(
            self,
            _("您是此事项的录入人、申请人或提出人，不能自己决定“%(transition)s”，须由他人决定。")
            % {"transition": transition},
        )
        self.transition = transition


class TransitionBlocked(WorkflowError):
    """One or more guards refused; `reasons` lists every one, not just the first."""

    def __init__(self, transition: str, reasons: list[str]) -> None:
        super().__init__(
            _("无法执行“%(transition)s”：%(reasons)s")
            % {"transition": transition, "reasons": "；".join(reasons)}
        )
        self.transition = transition
        self.reasons = reasons


class Stateful(Protocol):
    pk: Any


M = TypeVar("M", bound=models.Model)

Permission = Callable[[Any, Any], bool]
Guard = Callable[[Any, Any], str | None]
# Who entered, requested or raised the record a decision is taken on (P-5): their user ids.
Raisers = Callable[[Any], Iterable[int | None]]


def raised_by(obj: Any) -> Iterable[int | None]:
    """The default for a decision: the record names its raisers itself (`raiser_ids()`)."""
    return obj.raiser_ids()


def is_raiser(user: Any, raisers: Iterable[int | None]) -> bool:
    pk = getattr(user, "pk", None)
    return pk is not None and pk in {r for r in raisers if r is not None}


@dataclass(frozen=True)
class Transition:
    """One row of a transition table: data, not code paths."""

    name: str
    label: str
    source: frozenset[str]
    target: str
    permission: Permission
    guards: tuple[Guard, ...] = ()
    state_field: str = "status"
    requires_reason: bool = False
    automatic: bool = False  # taken by the system after another decision; never a button
    # P-5: a decision on something a person raised; that person may never take it.
    raisers: Raisers | None = None
    # Related rows read with the locked row (forward foreign keys, as for select_related), for
    # what the guards and the audit log's naming of the record read (issue 21).
    related: tuple[str, ...] = ()
    # Of those, the rows locked with the record in the same statement and held by the action
    # (`hold`), for an action that writes under their lock too (a contract's signing files a
    # document version under its order's lock, E-2).
    locked_related: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        name: str,
        label: Any,
        source: Iterable[str],
        target: str,
        permission: Permission,
        guards: Iterable[Guard] = (),
        state_field: str = "status",
        requires_reason: bool = False,
        automatic: bool = False,
        raisers: Raisers | None = None,
        related: Iterable[str] = (),
        locked_related: Iterable[str] = (),
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "source", frozenset(str(s) for s in source))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "permission", permission)
        object.__setattr__(self, "guards", tuple(guards))
        object.__setattr__(self, "state_field", state_field)
        object.__setattr__(self, "requires_reason", requires_reason)
        object.__setattr__(self, "automatic", automatic)
        object.__setattr__(self, "raisers", raisers)
        object.__setattr__(self, "related", tuple(related))
        object.__setattr__(self, "locked_related", tuple(locked_related))

    @property
    def is_decision(self) -> bool:
        return self.raisers is not None

    def decided_by_raiser(self, user: Any, obj: Any) -> bool:
        """P-5: whether `user` entered, requested or raised what this transition decides."""
        return self.raisers is not None and is_raiser(user, self.raisers(obj))


# Every transition table, as each app declares it: discovered, not a hand-kept list (history labels,
# diagrams, the segregation-of-duties test).
TABLES: list[TransitionTable] = []


@dataclass
class TransitionTable:
    """A lifecycle: its transitions by name, for buttons, diagrams and tests."""

    name: str
    transitions: Mapping[str, Transition] = field(default_factory=dict)
    # The model whose state the table moves ("orders.SalesOrder"), for the diagram of a record's
    # whole life across the tables of several apps (issue 22); empty where nobody asked yet.
    model: str = ""

    @classmethod
    def of(cls, name: str, *transitions: Transition, model: str = "") -> TransitionTable:
        table = cls(name=name, transitions={t.name: t for t in transitions}, model=model)
        TABLES.append(table)
        return table

    def available(self, obj: Any, user: Any) -> list[Transition]:
        """Transitions whose source state and permission allow them now (the buttons to show)."""
        return [
            t
            for t in self.transitions.values()
            if not t.automatic
            and str(getattr(obj, t.state_field)) in t.source
            and t.permission(user, obj)
            and not t.decided_by_raiser(user, obj)
        ]

    def refused_to_raiser(self, obj: Any, user: Any) -> list[Transition]:
        """P-5: decisions the user could take now but for having raised the thing (to say why
        their button is missing)."""
        return [
            t
            for t in self.transitions.values()
            if not t.automatic
            and str(getattr(obj, t.state_field)) in t.source
            and t.permission(user, obj)
            and t.decided_by_raiser(user, obj)
        ]


def offered(transition: Transition, obj: Any, user: Any) -> list[str] | None:
    """Whether `user` is offered `transition` on `obj` now, and why they cannot take it yet
    (issue 23, point 5: the order page's toolbar). None: not offered at all, as `available`
    (automatic, not from the record's state, not the user's to take, or P-5's decision on what
    they raised, which `refused_to_raiser` explains); otherwise every guard's reason it would be
    refused, empty when it may be taken: the checks `apply` makes (a required reason is typed
    with the action, so not counted)."""
    if transition.automatic or str(getattr(obj, transition.state_field)) not in transition.source:
        return None
    if not transition.permission(user, obj) or transition.decided_by_raiser(user, obj):
        return None
    return [str(r) for r in (guard(user, obj) for guard in transition.guards) if r]


def _relations(model: type[models.Model], paths: tuple[str, ...]) -> list[str]:
    """The paths whose first step is a foreign key of `model` (a table may serve several models)."""
    names = {f.name for f in model._meta.concrete_fields if f.is_relation}
    return [p for p in paths if p.split("__", 1)[0] in names]


def hold(obj: M) -> M:
    """Mark `obj` as already locked by the current action, so that `apply` and `apply_many` use
    it as it is instead of locking and reading its row again (issue 21: one lock-read per row).

    Only for a row the action itself read with `select_for_update()` in the current transaction,
    or inserted in it (nobody else sees it before the commit), and changed since only through
    this instance. The mark is forgotten when the action ends, when its transaction ends, and
    when a savepoint it was made in rolls back (the row lock is released then); outside an action
    nothing is marked and `apply` locks as always."""
    scope = txmemo.action_memo()
    if scope is not None:
        obj._oms_held = (scope, txmemo.mark())  # type: ignore[attr-defined]
    return obj


def held(obj: Any) -> bool:
    """Whether `obj` is locked by the current action (`hold`)."""
    mark = getattr(obj, "_oms_held", None)
    return mark is not None and mark[0] is txmemo.action_memo() and txmemo.alive(mark[1])


def _lockable(model: type[M], transition: Transition) -> models.QuerySet[M]:
    rows = model._default_manager.all()
    related = _relations(model, transition.related)
    if related:
        # Only the record itself is locked (and `locked_related`); the others are read as of now.
        return rows.select_related(*related).select_for_update(of=("self", *transition.locked_related))
    return rows.select_for_update()


def check_actor(transition: Transition, obj: Any, actor: Any) -> None:
    """The transition's permission and P-5 (nobody decides what they raised) for `actor` on `obj`,
    as `apply` checks them: for an action to ask before it reads its input, so that a user who
    may not decide is refused, not told what the input lacks (issue 23). `apply` asks again
    under the lock."""
    if not transition.permission(actor, obj):
        raise PermissionDenied(str(transition.label))
    if transition.decided_by_raiser(actor, obj):
        raise SelfDecision(str(transition.label))


def may(transition: Transition, obj: Any, actor: Any) -> bool:
    """`check_actor` as a yes or no: for a page's gate (`web.verbs.Gate`), asked before the input
    is parsed."""
    return bool(transition.permission(actor, obj)) and not transition.decided_by_raiser(actor, obj)


def _locked_read(model: type[M], transition: Transition, pk: Any) -> M:
    """The record locked and read; the transaction's first such read also brings the change
    stamps (`stamps.with_tokens`), which the hand-off that usually follows needs (issue 21)."""
    columns = stamps.riding()
    # The same statement for every record of the model under this transition: compiled once
    # (`core.prepared`; issue 21, the compiling cost more than the database's answer).
    key = ("workflow.lock", model, transition.related, transition.locked_related, stamps.shape(columns))
    row = prepared.one(
        key,
        model,
        lambda value: stamps.with_tokens(_lockable(model, transition), columns).filter(pk=value).order_by(),
        pk,
    )
    stamps.take_tokens(row)
    return row


def _check(transition: Transition, locked: Any, actor: Any, reason: str) -> str:
    """The record's state, once the transition may run on it; else the engine's typed error."""
    state = str(getattr(locked, transition.state_field))
    if state not in transition.source:
        raise InvalidTransition(str(transition.label), state)
    check_actor(transition, locked, actor)
    reasons = [r for r in (guard(actor, locked) for guard in transition.guards) if r]
    if transition.requires_reason and not reason.strip():
        reasons.append(_("请填写原因。"))
    if reasons:
        raise TransitionBlocked(str(transition.label), [str(r) for r in reasons])
    return state


def _set(
    transition: Transition, locked: Any, state: str, changes: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Set the target state and `changes` on the locked record; (before, after, fields to save)."""
    before = {transition.state_field: state}
    after: dict[str, Any] = {transition.state_field: transition.target}
    setattr(locked, transition.state_field, transition.target)
    for name, value in (changes or {}).items():
        before[name] = getattr(locked, name)
        setattr(locked, name, value)
        after[name] = value
    update_fields = [transition.state_field, *(changes or {}).keys()]
    if hasattr(locked, "version"):
        locked.version = locked.version + 1
        update_fields.append("version")
    return before, after, update_fields


def _applied(transition: Transition, locked: Any, actor: Any, reason: str, before: Any, after: Any) -> None:
    recorder.record(
        actor=actor,
        obj=locked,
        action=f"transition:{transition.name}",
        before=before,
        after=after,
        reason=reason,
    )
    # Inside the caller's transaction, once saved and audited: what higher tiers wired to this
    # state change (the archive files a closed order, M-2) without this engine importing them.
    registry.run_side_effects(locked, transition, actor)


def lock(transition: Transition, obj: M) -> M:
    """`obj`'s row locked and read as `apply` reads it, and held (`hold`), so that `apply` then
    uses it without another read: for an action that needs the record's current values before
    the transition changes them (ADR 0019: the dashboard's share of the order as it stood under
    the lock, not as the caller's copy says). A row the action holds already is returned itself."""
    # A row the action holds (`hold`) is locked and current already: not read again.
    if held(obj):
        return obj
    locked = hold(_locked_read(type(obj), transition, obj.pk))
    for path in transition.locked_related:
        hold(getattr(locked, path))
    return locked


class Along(Protocol):
    """A write an action runs right after a transition's save, which on PostgreSQL may ride on
    the save's UPDATE as a second part of one `WITH` (issue 21: one round trip less), such as
    closing the step the transition finishes (`tracking.closing_along`)."""

    def part(self, locked: Any) -> tuple[str, list[Any], list[str]]:
        """For the saved record `locked`: a data-modifying statement with RETURNING, its
        parameters, and the answers wanted from it: SQL expressions over the name `along`."""
        ...

    def answered(self, locked: Any, values: Sequence[Any]) -> None:
        """The answers, when the part ran with the save."""
        ...

    def alone(self, locked: Any) -> None:
        """Run the write on its own (SQLite, which has no data-modifying WITH)."""
        ...


def _save(locked: Any, update_fields: list[str], along: Along | None) -> None:
    """`locked.save(update_fields=…)`, then `along`. When the model has no save signal receivers,
    the UPDATE Django's save would send, built once per model and fields (`updates.statement`); on
    PostgreSQL with `along`'s part as one statement."""
    update = updates.statement(locked, update_fields)
    if update is None:
        locked.save(update_fields=update_fields)
        if along is not None:
            along.alone(locked)
        return
    sql, params = update
    if along is None or connection.vendor != "postgresql":
        # As Django's save: a failed UPDATE leaves the transaction to be rolled back.
        with transaction.mark_for_rollback_on_error(connection.alias), connection.cursor() as cursor:
            cursor.execute(sql, params)
            saved = cursor.rowcount
        if not saved:
            raise DatabaseError("Save with update_fields did not affect any rows.")
        if along is not None:
            along.alone(locked)
        return
    part, more, answers = along.part(locked)
    with transaction.mark_for_rollback_on_error(connection.alias), connection.cursor() as cursor:
        cursor.execute(
            f"WITH saved AS ({sql} RETURNING 1), along AS ({part}) "  # noqa: S608 (compiled, bound)
            f"SELECT (SELECT count(*) FROM saved), {', '.join(answers)}",
            [*params, *more],
        )
        saved, *values = cursor.fetchone()
    if not saved:
        raise DatabaseError("Save with update_fields did not affect any rows.")
    along.answered(locked, values)


def apply(
    transition: Transition,
    obj: M,
    *,
    actor: Any,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    along: Along | None = None,
) -> M:
    """Apply `transition` to `obj` as `actor`; return the locked, saved instance.

    Raises InvalidTransition, PermissionDenied or TransitionBlocked and changes nothing then.
    `changes` are further field values saved together with the state (e.g. a decision time).
    An `obj` the action holds (`hold`) is changed and returned itself, without another read.
    `along`: a write that follows the save (`Along`), with it in one statement where it can.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow.apply must run inside the caller's transaction.atomic")
    locked = lock(transition, obj)
    state = _check(transition, locked, actor, reason)
    before, after, update_fields = _set(transition, locked, state, changes)
    _save(locked, update_fields, along)
    _applied(transition, locked, actor, reason, before, after)
    return locked


def apply_many(transition: Transition, objs: Sequence[M], *, actor: Any, reason: str = "") -> list[M]:
    """`apply` to several records of one model, all or none (issue 21: locked with one statement
    and saved with one, e.g. a review board's tasks opened together). Every record is checked
    as by `apply` before any is changed; each gets its audit event and signal. Returns the
    locked, saved instances in the order of `objs`."""
    if len(objs) <= 1:
        return [apply(transition, obj, actor=actor, reason=reason) for obj in objs]
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow.apply_many must run inside the caller's transaction.atomic")
    model = type(objs[0])
    found = {o.pk: o for o in objs if held(o)}
    if len(found) < len(objs):
        # Locked in key order, as any other writer locking several of them does.
        rows = _lockable(model, transition).filter(pk__in=[o.pk for o in objs if o.pk not in found])
        found.update((row.pk, hold(row)) for row in rows.order_by("pk"))
    missing = [o.pk for o in objs if o.pk not in found]
    if missing:
        raise model.DoesNotExist(f"{model.__name__} {missing}")  # type: ignore[attr-defined]
    locked = [found[o.pk] for o in objs]
    states = [_check(transition, row, actor, reason) for row in locked]
    changed = [_set(transition, row, state, None) for row, state in zip(locked, states, strict=True)]
    model._default_manager.bulk_update(locked, changed[0][2])
    for row, (before, after, _fields) in zip(locked, changed, strict=True):
        _applied(transition, row, actor, reason, before, after)
    return locked
