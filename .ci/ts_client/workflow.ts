// A short workflow through a TypeScript client: the types come from the served document
// (openapi-typescript → schema.d.ts), the calls from openapi-fetch; `tsc --strict` checks every
// path, parameter and body against the document before it runs. Log in, designate two
// enterprises, log a visit with two demands, approve and pay a measure, page through the
// enterprises. Usage: node out/workflow.js BASE_URL USERNAME PASSWORD.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Enterprise = components["schemas"]["Enterprise"];
// Node's own, as far as this script uses it (no @types/node needed).
declare const process: { argv: string[]; exit(code: number): never };

const [base, username, password] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl: base });

function fail(step: string, status: number, detail: unknown): never {
  console.error(`${step}: ${status} ${JSON.stringify(detail)}`);
  process.exit(1);
}

const CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A unified social credit code with its GB 32100-2015 check character. */
function creditCode(seed: number): string {
  const first17 = `9136010${String(seed).padStart(10, "0")}`;
  const total = [...first17].reduce((sum, c, i) => sum + CHARSET.indexOf(c) * WEIGHTS[i], 0);
  return first17 + CHARSET[(31 - (total % 31)) % 31];
}

function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function main(): Promise<void> {
  const login = await client.POST("/api/v1/auth/token", {
    body: { grant_type: "password", username, password },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (!login.data || !("access_token" in login.data)) fail("log in", login.response.status, login.error);
  const token = login.data.access_token;
  client.use({
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  });
  const me = await client.GET("/api/v1/me");
  if (!me.data) fail("who am I", me.response.status, me.error);
  const caller = me.data;

  const seed = Math.floor(Math.random() * 1e9);
  const made: Enterprise[] = [];
  for (const n of [0, 1]) {
    const created = await client.POST("/api/v1/enterprises", {
      body: {
        name: `江西类型客户端${seed}号应急装备有限公司${n}`,
        credit_code: creditCode(seed + n),
        region_code: "360100",
        category: "rescue_disposal",
        size: "medium",
        lead_department: caller.department ?? "gxw",
      },
    });
    if (!created.data) fail("designate an enterprise", created.response.status, created.error);
    made.push(created.data);
  }
  const enterprise = made[1];

  const visit = await client.POST("/api/v1/visits", {
    body: {
      enterprise_id: enterprise.id,
      visited_on: daysFromToday(-1),
      kind: "on_site",
      officers: [caller.id],
      summary: "走访企业，了解订单和用工情况",
      demands: [
        { category: "financing", title: "申请技术改造贷款贴息", assigned_department: enterprise.lead_department },
        { category: "talent", title: "引进高级技工", assigned_department: enterprise.lead_department },
      ],
    },
  });
  if (!visit.data) fail("log a visit", visit.response.status, visit.error);
  if (visit.data.demands.length !== 2) fail("log a visit", 201, visit.data.demands);

  const measure = await client.POST("/api/v1/support-measures", {
    body: {
      enterprise_id: enterprise.id,
      kind: "subsidy",
      title: "省级应急产业发展专项资金",
      fiscal_year: 2026,
      amount: "1250000.00",
      status: "approved",
      approved_on: daysFromToday(-1),
      document_no: `赣财企〔2026〕${seed}号`,
    },
  });
  if (!measure.data) fail("grant a measure", measure.response.status, measure.error);
  const paid = await client.POST("/api/v1/support-measures/{id}/disbursements", {
    params: { path: { id: measure.data.id } },
    body: { amount: "1250000.00", paid_on: daysFromToday(0), voucher_no: `PZ-TS-${seed}` },
  });
  if (!paid.data) fail("pay it", paid.response.status, paid.error);
  if (paid.data.amount !== "1250000.00") fail("pay it", 201, paid.data);

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.GET("/api/v1/enterprises", {
      params: { query: { limit: 1, q: `类型客户端${seed}号`, sort: "name", cursor } },
    });
    if (!page.data) fail("page through the enterprises", page.response.status, page.error);
    seen.push(...page.data.items.map((e) => e.name));
    cursor = page.data.next_cursor ?? undefined;
    pages += 1;
  } while (cursor && pages < 10);
  if (pages !== 2 || !made.every((e) => seen.includes(e.name))) {
    fail("page through the enterprises", 200, { pages, seen });
  }
  console.log(`typescript client: ${pages} pages, visit with 2 demands, paid ${paid.data.amount}`);
}

main().catch((e: unknown) => fail("the workflow", 0, String(e)));
