import pytest

from .builders import submit_lesson_plan, submit_plan


@pytest.fixture
def city_records(demo):
    """One record of every kind in several scopes of the demo city, each waiting for its reviewer.

    A school plan, THCS Lê Quý Đôn (district Hồng Bàng)    B department plan, its Toán – Tin
    C teacher plan, Toán (demo.gv)                          D lesson plan, Toán (demo.gv)
    E teacher plan, Ngữ văn (demo.gv.van)                   F school plan, THPT Trần Phú (city)
    G teacher plan, Địa lí, THPT Trần Phú                   H teacher plan, Toán, TH Nguyễn Trãi (Lê Chân)
    I school plan, PT nhiều cấp Hermann Gmeiner (city)
    """
    return {
        "A": submit_plan(demo, "school_plan", "demo.ht", "THCS-LQD"),
        "B": submit_plan(demo, "department_plan", "demo.tt", "THCS-LQD-TOAN"),
        "C": submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN"),
        "D": submit_lesson_plan(demo),
        "E": submit_plan(demo, "teacher_plan", "demo.gv.van", "THCS-LQD-VAN"),
        "F": submit_plan(demo, "school_plan", "demo.ht.thpt", "THPT-TRANPHU"),
        "G": submit_plan(demo, "teacher_plan", "demo.gv.thpt", "THPT-TRANPHU-DIA"),
        "H": submit_plan(demo, "teacher_plan", "demo.gv.th", "TH-NGUYENTRAI-K4"),
        "I": submit_plan(demo, "school_plan", "demo.cumtruong", "PT-HG"),
    }
