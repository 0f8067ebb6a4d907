-- CreateTable
CREATE TABLE "UsageSample" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "namespace" TEXT NOT NULL DEFAULT '',
    "meter" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "windowSeconds" INTEGER NOT NULL,
    "quantity" BIGINT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageRollup" (
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "namespace" TEXT NOT NULL DEFAULT '',
    "meter" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "quantity" BIGINT NOT NULL,

    CONSTRAINT "UsageRollup_pkey" PRIMARY KEY ("orgId","clusterId","namespace","meter","period","periodStart")
);

-- CreateTable
CREATE TABLE "UsageRollupDirty" (
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "hourStart" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageRollupDirty_pkey" PRIMARY KEY ("clusterId","hourStart")
);

-- CreateTable
CREATE TABLE "MeteringClusterState" (
    "clusterId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "reconciledUntil" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MeteringClusterState_pkey" PRIMARY KEY ("clusterId")
);

-- CreateTable
CREATE TABLE "OrgBudget" (
    "orgId" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "updatedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrgBudget_pkey" PRIMARY KEY ("orgId")
);

-- CreateTable
CREATE TABLE "BudgetAlert" (
    "orgId" TEXT NOT NULL,
    "monthStart" TIMESTAMP(3) NOT NULL,
    "threshold" INTEGER NOT NULL,
    "costMinor" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BudgetAlert_pkey" PRIMARY KEY ("orgId","monthStart","threshold")
);

-- CreateIndex
CREATE INDEX "UsageSample_orgId_windowStart_idx" ON "UsageSample"("orgId", "windowStart");

-- CreateIndex
CREATE UNIQUE INDEX "UsageSample_clusterId_namespace_meter_windowStart_key" ON "UsageSample"("clusterId", "namespace", "meter", "windowStart");

-- CreateIndex
CREATE INDEX "UsageRollup_orgId_period_periodStart_idx" ON "UsageRollup"("orgId", "period", "periodStart");
