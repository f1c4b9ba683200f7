"""The help centre's content (`/support/`, DESIGN.md section 11): a guide per role with numbered
steps, the questions people ask, and how to reach the help desk. Limits are read from settings
and the accepted formats from `submissions.formats`, so the page never drifts from the product."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Screenshot:
    """A picture of a real page in a guide, taken from the demo city by
    tests/browser/test_guide_screenshots.py (`make guide-screenshots` retakes them all). Its
    anchor is where the "?" link of that page leads."""

    anchor: str
    alt: str

    @property
    def file(self) -> str:
        return f"guide/{self.anchor}.png"


@dataclass(frozen=True)
class Guide:
    anchor: str
    title: str
    steps: list[str]
    screenshots: list[Screenshot] = field(default_factory=list)


@dataclass(frozen=True)
class Question:
    anchor: str
    question: str
    answer: str


@dataclass(frozen=True)
class Contact:
    hotline: str
    email: str
    hours: str


def support_contact() -> Contact:
    """The help desk from the environment (SUPPORT_HOTLINE, SUPPORT_EMAIL, SUPPORT_HOURS)."""
    return Contact(settings.SUPPORT_HOTLINE, settings.SUPPORT_EMAIL, settings.SUPPORT_HOURS)


def guides() -> list[Guide]:
    return [
        Guide(
            "giao-vien",
            _("Giáo viên"),
            [
                _(
                    "Đăng nhập bằng mã cán bộ và mật khẩu nhà trường cấp; lần đầu, hệ thống yêu cầu đổi mật khẩu."
                ),
                _("Vào “Bài giảng của tôi”, bấm “Tạo bài giảng mới”, chọn môn, lớp và nhập tên bài học."),
                _(
                    "Tải tệp bài giảng lên. Mất mạng hoặc lỡ đóng trang? Mở lại bài giảng và chọn lại đúng tệp đó: "
                    "phần đã tải lên được giữ."
                ),
                _(
                    "Chờ hệ thống kiểm tra tệp (thường dưới một phút); kết quả hiện ngay trên trang bài giảng."
                ),
                _(
                    "Trong đợt nộp, bấm “Nộp bài”. Ngoài đợt nộp, trang bài giảng cho biết ngày mở đợt nộp tiếp theo."
                ),
                _(
                    "Theo dõi tình trạng trên trang bài giảng và chuông thông báo; nếu bài “Cần chỉnh sửa”, "
                    "đọc biên bản, tạo phiên bản mới và nộp lại."
                ),
            ],
            [
                Screenshot(
                    "giao-vien-trang-chu",
                    _("Trang chủ của giáo viên: các thẻ bài giảng của tôi và đợt nộp đang mở"),
                ),
                Screenshot(
                    "giao-vien-bai-giang-cua-toi",
                    _("Danh sách “Bài giảng của tôi” với trạng thái và bước tiếp theo của từng bài"),
                ),
                Screenshot(
                    "giao-vien-trang-bai-giang",
                    _("Trang một bài giảng: thông tin, tệp đã tải lên, kết quả kiểm tra và nút nộp bài"),
                ),
            ],
        ),
        Guide(
            "to-truong",
            _("Tổ trưởng chuyên môn"),
            [
                _("Mở “Chờ thẩm định” để xem các bài giảng của tổ đang chờ, hạn thẩm định ở cột cuối."),
                _("Mở từng bài, xem trước bài giảng ngay trong trình duyệt và tải tệp về nếu cần."),
                _("Chấm theo tiêu chí, ghi ưu điểm, hạn chế và yêu cầu chỉnh sửa vào biên bản."),
                _(
                    "Chọn “Phê duyệt”, “Yêu cầu chỉnh sửa” hoặc “Không phê duyệt”; giáo viên nhận thông báo ngay."
                ),
            ],
            [
                Screenshot(
                    "to-truong-cho-tham-dinh",
                    _("Danh sách bài giảng chờ thẩm định của tổ, hạn thẩm định ở cột cuối"),
                ),
                Screenshot(
                    "to-truong-ho-so",
                    _("Hồ sơ thẩm định: xem trước bài giảng, chấm theo tiêu chí và chọn quyết định"),
                ),
            ],
        ),
        Guide(
            "hieu-truong",
            _("Hiệu trưởng, phó hiệu trưởng"),
            [
                _(
                    "Mở “Thẩm định trong đơn vị” để xem mọi bài giảng của trường, các bài quá hạn được chuyển lên."
                ),
                _("Quyết định thay tổ trưởng với các bài quá hạn hoặc của tổ chưa có tổ trưởng."),
                _("Đề cử bài giảng tiêu biểu đã được phê duyệt lên hội đồng cấp trên."),
                _("Xem kho học liệu của trường và mức độ bao phủ theo môn, khối lớp."),
            ],
            [
                Screenshot(
                    "hieu-truong-trang-chu",
                    _("Trang chủ của hiệu trưởng: số bài giảng chờ, quá hạn và kho học liệu của trường"),
                ),
                Screenshot(
                    "hieu-truong-tham-dinh-trong-don-vi",
                    _("Danh sách “Thẩm định trong đơn vị” với mọi bài giảng của trường"),
                ),
            ],
        ),
        Guide(
            "hoi-dong",
            _("Chủ tịch và thành viên hội đồng bộ môn"),
            [
                _("Chủ tịch mở “Chờ thẩm định”, phân công thành viên cho từng bài được đề cử."),
                _(
                    "Thành viên mở “Được phân công”: trang hiện các bài đang chờ phiếu (30 bài một trang, lọc theo môn, khối, đợt); chọn trạng thái “Tất cả” để xem cả bài đã có kết luận. Mở bài, xem bài giảng và gửi phiếu đánh giá theo tiêu chí."
                ),
                _("Khi đủ phiếu, chủ tịch xem điểm trung bình và ra quyết định; biên bản được lập tự động."),
            ],
            [
                Screenshot(
                    "hoi-dong-duoc-phan-cong",
                    _("Danh sách bài giảng được phân công đánh giá và tình trạng phiếu của thành viên"),
                ),
            ],
        ),
        Guide(
            "quan-tri-truong",
            _("Quản trị tài khoản của trường"),
            [
                _("Tải mẫu Excel ở trang “Nhập tài khoản”, điền danh sách đơn vị và giáo viên."),
                _("Tải tệp lên, xem kết quả kiểm tra từng dòng, sửa lỗi nếu có rồi xác nhận."),
                _("Tải danh sách mật khẩu ban đầu (chỉ hiện một lần) và phát cho từng người."),
                _("Ở trang “Nhân sự”: khoá, mở khoá tài khoản hoặc đặt lại mật khẩu khi giáo viên quên."),
            ],
            [
                Screenshot(
                    "quan-tri-truong-nhap-tai-khoan",
                    _("Trang nhập đơn vị và tài khoản: tải mẫu Excel và tải tệp đã điền lên"),
                ),
                Screenshot(
                    "quan-tri-truong-nhan-su",
                    _("Danh sách nhân sự của trường với vai trò và đơn vị của từng người"),
                ),
            ],
        ),
        Guide(
            "phong-gddt",
            _("Chuyên viên Phòng GDĐT"),
            [
                _("Theo dõi bài giảng của các trường trong quận ở “Thẩm định trong đơn vị”."),
                _("Đề cử bài giảng được hội đồng cấp quận phê duyệt lên Sở."),
                _("Nhập đơn vị và tài khoản cho các trường trong quận khi cần."),
            ],
            [
                Screenshot(
                    "phong-gddt-tham-dinh-trong-don-vi",
                    _("Danh sách bài giảng của các trường trong quận đang thẩm định"),
                ),
            ],
        ),
        Guide(
            "so-gddt",
            _("Chuyên viên và lãnh đạo Sở GDĐT"),
            [
                _("Xem toàn bộ bài giảng và kho học liệu của thành phố, lọc theo môn, khối lớp, đơn vị."),
                _("Theo dõi mức độ bao phủ bài giảng theo môn và khối lớp của từng quận, từng trường."),
                _("Khi cần, gỡ một bài giảng khỏi kho kèm lý do; tác giả và nhà trường được thông báo."),
            ],
            [
                Screenshot(
                    "so-gddt-kho-hoc-lieu",
                    _("Kho học liệu số của thành phố với bộ lọc theo môn, khối lớp và đơn vị"),
                ),
                Screenshot(
                    "so-gddt-bai-giang-da-duyet",
                    _("Danh sách bài giảng đã được phê duyệt, xuất ra Excel hoặc PDF"),
                ),
            ],
        ),
        Guide(
            "cai-dat-tren-dien-thoai",
            _("Giáo viên: cài Thư viện bài giảng trên điện thoại và lưu bài để dùng trên lớp"),
            [
                _(
                    "Mở trang Kho học liệu số bằng Chrome (Android) hoặc Safari (iPhone, iPad) và đăng nhập như trên máy tính."
                ),
                _(
                    "Cài ứng dụng: trên Chrome, mở menu ⋮ và chọn “Cài đặt ứng dụng” (hoặc “Thêm vào màn hình chính”); "
                    "trên Safari, bấm nút Chia sẻ rồi “Thêm vào MH chính”. Biểu tượng “Thư viện bài giảng” xuất hiện trên màn hình."
                ),
                _(
                    "Khi còn mạng (tốt nhất là Wi-Fi của trường), mở bài giảng cần dạy và bấm “Dùng khi không có mạng”. "
                    "Dung lượng hiện ngay trên nút; chờ đến khi trang báo “Đã lưu trên máy này”."
                ),
                _(
                    "Trên lớp không có mạng, mở ứng dụng và vào “Bài giảng đã lưu” (hoặc mở lại trang bài giảng): bài giảng "
                    "phát từ bản lưu trên máy. Trang chưa lưu sẽ báo “Không có kết nối mạng”."
                ),
                _(
                    "Việc mở bản đã lưu không được tính vào lượt xem của kho và kết quả học trên máy không gửi về hệ thống. "
                    "Xoá bài không cần nữa ở trang “Bài giảng đã lưu” để giải phóng bộ nhớ."
                ),
                _(
                    "Đăng xuất sẽ xoá mọi bài giảng đã lưu trên máy; bài bị gỡ khỏi kho cũng tự bị xoá lần sau máy có mạng "
                    "và bạn mở trang “Bài giảng đã lưu”. Với máy tính của lớp, dùng “Tải về để dùng ngoại tuyến” (tệp zip)."
                ),
            ],
        ),
        *interop_guides(),
    ]


def interop_guides() -> list[Guide]:
    """How other systems reach the library (issue 14): harvesting by OAI-PMH, the catalogue in
    the department's portal. Addresses are read from SITE_URL and the OAI settings."""
    site = settings.SITE_URL.rstrip("/")
    return [
        Guide(
            "thu-thap-oai-pmh",
            _("Hệ thống tổng hợp học liệu: thu thập qua OAI-PMH"),
            [
                _("Địa chỉ gốc (base URL) của kho: %(url)s — không cần đăng nhập, trả lời theo OAI-PMH 2.0.")
                % {"url": f"{site}/oai/"},
                _(
                    "Trong phần mềm thu thập (harvester) của hệ thống tổng hợp, thêm một nguồn mới với địa chỉ trên, "
                    "rồi kiểm tra bằng lệnh Identify: %(url)s"
                )
                % {"url": f"{site}/oai/?verb=Identify"},
                _(
                    "Chọn định dạng siêu dữ liệu: oai_dc (Dublin Core) hoặc lom (IEEE LOM). Mỗi bản ghi là một bài giảng "
                    "đang xuất bản ở kho cấp thành phố (và kho của quận/huyện đã đăng ký chia sẻ), mã bản ghi dạng "
                    "oai:%(id)s:lecture/<số>."
                )
                % {"id": settings.OAI_REPOSITORY_IDENTIFIER},
                _(
                    "Thu thập theo tập hợp nếu chỉ cần một môn hoặc một khối lớp: set=subject:<mã môn> hoặc set=grade:<lớp> "
                    "(danh sách tập hợp: ListSets)."
                ),
                _(
                    "Thu thập định kỳ chỉ phần thay đổi bằng tham số from (ngày giờ UTC của lần thu thập trước). Danh sách "
                    "dài được chia trang bằng resumptionToken, có hạn dùng %(hours)s giờ."
                )
                % {"hours": settings.OAI_TOKEN_SECONDS // 3600},
                _(
                    'Bài giảng bị gỡ khỏi kho xuất hiện dưới dạng bản ghi đã xoá (status="deleted"): hãy gỡ bài đó khỏi '
                    "hệ thống tổng hợp."
                ),
            ],
        ),
        lti_guide(site),
        Guide(
            "nhung-danh-muc",
            _("Cổng thông tin của Sở: nhúng danh mục bài giảng công khai"),
            [
                _(
                    "Quản trị hệ thống bật danh mục công khai (biến môi trường PUBLIC_CATALOGUE=1) và khai báo địa chỉ "
                    "cổng thông tin được phép nhúng (PUBLIC_CATALOGUE_FRAME_ANCESTORS)."
                ),
                _("Lãnh đạo hoặc chuyên viên Sở đăng nhập, mở %(url)s và sao chép đoạn mã nhúng.")
                % {"url": f"{site}/catalogue/embed/"},
                _(
                    "Dán đoạn mã vào trang của cổng thông tin ở chế độ soạn HTML. Danh mục chỉ gồm bài giảng đang xuất bản "
                    "ở kho cấp thành phố; bài giảng bị gỡ tự biến mất."
                ),
                _(
                    "Chỉ bài giảng mà tác giả chọn giấy phép mở (Creative Commons) khi nộp mới tải về được từ danh mục; "
                    "các bài khác chỉ hiện thông tin."
                ),
            ],
        ),
    ]


def lti_guide(site: str) -> Guide:
    """For an LMS administrator (a school's or a district's Moodle): registering Học liệu số as an
    LTI 1.3 external tool. The tool's addresses are those of interop.lti (SITE_URL based)."""
    return Guide(
        "lti",
        _("Quản trị LMS (Moodle…): kết nối Học liệu số bằng LTI 1.3"),
        [
            _(
                "Địa chỉ của công cụ để dán vào LMS — URL công cụ và URL chuyển hướng (Tool URL, Redirection URI, "
                "cả URL Deep Linking): %(launch)s; URL khởi tạo đăng nhập (Initiate login URL): %(login)s; "
                "bộ khoá công khai (Public keyset URL, JWKS): %(jwks)s."
            )
            % {"launch": f"{site}/lti/launch/", "login": f"{site}/lti/login/", "jwks": f"{site}/lti/jwks/"},
            _(
                "Trên Moodle: Quản trị hệ thống → Plugin → Mô-đun hoạt động → Công cụ bên ngoài → Quản lý công cụ → "
                "“Cấu hình công cụ thủ công”. Đặt tên “Học liệu số”, phiên bản LTI: LTI 1.3, kiểu khoá công khai: "
                "Keyset URL, rồi dán các địa chỉ ở bước trên."
            ),
            _(
                "Vẫn trong trang đó: bật “Hỗ trợ Deep Linking (Content-Item Message)”; ở mục Dịch vụ chọn “Dịch vụ điểm "
                "và bài tập (IMS LTI Assignment and Grade Services)”: “Dùng dịch vụ này để đồng bộ điểm và quản lý "
                "cột điểm”; ở mục Quyền riêng tư chọn gửi tên và e-mail nếu trường đồng ý. Vị trí mở mặc định: "
                "Nhúng (Embed)."
            ),
            _(
                "Lưu, rồi bấm biểu tượng “Xem chi tiết cấu hình” của công cụ: Moodle hiện Platform ID (issuer), "
                "Client ID, Deployment ID, Public keyset URL, Access token URL và Authentication request URL."
            ),
            _(
                "Cán bộ phòng GD&ĐT hoặc lãnh đạo Sở đăng nhập Học liệu số, mở %(url)s → “Đăng kí LMS mới”, chọn "
                "đơn vị và chép các giá trị trên vào biểu mẫu (mỗi dòng một Deployment ID). Nếu LMS nhúng công cụ "
                "từ một tên miền khác với issuer, thêm tên miền đó vào ô “nguồn được phép nhúng thêm”."
            )
            % {"url": f"{site}/lti/platforms/"},
            _(
                "Giáo viên thêm bài trong khoá học: Thêm hoạt động → Công cụ bên ngoài → chọn “Học liệu số” → “Chọn "
                "nội dung”. Danh sách bài theo quyền của tài khoản Học liệu số được liên kết với tài khoản LMS; chưa "
                "liên kết thì chỉ thấy bài giảng đã xuất bản ở kho cấp thành phố. Quản trị viên liên kết tài khoản "
                "trong trang quản trị (Người dùng LMS)."
            ),
            _(
                "Học sinh mở bài ngay trong khoá học, trong trình phát bài giảng của Học liệu số, không cần tài khoản "
                "và không xem được gì khác ngoài bài đó. Khi bài SCORM ghi kết quả, điểm (thang 100) và mức hoàn "
                "thành được gửi về sổ điểm của LMS."
            ),
            _(
                "Trang của công cụ chạy trong khung (iframe) của LMS: chỉ tên miền của LMS đã đăng kí được nhúng, và "
                "Học liệu số phải chạy bằng HTTPS để trình duyệt giữ cookie phiên LTI (SameSite=None; Secure). "
                "Khoá kí của công cụ được thay định kì; LMS luôn đọc khoá mới ở địa chỉ JWKS, không cần nhập lại."
            ),
        ],
    )


def screenshot_alt(anchor: str) -> str:
    """What the guide shows at `anchor`; an unknown anchor is a programming error."""
    for guide in guides():
        for shot in guide.screenshots:
            if shot.anchor == anchor:
                return shot.alt
    raise LookupError(f"no guide section {anchor!r} in elearning/support.py")


def questions() -> list[Question]:
    from submissions.formats import accepted_text
    from submissions.uploads import human_size

    return [
        Question(
            "ngoai-tuyen",
            _("Dùng bài giảng trên lớp khi không có mạng thế nào?"),
            _(
                "Trên trang bài giảng trong kho, bấm “Tải về để dùng ngoại tuyến” (dung lượng hiện ngay trên nút). "
                "Giải nén tệp zip trên máy tính của lớp và nháy đúp vào index.html: bài giảng mở trong trình duyệt, không "
                "cần mạng. Kết quả học chỉ lưu trong trình duyệt của máy đó; việc dùng bản ngoại tuyến không được tính "
                "vào thống kê của kho."
            ),
        ),
        Question(
            "giay-phep",
            _("Chọn giấy phép cho bài giảng để làm gì?"),
            _(
                "Trước khi nộp, tác giả chọn giấy phép cho phiên bản (mặc định: bảo lưu mọi quyền). Nếu chọn giấy phép mở "
                "Creative Commons (ví dụ CC BY-NC-SA) và bài được xuất bản ở kho cấp thành phố, mọi người tải được bài "
                "từ danh mục công khai của Sở; giấy phép được giữ nguyên khi đã nộp."
            ),
        ),
        Question(
            "dot-nop",
            _("Khi nào được nộp bài?"),
            _(
                "Mỗi năm học có ba đợt nộp: tuần 3 tháng 8 và tuần dạy bù của học kì I và học kì II, do Sở công bố. "
                "Ngoài đợt nộp, bạn vẫn soạn và tải tệp lên được; trang bài giảng cho biết ngày mở đợt nộp tiếp theo. "
                "Bài được trả lại để chỉnh sửa thì nộp lại bất cứ lúc nào."
            ),
        ),
        Question(
            "dinh-dang",
            _("Hệ thống nhận những loại tệp nào, dung lượng tối đa bao nhiêu?"),
            _(
                "Mỗi phiên bản một tệp, tối đa %(max)s: %(formats)s. Loại tệp được nhận ra theo nội dung, không theo đuôi tệp."
            )
            % {"max": human_size(settings.LECTURE_MAX_FILE_BYTES), "formats": accepted_text(_)},
        ),
        Question(
            "xuat-scorm",
            _("Xuất bài giảng SCORM từ phần mềm soạn thảo thế nào?"),
            _(
                "iSpring Suite: Publish → LMS → chọn SCORM 1.2 (hoặc SCORM 2004), đóng gói thành tệp .zip. "
                "Articulate Storyline: Publish → LMS → Output Options: SCORM 1.2, bấm Publish rồi chọn Zip. "
                "Adobe Captivate: Publish → eLearning output: SCORM 1.2 hoặc 2004, đánh dấu Zip Files. "
                "ActivePresenter: Export → SCORM/xAPI → SCORM 1.2, xuất ra .zip. "
                "Tệp imsmanifest.xml phải nằm ngay ở gốc tệp .zip; đừng nén lại cả thư mục chứa nó."
            ),
        ),
        Question(
            "tra-lai",
            _("“Cần chỉnh sửa” (trả lại) nghĩa là gì?"),
            _(
                "Người thẩm định thấy bài giảng cần sửa trước khi phê duyệt. Yêu cầu cụ thể ghi trong biên bản. "
                "Bạn tạo phiên bản mới, tải tệp đã sửa lên và nộp lại, không cần chờ đợt nộp; bài về lại người đã yêu cầu."
            ),
        ),
        Question(
            "tai-tiep",
            _("Tải lên bị gián đoạn thì làm sao?"),
            _(
                "Mở lại trang bài giảng và chọn lại đúng tệp đó (cùng tên, cùng dung lượng): hệ thống chỉ gửi "
                "phần còn thiếu và cho biết đã giữ lại bao nhiêu phần trăm. Phần đã tải lên được giữ %(hours)d giờ."
            )
            % {"hours": settings.UPLOAD_SESSION_MAX_AGE_HOURS},
        ),
        Question(
            "quen-mat-khau",
            _("Quên mật khẩu?"),
            _(
                "Bấm “Quên mật khẩu?” ở trang đăng nhập để nhận thư đặt lại, hoặc nhờ quản trị tài khoản của trường "
                "đặt lại mật khẩu."
            ),
        ),
    ]
