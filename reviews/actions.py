"""The one table of what people do to a lecture and its review cases (as Wagtail's
`Task.get_actions` / `get_form_for_action` / `on_action` and its log-action registry).

Each action names its predicate (one, in rules.py or submissions' rules), the form it takes, the
service it calls, its button label and how its log rows read in the history. The same table
draws the buttons (`available`), guards the endpoints and dispatches their POST (`perform`, from
the views), and labels the history (`history_label`). A lecture's actions are judged on the
lecture, its draft and its latest case; a case's actions on the case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from submissions import selectors as submission_selectors
from submissions.forms import VersionNewForm

from . import lecture_rules, rules, services
from .forms import AssignForm, DecisionForm, EvaluationForm, NominateForm
from .models import CaseState, Decision, Rubric


@dataclass(frozen=True)
class Action:
    """One thing a person may do. `allowed(user, subject)` is the one predicate; `form(subject,
    data)` builds the form (None: none); `perform(subject, actor, form)` calls the service and
    returns (the object to show next, the success message); `logs` maps the transitions it writes
    to how they read in the history."""

    name: str
    label: str
    on: str  # "case" or "lecture"
    allowed: Callable
    perform: Callable | None = None
    form: Callable | None = None
    logs: dict = field(default_factory=dict)


def _decision_form(case, data=None):
    return DecisionForm(data, rubric=Rubric.current(), with_scores=not case.is_panel_level)


def _decide(case, actor, form):
    minutes = services.MinutesInput(
        strengths=form.cleaned_data["strengths"],
        limitations=form.cleaned_data["limitations"],
        required_changes=form.cleaned_data["required_changes"],
        conclusion=form.cleaned_data["conclusion"],
        scores=form.scores(),
    )
    service = {
        Decision.APPROVE: services.review_approve,
        Decision.RETURN: services.review_return,
        Decision.REJECT: services.review_reject,
    }[form.cleaned_data["decision"]]
    case = service(case=case, actor=actor, minutes=minutes)
    return case, {
        CaseState.APPROVED: _("Đã phê duyệt và lập biên bản."),
        CaseState.RETURNED: _("Đã yêu cầu tác giả chỉnh sửa; biên bản đã gửi cho tác giả."),
        CaseState.REJECTED: _("Đã ghi nhận không phê duyệt; biên bản đã gửi cho tác giả."),
    }[case.state]


def _assign(case, actor, form):
    services.review_assign_members(case=case, actor=actor, members=form.cleaned_data["members"])
    return case, _("Đã phân công thành viên đánh giá.")


def _evaluate(case, actor, form):
    services.evaluation_submit(
        case=case,
        actor=actor,
        scores=form.scores(),
        strengths=form.cleaned_data["strengths"],
        limitations=form.cleaned_data["limitations"],
        required_changes=form.cleaned_data["required_changes"],
        recommendation=form.cleaned_data["recommendation"],
    )
    return case, _("Đã nộp phiếu đánh giá.")


def _nominate(case, actor, form):
    new_case = services.review_nominate(case=case, actor=actor, comment=form.cleaned_data.get("comment", ""))
    return case, _("Đã đề cử bài giảng lên %(panel)s.") % {"panel": new_case.panel.name}


def _withdraw(case, actor, form):
    services.case_withdraw(case=case, actor=actor)
    return case, _("Đã rút bài giảng khỏi thẩm định.")


def _submit(lecture, actor, form):
    case = services.lecture_submit(lecture=lecture, actor=actor)
    return lecture, _("Đã nộp bài giảng. Người thẩm định: %(holder)s.") % {"holder": case.holder}


def _withdraw_lecture(lecture, actor, form):
    services.lecture_withdraw(lecture=lecture, actor=actor)
    return lecture, _("Đã rút bài giảng. Bạn có thể tạo phiên bản mới để nộp lại.")


def _new_version(lecture, actor, form):
    version = services.lecture_new_version(
        lecture=lecture, actor=actor, change_note=form.cleaned_data.get("change_note", "")
    )
    return lecture, _("Đã tạo phiên bản %(n)d. Hãy tải tệp đã chỉnh sửa lên.") % {"n": version.number}


def _draft_action(name):
    """The draft's own actions are the submissions app's (its endpoints check the same predicate)."""

    def allowed(user, lecture):
        draft = submission_selectors.draft_version(lecture)
        return name in submission_selectors.draft_actions(lecture, user, draft)

    allowed.__name__ = f"can_{name}"
    return allowed


ACTIONS: dict[tuple[str, str], Action] = {
    (action.on, action.name): action
    for action in [
        # On a case (the case page).
        Action(
            "decide",
            gettext_lazy("Quyết định"),
            "case",
            rules.can_decide_case,
            _decide,
            _decision_form,
            logs={
                "approve": gettext_lazy("Phê duyệt"),
                "return_for_changes": gettext_lazy("Yêu cầu chỉnh sửa"),
                "reject": gettext_lazy("Không phê duyệt"),
            },
        ),
        Action(
            "assign",
            gettext_lazy("Phân công"),
            "case",
            rules.can_assign_members,
            _assign,
            lambda case, data=None: AssignForm(data, eligible=services.eligible_members(case)),
            logs={"assign": gettext_lazy("Phân công thành viên")},
        ),
        Action(
            "evaluate",
            gettext_lazy("Nộp phiếu đánh giá"),
            "case",
            rules.can_evaluate_case,
            _evaluate,
            lambda case, data=None: EvaluationForm(data, rubric=Rubric.current()),
        ),
        Action(
            "nominate",
            gettext_lazy("Đề cử lên cấp trên"),
            "case",
            rules.can_nominate_case,
            _nominate,
            lambda case, data=None: NominateForm(data),
            logs={"nominate": gettext_lazy("Đề cử lên cấp trên")},
        ),
        Action(
            "withdraw",
            gettext_lazy("Rút bài"),
            "case",
            rules.can_withdraw_case,
            _withdraw,
            logs={"withdraw": gettext_lazy("Rút bài")},
        ),
        Action("resubmit", gettext_lazy("Nộp lại"), "case", rules.can_resubmit_case),
        # On a lecture (the lecture page).
        Action("edit", gettext_lazy("Sửa thông tin"), "lecture", _draft_action("edit")),
        Action("upload", gettext_lazy("Tải tệp lên"), "lecture", _draft_action("upload")),
        Action("retry_check", gettext_lazy("Kiểm tra lại"), "lecture", _draft_action("retry_check")),
        Action(
            "submit",
            gettext_lazy("Nộp bài"),
            "lecture",
            lecture_rules.can_submit_lecture,
            _submit,
            logs={"submit": gettext_lazy("Nộp bài"), "resubmit": gettext_lazy("Nộp lại bản mới")},
        ),
        Action(
            "withdraw",
            gettext_lazy("Rút bài"),
            "lecture",
            lecture_rules.can_withdraw_lecture,
            _withdraw_lecture,
        ),
        Action(
            "new_version",
            gettext_lazy("Tạo phiên bản mới"),
            "lecture",
            lecture_rules.can_start_new_version,
            _new_version,
            lambda lecture, data=None: VersionNewForm(data),
        ),
    ]
}

HISTORY_LABELS = {
    transition: label for action in ACTIONS.values() for transition, label in action.logs.items()
}


def available(user, subject, *, on: str) -> set[str]:
    """The names of the actions `user` may take on `subject` (a case or a lecture) now."""
    if user is None or subject is None:
        return set()
    return {a.name for (target, _name), a in ACTIONS.items() if target == on and a.allowed(user, subject)}


def get(name: str, *, on: str) -> Action | None:
    """The action the endpoint `name` dispatches to, if it is one that posts."""
    action = ACTIONS.get((on, name))
    return action if action is not None and action.perform is not None else None


def history_label(transition: str) -> str:
    """How a log row reads in the history, in the language of the request."""
    return str(HISTORY_LABELS.get(transition, transition))
