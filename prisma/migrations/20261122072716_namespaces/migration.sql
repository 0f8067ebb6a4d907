-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('pending', 'syncing', 'synced', 'error');

-- CreateEnum
CREATE TYPE "NamespaceAccessRole" AS ENUM ('admin', 'editor', 'viewer');

-- CreateEnum
CREATE TYPE "NamespaceItemKind" AS ENUM ('secret', 'configmap');

-- AlterTable
ALTER TABLE "Org" ADD COLUMN     "maxNamespaceMemoryGib" INTEGER NOT NULL DEFAULT 96,
ADD COLUMN     "maxNamespaceStorageGib" INTEGER NOT NULL DEFAULT 500,
ADD COLUMN     "overcommitRatio" DOUBLE PRECISION NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "Namespace" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "template" TEXT NOT NULL DEFAULT 'custom',
    "quota" JSONB NOT NULL DEFAULT '{}',
    "limits" JSONB NOT NULL DEFAULT '{}',
    "protected" BOOLEAN NOT NULL DEFAULT false,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "syncedGeneration" INTEGER NOT NULL DEFAULT 0,
    "syncStatus" "SyncStatus" NOT NULL DEFAULT 'pending',
    "syncMessage" TEXT,
    "syncedAt" TIMESTAMP(3),
    "deletingAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Namespace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NamespaceItem" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "namespaceId" TEXT NOT NULL,
    "kind" "NamespaceItemKind" NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'Opaque',
    "keys" TEXT[],
    "data" TEXT NOT NULL,
    "size" INTEGER NOT NULL DEFAULT 0,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "syncedGeneration" INTEGER NOT NULL DEFAULT 0,
    "syncStatus" "SyncStatus" NOT NULL DEFAULT 'pending',
    "syncMessage" TEXT,
    "syncedAt" TIMESTAMP(3),
    "deletingAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NamespaceItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NamespaceGrant" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "namespaceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "NamespaceAccessRole" NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "syncedGeneration" INTEGER NOT NULL DEFAULT 0,
    "syncStatus" "SyncStatus" NOT NULL DEFAULT 'pending',
    "syncMessage" TEXT,
    "syncedAt" TIMESTAMP(3),
    "deletingAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NamespaceGrant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NamespaceTemplate" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "quota" JSONB NOT NULL,
    "limits" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NamespaceTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrgDataKey" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "wrappedKey" TEXT NOT NULL,
    "masterKeyId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rewrappedAt" TIMESTAMP(3),

    CONSTRAINT "OrgDataKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Namespace_orgId_clusterId_idx" ON "Namespace"("orgId", "clusterId");

-- CreateIndex
CREATE UNIQUE INDEX "Namespace_clusterId_name_key" ON "Namespace"("clusterId", "name");

-- CreateIndex
CREATE INDEX "NamespaceItem_orgId_namespaceId_idx" ON "NamespaceItem"("orgId", "namespaceId");

-- CreateIndex
CREATE UNIQUE INDEX "NamespaceItem_namespaceId_kind_name_key" ON "NamespaceItem"("namespaceId", "kind", "name");

-- CreateIndex
CREATE INDEX "NamespaceGrant_orgId_userId_idx" ON "NamespaceGrant"("orgId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "NamespaceGrant_namespaceId_userId_key" ON "NamespaceGrant"("namespaceId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "NamespaceTemplate_orgId_name_key" ON "NamespaceTemplate"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "OrgDataKey_orgId_key" ON "OrgDataKey"("orgId");

-- AddForeignKey
ALTER TABLE "Namespace" ADD CONSTRAINT "Namespace_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NamespaceItem" ADD CONSTRAINT "NamespaceItem_namespaceId_fkey" FOREIGN KEY ("namespaceId") REFERENCES "Namespace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NamespaceGrant" ADD CONSTRAINT "NamespaceGrant_namespaceId_fkey" FOREIGN KEY ("namespaceId") REFERENCES "Namespace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
