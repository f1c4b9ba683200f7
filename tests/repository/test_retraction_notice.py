"""A retraction tells the lecture's authors (bell + e-mail after the commit) and, with publishing
and superseding, leaves a PublicationEvent trail that administrators read in the admin."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from repository.models import Publication, PublicationEvent
from reviews.models import Notification
from reviews.services import publication_retract

from .factories import make_lecture, make_version, publish

Action = PublicationEvent.Action


@pytest.fixture
def pub(demo):
    """demo.gv's lecture, co-written by demo.gv.van, published in the school's library by demo.tt."""
    lecture = make_lecture(
        demo.user("demo.gv"),
        demo.unit("THCS-LQD-TOAN"),
        title="Phân số",
        co_authors=[demo.user("demo.gv.van")],
    )
    return publish(make_version(lecture, kind="none"), demo.unit("THCS-LQD-TOAN"))


def test_retraction_notifies_author_and_co_authors_only(demo, pub, django_capture_on_commit_callbacks):
    """The author and the co-author get a bell notification and, after the commit, an e-mail with
    the reason; the publisher, the principal who retracted and everyone else get nothing."""
    before = Notification.objects.count()  # the review's own "waiting" and "decided" notes
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publication_retract(publication=pub, actor=demo.user("demo.ht"), reason="Hình ảnh không có bản quyền")
    notes = Notification.objects.filter(kind=Notification.Kind.RETRACTED)
    assert {n.user.username for n in notes} == {"demo.gv", "demo.gv.van"}
    assert Notification.objects.count() == before + 2
    assert all("Hình ảnh không có bản quyền" in n.text for n in notes)
    assert {n.url for n in notes} == {pub.lecture.get_absolute_url()}
    # Two e-mails, the clearing of the dashboards' cached figures and of the library's cached
    # counts (elearning.figures_cache).
    assert mail.outbox == [] and len(callbacks) == 4
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["demo.gv.van@example.edu.vn", "demo.gv@example.edu.vn"]
    assert all("Phân số" in m.body and "Lý do" in m.body for m in mail.outbox)


def test_retraction_writes_the_event_with_who_and_why(demo, pub):
    """One `retracted` event holds the officer, the time on the publication and the reason."""
    publication_retract(publication=pub, actor=demo.user("demo.pht"), reason="  Sai kiến thức  ")
    pub.refresh_from_db()
    event = PublicationEvent.objects.get(publication=pub, action=Action.RETRACTED)
    assert (event.actor, event.at, event.reason) == (demo.user("demo.pht"), pub.retracted_at, "Sai kiến thức")


@pytest.mark.parametrize(
    ("who", "reason", "error"),
    [
        ("demo.gv", "Không phù hợp", PermissionDenied),
        ("demo.phong.lc", "x", PermissionDenied),
        ("demo.ht", " ", ValidationError),
    ],
)
def test_a_refused_retraction_writes_and_sends_nothing(
    demo, pub, who, reason, error, django_capture_on_commit_callbacks
):
    """Not an officer of the scope, or no reason: refused, the publication active, no event, no notice."""
    before = Notification.objects.count()  # the review's own "waiting" and "decided" notes
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(error):
            publication_retract(publication=pub, actor=demo.user(who), reason=reason)
    pub.refresh_from_db()
    assert pub.state == Publication.State.ACTIVE
    assert not PublicationEvent.objects.filter(action=Action.RETRACTED).exists()
    assert Notification.objects.count() == before and callbacks == [] and mail.outbox == []


def test_publishing_a_new_version_supersedes_the_old_one_in_the_trail(demo, pub):
    """Publishing v2 writes `published` for v2 and `superseded` for v1, pointing at v2."""
    v2 = publish(make_version(pub.lecture, kind="none"), demo.unit("THCS-LQD-TOAN"))
    assert list(PublicationEvent.objects.filter(publication=pub).values_list("action", flat=True)) == [
        Action.SUPERSEDED,
        Action.PUBLISHED,
    ]
    superseded = PublicationEvent.objects.get(publication=pub, action=Action.SUPERSEDED)
    assert (superseded.successor, superseded.actor) == (v2, demo.user("demo.tt"))
    assert PublicationEvent.objects.get(publication=v2).action == Action.PUBLISHED


def test_the_backfill_rebuilds_the_trail_of_older_publications(demo, pub):
    """The migration's backfill writes published, superseded (dated by the successor) and retracted rows."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("repository.migrations.0004_publication_event").backfill
    v2 = publish(make_version(pub.lecture, kind="none"), demo.unit("THCS-LQD-TOAN"))
    publication_retract(publication=v2, actor=demo.user("demo.ht"), reason="Trùng")
    PublicationEvent.objects.all().delete()
    backfill(apps, None)
    v2.refresh_from_db()
    trail = {(e.publication_id, e.action, e.actor.username) for e in PublicationEvent.objects.all()}
    assert trail == {
        (pub.pk, Action.PUBLISHED, "demo.tt"),
        (pub.pk, Action.SUPERSEDED, "demo.tt"),
        (v2.pk, Action.PUBLISHED, "demo.tt"),
        (v2.pk, Action.RETRACTED, "demo.ht"),
    }
    superseded = PublicationEvent.objects.get(publication=pub, action=Action.SUPERSEDED)
    assert (superseded.at, superseded.successor) == (v2.published_at, v2)


def test_the_retract_page_keeps_its_address_and_notifies(
    demo, pub, client, django_capture_on_commit_callbacks
):
    """POST /library/<pk>/retract/: a teacher gets 403 and nothing changes; the principal retracts and the authors are told."""
    url = f"/library/{pub.pk}/retract/"
    client.force_login(demo.user("demo.gv.van"))
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert client.get(url).status_code == 405
    client.force_login(demo.user("demo.ht"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Thiếu nguồn trích dẫn"})
    assert response.status_code == 302 and response.url == pub.get_absolute_url()
    pub.refresh_from_db()
    assert pub.state == Publication.State.RETRACTED
    assert Notification.objects.filter(kind=Notification.Kind.RETRACTED).count() == 2
    assert len(mail.outbox) == 2


def test_the_detail_page_posts_to_the_retract_address(demo, pub, client):
    """The officer's retract form on the publication page points at /library/<pk>/retract/."""
    client.force_login(demo.user("demo.ht"))
    assert f'action="/library/{pub.pk}/retract/"' in client.get(pub.get_absolute_url()).content.decode()


def test_admin_reads_the_publication_trail_read_only(demo, pub, admin_client):
    """A superuser reads the publication and its events in the admin; adding, changing and deleting are refused."""
    publication_retract(publication=pub, actor=demo.user("demo.ht"), reason="Sai chính tả")
    listing = admin_client.get(f"/admin/repository/publicationevent/?publication={pub.pk}")
    assert listing.status_code == 200 and "Sai chính tả" in listing.content.decode()
    page = admin_client.get(f"/admin/repository/publication/{pub.pk}/change/")
    assert page.status_code == 200 and "Sai chính tả" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get("/admin/repository/publicationevent/add/").status_code == 403
    assert admin_client.get("/admin/repository/publication/add/").status_code == 403
    event = PublicationEvent.objects.filter(publication=pub).first()
    assert admin_client.post(f"/admin/repository/publicationevent/{event.pk}/delete/").status_code == 403


def test_a_non_staff_officer_cannot_read_the_trail(demo, pub, client):
    """A non-staff officer is sent to the admin login; the trail is for administrators."""
    client.force_login(demo.user("demo.ht"))
    assert client.get("/admin/repository/publicationevent/").status_code == 302
