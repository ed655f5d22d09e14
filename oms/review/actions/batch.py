"""Deciding several review tasks and approval steps at once (issue 23 point 9, C-5, D-1).

Each item goes through the single-item verb (`give_opinion`, `decide_step`) in its own
transaction, so every rule holds per item exactly as on its own page: who may decide, P-5 (never
whoever entered or sells the order), the state, a reason to return. A refused item is reported
and, its transaction rolled back, left exactly as it was; the others go through. Each decision is
audited by its verb."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.core.errors import ActionError, FieldErrors
from oms.engine import workflow
from oms.review.actions.approval import decide_step
from oms.review.actions.rounds import give_opinion
from oms.review.models import ApprovalStep, ReviewTask, Verdict


@dataclass(frozen=True)
class Outcome:
    key: str
    done: bool
    message: str = ""


def _decide_one(actor: User, key: str, *, approve: bool, reason: str) -> None:
    kind, _sep, pk = key.partition("-")
    if kind == "task" and pk.isdigit():
        task = ReviewTask.objects.filter(pk=int(pk)).first()
        if task is None:
            raise ActionError(_("该评审任务不存在。"))
        verdict = Verdict.APPROVE if approve else Verdict.REJECT
        give_opinion(actor=actor, task=task, verdict=verdict, comment=reason)
    elif kind == "step" and pk.isdigit():
        step = ApprovalStep.objects.filter(pk=int(pk)).first()
        if step is None:
            raise ActionError(_("该审批步骤不存在。"))
        decide_step(actor=actor, step=step, approve=approve, comment=reason)
    else:
        raise ActionError(_("无法识别的待办。"))


def _why(exc: ActionError | workflow.WorkflowError) -> str:
    if isinstance(exc, FieldErrors):
        return "；".join(m for msgs in exc.errors.values() for m in msgs)
    return exc.message


def decide_many(*, actor: User, keys: Sequence[str], approve: bool, reason: str = "") -> list[Outcome]:
    """Approve, or return with one reason, each of `keys` ("task-<pk>", "step-<pk>") in turn."""
    outcomes = []
    for key in dict.fromkeys(keys):
        try:
            _decide_one(actor, key, approve=approve, reason=reason)
        except (ActionError, workflow.WorkflowError) as exc:
            outcomes.append(Outcome(key, False, _why(exc)))
        else:
            outcomes.append(Outcome(key, True))
    return outcomes
