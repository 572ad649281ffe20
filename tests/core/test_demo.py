"""Demo data: the shape of the 2021 Shanghai report (000 表1–表3), valid identifiers, idempotent loading."""

import csv
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from inspector_app.core import catalog
from inspector_app.core.demo import (
    CATEGORY_COUNTS,
    DISTRICT_COUNTS,
    DIVISION_CODES,
    LICENSE_CODES,
    apportion,
    generate_roster_rows,
    load_demo,
    write_roster_csv,
)
from inspector_app.core.identifiers import normalize_uscc, parse_license_number
from inspector_app.core.roster.columns import HEADERS
from inspector_app.core.roster.importer import import_roster
from inspector_app.core.storage.models import Enterprise, Inspector, License, Site

# 000 表1, 表2 and 表3, copied from the seed so that a change to the module's tables cannot hide here.
TABLE1 = {
    "奉贤区": 123, "松江区": 104, "金山区": 99, "浦东新区": 96, "嘉定区": 71, "青浦区": 62, "闵行区": 50,
    "宝山区": 22, "崇明区": 8, "普陀区": 6, "徐汇区": 3, "杨浦区": 1, "虹口区": 1,
}  # fmt: skip
TABLE2 = {"A": 325, "B": 302, "C": 19}
TABLE3 = {
    "建筑用钢筋": 1, "水泥": 4, "广播电视传输设备": 3, "人民币鉴别仪": 2, "预应力混凝土铁路桥简支梁": 1,
    "电线电缆": 45, "危险化学品": 48, "危险化学品包装物及容器": 41, "化肥": 4, "直接接触食品的材料等相关产品": 539,
}  # fmt: skip


@pytest.fixture
def demo(db, fixed_today):
    report = load_demo(db)
    return db, report


def test_counts_match_the_report(demo):
    db, report = demo
    assert (report.enterprises_added, report.licenses_added, report.inspectors_added) == (646, 688, 20)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 646
        assert s.scalar(select(func.count()).select_from(License)) == 688
        districts = Counter(s.scalars(select(Enterprise.district)))
        categories = Counter(s.scalars(select(License.category)))
        classes = Counter(s.scalars(select(Enterprise.classification)))
    assert dict(districts) == TABLE1  # 000 表1 exactly
    assert dict(categories) == TABLE3  # 000 表3 exactly
    assert dict(classes) == TABLE2  # 000 表2 exactly
    assert sum(TABLE1.values()) == 646 and sum(TABLE3.values()) == 688


def test_module_tables_are_the_seeds(demo):
    assert {k: v for k, v in DISTRICT_COUNTS.items() if v} == TABLE1
    assert CATEGORY_COUNTS == TABLE3
    assert set(DISTRICT_COUNTS) == set(catalog.DISTRICTS)
    assert set(LICENSE_CODES) == set(catalog.PRODUCT_CATEGORIES)
    assert len(set(LICENSE_CODES.values())) == len(LICENSE_CODES)  # one code per category


def test_every_uscc_is_valid_and_carries_the_district_code(demo):
    db, _ = demo
    with db.session() as s:
        rows = s.execute(select(Enterprise.uscc, Enterprise.district)).all()
    assert len({u for u, _d in rows}) == 646
    for uscc, district in rows:
        assert normalize_uscc(uscc) == uscc
        assert uscc[2:8] == DIVISION_CODES[district]
    assert DIVISION_CODES["奉贤区"] == "310120"


def test_license_numbers_are_current_form_and_match_their_category(demo):
    db, _ = demo
    with db.session() as s:
        rows = s.execute(select(License.number, License.category, License.issue_date, License.expiry_date)).all()
    for number, category, issue, expiry in rows:
        lic = parse_license_number(number)
        assert lic.current_form and lic.province == "沪"
        assert re.fullmatch(r"\(沪\)XK\d{2}-\d{3}-\d{5}", number)
        assert lic.category_code == LICENSE_CODES[category][0]
        assert issue < expiry
    food = [n for n, c, _i, _e in rows if c == catalog.FOOD_CATEGORY]
    assert food and all(n.startswith("(沪)XK16-") for n in food)


def test_some_licenses_expired_and_some_expiring_within_90_days(demo, fixed_today):
    db, _ = demo
    with db.session() as s:
        expiries = list(s.scalars(select(License.expiry_date)))
    expired = [e for e in expiries if e < fixed_today]
    expiring = [e for e in expiries if fixed_today <= e <= fixed_today + timedelta(days=90)]
    assert 5 <= len(expired) <= 60
    assert 10 <= len(expiring) <= 90
    assert len(expired) + len(expiring) < len(expiries) / 4


