"""Sending an approved lecture on to the panel of the next level."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from .. import rules as review_rules
from ..models import CaseState, ReviewCase, ReviewLevel
from ..routing import LEVEL_OF_UNIT_KIND, RoutingError, next_panel
from .base import CaseConflict, _locked, _log, _review_days
from .notifications import _notify_waiting


def review_nominate(*, case: ReviewCase, actor, comment: str = "") -> ReviewCase:
    """Sends an approved lecture to the panel of the next level of the school's reporting line.

    Locks the approved case; refuses (RoutingError, a ValidationError) when the next unit has no
    panel for the subject and school level. Opens the new case in review and queues the chair's
    notification on commit. Returns the new case.
    """
    with transaction.atomic():
        case = _locked(case)
        if not review_rules.can_view_case(actor, case):
            raise PermissionDenied
        if case.state == CaseState.APPROVED and case.nominated_at is not None:
            raise CaseConflict(_("Bài giảng này đã được đề cử lên cấp trên."))
        if case.state != CaseState.APPROVED:
            raise CaseConflict(_("Chỉ đề cử được bài giảng đã được phê duyệt."))
        if case.level == ReviewLevel.CITY:
            raise CaseConflict(_("Bài giảng đã được phê duyệt ở cấp cao nhất."))
        if not has_transition_perm(case.nominate, actor):
            raise PermissionDenied
        try:
            panel = next_panel(case.lecture, case.unit)
        except RoutingError as exc:
            raise ValidationError(str(exc)) from exc
        case.nominate(by=actor)
        case.save()
        _log(case, actor=actor, transition="nominate", source=CaseState.APPROVED, comment=comment)
        new_case = ReviewCase(
            lecture=case.lecture,
            version=case.version,
            level=LEVEL_OF_UNIT_KIND[panel.unit.kind],
            unit=panel.unit,
            panel=panel,
            due_on=timezone.localdate() + datetime.timedelta(days=_review_days(case)),
            previous=case,
        )
        new_case.submit()  # permission checked above: the nominator's, not the author's
        try:
            with transaction.atomic():
                new_case.save()
        except IntegrityError as exc:
            raise CaseConflict(_("Bài giảng này đang có một hồ sơ thẩm định chưa kết thúc.")) from exc
        _log(new_case, actor=actor, transition="nominate", source=CaseState.DRAFT, comment=comment)
        _notify_waiting(new_case)
    return new_case
