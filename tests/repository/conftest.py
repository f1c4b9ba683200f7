from dataclasses import dataclass

import pytest

from repository.models import Publication
from repository.services import publication_retract
from tests.workflow import staff_nguyen_trai

from .factories import make_lecture, make_version, publish


@dataclass
class Library:
    pubs: dict  # name → Publication

    def __getitem__(self, name):
        pub = self.pubs[name]
        pub.refresh_from_db()
        return pub


@pytest.fixture
def library(demo):
    """Publications of the demo city at every scope and in every state.

    lqd_v1 (superseded) / lqd (active): demo.gv's Toán 6 at THCS Lê Quý Đôn; hb: the same at
    the Hồng Bàng district; city_retracted: the same at the city, retracted; van_retracted:
    demo.gv.van's Ngữ văn 7 at the school, retracted; nt / lc: demo.gv.th's Toán 4 at TH Nguyễn
    Trãi and the Lê Chân district; tp / cum / city_dia: demo.gv.thpt's Địa lí 10 at THPT Trần
    Phú, the cluster and the city. Each reached the way users reach it (tests/workflow.py): v2 of
    the Toán lecture went school → district panel → city panel; the departments without a head
    (Ngữ văn, Địa lí) had their cases decided by the principal once overdue; TH Nguyễn Trãi and
    the Lê Chân panel are staffed first (`staff_nguyen_trai`)."""
    u = demo.unit
    staff_nguyen_trai(demo)
    toan6 = make_lecture(
        demo.user("demo.gv"), u("THCS-LQD-TOAN"), grade=6, title="Phân số với tử và mẫu là số nguyên"
    )
    pubs = {"lqd_v1": publish(make_version(toan6, kind="none"), u("THCS-LQD-TOAN"))}
    v2 = make_version(toan6, kind="none")
    pubs["lqd"] = publish(v2, u("THCS-LQD-TOAN"))
    pubs["hb"] = publish(v2, u("PGD-HB"))
    pubs["city_retracted"] = publish(v2, u("SGD"))
    publication_retract(
        publication=pubs["city_retracted"], actor=demo.user("demo.ldso"), reason="Trùng nội dung"
    )
    van = make_lecture(
        demo.user("demo.gv.van"), u("THCS-LQD-VAN"), subject="ngu-van", grade=7, title="Bài thơ Lượm"
    )
    pubs["van_retracted"] = publish(make_version(van, kind="none"), u("THCS-LQD-VAN"))
    publication_retract(publication=pubs["van_retracted"], actor=demo.user("demo.ht"), reason="Sai chính tả")
    th = make_lecture(demo.user("demo.gv.th"), u("TH-NGUYENTRAI-K4"), grade=4, title="Phép chia hết")
    th_v = make_version(th, kind="none")
    pubs["nt"] = publish(th_v, u("TH-NGUYENTRAI-K4"))
    pubs["lc"] = publish(th_v, u("PGD-LC"))
    dia = make_lecture(
        demo.user("demo.gv.thpt"), u("THPT-TRANPHU-DIA"), subject="dia-li", grade=10, title="Địa lí dân cư"
    )
    dia_v = make_version(dia, kind="none")
    pubs["tp"] = publish(dia_v, u("THPT-TRANPHU-DIA"))
    pubs["cum"] = publish(dia_v, u("CUM-THPT1"))
    pubs["city_dia"] = publish(dia_v, u("SGD"))
    assert Publication.objects.count() == len(pubs)
    return Library(pubs)