def test_multi_license_and_multi_site_enterprises(demo):
    db, _ = demo
    with db.session() as s:
        lic_per_ent = Counter(s.scalars(select(License.enterprise_id)))
        sites_per_ent = Counter(s.scalars(select(Site.enterprise_id)))
        pairs = s.execute(select(License.enterprise_id, License.category)).all()
        site_districts = s.execute(
            select(Site.district, Enterprise.district).join(Enterprise, Site.enterprise_id == Enterprise.id)
        ).all()
    assert sum(1 for n in lic_per_ent.values() if n == 2) == 688 - 646
    assert max(lic_per_ent.values()) == 2
    multi_site = [n for n in sites_per_ent.values() if n >= 2]
    assert 5 <= len(multi_site) <= 40 and max(sites_per_ent.values()) >= 3
    # An enterprise's two licenses are for two different categories.
    cats: dict[str, set] = {}
    for eid, category in pairs:
        cats.setdefault(eid, set()).add(category)
    assert all(len(cats[eid]) == n for eid, n in lic_per_ent.items())
    assert all(a == b for a, b in site_districts)


def test_enterprises_look_real(demo):
    db, _ = demo
    with db.session() as s:
        ents = s.execute(select(Enterprise.name, Enterprise.legal_rep, Enterprise.phone, Enterprise.address,
                                Enterprise.district)).all()  # fmt: skip
    names = [e.name for e in ents]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"上海\w+(股份)?有限公司", n) for n in names)
    assert all(2 <= len(e.legal_rep) <= 3 for e in ents)
    assert all(re.fullmatch(r"021-[56]\d{7}|1[3589]\d{9}", e.phone) for e in ents)
    assert all(e.address.startswith(f"上海市{e.district}") for e in ents)


def test_inspectors_have_badge_numbers(demo):
    db, _ = demo
    with db.session() as s:
        inspectors = s.execute(select(Inspector.name, Inspector.badge_no)).all()
    assert len(inspectors) == 20
    assert len({b for _n, b in inspectors}) == 20
    assert all(re.fullmatch(r"\d{8}", b) for _n, b in inspectors)


def test_loading_twice_adds_nothing(demo):
    db, _ = demo
    with db.session() as s:
        before = [s.scalar(select(func.count()).select_from(m)) for m in (Enterprise, License, Site, Inspector)]
    again = load_demo(db)
    assert (again.enterprises_added, again.licenses_added, again.sites_added, again.inspectors_added) == (0, 0, 0, 0)
    assert again.enterprises_skipped == 646
    with db.session() as s:
        after = [s.scalar(select(func.count()).select_from(m)) for m in (Enterprise, License, Site, Inspector)]
    assert after == before


def test_loading_keeps_an_inspectors_own_edits(demo):
    db, _ = demo
    with db.session() as s:
        ent = s.scalars(select(Enterprise).order_by(Enterprise.uscc)).first()
        ent.phone = "021-00000000"
        uscc = ent.uscc
    load_demo(db)
    with db.session() as s:
        assert s.scalar(select(Enterprise.phone).where(Enterprise.uscc == uscc)) == "021-00000000"


def test_loading_next_to_an_existing_roster(db, sample, fixed_today):
    report = load_demo(db)
    assert report.enterprises_added == 646
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == 647


def test_deterministic_for_a_seed():
    day = date(2026, 6, 15)
    assert generate_roster_rows(646, 2021, day) == generate_roster_rows(646, 2021, day)
    assert generate_roster_rows(646, 2021, day) != generate_roster_rows(646, 7, day)


def test_apportion_is_exact_and_scales():
    assert apportion(646, DISTRICT_COUNTS) == DISTRICT_COUNTS
    scaled = apportion(100_000, DISTRICT_COUNTS)
    assert sum(scaled.values()) == 100_000
    assert scaled["奉贤区"] == round(100_000 * 123 / 646)
    assert scaled["静安区"] == 0


def test_write_roster_csv_for_benchmarks_is_importable(db, tmp_path):
    path = tmp_path / "bench.csv"
    n_rows = write_roster_csv(path, 2000, seed=5, today=date(2026, 6, 15))
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(HEADERS) and len(rows) == n_rows + 1
    report = import_roster(db, path)
    assert report.errors == []
    assert report.enterprises_added == 2000
    assert report.licenses_added == round(2000 * 688 / 646)
