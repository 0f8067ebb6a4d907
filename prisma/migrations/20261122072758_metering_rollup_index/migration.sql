-- CreateIndex
CREATE INDEX "UsageSample_clusterId_windowStart_idx" ON "UsageSample"("clusterId", "windowStart");
