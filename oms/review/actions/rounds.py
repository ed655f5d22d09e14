"""Review rounds: the board's tasks, their opinions, and the round's outcome (C-1..C-7).

A round starts when an order enters review. Its tasks come from the policy the order is pinned
to: the board's departments at once (parallel) or one stage after another (sequential), plus a
chair for major orders. When the opinions are in, the round passes (→ approval chain) or fails
(→ sales renegotiates or cancels).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import Role, User
from oms.audit import recorder
from oms.core import prepared, stamps
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.orders import states
from oms.orders.models import SalesOrder
from oms.policy import selectors as policy_selectors
from oms.review import states as review_states
from oms.review.actions.approval import start_approval
from oms.review.actions.people import department_for, executive, order_url, reviewer_of
from oms.review.actions.renegotiation import open_renegotiation
from oms.review.models import ReviewRound, ReviewTask, TaskStatus, Verdict
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem


def major_reasons(order: SalesOrder) -> list[str]:
    """C-4: what makes the order major under its policy version."""
    rules = order.policy().major_order
    reasons = []
    if order.total_amount >= rules.amount_threshold:
        reasons.append(
            _("金额 %(a)s 达到重大订单阈值 %(t)s") % {"a": order.total_amount, "t": rules.amount_threshold}
        )
    if rules.new_product and order.lines.filter(product__is_new=True).exists():
        reasons.append(_("含新产品"))
    if rules.special_process and order.needs_customisation:
        reasons.append(_("有定制/特殊工艺要求"))
    return reasons


def _open_task(
    task: ReviewTask, actor: Any, *, hours: Decimal | None = None, days: int | None = None
) -> None:
    _open_tasks([task], actor, hours=hours, days=days)


def _open_tasks(
    tasks: list[ReviewTask], actor: Any, *, hours: Decimal | None = None, days: int | None = None
) -> None:
    """Open the tasks (those waiting) of one round and put each in its reviewer's work with its
    deadline, telling them (issue 21: the tasks locked and saved, their work items and messages
    written, each with one statement)."""
    if not tasks:
        return
    order = tasks[0].round.order
    waiting = [t for t in tasks if t.status == TaskStatus.WAITING]
    opened = {t.pk: t for t in workflow.apply_many(review_states.OPEN_TASK, waiting, actor=actor)}
    tasks = [opened.get(t.pk, t) for t in tasks]
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    for task in tasks:
        task.round.order = order
    tracking.deliver(
        [
            tracking.HandOff(
                item=tracking.new_item(
                    target=task,
                    order_id=order.pk,
                    kind="review.task",
                    title=phrase("评审订单 %(n)s（%(d)s）", n=order.number, d=task.department),
                    department=task.department,
                    assignee=task.assignee,
                    calendar=calendar,
                    hours=hours,
                    days=days,
                ),
                recipients=[task.assignee],
                title=phrase("请评审订单 %(n)s", n=order.number),
                url=reverse("review:task", args=[task.pk]),
                event="review",
            )
            for task in tasks
        ]
    )


# Within another action no savepoint of its own (issue 21): a failure fails that action.
@transaction.atomic(savepoint=False)
@recorder.batched
def start_round(*, order: SalesOrder, actor: Any) -> ReviewRound:
    """C-1, C-3, C-4, C-7: the board from the policy, in its mode, with deadlines on the calendar."""
    policy = order.policy()
    review = policy.review
    departments = review.sequence if review.mode == "sequential" else review.board
    if not departments:
        raise ActionError(_("制度中的评审小组为空，无法开始评审。"))
    number = (order.review_rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    reasons = major_reasons(order)
    rnd = ReviewRound.objects.create(
        order=order,
        number=number,
        mode=review.mode,
        major=bool(reasons),
        major_reasons=reasons,
        started_at=timezone.now(),
    )
    tasks = _board(rnd, order, departments)
    if reasons:
        _add_chair(rnd, order, stage=max(t.stage for t in tasks) + 1)
    if review.mode == "sequential":
        _open_task(tasks[0], actor, hours=review.stage_time_limit_hours)
    else:
        _open_tasks(tasks, actor, days=review.board_time_limit_days)
    recorder.record(
        actor=actor,
        obj=order,
        action="review.start",
        after={"round": number, "mode": review.mode, "major": reasons, "departments": list(departments)},
    )
    return rnd


def _board(rnd: ReviewRound, order: SalesOrder, departments: Sequence[str]) -> list[ReviewTask]:
    """C-1, P-5: one task per department of the board, for its reviewer (never whoever entered or
    sells the order); stage by stage when the review is sequential."""
    tasks = []
    for i, kind in enumerate(departments):
        dept = department_for(kind)
        tasks.append(
            ReviewTask(
                round=rnd,
                stage=i + 1 if rnd.mode == "sequential" else 1,
                department=dept,
                department_kind=kind,
                assignee=reviewer_of(
                    dept,
                    raisers=order.raiser_ids(),
                    what=phrase("评审订单 %(n)s（%(d)s）", n=order.number, d=dept),
                ),
            )
        )
    # Issue 21: one insert for the board; rows this transaction inserted are the action's own, so
    # opening them does not lock and read them again (`workflow.hold`).
    return [workflow.hold(t) for t in ReviewTask.objects.bulk_create(tasks)]


def _add_chair(rnd: ReviewRound, order: SalesOrder, *, stage: int) -> None:
    """C-4: a major order's board is chaired by the executive in charge, who decides last."""
    chair = (
        tracking.decider_for(
            candidate=executive(),
            target=order,
            what=phrase("重大订单 %(n)s 的评审委员会主持", n=order.number),
            url=order_url(order),
        )
        or executive()
    )
    assert chair.department is not None
    ReviewTask.objects.create(
        round=rnd,
        stage=stage,
        department=chair.department,
        department_kind=chair.department.kind,
        is_chair=True,
        assignee=chair,
    )


