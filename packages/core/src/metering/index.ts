// Metering: the usage ledger, its rollups, the reports the usage page and invoices read, budgets.
export { type BudgetView, checkBudgets, estimateCostMinor, getBudget, setBudget } from "./budget.ts";
export { capacitySamples, overlapSeconds, providerTotals } from "./capacity.ts";
export { meteringEnv } from "./env.ts";
export { recordSamples } from "./ledger.ts";
export * from "./meters.ts";
export {
  MAX_RANGE_DAYS,
  segmentsOf,
  sumUsage,
  type UsageReport,
  type UsageTotal,
  usageCsv,
  usageReport,
} from "./query.ts";
export { rebuildSummaries, rollupAll, rollupDirty } from "./rollup.ts";
