/**
 * The end-to-end run creates users and orgs through the real app: it must never point at a
 * database that is not on this machine.
 */
export function assertLocalDatabase(url: string | undefined): void {
  if (!url) throw new Error("DATABASE_URL is not set: run the end-to-end tests through `npm test` (infra/test.mjs)");
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error("DATABASE_URL is not a valid URL");
  }
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host))
    throw new Error(`Refusing to run end-to-end tests against a non-local database (host ${host})`);
}
