"""The references of one inspection of the file to the roster: its enterprise (by USCC), that enterprise's site
and license, and its team (by badge number) (RosterReader, a part of Importer)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inspector_app.core.catalog import MIN_TEAM_SIZE, PRODUCT_KINDS, product_kind
from inspector_app.core.errors import ValidationError
from inspector_app.core.identifiers import normalize_uscc, parse_license_number
from inspector_app.core.inspection.json_io.base import ENTERPRISE_KEYS, LEADER, MEMBER, MEMBER_KEYS
from inspector_app.core.inspection.json_io.shape import check_keys, squash, text_field, type_name
from inspector_app.core.inspection.templates import Template
from inspector_app.core.problems import Problems
from inspector_app.core.storage.models import Enterprise, Inspector
from inspector_app.i18n import _


class RosterReader:
    """Matches the file's enterprise, site, license and team with the roster, each looked up once per import."""

    # Set by InspectionReader.__init__ for the whole Importer: the session, the problems found, the lookups made.
    s: Session
    c: Problems[str]
    enterprise_cache: dict[str, Enterprise | None]
    inspector_cache: dict[str, Inspector | None]

    def enterprise_by_uscc(self, uscc: str) -> Enterprise | None:
        if uscc not in self.enterprise_cache:
            self.enterprise_cache[uscc] = self.s.scalar(
                select(Enterprise)
                .where(Enterprise.uscc == uscc)
                .options(selectinload(Enterprise.sites), selectinload(Enterprise.licenses))
            )
        return self.enterprise_cache[uscc]

    def read_enterprise(self, raw: Any, where: str) -> Enterprise | None:
        c = self.c
        if not isinstance(raw, dict):
            c.error(where, _('应为对象，如 {{"uscc": "…", "name": "…"}}，现在是{t}').format(t=type_name(raw)))
            return None
        before = len(c.errors)
        check_keys(c, raw, ENTERPRISE_KEYS, where, required=("uscc",))
        raw_uscc = text_field(c, raw, "uscc", where, required=True) if "uscc" in raw else None
        name = text_field(c, raw, "name", where)
        if len(c.errors) > before or raw_uscc is None:
            return None
        try:
            uscc = normalize_uscc(raw_uscc)
        except ValidationError as e:
            c.error(f"{where}.uscc", _("“{u}”：{r}").format(u=raw_uscc, r=e.reason))
            return None
        enterprise = self.enterprise_by_uscc(uscc)
        if enterprise is None:
            c.error(
                f"{where}.uscc",
                _("统一社会信用代码 {u} 不在企业名录中，请先导入或登记该企业").format(u=uscc)
                + (_("（文件中的企业名称：{n}）").format(n=name) if name else ""),
            )
            return None
        if name and name.strip() != enterprise.name:
            c.warn(
                f"{where}.name",
                _("文件中为“{f}”，名录中为“{r}”；已按统一社会信用代码 {u} 匹配，请核对").format(
                    f=name, r=enterprise.name, u=uscc
                ),
            )
        return enterprise

    def read_site(self, raw: dict, enterprise: Enterprise, where: str) -> str | None:
        if "site_address" not in raw:
            return None
        address = text_field(self.c, raw, "site_address", where, required=True)
        if address is None:
            return None
        wanted = squash(address)
        for site in enterprise.sites:
            if squash(site.address) == wanted:
                return site.id
        known = "；".join(s.address for s in enterprise.sites) or _("（名录中没有登记生产地址）")
        self.c.error(
            f"{where}.site_address",
            _("“{a}”不是{e}的生产地址；名录中的生产地址：{k}").format(a=address, e=enterprise.name, k=known),
        )
        return None

    def read_license(self, raw: dict, enterprise: Enterprise, template: Template | None, where: str) -> str | None:
        c = self.c
        text = text_field(c, raw, "license_number", where)
        if not text:
            if template is not None and not any(
                product_kind(lic.category) == template.product_kind for lic in enterprise.licenses
            ):
                c.warn(
                    where,
                    _("{e}没有{k}的生产许可证，请核对检查表模板").format(
                        e=enterprise.name, k=PRODUCT_KINDS[template.product_kind]
                    ),
                )
            return None
        try:
            number = parse_license_number(text).text
        except ValidationError as e:
            c.error(f"{where}.license_number", e.reason)
            return None
        for lic in enterprise.licenses:
            if lic.number == number or squash(lic.number) == squash(number):
                if template is not None and product_kind(lic.category) != template.product_kind:
                    c.error(
                        f"{where}.license_number",
                        _("许可证 {n} 的产品类别是“{c}”，不能使用检查表“{t}”").format(
                            n=lic.number, c=lic.category, t=template.title
                        ),
                    )
                return lic.id
        known = "、".join(lic.number for lic in enterprise.licenses) or _("（名录中没有登记许可证）")
        c.error(
            f"{where}.license_number",
            _("许可证 {n} 不属于{e}；该企业的许可证：{k}").format(n=text, e=enterprise.name, k=known),
        )
        return None

    def read_team(self, raw: Any, where: str) -> list[Inspector] | None:
        c = self.c
        if not isinstance(raw, list):
            c.error(where, _("应为检查人员的列表 […]，现在是{t}").format(t=type_name(raw)))
            return None
        before = len(c.errors)
        members: list[tuple[Inspector, str]] = []
        seen: dict[str, int] = {}
        for k, m in enumerate(raw):
            mw = f"{where}[{k}]"
            if not isinstance(m, dict):
                c.error(
                    mw, _('应为对象，如 {{"name": "张伟", "badge_no": "31000001"}}，现在是{t}').format(t=type_name(m))
                )
                continue
            check_keys(c, m, MEMBER_KEYS, mw, required=("badge_no",))
            badge = text_field(c, m, "badge_no", mw, required=True) if "badge_no" in m else None
            name = text_field(c, m, "name", mw)
            role = text_field(c, m, "role", mw)
            if role and role.strip() not in (LEADER, MEMBER):
                c.error(f"{mw}.role", _("“{r}”不认识，只能是“{l}”或“{m}”，或不写").format(r=role, l=LEADER, m=MEMBER))
            if badge is None:
                continue
            badge = badge.strip()
            if badge in seen:
                c.error(
                    f"{mw}.badge_no",
                    _("执法证号 {b} 与 team[{j}] 重复，同一检查人员不能重复").format(b=badge, j=seen[badge]),
                )
                continue
            seen[badge] = k
            inspector = self.inspector_by_badge(badge)
            if inspector is None:
                c.error(
                    f"{mw}.badge_no",
                    _("执法证号 {b}{n} 未登记，请先在检查人员名录中添加").format(
                        b=badge, n=_("（{n}）").format(n=name) if name else ""
                    ),
                )
                continue
            if name and name.strip() != inspector.name:
                c.warn(
                    f"{mw}.name",
                    _("文件中为“{f}”，执法证号 {b} 登记的是“{r}”；已按执法证号匹配，请核对").format(
                        f=name, b=badge, r=inspector.name
                    ),
                )
            if not inspector.active:
                c.warn(mw, _("检查人员{n}（{b}）已停用").format(n=inspector.name, b=badge))
            members.append((inspector, (role or "").strip()))
        leaders = [n for n, (_i, r) in enumerate(members) if r == LEADER]
        if len(leaders) > 1:
            c.error(where, _("只能有一名组长，现在有{n}名").format(n=len(leaders)))
        if len(raw) < MIN_TEAM_SIZE:
            c.error(
                where,
                _(
                    "检查人员不少于{m}名（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条），现在{n}名"
                ).format(m=MIN_TEAM_SIZE, n=len(raw)),
            )
        if len(c.errors) > before:
            return None
        if leaders and leaders[0] != 0:  # the leader is position 0 (组长)
            members.insert(0, members.pop(leaders[0]))
        return [i for i, _r in members]

    def inspector_by_badge(self, badge: str) -> Inspector | None:
        if badge not in self.inspector_cache:
            self.inspector_cache[badge] = self.s.scalar(select(Inspector).where(Inspector.badge_no == badge))
        return self.inspector_cache[badge]
