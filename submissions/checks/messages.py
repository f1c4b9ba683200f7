"""The Vietnamese messages of the checks, for a teacher: one constant each, formatted in place."""

from ..formats import accepted_text

ACCEPTED = f"Hệ thống nhận: {accepted_text()}."
MSG_UNKNOWN = "Không nhận ra định dạng tệp. " + ACCEPTED
MSG_UNKNOWN_HINT = "Không nhận ra định dạng tệp: {hint}. " + ACCEPTED
MSG_NO_PACKAGE = (
    "Không nhận ra gói bài giảng: thiếu tệp imsmanifest.xml (gói SCORM) hoặc index.html "
    "(gói HTML5) ở thư mục gốc của tệp nén."
)
MSG_IN_SUBFOLDER = (
    "Tệp {file} nằm trong thư mục con «{folder}» chứ không ở thư mục gốc của tệp nén — "
    "hãy nén trực tiếp các tệp bên trong thư mục đó."
)
MSG_MANIFEST_NAME = "Tệp kê khai phải có tên chính xác là imsmanifest.xml (chữ thường), không phải «{name}»."
MSG_CORRUPT = "Tệp nén bị hỏng hoặc không đầy đủ — hãy nén và tải lên lại."
MSG_EMPTY_ZIP = "Tệp nén rỗng, không có nội dung."
MSG_MULTIDISK = "Tệp nén chia thành nhiều phần không được hỗ trợ — hãy nén thành một tệp .zip duy nhất."
MSG_TOO_MANY = "Tệp nén có quá nhiều mục (hơn {max} mục) — có thể là zip bomb."
MSG_DIRECTORY_TOO_BIG = "Danh mục của tệp nén lớn bất thường — có thể là tệp nén độc hại."
MSG_TOTAL = "Tệp nén vượt giới hạn dung lượng giải nén ({cap} MiB) — có thể là zip bomb."
MSG_ARCHIVE_RATIO = "Tệp nén có tỉ lệ nén bất thường (vượt {ratio}:1) — có thể là zip bomb."

# Per-entry problems: {names} lists the offending entries.
ENTRY_MESSAGES = {
    "absolute": "Tệp nén chứa đường dẫn tuyệt đối ({names}) — không được phép.",
    "traversal": "Tệp nén chứa đường dẫn vượt ra ngoài thư mục ({names}).",
    "symlink": "Tệp nén chứa liên kết tượng trưng (symlink): {names} — không được phép.",
    "bad_name": "Tệp nén chứa tên tệp không hợp lệ: {names}.",
    "encrypted": "Tệp nén có mục được đặt mật khẩu: {names} — hãy nén lại mà không đặt mật khẩu.",
    "method": (
        "Tệp nén dùng phương thức nén không được hỗ trợ ({names}) — "
        "hãy nén lại bằng ZIP thông thường (Deflate)."
    ),
    "duplicate": "Tệp nén chứa các mục trùng tên: {names}.",
    "conflict": "Tệp nén chứa mục vừa là tệp vừa là thư mục: {names}.",
    "nested": (
        "Tệp nén chứa tệp nén lồng bên trong: {names} — hãy giải nén và đưa trực tiếp nội dung vào gói."
    ),
    "executable": "Tệp nén chứa tệp thực thi: {names} — không được phép.",
    "entry_size": "Tệp trong gói vượt giới hạn dung lượng cho một tệp ({cap} MiB): {names}.",
    "ratio": "Tệp nén có tỉ lệ nén bất thường (vượt {ratio}:1) ở mục: {names} — có thể là zip bomb.",
}

MSG_XML_SYNTAX = "Tệp imsmanifest.xml không hợp lệ (lỗi cú pháp XML ở dòng {line})."
MSG_XML_INVALID = "Tệp imsmanifest.xml không hợp lệ (không đọc được nội dung XML)."
MSG_XML_ENTITIES = "imsmanifest.xml chứa khai báo thực thể/DTD — bị từ chối vì lý do an toàn."
MSG_MANIFEST_TOO_BIG = "Tệp imsmanifest.xml quá lớn (hơn {cap} MiB)."
MSG_NOT_MANIFEST = "Tệp imsmanifest.xml không phải bản kê khai gói nội dung (phần tử gốc phải là <manifest>)."
MSG_NO_RESOURCES = "imsmanifest.xml không khai báo tài nguyên nào (<resources>)."
MSG_NO_LAUNCH = "imsmanifest.xml không chỉ ra trang khởi chạy (không có mục nào trỏ tới tài nguyên có href)."
MSG_EXTERNAL_LAUNCH = (
    "Trang khởi chạy trong imsmanifest.xml là địa chỉ bên ngoài gói ({href}) — trang phải nằm trong gói."
)
MSG_MISSING_FILES = "Thiếu tệp được khai báo trong imsmanifest.xml: {names}."
MSG_OUTSIDE_REFS = "imsmanifest.xml tham chiếu tới đường dẫn nằm ngoài gói: {names}."
MSG_BAD_IDREF = "imsmanifest.xml có mục trỏ tới tài nguyên không tồn tại: {names}."

