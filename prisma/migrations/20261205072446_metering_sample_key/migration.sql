-- The ledger keeps one index: its key (cluster, window, namespace, meter). It replaces the cuid primary key,
-- the unique index on the same columns (existing rows are unique on them already, so the new key builds on
-- any existing database) and the (cluster, window) index, whose reads it serves by its prefix, and the
-- (org, window) index had no reader. Every index was paid on each insert.
-- The new key is built in the same statement that drops the old one, before the unique index goes, so the
-- table is never without its uniqueness.
ALTER TABLE "UsageSample" DROP CONSTRAINT "UsageSample_pkey",
DROP COLUMN "id",
ADD CONSTRAINT "UsageSample_pkey" PRIMARY KEY ("clusterId", "windowStart", "namespace", "meter");

-- DropIndex
DROP INDEX "UsageSample_clusterId_namespace_meter_windowStart_key";

-- DropIndex
DROP INDEX "UsageSample_clusterId_windowStart_idx";

-- DropIndex
DROP INDEX "UsageSample_orgId_windowStart_idx";
