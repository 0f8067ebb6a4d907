// Usage (metering): the report behind the usage page and GET /usage, its CSV export, and the org's
// monthly budget. Every read is scoped to ctx.org; a cluster id of another org is NOT_FOUND.
import { AppError, DAY_MS, getBudget, MAX_RANGE_DAYS, now, setBudget, usageCsv, usageReport } from "@nuage/core";
import { getDb, inOrg } from "@nuage/db";
import { z } from "zod";
import { zDate } from "../schemas.ts";
import { orgProcedure, orgRoleProcedure, router } from "../trpc.ts";

const tags = ["usage"];

export const ZUsageRangeInput = z.object({
  from: z.coerce.date({ error: "from must be a date-time such as 2026-01-01T00:00:00Z" }).optional(),
  to: z.coerce.date({ error: "to must be a date-time such as 2026-02-01T00:00:00Z" }).optional(),
  granularity: z.enum(["hour", "day"], { error: "granularity must be hour or day" }).optional(),
  clusterId: z.string().min(1).max(100).optional(),
});
export type TUsageRangeInput = z.infer<typeof ZUsageRangeInput>;

const ZValues = z
  .record(z.string(), z.string())
  .describe("Quantity per meter, in the meter's base unit (integer as a string)");

export const ZUsageReportOutput = z.object({
  from: zDate,
  to: zDate,
  granularity: z.enum(["hour", "day"]),
  series: z.array(z.object({ periodStart: zDate, values: ZValues })),
  byCluster: z.array(z.object({ clusterId: z.string(), clusterName: z.string(), values: ZValues })),
  byNamespace: z.array(
    z.object({ clusterId: z.string(), clusterName: z.string(), namespace: z.string(), values: ZValues }),
  ),
});

export const ZBudgetOutput = z.object({
  amountMinor: z.number().int().nullable(),
  currency: z.string(),
  monthStart: zDate,
  monthToDateMinor: z.number().int(),
  percentUsed: z.number().int().nullable(),
  alertsSent: z.array(z.number().int()),
});

const DEFAULT_DAYS = 30;

/** Without a range: the last 30 whole days, today included (UTC). */
function rangeOf(input: TUsageRangeInput) {
  const to = input.to ?? new Date(Math.ceil(now().getTime() / DAY_MS) * DAY_MS);
  const from = input.from ?? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
  return { ...input, from, to };
}

async function checkCluster(orgId: string, clusterId: string | undefined) {
  if (!clusterId) return;
  // Deleted clusters keep their usage: found by id within the org whatever their status.
  const c = await getDb().cluster.findFirst({ where: inOrg(orgId, clusterId), select: { id: true } });
  if (!c) throw new AppError("NOT_FOUND", "Cluster not found", { field: "clusterId" });
}

export const usageRouter = router({
  report: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/usage",
        protect: true,
        tags,
        summary: `Usage over [from, to) (default: the last 30 days; at most ${MAX_RANGE_DAYS}): series, per cluster, per namespace`,
      },
    })
    .input(ZUsageRangeInput)
    .output(ZUsageReportOutput)
    .query(async ({ ctx, input }) => {
      await checkCluster(ctx.org.id, input.clusterId);
      return usageReport({ orgId: ctx.org.id, ...rangeOf(input) });
    }),
  export: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/usage/export",
        protect: true,
        tags,
        summary: "Usage rollups over [from, to) as CSV (one line per period, cluster, namespace, meter)",
      },
    })
    .input(ZUsageRangeInput)
    .output(z.object({ filename: z.string(), csv: z.string() }))
    .query(async ({ ctx, input }) => {
      await checkCluster(ctx.org.id, input.clusterId);
      const range = rangeOf(input);
      const csv = await usageCsv({ orgId: ctx.org.id, ...range });
      const day = (d: Date) => d.toISOString().slice(0, 10);
      return { filename: `nuage-usage-${day(range.from)}-${day(range.to)}.csv`, csv };
    }),
  budget: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/usage/budget",
        protect: true,
        tags,
        summary: "Monthly budget and month-to-date cost",
      },
    })
    .input(z.void())
    .output(ZBudgetOutput)
    .query(({ ctx }) => getBudget(ctx.org.id)),
  setBudget: orgRoleProcedure("admin", "set the budget")
    .meta({
      openapi: {
        method: "PUT",
        path: "/usage/budget",
        protect: true,
        tags,
        summary: "Set the monthly budget in minor units (cents); null removes it",
      },
    })
    .input(
      z.object({
        amountMinor: z
          .number({ error: "amountMinor must be a whole number of cents" })
          .int("amountMinor must be a whole number of cents")
          .nullable(),
      }),
    )
    .output(ZBudgetOutput)
    .mutation(({ ctx, input }) => setBudget(ctx.scope, input)),
});
