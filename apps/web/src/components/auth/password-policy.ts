/** Shown under password fields; the server enforces the policy and names the failing rule. */
export const PASSWORD_HINT = "At least 12 characters. A passphrase of a few words works well.";
export const PASSWORD_MIN = 12;
