"""SCORM manifests checked against what the launch needs (organizations, default, items,
resources, pages), and what the player gets from them: the outline, the SCO count and the
sequencing it ignores. Every manifest is written here."""

import zipfile
from pathlib import Path

import pytest

from submissions.checks import Format, inspect_file
from submissions.checks import scorm as scorm_check
from submissions.checks.messages import SEQUENCING_LABELS

CP12 = 'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'
CP2004 = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
    'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"'
)


def manifest(organizations: str, resources: str, *, edition: str = "1.2") -> str:
    namespaces = CP12 if edition == "1.2" else CP2004
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="pkg" version="1" {namespaces}>
  <metadata><schema>ADL SCORM</schema><schemaversion>{edition}</schemaversion></metadata>
  {organizations}
  <resources>{resources}</resources>
</manifest>"""


def sco(identifier: str, href: str, kind: str = "sco", attr: str = "scormtype") -> str:
    return (
        f'<resource identifier="{identifier}" type="webcontent" adlcp:{attr}="{kind}" href="{href}">'
        f'<file href="{href.split("?")[0]}"/></resource>'
    )


def package(tmp_path: Path, text: str, files=("sco1/index.html", "sco2/index.html"), name="p.zip") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", text)
        for file in files:
            zf.writestr(file, "<html></html>")
    return path


TWO_SCOS = sco("r1", "sco1/index.html") + sco("r2", "sco2/index.html")
TWO_ITEMS = (
    '<item identifier="i1" identifierref="r1"><title>Bài 1</title></item>'
    '<item identifier="i2" identifierref="r2"><title>Bài 2</title></item>'
)


def orgs(
    body: str = TWO_ITEMS, *, default: str | None = "o1", identifier: str = "o1", title="Khoá học"
) -> str:
    default_attr = f' default="{default}"' if default is not None else ""
    return (
        f'<organizations{default_attr}><organization identifier="{identifier}">'
        f"<title>{title}</title>{body}</organization></organizations>"
    )


def check(tmp_path, organizations, resources=TWO_SCOS, **kwargs):
    edition = kwargs.pop("edition", "1.2")
    return inspect_file(package(tmp_path, manifest(organizations, resources, edition=edition), **kwargs))


# --------------------------------------------------------------------------------------
# Organizations and the default


def test_multi_sco_package_outline_and_count(tmp_path):
    """Two SCOs give two launchable items in the outline and a SCO count of two."""
    result = check(tmp_path, orgs())
    assert result.ok, result.messages
    assert result.sco_count == 2
    assert result.launch == "sco1/index.html"
    assert result.outline == {
        "default": "o1",
        "organizations": [
            {
                "identifier": "o1",
                "title": "Khoá học",
                "items": [
                    {
                        "identifier": "i1",
                        "title": "Bài 1",
                        "href": "sco1/index.html",
                        "parameters": "",
                        "sco": True,
                        "visible": True,
                        "children": [],
                    },
                    {
                        "identifier": "i2",
                        "title": "Bài 2",
                        "href": "sco2/index.html",
                        "parameters": "",
                        "sco": True,
                        "visible": True,
                        "children": [],
                    },
                ],
            }
        ],
        "ignored": [],
    }


def test_default_naming_a_missing_organization_is_refused(tmp_path):
    """A default that names no organization is refused, quoting the name."""
    result = check(tmp_path, orgs(default="khong-co"))
    assert not result.ok
    assert result.messages == [
        "imsmanifest.xml chỉ định tổ chức mặc định «khong-co» (thuộc tính default của <organizations>) "
        "nhưng không có tổ chức nào mang mã này."
    ]


def test_without_default_the_first_organization_is_opened(tmp_path):
    """Without a default attribute the first organization is the one launched and outlined first."""
    two = (
        "<organizations>"
        '<organization identifier="first"><title>Thứ nhất</title>'
        '<item identifier="a" identifierref="r2"><title>B</title></item></organization>'
        '<organization identifier="second"><title>Thứ hai</title>'
        '<item identifier="b" identifierref="r1"><title>A</title></item></organization>'
        "</organizations>"
    )
    result = check(tmp_path, two)
    assert result.ok, result.messages
    assert result.launch == "sco2/index.html"
    assert result.title == "Thứ nhất"
    assert result.outline["default"] == "first"
    assert [o["identifier"] for o in result.outline["organizations"]] == ["first", "second"]
    assert result.sco_count == 1  # counted in the organization that is opened


def test_default_picks_a_later_organization(tmp_path):
    """A default naming the second organization launches that one."""
    two = (
        '<organizations default="second">'
        '<organization identifier="first"><title>1</title><item identifier="a" identifierref="r1"/></organization>'
        '<organization identifier="second"><title>2</title><item identifier="b" identifierref="r2"/></organization>'
        "</organizations>"
    )
    result = check(tmp_path, two)
    assert result.ok, result.messages
    assert result.launch == "sco2/index.html"
    assert result.outline["default"] == "second"


def test_organization_without_identifier_is_refused(tmp_path):
    """An organization without an identifier is refused with its own message."""
    result = check(tmp_path, orgs(default=None, identifier=""))
    assert not result.ok
    assert result.messages == [
        "imsmanifest.xml có tổ chức (<organization>) thiếu mã định danh (thuộc tính identifier)."
    ]


def test_organization_without_launchable_item_is_refused(tmp_path):
    """An organization whose items point at nothing launchable is refused, naming it."""
    body = '<item identifier="folder"><title>Chương 1</title><item identifier="x"><title>Trống</title></item></item>'
    result = check(tmp_path, orgs(body, identifier="o1"))
    assert not result.ok
    assert result.messages == [
        "Tổ chức o1 trong imsmanifest.xml không có mục nào mở được "
        "(không mục nào trỏ tới tài nguyên có trang, tức có href)."
    ]


def test_item_pointing_at_an_asset_without_href_is_not_launchable(tmp_path):
    """A resource without href cannot open an item: an organization of only such items fails."""
    resources = '<resource identifier="r1" type="webcontent" adlcp:scormtype="asset"><file href="sco1/index.html"/></resource>'
    body = '<item identifier="i1" identifierref="r1"><title>Bài 1</title></item>'
    result = check(tmp_path, orgs(body), resources)
    assert not result.ok
    assert "không có mục nào mở được" in result.messages[0]


def test_item_with_unknown_resource_is_refused(tmp_path):
    """An item whose identifierref names no resource is refused, naming the reference."""
    body = TWO_ITEMS.replace('identifierref="r2"', 'identifierref="r9"')
    result = check(tmp_path, orgs(body))
    assert not result.ok
    assert result.messages == ["imsmanifest.xml có mục trỏ tới tài nguyên không tồn tại: r9."]


def test_missing_sco_page_names_the_item(tmp_path):
    """A SCO whose page is not in the package is refused, naming the item and the page once."""
    result = check(tmp_path, orgs(), files=("sco1/index.html",))
    assert not result.ok
    assert result.messages == [
        "Thiếu trang của các mục sau trong imsmanifest.xml, nên không mở được các mục này: "
        "«Bài 2» (sco2/index.html)."
    ]


def test_missing_page_and_missing_file_have_separate_messages(tmp_path):
    """A missing item page and a missing supporting file are each reported in their own message."""
    resources = sco("r1", "sco1/index.html").replace(
        "</resource>", '<file href="sco1/hinh.png"/></resource>'
    ) + sco("r2", "sco2/index.html")
    result = check(tmp_path, orgs(), resources, files=("sco1/index.html",))
    assert result.messages == [
        "Thiếu trang của các mục sau trong imsmanifest.xml, nên không mở được các mục này: "
        "«Bài 2» (sco2/index.html).",
        "Thiếu tệp được khai báo trong imsmanifest.xml: sco1/hinh.png.",
    ]


def test_external_item_page_is_refused(tmp_path):
    """An item whose page is on another site cannot run in the package and is refused."""
    resources = sco("r1", "sco1/index.html") + sco("r2", "https://lms.example.com/sco2")
    result = check(tmp_path, orgs(), resources)
    assert not result.ok
    assert result.messages == [
        "Trang khởi chạy trong imsmanifest.xml là địa chỉ bên ngoài gói (https://lms.example.com/sco2) "
        "— trang phải nằm trong gói."
    ]


def test_resource_package_without_organization_counts_one_sco(tmp_path):
    """A package with resources and no organization launches its SCO and counts one."""
    result = check(
        tmp_path,
        "<organizations/>",
        sco("r1", "sco2/index.html", kind="asset") + sco("r2", "sco1/index.html"),
    )
    assert result.ok, result.messages
    assert result.launch == "sco1/index.html"
    assert result.sco_count == 1
    assert result.outline == {}


# --------------------------------------------------------------------------------------
# The outline


def test_outline_nests_folders_with_xml_base_parameters_and_visibility(tmp_path):
    """Folders nest, xml:base and URL-decoding give the package path, query and parameters join."""
    resources = (
        '<resource identifier="r1" type="webcontent" adlcp:scormType="SCO" xml:base="b%C3%A0i1/" '
        'href="trang%20%C4%91%E1%BA%A7u.html?lesson=1"><file href="trang%20%C4%91%E1%BA%A7u.html"/></resource>'
        '<resource identifier="r2" type="webcontent" adlcp:scormType="asset" href="tai-lieu.html#muc-2"/>'
    )
    body = (
        '<item identifier="ch1"><title>Chương 1</title>'
        '<item identifier="i1" identifierref="r1" parameters="?page=2"><title>Bài 1</title></item>'
        '<item identifier="i2" identifierref="r2" isvisible="false"><title>Tài liệu</title></item>'
        "</item>"
    )
    text = manifest(orgs(body), resources, edition="2004 4th Edition").replace(
        "<resources>", '<resources xml:base="noi-dung/">'
    )
    result = inspect_file(
        package(tmp_path, text, files=("noi-dung/bài1/trang đầu.html", "noi-dung/tai-lieu.html"))
    )
    assert result.ok, result.messages
    assert result.format is Format.SCORM2004
    folder = result.outline["organizations"][0]["items"][0]
    assert (folder["identifier"], folder["href"], folder["sco"]) == ("ch1", "", False)
    first, second = folder["children"]
    assert first["href"] == "noi-dung/bài1/trang đầu.html"
    assert first["parameters"] == "?lesson=1&page=2"
    assert first["sco"] is True
    assert second["href"] == "noi-dung/tai-lieu.html"
    assert second["parameters"] == "#muc-2"
    assert (second["sco"], second["visible"]) == (False, False)
    assert result.sco_count == 1


@pytest.mark.parametrize(
    ("href", "parameters", "expected"),
    [
        ("a.html", "", ""),
        ("a.html", "page=2", "?page=2"),
        ("a.html", "?page=2", "?page=2"),
        ("a.html", "#intro", "#intro"),
        ("a.html?x=1", "?y=2", "?x=1&y=2"),
        ("a.html?x=1", "#end", "?x=1#end"),
        ("a.html#top", "", "#top"),
    ],
)
def test_launch_parameters_follow_the_cam_rule(href, parameters, expected):
    """The href's query and the item's parameters are joined as SCORM CAM says."""
    assert scorm_check._launch_parameters(href, parameters) == expected


def test_outline_is_capped_in_items_and_depth(tmp_path, monkeypatch):
    """A huge or deep organization is cut to the caps; the check itself is unaffected."""
    monkeypatch.setattr(scorm_check, "MAX_OUTLINE_ITEMS", 5)
    monkeypatch.setattr(scorm_check, "MAX_OUTLINE_DEPTH", 3)
    deep = ""
    for level in range(6, 0, -1):
        deep = f'<item identifier="d{level}" identifierref="r1"><title>{level}</title>{deep}</item>'
    wide = "".join(f'<item identifier="w{i}" identifierref="r2"/>' for i in range(10))
    result = check(tmp_path, orgs(deep + wide))
    assert result.ok, result.messages
    items = result.outline["organizations"][0]["items"]

    def count(nodes):
        return sum(1 + count(n["children"]) for n in nodes)

    def depth(nodes):
        return 1 + max((depth(n["children"]) for n in nodes), default=0) if nodes else 0

    assert count(items) == 5
    assert depth(items) == 3
    assert result.sco_count == 16  # counted on the manifest, not on the capped outline


def test_scorm_2004_scormtype_spelling_counts(tmp_path):
    """SCORM 2004's adlcp:scormType (any case) marks a SCO as 1.2's scormtype does."""
    resources = sco("r1", "sco1/index.html", attr="scormType") + sco(
        "r2", "sco2/index.html", kind="Asset", attr="scormType"
    )
    result = check(tmp_path, orgs(), resources, edition="2004 3rd Edition")
    assert result.ok, result.messages
    assert [i["sco"] for i in result.outline["organizations"][0]["items"]] == [True, False]
    assert result.sco_count == 1


# --------------------------------------------------------------------------------------
# Sequencing the player ignores


SEQUENCED_ITEMS = """
<item identifier="i1" identifierref="r1"><title>Bài 1</title>
  <imsss:sequencing>
    <imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>
      <imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions>
      <imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>
    <imsss:limitConditions attemptLimit="2"/>
    <imsss:objectives><imsss:primaryObjective objectiveID="p1">
      <imsss:mapInfo targetObjectiveID="g1"/></imsss:primaryObjective></imsss:objectives>
  </imsss:sequencing>
  <adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI>
  </adlnav:navigationInterface></adlnav:presentation>
