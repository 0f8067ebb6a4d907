-- AlterTable
ALTER TABLE "BillingAccount" ADD COLUMN     "subscriptionPlan" TEXT;
