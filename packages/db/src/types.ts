// Types only: importing this opens no connection and loads no client.
export type {
  Account,
  ApiToken,
  AuditLog,
  EmailToken,
  EmailTokenKind,
  Invitation,
  MailOutbox,
  MailStatus,
  Membership,
  Org,
  Role,
  TokenScope,
  User,
} from "./generated/prisma/client.ts";
