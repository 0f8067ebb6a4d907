-- UsageSummary: namespace "*" rows are now a cluster's total over every namespace, "" (the cluster-level
-- meters) included, so the usage page reads its charts and per-cluster totals from "*" rows alone. The
-- month rows of namespace "" are no longer read. Summaries are derived from UsageRollup (which is not
-- touched): recompute the "*" rows of every org from it and drop the "" rows.
DELETE FROM "UsageSummary" WHERE "namespace" IN ('', '*');

INSERT INTO "UsageSummary" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
SELECT "orgId","clusterId",'*',"meter","period","periodStart",SUM("quantity")::bigint
FROM "UsageRollup"
GROUP BY "orgId","clusterId","meter","period","periodStart";

INSERT INTO "UsageSummary" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
SELECT "orgId","clusterId",'*',"meter",'month',date_trunc('month',"periodStart"),SUM("quantity")::bigint
FROM "UsageRollup"
WHERE "period" = 'day'
GROUP BY "orgId","clusterId","meter",date_trunc('month',"periodStart");
