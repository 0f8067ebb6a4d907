-- CreateTable
CREATE TABLE "UsageSummary" (
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "meter" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "quantity" BIGINT NOT NULL,

    CONSTRAINT "UsageSummary_pkey" PRIMARY KEY ("orgId","clusterId","namespace","meter","period","periodStart")
);

-- CreateIndex
CREATE INDEX "UsageSummary_orgId_period_periodStart_idx" ON "UsageSummary"("orgId", "period", "periodStart");
