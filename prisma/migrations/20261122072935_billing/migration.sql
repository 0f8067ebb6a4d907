-- CreateTable
CREATE TABLE "PriceBookVersion" (
    "version" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "plans" JSONB NOT NULL,
    "note" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PriceBookVersion_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "plan" TEXT NOT NULL,
    "priceVersion" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "subtotalMinor" BIGINT NOT NULL DEFAULT 0,
    "includedMinor" BIGINT NOT NULL DEFAULT 0,
    "creditMinor" BIGINT NOT NULL DEFAULT 0,
    "totalMinor" BIGINT NOT NULL DEFAULT 0,
    "paymentStatus" TEXT NOT NULL DEFAULT 'not_collected',
    "stripeInvoiceId" TEXT,
    "hostedUrl" TEXT,
    "finalizedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoiceLine" (
    "id" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL DEFAULT '',
    "meter" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "quantity" BIGINT NOT NULL,
    "unitPriceMicro" BIGINT NOT NULL,
    "amountMinor" BIGINT NOT NULL,

    CONSTRAINT "InvoiceLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreditEntry" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "invoiceId" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CreditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BillingAccount" (
    "orgId" TEXT NOT NULL,
    "stripeCustomerId" TEXT,
    "stripeSubscriptionId" TEXT,
    "subscriptionStatus" TEXT,
    "paymentMethod" TEXT,
    "reportFrom" TIMESTAMP(3),
    "paymentFailedAt" TIMESTAMP(3),
    "dunningStage" TEXT NOT NULL DEFAULT 'ok',
    "hibernatedPools" JSONB,
    "dunningExempt" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BillingAccount_pkey" PRIMARY KEY ("orgId")
);

-- CreateTable
CREATE TABLE "StripeCatalog" (
    "priceVersion" INTEGER NOT NULL,
    "plan" TEXT NOT NULL,
    "meter" TEXT NOT NULL,
    "stripeMeterId" TEXT NOT NULL,
    "stripePriceId" TEXT NOT NULL,

    CONSTRAINT "StripeCatalog_pkey" PRIMARY KEY ("priceVersion","plan","meter")
);

-- CreateTable
CREATE TABLE "StripeEvent" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "StripeEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StripeUsageReport" (
    "identifier" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "meter" TEXT NOT NULL,
    "hourStart" TIMESTAMP(3) NOT NULL,
    "value" BIGINT NOT NULL,
    "reportedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StripeUsageReport_pkey" PRIMARY KEY ("identifier")
);

-- CreateTable
CREATE TABLE "StripeInvoice" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "amountDue" BIGINT NOT NULL,
    "amountPaid" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "hostedUrl" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StripeInvoice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Invoice_periodStart_status_idx" ON "Invoice"("periodStart", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_orgId_periodStart_key" ON "Invoice"("orgId", "periodStart");

-- CreateIndex
CREATE INDEX "InvoiceLine_orgId_idx" ON "InvoiceLine"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceLine_invoiceId_kind_clusterId_meter_key" ON "InvoiceLine"("invoiceId", "kind", "clusterId", "meter");

-- CreateIndex
CREATE UNIQUE INDEX "CreditEntry_invoiceId_key" ON "CreditEntry"("invoiceId");

-- CreateIndex
CREATE INDEX "CreditEntry_orgId_createdAt_idx" ON "CreditEntry"("orgId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "BillingAccount_stripeCustomerId_key" ON "BillingAccount"("stripeCustomerId");

-- CreateIndex
CREATE INDEX "StripeUsageReport_orgId_meter_hourStart_idx" ON "StripeUsageReport"("orgId", "meter", "hourStart");

-- CreateIndex
CREATE INDEX "StripeUsageReport_reportedAt_idx" ON "StripeUsageReport"("reportedAt");

-- CreateIndex
CREATE INDEX "StripeInvoice_orgId_periodStart_idx" ON "StripeInvoice"("orgId", "periodStart");

-- AddForeignKey
ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;
