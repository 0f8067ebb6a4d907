// @nuage/core: domain services and rules. Routers (packages/api) stay thin and call these.

export {
  assertVerified,
  authenticate,
  changePassword,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  type SignedInUser,
  type SignUpResult,
  signUp,
  updateProfile,
  verifyEmail,
} from "./accounts.ts";
export { type Actor, actorUserId, type OrgScope } from "./actor.ts";
export * from "./admin/index.ts";
export {
  type ApiTokenView,
  authenticateApiToken,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  TOKEN_PREFIX,
  type TokenPrincipal,
} from "./apiTokens.ts";
export { type AuditEntry, audit, listAudit } from "./audit.ts";
export * from "./billing/index.ts";
export { now, setClock } from "./clock.ts";
export * from "./clusters/index.ts";
export { coreEnv } from "./env.ts";
export { AppError, type AppErrorCode } from "./errors.ts";
export {
  acceptInvitation,
  createInvitation,
  getInvitationByToken,
  INVITATION_TTL_MS,
  type InvitationStatus,
  listInvitations,
  revokeInvitation,
} from "./invitations.ts";
export { dispatchMail, queueMail } from "./mail/outbox.ts";
export type { MailMessage } from "./mail/templates.ts";
export { leaveOrg, listMembers, removeMember, updateMemberRole } from "./members.ts";
export * from "./metering/index.ts";
export * from "./namespaces/index.ts";
export { createOrg, getOrg, listUserOrgs, type OrgMembershipView, resolveUserOrg, updateOrg } from "./orgs.ts";
export { PASSWORD_POLICY } from "./password.ts";
export { listAllOrgs } from "./platform.ts";
export { ROLES, requireRole, roleAtLeast } from "./roles.ts";
export * from "./schemas.ts";
export { hashToken, randomToken } from "./secrets.ts";
export { mutate } from "./tx.ts";
export { createUser, ensureFirstAdmin, getUser, setPassword, upsertOAuthUser } from "./users.ts";