def may_give_opinion(actor: Any, task: ReviewTask) -> bool:
    """C-3: the assignee, or the superior the overdue task was escalated to."""
    if task.assignee_id == actor.pk:
        return True
    return WorkItem.objects.filter(
        content_type__model="reviewtask", object_id=task.pk, escalated_to=actor
    ).exists()


def check_opinion_giver(actor: User, task: ReviewTask) -> None:
    """C-5, P-5: the task's reviewer (or the superior who took it over) and nobody who entered or
    sells the order; asked before the opinion's input is read, by the action and by the API
    before it parses the payload (issue 23)."""
    if not may_give_opinion(actor, task):
        raise NotAllowed(_("只有评审人（或超时后接手的上级）可以给出意见。"))
    workflow.check_actor(review_states.DECIDE_TASK, task, actor)


@transaction.atomic
@recorder.batched
def give_opinion(
    *,
    actor: User,
    task: ReviewTask,
    verdict: Verdict | str,
    comment: str = "",
    conditions: str = "",
    attachment: UploadedFile | None = None,
    version: int | None = None,
) -> ReviewTask:
    """C-5: the department's verdict, with reviewer and time; a reject needs a comment. Issue 21:
    the round and its tasks locked with one statement (`_lock_round`), not read again; two last
    opinions given at once are taken one after the other, so one sees both and closes the round."""
    tasks = _lock_round(task)
    locked = next(t for t in tasks if t.pk == task.pk)
    check_opinion_giver(actor, locked)
    if locked.status != TaskStatus.OPEN:
        raise ActionError(_("该评审任务已结束或尚未开始，不能再给意见。"))
    if version is not None and locked.version != version:
        raise StaleVersion(_("该评审任务已被他人处理，请刷新。"))
    errors: dict[str, str] = {}
    if verdict not in Verdict.values:
        errors["verdict"] = _("请选择评审意见。")
    if verdict == Verdict.REJECT and not comment.strip():
        errors["comment"] = _("不同意时必须写明理由。")
    if verdict == Verdict.APPROVE_WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = _("有条件同意时请写明条件。")
    if errors:
        raise FieldErrors(errors)
    changes: dict[str, Any] = {
        "verdict": verdict,
        "comment": comment.strip(),
        "conditions": conditions.strip(),
        "decided_by": actor,
        "decided_at": timezone.now(),
    }
    if attachment is not None:
        changes["attachment"] = attachment
    # The task's step closed by the statement that saves the opinion (issue 21).
    closing = tracking.closing_along(target=locked, actor=actor, outcome=str(Verdict(verdict).label))
    locked = workflow.apply(
        review_states.DECIDE_TASK, locked, actor=actor, reason=comment.strip(), changes=changes, along=closing
    )
    recorder.record(
        actor=actor,
        obj=locked.round.order,
        action="review.opinion",
        after={
            "round": locked.round.number,
            "department": locked.department_kind,
            "chair": locked.is_chair,
            "verdict": verdict,
            "comment": locked.comment,
            "conditions": locked.conditions,
        },
    )
    _advance(locked.round, actor, tasks)
    return locked


def _lock_round(task: ReviewTask) -> list[ReviewTask]:
    """The round of `task` and every task of it, locked and held by the action (`workflow.hold`),
    in key order as any other writer locking several tasks; the tasks share the one round."""
    # The transaction's first locked read: it brings the change stamps (and on SQLite the audit
    # chain's tail) too, issue 21.
    columns = stamps.riding()
    # The same statement for every round: compiled once (`core.prepared`, issue 21).
    tasks = prepared.rows(
        ("review.lock_round", stamps.shape(columns)),
        ReviewTask,
        lambda round_id: stamps.with_tokens(
            ReviewTask.objects.select_for_update(of=("self", "round"))
            .select_related("round__order", "department")
            .filter(round_id=round_id)
            .order_by("pk"),
            columns,
        ),
        task.round_id,
    )
    if not any(t.pk == task.pk for t in tasks):
        raise ReviewTask.DoesNotExist(f"ReviewTask {task.pk}")
    stamps.take_tokens(tasks[0])
    rnd = workflow.hold(tasks[0].round)
    for t in tasks:
        t.round = rnd
        workflow.hold(t)
    return tasks