</item>
<item identifier="i2" identifierref="r2"><title>Bài 2</title></item>
<imsss:sequencing>
  <imsss:controlMode choice="false" flow="true"/>
  <imsss:rollupRules><imsss:rollupRule childActivitySet="all"><imsss:rollupConditions>
    <imsss:rollupCondition condition="completed"/></imsss:rollupConditions>
    <imsss:rollupAction action="completed"/></imsss:rollupRule></imsss:rollupRules>
  <imsss:randomizationControls reorderChildren="true"/>
  <imsss:deliveryControls tracked="false"/>
</imsss:sequencing>
"""


EVERY_IGNORED = [
    "conditionRules",
    "rollupRules",
    "objectives",
    "limitConditions",
    "randomization",
    "controlMode",
    "deliveryControls",
    "navigationInterface",
]


def test_sequencing_the_player_ignores_is_listed(tmp_path):
    """Every kind of sequencing rule in a 2004 manifest is listed once, in a stable order."""
    result = check(tmp_path, orgs(SEQUENCED_ITEMS), edition="2004 4th Edition")
    assert result.ok, result.messages
    assert result.outline["ignored"] == EVERY_IGNORED
    assert all(key in SEQUENCING_LABELS for key in result.outline["ignored"])


def test_authoring_tool_defaults_are_not_listed(tmp_path):
    """The sequencing every tool writes by default (a primary objective without map, content-set
    completion, free choice) lists nothing."""
    defaults = TWO_ITEMS.replace(
        "<title>Bài 1</title>",
        '<title>Bài 1</title><imsss:sequencing><imsss:controlMode choice="true" flow="true"/>'
        '<imsss:objectives><imsss:primaryObjective objectiveID="p"/></imsss:objectives>'
        '<imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>'
        "</imsss:sequencing>",
    )
    result = check(tmp_path, orgs(defaults), edition="2004 3rd Edition")
    assert result.ok, result.messages
    assert result.outline["ignored"] == []


def test_sequencing_collection_is_listed(tmp_path):
    """A shared sequencing collection is listed."""
    text = manifest(orgs(), TWO_SCOS, edition="2004 4th Edition").replace(
        "</manifest>",
        '<imsss:sequencingCollection><imsss:sequencing ID="s"/></imsss:sequencingCollection></manifest>',
    )
    result = inspect_file(package(tmp_path, text))
    assert result.ok, result.messages
    assert result.outline["ignored"] == ["sequencingCollection"]


def test_scorm_12_has_no_ignored_sequencing(tmp_path):
    """SCORM 1.2 has no sequencing: the list is empty."""
    assert check(tmp_path, orgs()).outline["ignored"] == []


def test_labels_are_vietnamese():
    """Each sequencing key has a Vietnamese label."""
    assert SEQUENCING_LABELS["conditionRules"].startswith("quy tắc điều kiện")
    assert set(SEQUENCING_LABELS) == {*EVERY_IGNORED, "sequencingCollection"}
