-- AlterTable
ALTER TABLE "Org" ADD COLUMN     "deletedAt" TIMESTAMP(3),
ADD COLUMN     "deletingAt" TIMESTAMP(3),
ADD COLUMN     "plan" TEXT NOT NULL DEFAULT 'free',
ADD COLUMN     "suspendedBy" TEXT,
ADD COLUMN     "suspendedReason" TEXT,
ADD COLUMN     "trialEndsAt" TIMESTAMP(3);
