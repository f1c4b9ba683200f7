"""The default rubric for e-lectures, shipped as data (editable afterwards in the admin)."""

from decimal import Decimal

CRITERIA = [
    (
        "Nội dung",
        "Chính xác, khoa học; bám sát yêu cầu cần đạt của Chương trình GDPT 2018; đủ kiến thức trọng tâm.",
        30,
    ),
    (
        "Phương pháp và hoạt động học",
        "Tổ chức hoạt động học rõ ràng; có câu hỏi, bài tập tương tác, phản hồi; phù hợp đối tượng học sinh.",
        25,
    ),
    (
        "Hình thức trình bày",
        "Bố cục hợp lí; chữ, hình ảnh, âm thanh, video rõ ràng, thẩm mĩ; ngôn ngữ chuẩn mực.",
        20,
    ),
    (
        "Kĩ thuật",
        "Vận hành ổn định trên hệ thống (SCORM/HTML5, video…); dung lượng hợp lí; không lỗi liên kết.",
        15,
    ),
    (
        "Tính sáng tạo và khả năng sử dụng",
        "Có điểm mới, sáng tạo; dùng được cho dạy học trên lớp, trực tuyến và tự học, ôn tập.",
        10,
    ),
]


def rubric_ensure_default(rubric_model, criterion_model) -> None:
    """Creates the shipped default rubric unless one exists. Takes the models as arguments so the
    data migration can pass its historical models; the demo loader passes the real ones."""
    Rubric, Criterion = rubric_model, criterion_model
    if Rubric.objects.filter(is_default=True).exists():
        return
    rubric = Rubric.objects.create(
        name="Tiêu chí thẩm định bài giảng điện tử (mặc định)", pass_mark=Decimal("50"), is_default=True
    )
    for order, (name, description, points) in enumerate(CRITERIA, start=1):
        Criterion.objects.create(
            rubric=rubric, order=order, name=name, description=description, max_points=Decimal(points)
        )