MSG_OFFICE_MACRO = (
    "Tệp có chứa macro (VBA) — không được phép vì lý do an toàn; "
    "hãy lưu lại dưới dạng {ext} thông thường (không có macro)."
)
MSG_OFFICE_BROKEN = "Tệp Office bị hỏng: thiếu phần nội dung chính ({part})."
MSG_MP4_BROKEN = "Tệp video MP4 bị hỏng hoặc không đầy đủ ({detail}) — hãy xuất lại video và tải lên lại."
MSG_WEBM_BROKEN = "Tệp video WebM bị hỏng hoặc không đầy đủ — hãy xuất lại video và tải lên lại."

MSG_SCAN_INFECTED = "Phát hiện mã độc ({signature}) — tệp bị từ chối."
MSG_SCAN_FAILED = (
    "Chưa quét được virus ({reason}) — tệp chưa được xác nhận là an toàn; hệ thống sẽ cần quét lại."
)

MSG_PDF_ENCRYPTED = (
    "Tệp PDF được đặt mật khẩu hoặc mã hoá (kể cả chỉ hạn chế in/sao chép) — hệ thống không "
    "xem trước và không tra cứu được nội dung tệp này. Hãy lưu lại tệp PDF mà không đặt mật khẩu "
    "(bỏ chọn bảo vệ/mã hoá khi xuất) rồi tải lên lại."
)
MSG_PDF_UNREADABLE = "Tệp PDF bị hỏng hoặc không đọc được cấu trúc — hãy xuất lại tệp PDF từ phần mềm soạn thảo và tải lên lại."
MSG_PDF_NO_PAGES = "Tệp PDF không có trang nào."
MSG_PDF_JAVASCRIPT = (
    "Tệp PDF có chứa mã JavaScript: khi xem trên hệ thống, mã này không được chạy, nên các nút bấm "
    "hay biểu mẫu tự tính điểm (nếu có) sẽ không hoạt động."
)
MSG_PDF_ATTACHMENTS = (
    "Tệp PDF có đính kèm tệp khác bên trong ({names}): người xem trên hệ thống không mở được các tệp "
    "đính kèm này — hãy đưa nội dung cần thiết vào chính tài liệu."
)
MSG_OFFICE_UNREADABLE = (
    "Tệp Office bị hỏng: không đọc được phần nội dung chính ({part}) — hãy lưu lại tệp và tải lên lại."
)
MSG_PPTX_NO_SLIDES = "Bài trình chiếu không có trang chiếu nào — không có nội dung để thẩm định."
MSG_DOCX_EMPTY = (
    "Tài liệu Word không có nội dung (không có chữ, hình ảnh hay đối tượng nào) — "
    "không có gì để thẩm định; hãy kiểm tra lại tệp trước khi tải lên."
)

MSG_EXTERNAL_RESOURCES = (
    "Gói bài giảng tải tài nguyên từ bên ngoài ({hosts}): khi xem thử trên hệ thống các tài nguyên "
    "này bị chặn, bài giảng có thể hiển thị thiếu. Hãy đóng gói kèm các tệp này."
)

MSG_BAD_DEFAULT_ORG = (
    "imsmanifest.xml chỉ định tổ chức mặc định «{name}» (thuộc tính default của <organizations>) "
    "nhưng không có tổ chức nào mang mã này."
)
MSG_ORG_NO_IDENTIFIER = (
    "imsmanifest.xml có tổ chức (<organization>) thiếu mã định danh (thuộc tính identifier)."
)
MSG_ORG_NO_LAUNCH = (
    "Tổ chức {names} trong imsmanifest.xml không có mục nào mở được "
    "(không mục nào trỏ tới tài nguyên có trang, tức có href)."
)
MSG_MISSING_ITEM_PAGES = (
    "Thiếu trang của các mục sau trong imsmanifest.xml, nên không mở được các mục này: {names}."
)

# The SCORM 2004 sequencing the player does not carry out (scorm._ignored_sequencing), shown
# beside the player so a reviewer knows the package may behave differently in a full LMS.
SEQUENCING_LABELS = {
    "conditionRules": "quy tắc điều kiện (trước, sau khi học và khi thoát một mục)",
    "rollupRules": "quy tắc tổng hợp kết quả từ các mục con",
    "objectives": "mục tiêu học tập dùng chung giữa các mục",
    "limitConditions": "giới hạn số lần hoặc thời gian học",
    "randomization": "chọn ngẫu nhiên hoặc xáo trộn các mục",
    "controlMode": "hạn chế điều hướng (chỉ được đi tới, không được chọn mục)",
    "deliveryControls": "mục không được theo dõi tiến độ",
    "navigationInterface": "ẩn các nút điều hướng của hệ thống",
    "sequencingCollection": "bộ quy tắc trình tự dùng chung",
}
