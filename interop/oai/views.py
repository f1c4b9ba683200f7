"""The OAI-PMH endpoint: one URL, GET or POST, answering XML (see `interop.oai`)."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import records
from .metadata import BUILDERS, FORMATS, XSI, sub
from .protocol import GRANULARITY, OAIError, datestamp, make_token, parse_arguments, parse_date, read_token

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"


def _tag(name: str) -> str:
    # The envelope's elements are written unqualified under a literal xmlns="…OAI/2.0/" on the
    # root (ElementTree's default_namespace option refuses unqualified attributes such as code=).
    return name


def identifier(pk: int) -> str:
    return f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:{records.ITEM_PREFIX}{pk}"


def _item_pk(value: str) -> int:
    prefix = f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:{records.ITEM_PREFIX}"
    number = value[len(prefix) :] if value.startswith(prefix) else ""
    if not number.isdigit() or len(number) > 18:
        raise OAIError("idDoesNotExist", f"Không có bản ghi {value!r}.")
    return int(number)


def _format(prefix: str):
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"Không hỗ trợ định dạng {prefix!r} (oai_dc, lom).")
    return FORMATS[prefix]


def _header(parent: ET.Element, lecture) -> None:
    header = sub(parent, _tag("header"), **({} if lecture.live else {"status": "deleted"}))
    sub(header, _tag("identifier"), identifier(lecture.pk))
    sub(header, _tag("datestamp"), datestamp(lecture.datestamp))
    for spec in records.item_sets(lecture):
        sub(header, _tag("setSpec"), spec)


def _record(parent: ET.Element, lecture, prefix: str, publication) -> None:
    record = sub(parent, _tag("record"))
    _header(record, lecture)
    if lecture.live and publication is not None:
        sub(record, _tag("metadata")).append(BUILDERS[prefix](lecture, publication))


def identify(root, args, request):
    body = sub(root, _tag("Identify"))
    sub(body, _tag("repositoryName"), settings.OAI_REPOSITORY_NAME)
    sub(body, _tag("baseURL"), _base_url(request))
    sub(body, _tag("protocolVersion"), "2.0")
    sub(body, _tag("adminEmail"), settings.OAI_ADMIN_EMAIL)
    earliest = records.earliest_datestamp() or timezone.now()
    sub(body, _tag("earliestDatestamp"), datestamp(earliest))
    sub(body, _tag("deletedRecord"), "persistent")
    sub(body, _tag("granularity"), GRANULARITY)


def list_metadata_formats(root, args, request):
    if "identifier" in args and records.item(_item_pk(args["identifier"])) is None:
        raise OAIError("idDoesNotExist", f"Không có bản ghi {args['identifier']!r}.")
    body = sub(root, _tag("ListMetadataFormats"))
    for fmt in FORMATS.values():
        el = sub(body, _tag("metadataFormat"))
        sub(el, _tag("metadataPrefix"), fmt.prefix)
        sub(el, _tag("schema"), fmt.schema)
        sub(el, _tag("metadataNamespace"), fmt.namespace)


def list_sets(root, args, request):
    if "resumptionToken" in args:
        raise OAIError("badResumptionToken", "Danh sách tập hợp không chia trang.")
    body = sub(root, _tag("ListSets"))
    for info in records.all_sets():
        el = sub(body, _tag("set"))
        sub(el, _tag("setSpec"), info.spec)
        sub(el, _tag("setName"), info.name)


def get_record(root, args, request):
    lecture = records.item(_item_pk(args["identifier"]))
    if lecture is None:
        raise OAIError("idDoesNotExist", f"Không có bản ghi {args['identifier']!r}.")
    _format(args["metadataPrefix"])
    body = sub(root, _tag("GetRecord"))
    _record(body, lecture, args["metadataPrefix"], records.live_publications([lecture]).get(lecture.pk))


def _start_state(verb: str, args: dict) -> dict:
    _format(args["metadataPrefix"])
    bounds = {}
    for name in ("from", "until"):
        if name in args:
            bounds[name] = parse_date(args[name], until=name == "until")
    if len({g for _, g in bounds.values()}) > 1:
        raise OAIError("badArgument", "from và until phải cùng độ chi tiết.")
    start = bounds["from"][0] if "from" in bounds else None
    now = timezone.now()
    # Freeze the end of the list now: what changes during the harvest is picked up next time.
    until = min(bounds["until"][0], now) if "until" in bounds else now
    if start is not None and "until" in bounds and start >= bounds["until"][0]:
        raise OAIError("badArgument", "from phải trước until.")
    spec = args.get("set", "")
    if spec and records.set_q(spec) is None:
        raise OAIError("badArgument", f"Tập hợp {spec!r} không đúng cú pháp (subject:<mã>, grade:<lớp>).")
    return {
        "v": verb,
        "p": args["metadataPrefix"],
        "s": spec,
        "f": start.isoformat() if start else None,
        "u": until.isoformat(),
        "a": None,
        "c": 0,
    }


def _list(verb: str, root, args):
    state = (
        read_token(args["resumptionToken"], verb) if "resumptionToken" in args else _start_state(verb, args)
    )
    size = settings.OAI_PAGE_SIZE
    after = None
    if state["a"]:
        after = (datetime.datetime.fromisoformat(state["a"][0]), state["a"][1])
    items, total = records.page(
        after=after,
        start=datetime.datetime.fromisoformat(state["f"]) if state["f"] else None,
        until=datetime.datetime.fromisoformat(state["u"]),
        set_filter=records.set_q(state["s"]) if state["s"] else records.Q(),
        size=size,
    )
    if not items and state["c"] == 0:
        raise OAIError("noRecordsMatch", "Không có bản ghi nào khớp.")
    more = len(items) > size
    items = items[:size]
    body = sub(root, _tag(verb))
    if verb == "ListRecords":
        chosen = records.live_publications([lc for lc in items if lc.live])
        for lecture in items:
            _record(body, lecture, state["p"], chosen.get(lecture.pk))
    else:
        for lecture in items:
            _header(body, lecture)
    if more or state["c"]:
        attrs = {"completeListSize": str(total), "cursor": str(state["c"])}
        el = sub(body, _tag("resumptionToken"), **attrs)
        if more:
            last = items[-1]
            token, expires = make_token(
                {**state, "a": [last.datestamp.isoformat(), last.pk], "c": state["c"] + len(items)}
            )
            el.text = token
            el.set("expirationDate", datestamp(expires))


def list_identifiers(root, args, request):
    _list("ListIdentifiers", root, args)


def list_records(root, args, request):
    _list("ListRecords", root, args)


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}


def _base_url(request) -> str:
    return request.build_absolute_uri(request.path)


# SECURITY: public and read-only (OAI-PMH allows POST for long arguments, and harvesters hold
# no CSRF token); the harvested records are filtered in `records`, never by the caller.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def endpoint(request):
    params = request.POST if request.method == "POST" else request.GET
    root = ET.Element(_tag("OAI-PMH"), {"xmlns": OAI, f"{{{XSI}}}schemaLocation": f"{OAI} {OAI_SCHEMA}"})
    sub(root, _tag("responseDate"), datestamp(timezone.now()))
    req = sub(root, _tag("request"), _base_url(request))
    try:
        verb, args = parse_arguments(params)
        req.set("verb", verb)
        for key, value in args.items():
            req.set(key, value)
        HANDLERS[verb](root, args, request)
    except OAIError as error:
        if error.code in ("badVerb", "badArgument"):
            req.attrib.clear()
        sub(root, _tag("error"), error.message, code=error.code)
    xml = ET.tostring(root, encoding="unicode")
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + xml, content_type="text/xml; charset=utf-8"
    )
