"""The author's lecture page tells where the lecture stands in the libraries."""

from repository.services import publication_retract
from tests.repository.factories import make_lecture, make_version, publish


def test_author_reads_the_retraction_reason_on_the_lecture_page(demo, client):
    """After the principal retracts a publication, its author sees the reason on their lecture."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    pub = publish(make_version(lecture, kind="none"), demo.unit("THCS-LQD-TOAN"))
    client.force_login(demo.user("demo.gv"))
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert "Trong kho học liệu số" in page and "Đang xuất bản" in page
    publication_retract(publication=pub, actor=demo.user("demo.pht"), reason="Hình ảnh không có bản quyền")
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert "Lý do: Hình ảnh không có bản quyền" in page


def test_editing_the_lecture_updates_the_library_search(demo, client):
    """A corrected title is what the library search finds afterwards."""
    from repository.models import Publication
    from reviews.services import lecture_update

    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    version = make_version(lecture, kind="none")
    publish(version, demo.unit("THCS-LQD-TOAN"))
    from submissions.models import LectureVersion

    LectureVersion.objects.create(lecture=lecture, number=version.number + 1)
    lecture_update(lecture=lecture, actor=demo.user("demo.gv"), title="Đường trung trực của đoạn thẳng")
    assert "duong trung truc" in Publication.objects.get(lecture=lecture).search_text
