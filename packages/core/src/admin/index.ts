// The admin console's services (issue 7). Platform-wide on purpose: callers are platform admins.

export {
  type AnnouncementView,
  activeAnnouncements,
  archiveAnnouncement,
  createAnnouncement,
  listAnnouncements,
  portalBanners,
  ZAnnouncementInput,
} from "./announcements.ts";
export { csvCell, exportAuditCsv, listAllAudit, type TAdminAuditFilter, ZAdminAuditFilter } from "./audit.ts";
export { listCapacity, setHostState } from "./capacity.ts";
export {
  adminRetryOperation,
  CLUSTER_STATUSES,
  forceDeleteCluster,
  getAdminCluster,
  listAllClusters,
  recentFailedOperations,
  triggerReconcile,
  ZAdminClusterFilter,
} from "./clusters.ts";
export { operatorActor, recordAdminDenied } from "./guard.ts";
export { failedJobs, QUEUE_NAMES, queueCounts, retryJob } from "./jobs.ts";
export { adminOverview } from "./overview.ts";
export {
  deleteTenant,
  extendTrial,
  getTenant,
  resumeTenant,
  searchTenants,
  setTenantPlan,
  setTenantQuotas,
  suspendTenant,
  type TenantStatus,
  type TenantView,
  tenantStatus,
  ZDeleteTenantInput,
  ZPlanInput,
  ZQuotaInput,
  ZSuspendInput,
  ZTrialInput,
} from "./tenants.ts";
export { endViewAs, signViewAs, startViewAs, VIEW_AS_COOKIE, VIEW_AS_TTL_MS, verifyViewAs } from "./viewas.ts";
