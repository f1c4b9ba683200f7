"""LTI 1.3 with a platform simulated in the test: its keys made here, its JWKS, token and AGS
endpoints served on loopback by a tiny http.server thread; id_tokens signed by it; the tool's Deep
Linking response and service token verified with the tool's JWKS as the platform would."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from interop.lti import keys
from interop.lti.models import LtiDeployment, LtiIdentity, LtiLaunch, LtiPlatform
from repository.content import make_token
from repository.models import RuntimeRecord
from tests.repository.factories import make_lecture, make_version, publish

ISSUER = "https://lms.truong.example"
CLIENT_ID = "hoclieu-client"
DEPLOYMENT = "dep-1"
LAUNCH_URL = "http://testserver/lti/launch/"
DL_RETURN = "https://lms.truong.example/mod/lti/contentitem_return.php"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def _rsa():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key, pem


class Platform:
    """The LMS: its signing key, and on loopback its JWKS, OAuth2 token endpoint and a line item."""

    def __init__(self):
        self.key, self.pem = _rsa()
        self.kid = "lms-key-1"
        self.scores: list[dict] = []
        self.token_requests: list[dict] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/jwks":
                    jwk = json.loads(RSAAlgorithm.to_jwk(platform.key.public_key()))
                    jwk.update(kid=platform.kid, alg="RS256", use="sig")
                    return self._json(200, {"keys": [jwk]})
                return self._json(404, {})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path == "/token":
                    form = {k: v[0] for k, v in parse_qs(body).items()}
                    platform.token_requests.append(form)
                    return self._json(
                        200, {"access_token": "lms-access-token", "token_type": "Bearer", "expires_in": 3600}
                    )
                if self.path == "/lineitems/7/lineitem/scores":
                    platform.scores.append(
                        {
                            "body": json.loads(body),
                            "auth": self.headers.get("Authorization"),
                            "type": self.headers.get("Content-Type"),
                        }
                    )
                    return self._json(200, {})
                return self._json(404, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def id_token(
        self,
        nonce,
        *,
        message="LtiResourceLinkRequest",
        roles=(LEARNER,),
        sub="student-42",
        extra=None,
        key_pem=None,
        deployment=DEPLOYMENT,
    ):
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Nguyễn Văn An",
            CLAIM + "deployment_id": deployment,
            CLAIM + "message_type": message,
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": list(roles),
            CLAIM + "target_link_uri": LAUNCH_URL,
        }
        if message == "LtiResourceLinkRequest":
            claims[CLAIM + "resource_link"] = {"id": "rl-1", "title": "Bài giảng"}
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": DL_RETURN,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "moodle-dl-data",
            }
        claims.update(extra or {})
        return jwt.encode(claims, key_pem or self.pem, algorithm="RS256", headers={"kid": self.kid})

    @property
    def ags(self):
        return {
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [SCORE_SCOPE, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"],
                "lineitems": f"{self.base}/lineitems",
                "lineitem": f"{self.base}/lineitems/7/lineitem",
            }
        }


@pytest.fixture
def lms(db, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    sim = Platform()
    registered = LtiPlatform.objects.create(
        name="Moodle THCS Lê Quý Đôn",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_login_url=f"{ISSUER}/mod/lti/auth.php",
        auth_token_url=f"{sim.base}/token",
        key_set_url=f"{sim.base}/jwks",
    )
    LtiDeployment.objects.create(platform=registered, deployment_id=DEPLOYMENT)
    sim.registered = registered
    yield sim
    sim.stop()


@pytest.fixture
def lecture(demo):
    """A SCORM 1.2 lecture published in the city library, and one published at a school only."""
    u = demo.unit
    city = make_lecture(
        demo.user("demo.gv.thpt"), u("THPT-TRANPHU-DIA"), subject="dia-li", grade=10, title="Địa lí dân cư"
    )
    school = make_lecture(demo.user("demo.gv"), u("THCS-LQD-TOAN"), grade=6, title="Phân số")
    return {
        "city": publish(make_version(city, kind="scorm12"), u("SGD")),
        "school": publish(make_version(school, kind="scorm12"), u("THCS-LQD-TOAN")),
    }


def login(client, **extra):
    params = {
        "iss": ISSUER,
        "login_hint": "u42",
        "target_link_uri": LAUNCH_URL,
        "client_id": CLIENT_ID,
        **extra,
    }
    response = client.get("/lti/login/", params)
    assert response.status_code == 302, response.content
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(f"{ISSUER}/mod/lti/auth.php?")
    assert query["redirect_uri"] == [LAUNCH_URL] and query["client_id"] == [CLIENT_ID]
    return query["state"][0], query["nonce"][0]


def launch(client, lms, **token_args):
    state, nonce = login(client)
    token = lms.id_token(nonce, **token_args)
    return client.post("/lti/launch/", {"id_token": token, "state": state}), (token, state)


def deep_link_custom(client, lms, publication, *, sub="teacher-1"):
    """An instructor's Deep Linking round: the custom parameters of the link the tool returned."""
    response, _ = launch(
        client, lms, message="LtiDeepLinkingRequest", roles=(INSTRUCTOR,), sub=sub, extra=lms.ags
    )
    launch_id = response.context["launch_id"]
    picked = client.post("/lti/deep-link/", {"launch_id": launch_id, "publication": publication.pk})
    assert picked.status_code == 200
    token = re.search(r'name="JWT" value="([^"]+)"', picked.content.decode()).group(1)
    return picked, token


