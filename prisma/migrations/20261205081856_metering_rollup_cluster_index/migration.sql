-- CreateIndex
CREATE INDEX "UsageRollup_clusterId_period_periodStart_idx" ON "UsageRollup"("clusterId", "period", "periodStart");
