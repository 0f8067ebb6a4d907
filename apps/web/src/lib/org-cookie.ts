/** The current organization lives in the `nuage_org` cookie (an org id); the server checks membership. */
export const ORG_COOKIE = "nuage_org";

export function setCurrentOrg(orgId: string): void {
  const secure = window.location.protocol === "https:" ? "; secure" : "";
  // biome-ignore lint/suspicious/noDocumentCookie: a plain preference cookie, read by the server
  document.cookie = `${ORG_COOKIE}=${encodeURIComponent(orgId)}; path=/; max-age=31536000; samesite=lax${secure}`;
}

/** Switches org and reloads everything, so no data of the previous org stays on screen. */
export function switchOrg(orgId: string, to = "/dashboard"): void {
  setCurrentOrg(orgId);
  window.location.assign(to);
}
