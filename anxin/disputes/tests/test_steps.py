"""The step table is complete: every step a case can be at has a rule, every step with a
deadline has a default the runner knows and someone to remind, and no role is offered an
action at a step where the case is closed or being paid."""

from __future__ import annotations

from anxin.disputes.deadlines import DEFAULTS
from anxin.disputes.models import Step
from anxin.disputes.steps import ACTION_ORDER, STEPS


def test_every_step_has_a_rule() -> None:
    # Given the steps a case can be at and the step table
    # When the two are compared
    # Then the table has a rule for each step and for nothing else
    assert set(STEPS) == set(Step.values)


def test_every_step_with_a_deadline_has_a_known_default_and_someone_to_remind() -> None:
    # Given the steps whose rule names a deadline setting
    timed = [step for step, rule in STEPS.items() if rule.days_setting]
    # When they are compared with the steps that name a default
    # Then they are the same steps, in the same order
    assert timed == [step for step, rule in STEPS.items() if rule.default]
    # And each default is one the deadline runner knows, with someone to remind
    for step in timed:
        assert STEPS[step].default in DEFAULTS, step
        assert STEPS[step].waits_for, step


def test_no_action_once_the_remedy_is_decided() -> None:
    # Given a case being paid or done
    # When the table is asked what anyone may do there
    # Then no role is offered anything
    assert STEPS[Step.PAYING].actions == {}
    assert STEPS[Step.DONE].actions == {}


def test_every_action_offered_is_one_the_page_knows() -> None:
    # Given every action any role is offered at any step
    offered = {a for rule in STEPS.values() for actions in rule.actions.values() for a in actions}
    # When it is compared with the actions the page orders
    # Then the page knows each of them
    assert offered <= set(ACTION_ORDER)


def test_nobody_adds_to_the_file_once_the_case_is_decided() -> None:
    # Given a decided case in its appeal window (the appeal is heard on the file as decided)
    rule = STEPS[Step.APPEAL_WINDOW]
    # When the table is asked who may add evidence there
    # Then nobody may: the adjudicator who decided is no longer asked for anything
    assert not any("evidence" in actions for actions in rule.actions.values())
    assert "adjudicator" not in rule.actions
