"""The upload-and-review journey in Chromium through the production shape's nginx (TLS), and the
proof from nginx's access log that the lecture file went to S3 without passing through Django.

demo.gv creates a lecture, uploads a 12 MiB video with the page's uploader (three parts, presigned
straight to the S3 endpoint), sees it checked by the Celery worker and submits it; demo.tt (the
department head) opens the queue and the case and approves it with scores.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from deploy.media import synthetic_mp4

MiB = 1024 * 1024
TITLE = "Bài 9. Ước và bội – dạy qua video"
FILE_BYTES = 12 * MiB
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def access_log(shape) -> list[dict]:
    rows = []
    for line in (shape.run / "access.log").read_text().splitlines():
        port, method, uri, status, request_length, bytes_sent, part, upstream = line.split(" ", 7)
        rows.append(
            {
                "port": int(port),
                "method": method,
                "uri": uri,
                "status": int(status),
                "in": int(request_length),
                "out": int(bytes_sent),
                "part": part,
                "upstream": upstream,
            }
        )
    return rows


def login(page, site: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{site}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "hoclieu2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/")


def run_journey(shape) -> list[str]:
    from playwright.sync_api import sync_playwright

    print("\n=== Journey: upload (straight to S3) and review, in Chromium through nginx ===", flush=True)
    site = shape.site
    SCREENSHOTS.mkdir(exist_ok=True)
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        video = Path(folder) / "uoc-va-boi.mp4"
        video.write_bytes(synthetic_mp4(FILE_BYTES))
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        # The shape's certificate is self-signed: trusted for this context only.
        context = browser.new_context(
            locale="vi-VN", ignore_https_errors=True, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            log_start = len(access_log(shape))
            login(page, site, "demo.gv")
            page.goto(f"{site}/lectures/new/")
            page.select_option("select[name=subject]", label="Toán")
            page.select_option("select[name=grade]", value="6")
            page.fill("input[name=title]", TITLE)
            page.fill("input[name=keywords]", "toán 6, ước, bội")
            page.get_by_role("button", name="Tạo bản nháp").click()
            page.wait_for_selector("#uploader .uppy-Dashboard")
            page.set_input_files("#uploader input[type=file].uppy-Dashboard-input >> nth=0", str(video))
            page.locator(".uppy-StatusBar-actionBtn--upload").click()
            page.wait_for_selector("[data-testid=upload-progress][aria-valuenow='100']")
            page.wait_for_selector("[data-testid=check-status]:has-text('Hợp lệ')", timeout=120_000)
            page.screenshot(path=str(SCREENSHOTS / "prodshape-checked.png"), full_page=True)
            page.get_by_test_id("submit-lecture").click()
            page.get_by_text("Đã nộp bài giảng.").wait_for()
            print(
                "  demo.gv: lecture created, 12 MiB video uploaded, checked 'Hợp lệ', submitted", flush=True
            )

            login(page, site, "demo.tt")
            page.goto(f"{site}/reviews/queue/")
            for _page in range(20):  # the queue pages by 30 (a --keep-db run keeps older cases)
                if page.get_by_role("link", name=TITLE).count():
                    break
                page.get_by_role("link", name="Sau").click()
                page.wait_for_load_state()
            page.get_by_role("link", name=TITLE).first.click()
            page.get_by_test_id("case-file").wait_for()
            inputs = page.locator("[data-testid=decision-panel] input[name^=score_]")
            for i, points in zip(range(inputs.count()), [26, 21, 17, 13, 8], strict=False):
                inputs.nth(i).fill(str(points))
            page.fill("textarea[name=strengths]", "Video rõ ràng, ví dụ gần gũi.")
            page.fill("textarea[name=conclusion]", "Đạt yêu cầu, đưa vào kho học liệu của trường.")
            page.check("input[name=decision][value=approve]")
            page.get_by_test_id("decide-submit").click()
            page.get_by_text("Đã phê duyệt và lập biên bản.").wait_for()
            page.screenshot(path=str(SCREENSHOTS / "prodshape-approved.png"), full_page=True)
            print("  demo.tt: opened the queue and the case, approved with scores", flush=True)
        except Exception as exc:  # noqa: BLE001 - reported as the journey's failure
            page.screenshot(path=str(SCREENSHOTS / "prodshape-journey-failed.png"), full_page=True)
            failures.append(f"journey: {exc!r}"[:500])
        finally:
            context.close()
            browser.close()
    failures += check_bytes(shape, access_log(shape)[log_start:])
    return failures


def check_bytes(shape, rows: list[dict]) -> list[str]:
    """The site's upload endpoints received only small JSON; the parts were PUT on the S3 server."""
    site_port, s3_port = shape.args.site_port, shape.args.s3_port
    upload_paths = re.compile(r"^/lectures/uploads/")
    to_django = [r for r in rows if r["port"] == site_port and upload_paths.match(r["uri"])]
    puts_django = [r for r in rows if r["port"] == site_port and r["method"] == "PUT"]
    to_s3 = [r for r in rows if r["port"] == s3_port and r["method"] == "PUT" and r["part"] not in ("", "-")]
    site_total = sum(r["in"] for r in rows if r["port"] == site_port)
    print(
        f"  nginx access log: {len(to_django)} requests to the app's upload endpoints, "
        f"{sum(r['in'] for r in to_django):,} bytes in; all requests to the site {site_total:,} bytes in; "
        f"{len(to_s3)} part PUTs to S3, {sum(r['in'] for r in to_s3):,} bytes in (file {FILE_BYTES:,})",
        flush=True,
    )
    failures = []
    if puts_django:
        failures.append(f"{len(puts_django)} PUT requests reached the site (parts through Django?)")
    if site_total >= FILE_BYTES // 10:
        failures.append(f"the site received {site_total:,} bytes: the file went through Django")
    if sum(r["in"] for r in to_s3 if r["status"] == 200) < FILE_BYTES or len(to_s3) < 3:
        failures.append("the parts did not reach the S3 server")
    if not failures:
        print("  OK: no part byte passed through Django; every part went straight to S3", flush=True)
    return failures
