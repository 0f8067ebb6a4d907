import { parseCsr } from "@nuage/crypto";
import type { KubeObject } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import type { Condition } from "./podutil.ts";
import { clone, isNotFound, nowIso, objKey, R } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// CSR approving and signing controllers: kubelet client certificates requested by bootstrap
// tokens or nodes are approved when the subject is system:node:<name> in O=system:nodes, then
// every approved CSR of a signer we serve is signed with the cluster CA (opts.signCsr).

export type Csr = KubeObject & {
  spec: {
    request: string;
    signerName: string;
    usages?: string[];
    username?: string;
    groups?: string[];
    expirationSeconds?: number;
  };
  status?: { conditions?: Condition[]; certificate?: string };
};

export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
const SIGNED_BY_US = new Set([
  KUBELET_CLIENT_SIGNER,
  "kubernetes.io/kube-apiserver-client",
  "kubernetes.io/kubelet-serving",
]);
const KUBELET_CLIENT_USAGES = new Set(["digital signature", "key encipherment", "client auth"]);

export function csrPem(csr: Csr): string {
  const raw = Buffer.from(csr.spec.request, "base64").toString("utf8");
  return raw.includes("-----BEGIN") ? raw : csr.spec.request;
}

/** Why a kubelet client CSR may not be auto-approved, or undefined when it may. */
export async function kubeletClientProblem(csr: Csr): Promise<string | undefined> {
  const groups = csr.spec.groups ?? [];
  const user = csr.spec.username ?? "";
  const byBootstrap = groups.includes("system:bootstrappers");
  const byNode = groups.includes("system:nodes") && user.startsWith("system:node:");
  if (!byBootstrap && !byNode) return "requester is neither a bootstrap token nor a node";
  const usages = csr.spec.usages ?? [];
  if (!usages.includes("client auth") || usages.some((u) => !KUBELET_CLIENT_USAGES.has(u))) {
    return `usages ${JSON.stringify(usages)} are not those of a kubelet client certificate`;
  }
  let subject: { commonName: string; organizations: string[] };
  try {
    subject = await parseCsr(csrPem(csr));
  } catch (err) {
    return `spec.request: ${(err as Error).message}`;
  }
  if (!subject.commonName.startsWith("system:node:") || subject.commonName.length <= 12) {
    return `subject CN ${JSON.stringify(subject.commonName)} is not system:node:<name>`;
  }
  if (subject.organizations.length !== 1 || subject.organizations[0] !== "system:nodes") {
    return "subject O must be exactly system:nodes";
  }
  if (byNode && !byBootstrap && user !== subject.commonName) return "a node may only renew its own certificate";
  return undefined;
}

/** A copy of the CSR with one more status condition (Approved, Failed...). */
function withCondition(csr: Csr, type: string, reason: string, message: string): Csr {
  const now = nowIso();
  const upd = clone(csr);
  upd.status = {
    ...(upd.status ?? {}),
    conditions: [
      ...(upd.status?.conditions ?? []),
      { type, status: "True", reason, message, lastUpdateTime: now, lastTransitionTime: now },
    ],
  };
  return upd;
}

function hasCond(csr: Csr, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
}

export function startCsrController(ctx: ControllerContext): RunningController {
  const inf = ctx.informers.for<Csr>(R.csrs);
  const queue = new WorkQueue((k) => sync(k), { name: "csr", workers: 1, log: ctx.log });
  inf.addHandler({ add: (o) => queue.add(objKey(o)), update: (_o, n) => queue.add(objKey(n)) });

  async function sync(key: string) {
    const csr = inf.get(key);
    if (!csr || csr.metadata.deletionTimestamp) return;
    if (hasCond(csr, "Denied") || hasCond(csr, "Failed") || csr.status?.certificate) return;
    if (!hasCond(csr, "Approved")) {
      if (csr.spec.signerName !== KUBELET_CLIENT_SIGNER) return;
      const problem = await kubeletClientProblem(csr);
      if (problem) {
        ctx.log(`csr ${key}: not auto-approved: ${problem}`);
        return;
      }
      const upd = withCondition(
        csr,
        "Approved",
        "AutoApproved",
        "Auto approving kubelet client certificate after SubjectAccessReview.",
      );
      try {
        // The approval subresource (PUT .../approval), as `kubectl certificate approve` uses.
        await ctx.client.createSubresource(R.csrs, undefined, csr.metadata.name!, "approval", upd);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      return; // signed on the next sync, once the informer sees the approval
    }
    if (!SIGNED_BY_US.has(csr.spec.signerName)) return;
    if (!ctx.opts.signCsr) return;
    let cert: string;
    try {
      cert = await ctx.opts.signCsr(csrPem(csr), {
        usages: csr.spec.usages ?? [],
        expirationSeconds: csr.spec.expirationSeconds,
      });
    } catch (err) {
      const upd = withCondition(csr, "Failed", "SignerValidationFailure", (err as Error).message);
      await ctx.client.update(R.csrs, upd, { subresource: "status" }).catch(() => {});
      return;
    }
    const upd = clone(csr);
    upd.status = { ...(upd.status ?? {}), certificate: Buffer.from(cert, "utf8").toString("base64") };
    try {
      await ctx.client.update(R.csrs, upd, { subresource: "status" });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err; // a conflict is retried with the fresh object
    }
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}
