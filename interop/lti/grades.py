"""Assignment and Grade Services: the launch's result to the LMS gradebook, through PyLTI1p3's
AGS service (its service connector takes a client-credentials token from the platform's token
URL with a JWT signed by the tool's active key)."""

from __future__ import annotations

import logging

from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from .conf import registration_for
from .launches import SCORE_MAXIMUM, launch_result
from .models import LtiLaunch

log = logging.getLogger(__name__)


def build_grade(launch: LtiLaunch, result: dict) -> Grade:
    grade = Grade()
    grade.set_score_given(result["score"] if result["score"] is not None else 0)
    grade.set_score_maximum(SCORE_MAXIMUM)
    grade.set_user_id(launch.identity.sub)
    grade.set_timestamp(timezone.now().isoformat(timespec="milliseconds"))
    if result["completed"]:
        grade.set_activity_progress("Completed").set_grading_progress("FullyGraded")
    else:
        grade.set_activity_progress("InProgress" if result["started"] else "Initialized")
        grade.set_grading_progress("Pending")
    return grade


def send(launch_id: int) -> None:
    launch = LtiLaunch.objects.select_related("platform", "identity", "publication__version").get(
        pk=launch_id
    )
    result = launch_result(launch)
    grade = build_grade(launch, result)
    ags = AssignmentsGradesService(ServiceConnector(registration_for(launch.platform)), launch.ags)
    line_item = None
    if not launch.ags.get("lineitem"):
        # The link was made without a line item: find or create the one of this resource link.
        line_item = (
            LineItem()
            .set_label(launch.publication.lecture.title[:200])
            .set_score_maximum(SCORE_MAXIMUM)
            .set_resource_id(str(launch.publication_id))
            .set_resource_link_id(launch.resource_link_id)
        )
    try:
        ags.put_grade(grade, line_item)
    except (LtiException, LtiServiceException, RequestException) as error:
        log.warning("LTI grade of launch %s not sent: %s", launch.pk, error)
        LtiLaunch.objects.filter(pk=launch.pk).update(
            grade_status=LtiLaunch.Grade.FAILED, grade_error=str(error)[:1000]
        )
        return
    LtiLaunch.objects.filter(pk=launch.pk).update(
        grade_status=LtiLaunch.Grade.SENT, grade_error="", last_grade=dict(result)
    )