def tool_key_for(client, token):
    """The platform's view: the tool's key named by the JWT's kid, from the tool's JWKS."""
    kid = jwt.get_unverified_header(token)["kid"]
    published = {k["kid"]: k for k in client.get("/lti/jwks/").json()["keys"]}
    return jwt.PyJWK(published[kid]).key


def test_deep_linking_returns_a_signed_link_to_the_picked_lecture(client, lms, lecture):
    picked, token = deep_link_custom(client, lms, lecture["city"])
    assert f'action="{DL_RETURN}"' in picked.content.decode()
    assert DL_RETURN in picked["Content-Security-Policy"]  # the form may post back to the LMS
    message = jwt.decode(token, tool_key_for(client, token), algorithms=["RS256"], audience=ISSUER)
    assert message["iss"] == CLIENT_ID
    assert message[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert message[CLAIM + "deployment_id"] == DEPLOYMENT
    assert message["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "moodle-dl-data"
    (item,) = message["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == LAUNCH_URL
    assert item["title"] == "Địa lí dân cư"
    assert item["custom"]["publication"] == str(lecture["city"].pk) and item["custom"]["link"]
    assert item["lineItem"]["scoreMaximum"] == 100


def test_unlinked_instructor_picks_only_city_lectures_linked_one_sees_their_school(
    client, lms, lecture, demo
):
    response, _ = launch(client, lms, message="LtiDeepLinkingRequest", roles=(INSTRUCTOR,), sub="teacher-1")
    listed = {p.pk for p in response.context["publications"]}
    assert lecture["city"].pk in listed and lecture["school"].pk not in listed
    assert "chưa liên kết" in response.content.decode()
    # Picking what is not listed is refused, nothing signed.
    refused = client.post(
        "/lti/deep-link/", {"launch_id": response.context["launch_id"], "publication": lecture["school"].pk}
    )
    assert refused.status_code == 404 and b"JWT" not in refused.content
    LtiIdentity.objects.filter(sub="teacher-1").update(user=demo.user("demo.gv"))
    response, _ = launch(client, lms, message="LtiDeepLinkingRequest", roles=(INSTRUCTOR,), sub="teacher-1")
    listed = {p.pk for p in response.context["publications"]}
    assert {lecture["city"].pk, lecture["school"].pk} <= listed


def test_a_learner_cannot_open_the_picker(client, lms, lecture):
    response, _ = launch(client, lms, message="LtiDeepLinkingRequest", roles=(LEARNER,))
    assert response.status_code == 403 and "launch_id" not in response.context


def _student_launch(client, lms, lecture, custom=None):
    _, token = deep_link_custom(client, lms, lecture["city"])
    if custom is None:
        custom = jwt.decode(token, options={"verify_signature": False})[
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
        ][0]["custom"]
    client.cookies.clear()
    return launch(client, lms, extra={CLAIM + "custom": custom, **lms.ags})


def test_student_plays_the_lecture_and_the_grade_reaches_the_lms_gradebook(
    client, lms, lecture, django_capture_on_commit_callbacks
):
    response, _ = _student_launch(client, lms, lecture)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="preview-frame"' in html and "Địa lí dân cư" in html
    assert "X-Frame-Options" not in response
    assert f"frame-ancestors {ISSUER}" in response["Content-Security-Policy"]
    launch_row = LtiLaunch.objects.get()
    guest = launch_row.identity.guest
    assert launch_row.identity.sub == "student-42" and not guest.has_usable_password()
    # The player's SCORM runtime reports (as scorm-player.js does) under the launch's own grant.
    src = response.context["preview"]["src"]
    content_token = re.search(r"/library/content/([^/]+)/", src).group(1)
    shell = client.get(src)
    assert shell.status_code == 200 and ISSUER in shell["Content-Security-Policy"]  # framable inside the LMS
    report = {
        "event": "commit",
        "scorm_version": "1.2",
        "cmi": {"core": {"lesson_status": "passed", "score": {"raw": "80"}}},
    }
    runtime = client.post(
        f"/library/content/{content_token}/_/runtime/0", json.dumps(report), content_type="text/plain"
    )
    assert runtime.json()["result"] == "true"
    assert RuntimeRecord.objects.get(user=guest).cmi["core"]["score"]["raw"] == "80"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/lti/play/{launch_row.token}/score/", "{}", content_type="application/json")
    assert sent.status_code == 200 and sent.json() == {
        "queued": True,
        "score": 80.0,
        "maximum": 100,
        "completed": True,
        "started": True,
    }
    (score,) = lms.scores
    assert score["auth"] == "Bearer lms-access-token"
    assert score["type"] == "application/vnd.ims.lis.v1.score+json"
    body = score["body"]
    assert body["scoreGiven"] == 80.0 and body["scoreMaximum"] == 100 and body["userId"] == "student-42"
    assert body["activityProgress"] == "Completed" and body["gradingProgress"] == "FullyGraded"
    # The client-credentials token was asked with a JWT the LMS verifies with the tool's JWKS.
    (token_request,) = lms.token_requests
    assert token_request["grant_type"] == "client_credentials" and SCORE_SCOPE in token_request["scope"]
    assertion = token_request["client_assertion"]
    claims = jwt.decode(
        assertion, tool_key_for(client, assertion), algorithms=["RS256"], audience=f"{lms.base}/token"
    )
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    launch_row.refresh_from_db()
    assert launch_row.grade_status == LtiLaunch.Grade.SENT and launch_row.last_grade["score"] == 80.0


def test_the_guest_reaches_nothing_beyond_the_launched_lecture(client, lms, lecture, demo):
    response, _ = _student_launch(client, lms, lecture)
    launch_row = LtiLaunch.objects.get()
    guest = launch_row.identity.guest
    assert "_auth_user_id" not in client.session  # never signed in
    library = client.get("/library/")
    assert library.status_code == 302 and "/login" in library["Location"]
    other = lecture["school"]
    for grant in (f"l{launch_row.pk}", f"p{other.pk}"):
        token = make_token(version_id=other.version_id, user_id=guest.pk, grant=grant)
        assert client.get(f"/library/content/{token}/f/index.html").status_code == 404
    assert client.get("/lti/play/not-a-token/").status_code == 404
    assert (
        client.post("/lti/play/not-a-token/score/", "{}", content_type="application/json").status_code == 403
    )
    assert client.get(f"/lti/play/{launch_row.token}/").status_code == 200


def test_a_link_edited_to_another_lecture_is_refused(client, lms, lecture):
    response, _ = _student_launch(
        client, lms, lecture, custom={"publication": str(lecture["school"].pk), "link": "forged"}
    )
    assert response.status_code == 404 and not LtiLaunch.objects.exists()


def test_bad_signature_is_refused(client, lms, lecture):
    _, other_pem = _rsa()
    response, _ = launch(client, lms, key_pem=other_pem, extra=lms.ags)
    assert response.status_code == 400 and "Không xác thực được" in response.content.decode()
    assert not LtiIdentity.objects.exists()


def test_unknown_issuer_or_deployment_is_refused(client, lms, lecture):
    response = client.get(
        "/lti/login/", {"iss": "https://la.example", "login_hint": "x", "target_link_uri": LAUNCH_URL}
    )
    assert response.status_code == 400 and "chưa được đăng kí" in response.content.decode()
    response, _ = launch(client, lms, deployment="dep-unknown")
    assert response.status_code == 400 and not LtiIdentity.objects.exists()
    LtiPlatform.objects.update(is_active=False)
    response = client.get(
        "/lti/login/",
        {"iss": ISSUER, "login_hint": "x", "target_link_uri": LAUNCH_URL, "client_id": CLIENT_ID},
    )
    assert response.status_code == 400


def test_a_replayed_id_token_is_refused(client, lms, lecture):
    _, token = deep_link_custom(client, lms, lecture["city"])
    custom = jwt.decode(token, options={"verify_signature": False})[
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
    ][0]["custom"]
    first, (id_token, state) = launch(client, lms, extra={CLAIM + "custom": custom})
    assert first.status_code == 200
    again = client.post("/lti/launch/", {"id_token": id_token, "state": state})
    assert again.status_code == 400 and LtiLaunch.objects.count() == 1


def test_key_rotation_keeps_the_old_key_published_until_retired(client, lms, lecture):
    old = keys.active_key()
    new = keys.rotate()
    kids = [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]]
    assert kids == [old.kid, new.kid]
    _, token = deep_link_custom(client, lms, lecture["city"])
    assert jwt.get_unverified_header(token)["kid"] == new.kid  # the new key signs
    old.refresh_from_db()
    keys.retire(old)
    assert [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]] == [new.kid]
    keys.retire(new)  # the signing key cannot be retired
    assert [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]] == [new.kid]


