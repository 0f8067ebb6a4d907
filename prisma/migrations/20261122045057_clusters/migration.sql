-- CreateEnum
CREATE TYPE "ClusterStatus" AS ENUM ('provisioning', 'running', 'updating', 'degraded', 'deleting', 'deleted', 'error');

-- CreateEnum
CREATE TYPE "OperationType" AS ENUM ('create', 'update', 'upgrade', 'delete');

-- CreateEnum
CREATE TYPE "OperationStatus" AS ENUM ('pending', 'running', 'succeeded', 'failed');

-- CreateEnum
CREATE TYPE "StepStatus" AS ENUM ('pending', 'running', 'succeeded', 'failed');

-- CreateEnum
CREATE TYPE "NodeStatus" AS ENUM ('creating', 'ready', 'draining', 'deleting', 'deleted');

-- AlterTable
ALTER TABLE "Org" ADD COLUMN     "maxClusters" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "maxKubeconfigTtlHours" INTEGER NOT NULL DEFAULT 720,
ADD COLUMN     "maxNodesPerCluster" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "maxVcpu" INTEGER NOT NULL DEFAULT 24,
ADD COLUMN     "suspendedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Cluster" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "haControlPlane" BOOLEAN NOT NULL DEFAULT false,
    "status" "ClusterStatus" NOT NULL DEFAULT 'provisioning',
    "statusMessage" TEXT,
    "endpoint" TEXT,
    "caCertPem" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NodePool" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "flavor" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "minCount" INTEGER NOT NULL,
    "maxCount" INTEGER NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "taints" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "NodePool_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClusterNode" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "poolId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "flavor" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "status" "NodeStatus" NOT NULL DEFAULT 'creating',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "ClusterNode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "type" "OperationType" NOT NULL,
    "status" "OperationStatus" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "spec" JSONB,
    "report" JSONB,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OperationStep" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "operationId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "status" "StepStatus" NOT NULL DEFAULT 'pending',
    "detail" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "OperationStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClusterEvent" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClusterEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClusterCredential" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "userId" TEXT,
    "subject" TEXT NOT NULL,
    "groups" TEXT[],
    "serial" TEXT NOT NULL,
    "issuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revokedById" TEXT,

    CONSTRAINT "ClusterCredential_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Cluster_orgId_createdAt_idx" ON "Cluster"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "Cluster_orgId_name_idx" ON "Cluster"("orgId", "name");

-- CreateIndex
CREATE INDEX "NodePool_orgId_clusterId_idx" ON "NodePool"("orgId", "clusterId");

-- CreateIndex
CREATE INDEX "ClusterNode_orgId_clusterId_idx" ON "ClusterNode"("orgId", "clusterId");

-- CreateIndex
CREATE INDEX "ClusterNode_clusterId_poolId_idx" ON "ClusterNode"("clusterId", "poolId");

-- CreateIndex
CREATE INDEX "Operation_orgId_clusterId_createdAt_idx" ON "Operation"("orgId", "clusterId", "createdAt");

-- CreateIndex
CREATE INDEX "Operation_status_idx" ON "Operation"("status");

-- CreateIndex
CREATE INDEX "OperationStep_operationId_position_idx" ON "OperationStep"("operationId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "OperationStep_operationId_name_key" ON "OperationStep"("operationId", "name");

-- CreateIndex
CREATE INDEX "ClusterEvent_orgId_clusterId_createdAt_idx" ON "ClusterEvent"("orgId", "clusterId", "createdAt");

-- CreateIndex
CREATE INDEX "ClusterCredential_orgId_clusterId_issuedAt_idx" ON "ClusterCredential"("orgId", "clusterId", "issuedAt");

-- AddForeignKey
ALTER TABLE "Cluster" ADD CONSTRAINT "Cluster_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NodePool" ADD CONSTRAINT "NodePool_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClusterNode" ADD CONSTRAINT "ClusterNode_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperationStep" ADD CONSTRAINT "OperationStep_operationId_fkey" FOREIGN KEY ("operationId") REFERENCES "Operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClusterEvent" ADD CONSTRAINT "ClusterEvent_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClusterCredential" ADD CONSTRAINT "ClusterCredential_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