def _advance(rnd: ReviewRound, actor: Any, tasks: list[ReviewTask]) -> None:
    """C-6: decide the round once its opinions are in; in sequential mode open the next stage.
    `tasks`: every task of the round, as the action holds them (`_lock_round`)."""
    tasks = sorted(tasks, key=lambda t: (t.stage, t.pk))
    board = [t for t in tasks if not t.is_chair]
    chair = next((t for t in tasks if t.is_chair), None)
    review = rnd.order.policy().review
    if chair is not None and chair.status == TaskStatus.DONE:
        return _close_round(rnd, actor, tasks, passed=chair.verdict != Verdict.REJECT, reason=chair.comment)
    rejects = [t for t in board if t.verdict == Verdict.REJECT]
    if rnd.mode == "sequential" and rejects and chair is None:
        return _close_round(rnd, actor, tasks, passed=False, reason=_reasons(rejects))
    waiting = [t for t in board if t.status == TaskStatus.WAITING]
    if rnd.mode == "sequential" and waiting and not (rejects and chair is None):
        if not any(t.status == TaskStatus.OPEN for t in board):
            _open_task(waiting[0], actor, hours=review.stage_time_limit_hours)
        return None
    if any(t.status in {TaskStatus.OPEN, TaskStatus.WAITING} for t in board):
        return None
    if chair is not None:
        if chair.status == TaskStatus.WAITING:
            _open_task(
                chair, actor, hours=review.stage_time_limit_hours
            )  # C-4: the chair decides on all opinions
        return None
    _close_round(rnd, actor, tasks, passed=not rejects, reason=_reasons(rejects))
    return None


def _reasons(rejects: list[ReviewTask]) -> str:
    return "；".join(f"{t.department}：{t.comment}" for t in rejects)


def _close_round(rnd: ReviewRound, actor: Any, tasks: list[ReviewTask], *, passed: bool, reason: str) -> None:
    order = rnd.order
    rnd = workflow.apply(
        review_states.PASS_ROUND if passed else review_states.FAIL_ROUND,
        rnd,
        actor=actor,
        reason=reason,
        changes={"outcome_reason": reason, "closed_at": timezone.now()},
    )
    for task in [t for t in tasks if t.status in {TaskStatus.WAITING, TaskStatus.OPEN}]:
        workflow.apply(review_states.SKIP_TASK, task, actor=actor, reason=_("评审已结束"))
        tracking.close_items(target=task, actor=actor, outcome=_("评审已结束"))
    if passed:
        order = workflow.apply(
            states.PASS_REVIEW, order, actor=actor, reason=_("第 %(n)s 轮评审通过") % {"n": rnd.number}
        )
        start_approval(order=order, actor=actor)
    else:
        order = workflow.apply(states.FAIL_REVIEW, order, actor=actor, reason=reason or _("评审未通过"))
        open_renegotiation(order, reason)


@transaction.atomic
@recorder.batched
def reassign_task(*, actor: User, task: ReviewTask, assignee: User) -> ReviewTask:
    """C-3: the superior of an overdue task hands it to someone else in the department."""
    locked = (
        ReviewTask.objects.select_for_update().select_related("round__order", "department").get(pk=task.pk)
    )
    allowed = may_give_opinion(actor, locked) and locked.assignee_id != actor.pk
    allowed = (
        allowed
        or (actor.role == Role.HEAD and actor.department_id == locked.department_id)
        or actor.role == Role.EXECUTIVE
    )
    if not allowed:
        raise NotAllowed(_("只有评审人的上级可以改派。"))
    if locked.status != TaskStatus.OPEN:
        raise ActionError(_("该评审任务已结束，不能改派。"))
    if assignee.department_id != locked.department_id or not assignee.is_active:
        raise FieldErrors({"assignee": _("只能改派给本部门在职人员。")})
    if assignee.pk in locked.raiser_ids():
        raise FieldErrors({"assignee": _("不能改派给订单的录入人或销售员本人评审（P-5）。")})
    before = locked.assignee_id
    locked.assignee = assignee
    locked.version += 1
    locked.save(update_fields=["assignee", "version"])
    tracking.close_items(target=locked, actor=actor, outcome=_("已改派"))
    review = locked.round.order.policy().review
    if locked.round.mode == "sequential" or locked.is_chair:
        _open_task(locked, actor, hours=review.stage_time_limit_hours)
    else:
        _open_task(locked, actor, days=review.board_time_limit_days)
    recorder.record(
        actor=actor,
        obj=locked.round.order,
        action="review.reassign",
        before={"assignee": before},
        after={"assignee": assignee.pk, "department": locked.department_kind},
    )
    return locked


@transaction.atomic
@recorder.batched
def resubmit_for_review(*, actor: User, order: SalesOrder, reason: str = "") -> SalesOrder:
    """C-6: after renegotiation the order is reviewed again in a new round; the old one stays."""
    order = workflow.apply(states.RESUBMIT_REVIEW, order, actor=actor, reason=reason)
    tracking.close_items(target=order, actor=actor, outcome=_("已重新提交评审"), kinds=("order.renegotiate",))
    start_round(order=order, actor=actor)
    return order
