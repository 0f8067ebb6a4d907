// Who is asking and how: passed from the HTTP layer (or the loopback client) into the store.
export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface RequestContext {
  user: UserInfo;
  dryRun?: boolean;
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  /** Warnings collected for the `Warning:` response header. */
  warnings: string[];
  /** metadata.managedFields manager: ?fieldManager=, else the User-Agent's product. */
  fieldManager?: string;
  /** Server-side apply ?force=true: take over conflicting fields. */
  force?: boolean;
}

export const LOOPBACK_USER: UserInfo = { name: "system:apiserver", groups: ["system:masters", "system:authenticated"] };

export function loopbackContext(): RequestContext {
  return { user: LOOPBACK_USER, warnings: [] };
}