def test_login_refuses_a_target_elsewhere(client, lms):
    response = client.get(
        "/lti/login/",
        {
            "iss": ISSUER,
            "login_hint": "x",
            "target_link_uri": "https://evil.example/",
            "client_id": CLIENT_ID,
        },
    )
    assert response.status_code == 400


def test_over_https_the_launch_cookies_work_inside_the_lms_iframe(client, lms):
    """The state between login and launch lives in PyLTI1p3's own cookies, SameSite=None; Secure
    over HTTPS, so a browser keeps them in the LMS's cross-site iframe (the app's session is not used)."""
    response = client.get(
        "/lti/login/",
        {
            "iss": ISSUER,
            "login_hint": "x",
            "client_id": CLIENT_ID,
            "target_link_uri": "https://testserver/lti/launch/",
        },
        secure=True,
    )
    assert response.status_code == 302
    lti_cookies = {name: c for name, c in response.cookies.items() if name.startswith("lti1p3-")}
    assert any(name.startswith("lti1p3-state-") for name in lti_cookies)
    assert all(c["samesite"] == "None" and c["secure"] and c["httponly"] for c in lti_cookies.values())
    assert "sessionid" not in response.cookies


def test_a_launch_without_grade_service_plays_but_queues_nothing(client, lms, lecture):
    _, token = deep_link_custom(client, lms, lecture["city"])
    custom = jwt.decode(token, options={"verify_signature": False})[
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
    ][0]["custom"]
    client.cookies.clear()
    response, _ = launch(client, lms, extra={CLAIM + "custom": custom})
    assert response.status_code == 200
    launch_row = LtiLaunch.objects.get()
    sent = client.post(f"/lti/play/{launch_row.token}/score/", "{}", content_type="application/json")
    assert sent.json()["queued"] is False and not lms.scores
    assert client.get(f"/lti/play/{launch_row.token}/score/").status_code == 405
