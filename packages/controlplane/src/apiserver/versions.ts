// Kubernetes minors this control plane serves (the platform catalog: 1.31, 1.32, 1.33). The
// cluster's config `version` (gitVersion, e.g. v1.32.0) picks /version and, through
// minMinor/maxMinor on registry entries (served.ts), the APIs of that minor.
export const SUPPORTED_MINORS = [31, 32, 33] as const;
export const DEFAULT_VERSION = "v1.33.1";

/** The minor of a gitVersion ("v1.32.0" → 32); unknown or absent → the newest supported. */
export function minorOf(version: string | undefined): number {
  const m = /^v?1\.(\d+)/.exec(version ?? DEFAULT_VERSION);
  const minor = m ? Number(m[1]) : 33;
  return Math.min(Math.max(minor, SUPPORTED_MINORS[0]), SUPPORTED_MINORS[SUPPORTED_MINORS.length - 1]!);
}

type Json = any;

/** Upstream's per-request deprecation warnings that depend on the minor. */
export function versionWarning(def: { group: string; resource: string }, minor: number): string | undefined {
  if (def.group === "" && def.resource === "endpoints" && minor >= 33)
    return "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice";
  return undefined;
}

function podSpecs(def: { group: string; resource: string }, o: Json): Json[] {
  switch (`${def.group}/${def.resource}`) {
    case "/pods":
      return [o.spec];
    case "batch/cronjobs":
      return [o.spec?.jobTemplate?.spec?.template?.spec];
    case "/podtemplates":
    case "/replicationcontrollers":
    case "apps/deployments":
    case "apps/replicasets":
    case "apps/statefulsets":
    case "apps/daemonsets":
    case "batch/jobs":
      return [def.resource === "podtemplates" ? o.template?.spec : o.spec?.template?.spec];
    default:
      return [];
  }
}

/**
 * Fields a minor does not serve are dropped on write, as upstream's dropDisabledFields does
 * when the feature gate is off: container resizePolicy before 1.33 (in-place pod resize beta),
 * Job spec.managedBy before 1.32 (JobManagedBy beta).
 */
export function dropDisabledFields(def: { group: string; resource: string }, o: Json, minor: number): void {
  if (!o || typeof o !== "object") return;
  if (minor < 33) {
    for (const spec of podSpecs(def, o)) {
      for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) delete c.resizePolicy;
    }
  }
  if (minor < 32) {
    if (def.group === "batch" && def.resource === "jobs") delete o.spec?.managedBy;
    if (def.group === "batch" && def.resource === "cronjobs") delete o.spec?.jobTemplate?.spec?.managedBy;
  }
}
