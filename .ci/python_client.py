"""Drives a short workflow through a Python client that openapi-python-client generated from the
served document (nobody here wrote it): log in, designate two enterprises, log a visit with two
demands, approve and pay a measure, page through the enterprises, fetch the monthly report as a
file and upload an import file (a dry run) as a browser form would.

Usage: python_client.py BASE_URL USERNAME PASSWORD, with the generated package `liaison_client`
on the path. Exits non-zero, naming the step, when anything answers otherwise than documented.
"""

import datetime
import io
import random
import sys

from liaison_client import AuthenticatedClient, Client
from liaison_client.api.auth import me, token
from liaison_client.api.enterprises import create_enterprise, list_enterprises
from liaison_client.api.imports import import_enterprises
from liaison_client.api.statistics import monthly_report
from liaison_client.api.support import create_disbursement, create_measure
from liaison_client.api.visits import create_visit
from liaison_client.models import (
    DemandCategory,
    EnterpriseSize,
    ImportUpload,
    MeasureStatus,
    NewDisbursementRequest,
    NewEnterprise,
    NewMeasure,
    NewVisit,
    SupportKind,
    TokenRequest,
    VisitDemand,
    VisitKind,
)
from liaison_client.types import File

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(seed: int) -> str:
    """A unified social credit code with its GB 32100-2015 check character."""
    first17 = f"9136010{seed:010d}"
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return first17 + CHARSET[(31 - total % 31) % 31]


def expect(step: str, response, status: int):
    if response.status_code != status:
        sys.exit(f"{step}: {response.status_code} {response.content[:500]!r}")
    return response.parsed


def main(base: str, username: str, password: str) -> None:
    login = token.sync_detailed(
        client=Client(base_url=base),
        body=TokenRequest(grant_type="password", username=username, password=password),
    )
    tokens = expect("log in", login, 200)
    client = AuthenticatedClient(base_url=base, token=tokens.access_token)
    caller = expect("who am I", me.sync_detailed(client=client), 200)

    seed = random.randrange(10**9)
    names = []
    for n in range(2):
        body = NewEnterprise(
            name=f"江西生成客户端{seed}号应急装备有限公司{n}",
            credit_code=credit_code(seed + n),
            region_code="360100",
            category="rescue_disposal",
            size=EnterpriseSize.MEDIUM,
            lead_department=caller.department,
        )
        made = expect("designate an enterprise", create_enterprise.sync_detailed(client=client, body=body), 201)
        names.append(made.name)
    enterprise = made

    visit = NewVisit(
        enterprise_id=enterprise.id,
        visited_on=datetime.date.today() - datetime.timedelta(days=1),
        kind=VisitKind.ON_SITE,
        officers=[caller.id],
        summary="走访企业，了解订单和用工情况",
        demands=[
            VisitDemand(category=DemandCategory.FINANCING, title="申请技术改造贷款贴息",
                        assigned_department=caller.department),
            VisitDemand(category=DemandCategory.TALENT, title="引进高级技工",
                        assigned_department=caller.department),
        ],
    )
    created = expect("log a visit", create_visit.sync_detailed(client=client, body=visit), 201)
    if len(created.demands) != 2:
        sys.exit(f"log a visit: {len(created.demands)} demands made, not 2")

    measure = NewMeasure(
        enterprise_id=enterprise.id, kind=SupportKind.SUBSIDY, title="省级应急产业发展专项资金",
        fiscal_year=2026, amount="1250000.00", status=MeasureStatus.APPROVED,
        approved_on=datetime.date.today() - datetime.timedelta(days=1),
        document_no=f"赣财企〔2026〕{seed}号",
    )
    granted = expect("grant a measure", create_measure.sync_detailed(client=client, body=measure), 201)
    payment = NewDisbursementRequest(amount="1250000.00", paid_on=datetime.date.today(),
                                     voucher_no=f"PZ-{seed}")
    paid = expect("pay it", create_disbursement.sync_detailed(granted.id, client=client, body=payment), 201)
    if paid.amount != "1250000.00":
        sys.exit(f"pay it: the payment reads {paid.amount}")

    seen, cursor, pages = [], None, 0
    while pages < 10:
        kwargs = {"cursor": cursor} if cursor else {}
        listed = list_enterprises.sync_detailed(client=client, limit=1, q=f"生成客户端{seed}号", **kwargs)
        page = expect("page through the enterprises", listed, 200)
        seen += [e.name for e in page.items]
        pages += 1
        cursor = page.next_cursor if isinstance(page.next_cursor, str) else None
        if not cursor:
            break
    if pages != 2 or any(name not in seen for name in names):
        sys.exit(f"page through the enterprises: {pages} pages, {len(seen)} items")

    report = expect("the monthly report", monthly_report.sync_detailed(client=client), 200)
    if not report.payload.read(2) == b"PK":
        sys.exit("the monthly report is not an XLSX workbook")

    csv = ("统一社会信用代码,企业名称,行政区划代码,行业类别,企业规模,牵头部门\r\n"
           f"{credit_code(seed + 2)},江西表单上传应急装备有限公司{seed},360100,rescue_disposal,medium,{caller.department}\r\n")
    upload = ImportUpload(file=File(payload=io.BytesIO(csv.encode()), file_name="企业.csv", mime_type="text/csv"))
    outcome = expect("upload an import file", import_enterprises.sync_detailed(client=client, body=upload, dry_run=True), 200)
    if outcome.created != 1:
        sys.exit(f"upload an import file: {outcome.created} rows would be created, not 1")
    print(f"python client: {pages} pages, visit with {len(created.demands)} demands, paid {paid.amount}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
