"""The submission-week burst (issue 13 item 4), run by bench/burst.py against the production shape.

Teachers (`burst.gv<n>`, exactly BURST_TEACHERS of them) each sign in once, create a lecture,
upload a BURST_FILE_MB MiB video by S3 multipart exactly as the page's uploader does (create, sign
each 5 MiB part, PUT it to the presigned S3 URL, complete), wait for the Celery worker's check as
the page does (polling the status panel every 2 s) and submit. Reviewers (`burst.tt<n>`, department
heads of the teachers' departments, BURST_REVIEWERS of them) sign in once and keep opening their
queue and one of its cases, 10–30 s apart. A response that lands on the sign-in page counts as a
failure (a lost session). The run ends when every teacher has submitted (or at locust's --run-time).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, constant, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from deploy.media import synthetic_mp4  # noqa: E402

MiB = 1024 * 1024
PART = 5 * MiB
PASSWORD = "hoclieu2026"
TEACHERS = int(os.environ.get("BURST_TEACHERS", "500"))
REVIEWERS = int(os.environ.get("BURST_REVIEWERS", "100"))
FILE = synthetic_mp4(int(os.environ.get("BURST_FILE_MB", "20")) * MiB)
CA = os.environ.get("PRODSHAPE_CA", True)
OUTCOMES = os.environ.get("BURST_OUTCOMES", "")
_teacher_numbers = itertools.count(1)
_reviewer_numbers = itertools.count(1)
done: list[dict] = []


class Burst(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.verify = CA
        self.client.headers["Referer"] = self.host + "/"

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def check(self, response, expected=(200,), text: str = ""):
        """Marks the response failed on an unexpected status, a lost session or missing text."""
        if response.status_code not in expected:
            response.failure(f"status {response.status_code}: {response.text[:200]}")
        elif "/login/" in response.url and "/login/" not in response.request.path_url:
            response.failure("session lost: sent to the sign-in page")
        elif text and text not in response.text:
            response.failure(f"missing {text!r}")
        else:
            response.success()
        return response

    def login(self, username: str) -> None:
        self.client.get("/login/", name="/login/")
        with self.client.post(
            "/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            name="/login/ POST",
            catch_response=True,
        ) as response:
            if urlpath(response.url) != "/":
                response.failure(f"sign-in refused for {username}")
            else:
                response.success()


def urlpath(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


class Teacher(Burst):
    fixed_count = TEACHERS
    wait_time = constant(1)

    def on_start(self) -> None:
        super().on_start()
        self.username = f"burst.gv{next(_teacher_numbers):04d}"
        self.login(self.username)
        self.finished = False

    @task
    def submission(self) -> None:
        if self.finished:
            return
        started = time.monotonic()
        form = self.client.get("/lectures/new/", name="/lectures/new/").text
        department = re.search(r'name="department"[^>]*>\s*<option value="(\d+)"', form)
        subject = re.search(r'<option value="(\d+)"[^>]*>Toán</option>', form)
        if not (department and subject):
            self.finished = True  # the accounts are wrong: asking again would only spin
            raise RuntimeError("the lecture form has no department or Toán")
        with self.client.post(
            "/lectures/new/",
            data={
                "csrfmiddlewaretoken": self.csrf(),
                "department": department.group(1),
                "subject": subject.group(1),
                "grade": "6",
                "title": f"Bài {random.randint(1, 30)}. Phân số – video của {self.username}",
                "keywords": "toán 6, phân số",
            },
            name="/lectures/new/ POST",
            catch_response=True,
        ) as response:
            self.check(response, text='id="uploader"')
            page = response.text
        lecture = re.search(r"/lectures/(\d+)/$", response.url)
        version = re.search(r'id="uploader" data-version="(\d+)"', page)
        if not (lecture and version):
            return
        lecture_id = lecture.group(1)
        headers = {"X-CSRFToken": self.csrf()}
        with self.client.post(
            "/lectures/uploads/",
            json={
                "version": int(version.group(1)),
                "filename": "phan-so.mp4",
                "type": "video/mp4",
                "size": len(FILE),
            },
            headers=headers,
            name="/lectures/uploads/ (create)",
            catch_response=True,
        ) as response:
            self.check(response, expected=(201,))
            if response.status_code != 201:
                return
            upload_id = response.json()["uploadId"]
        parts = []
        for number, offset in enumerate(range(0, len(FILE), PART), start=1):
            with self.client.get(
                f"/lectures/uploads/{upload_id}/parts/{number}/sign/",
                name="/lectures/uploads/[id]/parts/[n]/sign/",
                catch_response=True,
            ) as response:
                self.check(response)
                url = response.json()["url"]
            # Straight to the S3 endpoint (a presigned URL): no cookie, no CSRF, as the browser.
            with self.client.put(
                url,
                data=memoryview(FILE)[offset : offset + PART],
                name="S3 PUT part (presigned)",
                cookies={},
                headers={"Referer": ""},
                catch_response=True,
            ) as put:
                self.check(put)
                parts.append({"PartNumber": number, "ETag": put.headers.get("ETag", "")})
        for _attempt in range(40):
            with self.client.post(
                f"/lectures/uploads/{upload_id}/complete/",
                json={"parts": parts},
                headers=headers,
                name="/lectures/uploads/[id]/complete/",
                catch_response=True,
            ) as response:
                # "Tệp đang được hoàn tất": the complete that claimed it died with its node; the
                # teacher presses "Thử lại" until the claim is stale (UPLOAD_COMPLETING_STALE_SECONDS).
                busy = response.status_code == 409 and "hoàn tất" in response.json().get("error", "")
                if busy:
                    response.success()
                    self.environment.events.request.fire(
                        request_type="POST",
                        name="/lectures/uploads/[id]/complete/ (409 busy: retried)",
                        response_time=0,
                        response_length=0,
                        exception=None,
                        context={},
                    )
                else:
                    self.check(response)
            if not busy:
                break
            gevent.sleep(10)
        uploaded = time.monotonic()
        while True:  # the status panel polls every 2 s until the check is done
            with self.client.get(
                f"/lectures/{lecture_id}/",
                headers={"HX-Request": "true"},
                name="/lectures/[id]/ (status panel poll)",
                catch_response=True,
            ) as response:
                self.check(response)
                body = response.text
            if 'data-testid="submit-lecture"' in body:
                break
            if 'hx-trigger="every 2s"' not in body and time.monotonic() - uploaded > 10:
                raise RuntimeError(f"{self.username}: the check ended without a submit button")
            gevent.sleep(2)
        checked = time.monotonic()
        with self.client.post(
            f"/lectures/{lecture_id}/submit/",
            data={"csrfmiddlewaretoken": self.csrf()},
            name="/lectures/[id]/submit/",
            catch_response=True,
        ) as response:
            self.check(response, text="Đã nộp bài giảng.")
            ok = response.status_code == 200 and "Đã nộp bài giảng." in response.text
        self.finished = True
        done.append(
            {
                "user": self.username,
                "lecture": int(lecture_id),
                "submitted": ok,
                "upload_s": uploaded - started,
                "check_wait_s": checked - uploaded,
                "total_s": time.monotonic() - started,
                "at": time.time(),
            }
        )


class Reviewer(Burst):
    fixed_count = REVIEWERS
    # A head opens the queue, then a case, and looks at it (its preview, its details) before the
    # next: 10–30 s. At 1–3 s, 100 reviewers asked for more than both cores could serve.
    wait_time = between(10, 30)

    def on_start(self) -> None:
        super().on_start()
        self.username = f"burst.tt{next(_reviewer_numbers):04d}"
        self.login(self.username)

    @task
    def queue_and_case(self) -> None:
        with self.client.get("/reviews/queue/", name="/reviews/queue/", catch_response=True) as response:
            self.check(response, text="Bài giảng chờ thẩm định")
            cases = re.findall(r'href="/reviews/cases/(\d+)/"', response.text)
        if cases:
            with self.client.get(
                f"/reviews/cases/{random.choice(cases)}/", name="/reviews/cases/[id]/", catch_response=True
            ) as response:
                self.check(response, text='data-testid="case-state"')


@events.test_start.add_listener
def _stop_when_every_teacher_has_submitted(environment, **_kwargs):
    def watch():
        while len(done) < TEACHERS:
            gevent.sleep(1)
        gevent.sleep(3)  # the reviewers see the last submissions
        environment.runner.quit()

    gevent.spawn(watch)


@events.quitting.add_listener
def _write_outcomes(environment, **_kwargs):
    if OUTCOMES:
        Path(OUTCOMES).write_text(json.dumps(done))
