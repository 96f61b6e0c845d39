"""Rules moved out of the curator handlers, tested on their own: the pair rules of the
domain, and the curator buttons keeping the payloads of the CallbackData they replace."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import CallbackData

from app.actions import pack, unpack
from app.curator.actions import (
    ChangeMember,
    NewProgramme,
    OnPair,
    OnProgramme,
    OnStatus,
    Pick,
    ShowDistrict,
    ShowStatus,
)
from surveys.errors import Refused
from surveys.pairing import (
    FormingCheck,
    PairPlan,
    PairProblem,
    PairRefused,
    mentees_of,
    people_problem,
    require_move,
    require_open_programme,
    require_removable,
    require_working,
)
from surveys.statuses import PairStatus, ProgrammeStatus


def test_people_problem_in_the_order_the_curator_reads_them() -> None:
    present = {1, 2, 3, 4}
    assert people_problem(present, {}, 1, [2, 3]) is None
    assert people_problem(present, {}, 1, [9]) is PairProblem.NOT_IN_ORGANIZATION
    assert people_problem(present, {2: {"mentee"}}, 1, [2]) is PairProblem.MENTEE_TAKEN
    # A mentor of another pair may be a mentee nowhere, but mentors several pairs.
    assert people_problem(present, {2: {"mentor"}}, 1, [2]) is PairProblem.MENTEE_TAKEN
    assert people_problem(present, {1: {"mentor"}}, 1, [2]) is None
    assert people_problem(present, {1: {"mentee"}}, 1, [2]) is PairProblem.MENTOR_IS_MENTEE


def test_mentees_are_each_once_and_never_the_mentor() -> None:
    assert mentees_of(1, [3, 1, 2, 3]) == [2, 3]
    assert mentees_of(1, [1]) == []


def test_lifecycle_refusals_name_their_catalogue_text() -> None:
    require_move(PairStatus.ACTIVE, PairStatus.COMPLETED)
    require_move(PairStatus.ACTIVE, PairStatus.DISSOLVED)
    require_working(PairStatus.ACTIVE)
    require_open_programme(ProgrammeStatus.ACTIVE)
    for status in (PairStatus.COMPLETED, PairStatus.DISSOLVED):
        with pytest.raises(PairRefused) as refused:
            require_move(status, PairStatus.DISSOLVED)
        assert refused.value.problem is PairProblem.NOT_ACTIVE
        assert refused.value.message_key == "curator.pair.problem.not_active"
        with pytest.raises(PairRefused):
            require_working(status)
    with pytest.raises(Refused) as closed:
        require_open_programme(ProgrammeStatus.COMPLETED)
    assert closed.value.message_key == "curator.pair.problem.programme_closed"


def test_forming_check_counts_what_the_plans_before_took() -> None:
    check = FormingCheck(present={1, 2, 3, 4, 5}, busy={5: {"mentee"}}, numbers={4})
    assert check.take(PairPlan(1, (2,))) == 5  # after the highest number so far
    assert check.take(PairPlan(3, (2,))) is PairProblem.MENTEE_TAKEN  # by the plan before
    assert check.take(PairPlan(2, (3,))) is PairProblem.MENTOR_IS_MENTEE
    assert check.take(PairPlan(1, (3,), 4)) is PairProblem.NUMBER_TAKEN
    assert check.take(PairPlan(1, (1,))) is PairProblem.NO_MENTEES
    assert check.take(PairPlan(1, (9,))) is PairProblem.NOT_IN_ORGANIZATION
    assert check.take(PairPlan(1, (3, 4), 2)) == 2  # a mentor leads several pairs
    assert check.take(PairPlan(1, (5,))) is PairProblem.MENTEE_TAKEN  # active elsewhere


def test_a_pair_keeps_one_mentee() -> None:
    require_removable({2, 3}, 3)
    with pytest.raises(PairRefused) as last:
        require_removable({2}, 2)
    assert last.value.problem is PairProblem.LAST_MENTEE
    with pytest.raises(PairRefused) as gone:
        require_removable({2, 3}, 4)
    assert gone.value.problem is PairProblem.NOT_A_MEMBER


class _ProgrammeCb(CallbackData, prefix="kp"):
    action: str
    programme: int


class _MemberCb(CallbackData, prefix="km"):
    action: str
    pair: int
    person: int


class _StatusCb(CallbackData, prefix="ks"):
    organization: int
    view: str
    page: int


def test_buttons_already_in_chats_keep_working() -> None:
    """The payloads are those aiogram's CallbackData made before the move."""
    old = [
        (_ProgrammeCb(action="complete_yes", programme=12).pack(), OnProgramme("complete_yes", 12)),
        (_MemberCb(action="add", pair=5, person=77).pack(), ChangeMember("add", 5, 77)),
        (_StatusCb(organization=3, view="unans", page=1).pack(), ShowStatus(3, "unans", 1)),
    ]
    for payload, action in old:
        assert unpack(payload) == action
        assert pack(action) == payload
    assert unpack("kn:0") == NewProgramme(0)
    assert unpack("kq:dissolve:9") == OnPair("dissolve", 9)
    assert unpack("kk:done:0") == Pick("done", 0)
    assert unpack("ka:remind:4") == OnStatus("remind", 4)
    assert unpack("kd:2:3") == ShowDistrict(2, 3)
    assert unpack("kd:2") is None  # a forged payload is a stale button, not an error
