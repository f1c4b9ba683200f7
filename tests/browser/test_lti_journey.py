"""LTI 1.3 in headless Chromium: an LMS simulated on loopback frames the tool as Moodle does. The
teacher picks a lecture through Deep Linking inside the LMS's iframe; a student launches it,
plays it in the sandboxed player inside that iframe, and the score the SCORM runtime committed
reaches the LMS's line item through AGS."""

from __future__ import annotations

import html
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from interop.lti.models import LtiDeployment, LtiPlatform

from ..repository.factories import make_lecture, make_version, publish
from .conftest import screenshot

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


class Lms:
    """A tiny LMS: course pages framing the tool, its OIDC auth endpoint, JWKS, token and scores."""

    def __init__(self, tool_url):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.tool_url = tool_url
        self.message: dict = {}
        self.returned: list[str] = []
        self.scores: list[dict] = []
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, kind="text/html; charset=utf-8"):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/course":
                    login = f"{lms.tool_url}/lti/login/?" + urlencode(
                        {
                            "iss": lms.base,
                            "login_hint": "u1",
                            "client_id": "moodle-1",
                            "target_link_uri": f"{lms.tool_url}/lti/launch/",
                        }
                    )
                    return self._send(
                        200,
                        "<!doctype html><title>Khoá học</title><h1>Khoá học Địa lí 10</h1>"
                        f'<iframe id="tool" src="{html.escape(login)}" width="1100" height="760"></iframe>',
                    )
                if url.path == "/auth":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    token = lms.id_token(query["nonce"])
                    return self._send(
                        200,
                        f'<form id="f" method="post" action="{html.escape(query["redirect_uri"])}">'
                        f'<input type="hidden" name="id_token" value="{token}">'
                        f'<input type="hidden" name="state" value="{html.escape(query["state"])}"></form>'
                        "<script>document.getElementById('f').submit()</script>",
                    )
                if url.path == "/jwks":
                    jwk = json.loads(RSAAlgorithm.to_jwk(lms.key.public_key()))
                    jwk.update(kid="k1", alg="RS256", use="sig")
                    return self._send(200, json.dumps({"keys": [jwk]}), "application/json")
                return self._send(404, "")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path == "/dl-return":
                    lms.returned.append(parse_qs(body)["JWT"][0])
                    return self._send(200, "<p id='done'>LMS đã nhận nội dung</p>")
                if self.path == "/token":
                    return self._send(
                        200, json.dumps({"access_token": "t", "expires_in": 60}), "application/json"
                    )
                if self.path == "/lineitem/scores":
                    lms.scores.append(json.loads(body))
                    return self._send(200, "{}", "application/json")
                return self._send(404, "")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # "localhost": the same site as the live server, as an LMS and the tool on HTTPS with
        # SameSite=None cookies would behave; on plain HTTP a cross-site iframe keeps no cookie.
        self.base = f"http://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def id_token(self, nonce):
        now = int(time.time())
        claims = {
            "iss": self.base,
            "aud": "moodle-1",
            "sub": self.message.get("sub", "s1"),
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            CLAIM + "deployment_id": "1",
            CLAIM + "version": "1.3.0",
            CLAIM + "target_link_uri": f"{self.tool_url}/lti/launch/",
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitem": f"{self.base}/lineitem",
            },
            **self.message,
        }
        pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture
def lms(live_server, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    sim = Lms(live_server.url)
    platform = LtiPlatform.objects.create(
        name="Moodle",
        issuer=sim.base,
        client_id="moodle-1",
        auth_login_url=f"{sim.base}/auth",
        auth_token_url=f"{sim.base}/token",
        key_set_url=f"{sim.base}/jwks",
    )
    LtiDeployment.objects.create(platform=platform, deployment_id="1")
    yield sim
    sim.server.shutdown()
    sim.server.server_close()


@pytest.mark.django_db(transaction=True)
def test_teacher_links_a_lecture_and_the_student_s_score_reaches_the_gradebook(live_server, page, demo, lms):
    lecture = make_lecture(
        demo.user("demo.gv.thpt"),
        demo.unit("THPT-TRANPHU-DIA"),
        subject="dia-li",
        grade=10,
        title="Phép lịch sự",
    )
    publish(make_version(lecture, kind="scorm12"), demo.unit("SGD"))

    # The teacher: Deep Linking inside the LMS's iframe.
    lms.message = {
        "sub": "t1",
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        DL + "deep_linking_settings": {
            "deep_link_return_url": f"{lms.base}/dl-return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe"],
        },
    }
    page.goto(f"{lms.base}/course")
    tool = page.frame_locator("#tool")
    tool.get_by_text("Phép lịch sự").click()
    screenshot(page, "lti-deep-link-picker")
    tool.get_by_role("button", name="Chèn bài giảng vào khoá học").click()
    tool.locator("#done").wait_for()
    (returned,) = lms.returned
    custom = jwt.decode(returned, options={"verify_signature": False})[DL + "content_items"][0]["custom"]

    # The student: the lecture plays in the sandboxed player inside the LMS's iframe.
    lms.message = {
        "sub": "s1",
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        CLAIM + "resource_link": {"id": "rl-1"},
        CLAIM + "custom": custom,
    }
    page.goto(f"{lms.base}/course")
    tool.locator("[data-testid=runtime-status][data-event=setvalue]").wait_for(state="attached")
    shell = next(f for f in page.frames if "/library/content/" in f.url and "/s/0/" in f.url)
    shell.evaluate(
        """() => { API.LMSSetValue("cmi.core.score.raw", "75");
                   API.LMSSetValue("cmi.core.lesson_status", "completed"); API.LMSCommit(""); }"""
    )
    tool.get_by_text("Kết quả đã được gửi về sổ điểm của LMS.").wait_for()
    screenshot(page, "lti-student-player")
    score = lms.scores[-1]
    assert score["scoreGiven"] == 75.0 and score["scoreMaximum"] == 100 and score["userId"] == "s1"
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
