/** Shown under password fields; the server enforces the same policy and names the failing rule. */
export const PASSWORD_HINT = "10 to 128 characters, with at least one letter and one digit.";
export const PASSWORD_MIN = 10;

/** The same rule as the server's, checked before sending so the message appears at once. */
export function passwordProblem(p: string): string | undefined {
  if (p.length < PASSWORD_MIN || p.length > 128) return "Use 10 to 128 characters.";
  if (!/\p{L}/u.test(p) || !/\d/.test(p)) return "Use at least one letter and one digit.";
  return undefined;
}
