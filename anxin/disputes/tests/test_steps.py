"""The step table is complete: every step a case can be at has a rule, every step with a
deadline has a default the runner knows and someone to remind, and no role is offered an
action at a step where the case is closed or being paid."""

from __future__ import annotations

from anxin.disputes.deadlines import DEFAULTS
from anxin.disputes.models import Step
from anxin.disputes.steps import ACTION_ORDER, STEPS


def test_every_step_has_a_rule() -> None:
    assert set(STEPS) == set(Step.values)


def test_every_step_with_a_deadline_has_a_known_default_and_someone_to_remind() -> None:
    timed = [step for step, rule in STEPS.items() if rule.days_setting]
    assert timed == [step for step, rule in STEPS.items() if rule.default]
    for step in timed:
        assert STEPS[step].default in DEFAULTS, step
        assert STEPS[step].waits_for, step


def test_no_action_once_the_remedy_is_decided() -> None:
    assert STEPS[Step.PAYING].actions == {}
    assert STEPS[Step.DONE].actions == {}


def test_every_action_offered_is_one_the_page_knows() -> None:
    offered = {a for rule in STEPS.values() for actions in rule.actions.values() for a in actions}
    assert offered <= set(ACTION_ORDER)
