"""The request side of OAI-PMH 2.0: verbs and their arguments, dates, resumption tokens, errors."""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.core import signing

VERBS = {
    # verb: (required, optional); `resumptionToken` is exclusive wherever it is allowed.
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
TOKEN_SALT = "interop.oai.resumption"


class OAIError(Exception):
    """An OAI-PMH error condition: `code` is the spec's, the message is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def parse_arguments(params) -> tuple[str, dict]:
    """(verb, arguments) from a QueryDict; raises OAIError(badVerb / badArgument)."""
    verbs = params.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError("badVerb", "Thiếu tham số verb, verb lặp lại hoặc không hợp lệ.")
    verb = verbs[0]
    required, optional = VERBS[verb]
    args = {}
    for key in params:
        if key == "verb":
            continue
        values = params.getlist(key)
        if len(values) != 1:
            raise OAIError("badArgument", f"Tham số {key} lặp lại.")
        if key not in required | optional:
            raise OAIError("badArgument", f"Tham số {key} không dùng được với {verb}.")
        args[key] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OAIError("badArgument", "resumptionToken phải là tham số duy nhất (ngoài verb).")
    elif missing := sorted(required - args.keys()):
        raise OAIError("badArgument", f"Thiếu tham số: {', '.join(missing)}.")
    return verb, args


def parse_date(value: str, *, until: bool) -> tuple[datetime.datetime, str]:
    """(the bound as an aware UTC datetime, its granularity). An `until` bound is returned as
    the first instant after it, so that it can be compared with `<`."""
    for fmt, granularity, step in (
        ("%Y-%m-%dT%H:%M:%SZ", "seconds", datetime.timedelta(seconds=1)),
        ("%Y-%m-%d", "day", datetime.timedelta(days=1)),
    ):
        try:
            moment = datetime.datetime.strptime(value, fmt).replace(tzinfo=datetime.UTC)
        except ValueError:
            continue
        if len(value) not in (10, 20):
            break
        return (moment + step if until else moment), granularity
    raise OAIError("badArgument", f"Ngày không hợp lệ: {value!r} (dạng YYYY-MM-DD hoặc {GRANULARITY}).")


def datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_token(state: dict) -> tuple[str, datetime.datetime]:
    """A signed resumption token carrying the list's arguments (with `until` frozen at the first
    request, so that the list does not move under the harvester) and the last item sent."""
    issued = int(time.time())
    token = signing.dumps({**state, "t": issued}, salt=TOKEN_SALT, compress=True)
    expires = datetime.datetime.fromtimestamp(issued + settings.OAI_TOKEN_SECONDS, tz=datetime.UTC)
    return token, expires


def read_token(token: str, verb: str) -> dict:
    try:
        state = signing.loads(token, salt=TOKEN_SALT, max_age=settings.OAI_TOKEN_SECONDS)
    except signing.SignatureExpired as exc:
        raise OAIError("badResumptionToken", "resumptionToken đã hết hạn; hãy bắt đầu lại.") from exc
    except signing.BadSignature as exc:
        raise OAIError("badResumptionToken", "resumptionToken không hợp lệ.") from exc
    if state.get("v") != verb:
        raise OAIError("badResumptionToken", "resumptionToken không thuộc verb này.")
    return state
