"""A harvester (Sickle) harvests the OAI-PMH endpoint over HTTP from Django's live server."""

import pytest
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, IdDoesNotExist, NoRecordsMatch

from tests.workflow import make_lecture

pytestmark = pytest.mark.django_db(transaction=True)


def _id(pub) -> str:
    return f"oai:hoclieu.example.edu.vn:lecture/{pub.lecture_id}"


@pytest.fixture
def sickle(live_server, settings):
    settings.OAI_REPOSITORY_IDENTIFIER = "hoclieu.example.edu.vn"
    settings.OAI_DISTRICTS = []
    return Sickle(f"{live_server.url}/oai/", max_retries=0, timeout=30)


def test_identify_and_formats_and_sets(sickle, harvest):
    """Identify names the repository, keeps deleted records persistently at second granularity;
    both formats and the subject and grade sets are listed."""
    identify = sickle.Identify()
    assert identify.protocolVersion == "2.0"
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.baseURL.endswith("/oai/")
    assert identify.earliestDatestamp == "2026-01-10T08:00:00Z"
    assert {f.metadataPrefix for f in sickle.ListMetadataFormats()} == {"oai_dc", "lom"}
    specs = {s.setSpec: s.setName for s in sickle.ListSets()}
    assert specs["subject:dia-li"] == "Địa lí"
    assert specs["grade:10"] == "Lớp 10"


def test_list_records_only_the_city_library(sickle, harvest, demo):
    """The city's live lecture comes with its metadata, the retracted one as a deleted record;
    nothing from school or district libraries, nothing unpublished."""
    make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bản nháp chưa nộp")
    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    by_id = {r.header.identifier: r for r in records}
    assert set(by_id) == {_id(harvest["city_dia"]), _id(harvest["city_retracted"])}
    live = by_id[_id(harvest["city_dia"])]
    assert not live.deleted
    assert live.metadata["title"] == ["Địa lí dân cư"]
    assert live.metadata["language"] == ["vi"]
    assert "Địa lí" in live.metadata["subject"]
    assert live.header.datestamp == "2026-03-01T08:00:00Z"
    assert set(live.header.setSpecs) == {"subject", "subject:dia-li", "grade", "grade:10"}
    gone = by_id[_id(harvest["city_retracted"])]
    assert gone.deleted
    assert gone.header.datestamp == "2026-02-15T08:00:00Z"
    assert "Phân số" not in gone.raw


def test_resumption_pages_through_the_list(sickle, harvest, settings):
    """With one record a page the harvester follows resumption tokens to the end; each token
    carries the list's size and cursor."""
    settings.OAI_PAGE_SIZE = 1
    settings.OAI_DISTRICTS = ["PGD-HB", "PGD-LC"]
    headers = list(sickle.ListIdentifiers(metadataPrefix="lom"))
    # In datestamp order: Phép chia hết (Lê Chân, 05/01), Phân số (live again through Hồng Bàng;
    # the city's retraction on 15/02 is its latest change), Địa lí dân cư (city, 01/03).
    assert [(h.identifier, h.deleted) for h in headers] == [
        (_id(harvest["lc"]), False),
        (_id(harvest["hb"]), False),
        (_id(harvest["city_dia"]), False),
    ]
    first = sickle.harvest(verb="ListRecords", metadataPrefix="lom")
    assert 'completeListSize="3"' in first.raw
    assert 'cursor="0"' in first.raw
    harvester = sickle.ListRecords(metadataPrefix="lom")
    records = list(harvester)
    assert [r.header.identifier for r in records] == [h.identifier for h in headers]
    assert "Phép chia hết" in records[0].raw
    last = harvester.oai_response.raw  # the last page ends the list with an empty token
    assert 'cursor="2"' in last
    assert "</resumptionToken>" not in last


def test_get_record_and_deleted_record(sickle, harvest):
    """GetRecord returns the LOM of a live lecture and only the header of a retracted one."""
    record = sickle.GetRecord(identifier=_id(harvest["city_dia"]), metadataPrefix="lom")
    assert "Địa lí dân cư" in record.raw
    assert "LOMv1.0" in record.raw
    gone = sickle.GetRecord(identifier=_id(harvest["city_retracted"]), metadataPrefix="oai_dc")
    assert gone.deleted
    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(
            identifier=_id(harvest["lqd"]).replace("lecture/", "lecture/9"), metadataPrefix="oai_dc"
        )
    # A lecture published in a school and a district library only is not an item.
    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(identifier=_id(harvest["nt"]), metadataPrefix="oai_dc")


def test_incremental_harvest_by_date(sickle, harvest):
    """from/until select by the datestamp of publication or retraction."""
    february = list(
        sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": "2026-02-01", "until": "2026-02-28"})
    )
    assert [(h.identifier, h.deleted) for h in february] == [(_id(harvest["city_retracted"]), True)]
    since = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": "2026-03-01T08:00:00Z"}))
    assert [h.identifier for h in since] == [_id(harvest["city_dia"])]
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": "2030-01-01"}))
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="subject:ngu-van"))


def test_a_tampered_or_expired_token_is_refused(sickle, harvest, settings):
    """A token that was changed, or that has expired, is a badResumptionToken."""
    with pytest.raises(BadResumptionToken):
        sickle.ListRecords(resumptionToken="abc:def")
    settings.OAI_PAGE_SIZE = 1
    first = sickle.harvest(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.raw.split("<resumptionToken")[1].split(">")[1].split("<")[0]
    settings.OAI_TOKEN_SECONDS = -1
    with pytest.raises(BadResumptionToken):
        sickle.ListIdentifiers(resumptionToken=token)
