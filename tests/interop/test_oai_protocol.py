"""The OAI-PMH error conditions and what the endpoint never exposes (Django's test client)."""

import defusedxml.ElementTree as ET
import pytest

from repository.models import Publication

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def _oai(client, method="get", **params):
    response = getattr(client, method)("/oai/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def _error(root) -> str | None:
    error = root.find(f"{OAI}error")
    return None if error is None else error.get("code")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "set": "x"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "01/02/2026"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2026-01-01",
                "until": "2026-02-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-03-01", "until": "2026-02-01"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "school:1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "ListIdentifiers", "resumptionToken": "x"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:lecture/1"},
            "idDoesNotExist",
        ),
        (
            {"verb": "ListMetadataFormats", "identifier": "oai:hoclieu.example.edu.vn:lecture/999999"},
            "idDoesNotExist",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc"}, "noRecordsMatch"),
    ],
)
def test_errors(client, db, params, code):
    """Each wrong request gets the error code the protocol names, and no list."""
    root = _oai(client, **params)
    assert _error(root) == code
    request = root.find(f"{OAI}request")
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # the spec: no attributes echoed for these
    assert root.find(f"{OAI}ListRecords") is None


def test_a_repeated_argument_is_refused(client, db):
    """metadataPrefix=oai_dc&metadataPrefix=lom is a badArgument."""
    response = client.get("/oai/?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=lom")
    assert _error(ET.fromstring(response.content)) == "badArgument"


def test_post_is_answered_like_get(client, library):
    """Harvesters may POST their arguments (no CSRF token: nothing changes)."""
    root = _oai(client, method="post", verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert _error(root) is None
    assert len(root.findall(f"{OAI}ListIdentifiers/{OAI}header")) == 2


def test_nothing_private_is_harvested(client, library, settings, demo):
    """Only the city's library (and an opted-in district's) is harvested: no school, cluster or
    other district publication, and a retracted lecture is a header without metadata."""
    settings.OAI_DISTRICTS = []
    root = _oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    text = ET.tostring(root, encoding="unicode")
    assert "Địa lí dân cư" in text
    for title in ("Phân số với tử và mẫu là số nguyên", "Phép chia hết", "Bài thơ Lượm"):
        assert title not in text
    headers = root.findall(f"{OAI}ListRecords/{OAI}record/{OAI}header")
    assert sorted(h.get("status", "live") for h in headers) == ["deleted", "live"]

    settings.OAI_DISTRICTS = ["PGD-LC"]
    text = ET.tostring(_oai(client, verb="ListRecords", metadataPrefix="lom"), encoding="unicode")
    assert "Phép chia hết" in text  # Lê Chân opted in
    assert "Phân số với tử và mẫu là số nguyên" not in text  # Hồng Bàng did not

    # Retracting the city's last publication turns the live record into a deleted one.
    from repository.services import publication_retract

    publication_retract(publication=library["city_dia"], actor=demo.user("demo.ldso"), reason="Lỗi bản đồ")
    text = ET.tostring(_oai(client, verb="ListRecords", metadataPrefix="oai_dc"), encoding="unicode")
    assert "Địa lí dân cư" not in text
    assert Publication.objects.filter(state=Publication.State.ACTIVE, scope__kind="city").count() == 0


def test_metadata_is_well_formed_with_control_characters(client, library):
    """A title holding a control character still gives well-formed XML."""
    lecture = library["city_dia"].lecture
    lecture.title = "Địa lí\x0b dân cư & <đô thị>"
    lecture.save(update_fields=["title"])
    root = _oai(client, verb="ListRecords", metadataPrefix="lom")
    assert "Bảo lưu mọi quyền" in ET.tostring(root, encoding="unicode")  # the version's licence
    assert "Địa lí dân cư & <đô thị>" in ET.tostring(root, encoding="unicode").replace("&amp;", "&").replace(
        "&lt;", "<"
    ).replace("&gt;", ">")
