"""The default rubric for e-lectures (editable afterwards in the admin)."""

from decimal import Decimal

from django.db import migrations

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


def create_default(apps, schema_editor):
    Rubric = apps.get_model("reviews", "Rubric")
    Criterion = apps.get_model("reviews", "Criterion")
    if Rubric.objects.filter(is_default=True).exists():
        return
    rubric = Rubric.objects.create(
        name="Tiêu chí thẩm định bài giảng điện tử (mặc định)", pass_mark=Decimal("50"), is_default=True
    )
    for order, (name, description, points) in enumerate(CRITERIA, start=1):
        Criterion.objects.create(
            rubric=rubric, order=order, name=name, description=description, max_points=Decimal(points)
        )


def remove_default(apps, schema_editor):
    apps.get_model("reviews", "Rubric").objects.filter(is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_panels_evaluations_minutes_notifications")]

    operations = [migrations.RunPython(create_default, remove_default)]
