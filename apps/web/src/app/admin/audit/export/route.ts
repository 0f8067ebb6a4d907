import { exportAuditCsv } from "@nuage/core";
import { adminFromRequest, notFoundResponse } from "../../_lib/route-guard";

export const dynamic = "force-dynamic";

/** GET /admin/audit/export?orgId&actor&action&from&to → CSV of the filtered audit log (10,000 rows at most). */
export async function GET(req: Request) {
  if (!(await adminFromRequest(req, "/admin/audit/export"))) return notFoundResponse();
  const p = new URL(req.url).searchParams;
  const filter = Object.fromEntries(
    ["orgId", "actor", "action", "from", "to"].flatMap((k) => (p.get(k) ? [[k, p.get(k)!]] : [])),
  );
  let csv: string;
  try {
    csv = await exportAuditCsv(filter);
  } catch (e) {
    return new Response((e as Error).message, { status: 400, headers: { "content-type": "text/plain" } });
  }
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="nuage-audit-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
}
