// Authentication: x509 client certificates (CN = user, O = groups), bootstrap tokens,
// service-account JWTs signed with the cluster's key, and static platform tokens. Anonymous
// requests are refused. A revocation list (serial numbers and token ids) is read from a file,
// re-read when the file changes, and can be extended at run time.
import { createPrivateKey, createPublicKey, type KeyObject, randomUUID, timingSafeEqual } from "node:crypto";
import { existsSync, type FSWatcher, readFileSync, watch } from "node:fs";
import type { IncomingMessage } from "node:http";
import { basename, dirname } from "node:path";
import type { TLSSocket } from "node:tls";
import { jwtVerify, SignJWT } from "jose";
import type { UserInfo } from "../apiserver/context.ts";
import type { KubeObject } from "../client.ts";

export interface StaticToken {
  token: string;
  user: string;
  groups?: string[];
  id?: string;
}

export interface AuthnOptions {
  bootstrapTokens?: { id: string; secret: string }[];
  staticTokens?: StaticToken[];
  serviceAccountKeyPem?: string;
  revocationFile?: string;
  issuer?: string;
}

/** Tokens must be meant for the API server (TokenRequest's default audience), as upstream. */
export const API_AUDIENCES = ["https://kubernetes.default.svc", "https://kubernetes.default.svc.cluster.local"];

const normSerial = (s: string) =>
  s
    .replace(/[^0-9a-fA-F]/g, "")
    .replace(/^0+/, "")
    .toUpperCase();

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Authenticator {
  private revoked = new Set<string>();
  private fileRevoked = new Set<string>();
  private watcher?: FSWatcher;
  private reloadTimer?: NodeJS.Timeout;
  private privateKey?: KeyObject;
  private publicKey?: KeyObject;
  private alg = "RS256";
  readonly issuer: string;
  /** Checks that the token's ServiceAccount (and bound pod) still exist with the same uid. */
  validateServiceAccount?: (claims: {
    namespace: string;
    name: string;
    uid?: string;
    pod?: { name: string; uid?: string };
  }) => Promise<boolean>;

  constructor(private readonly opts: AuthnOptions) {
    this.issuer = opts.issuer ?? "https://kubernetes.default.svc.cluster.local";
    if (opts.serviceAccountKeyPem) {
      this.privateKey = createPrivateKey(opts.serviceAccountKeyPem);
      this.publicKey = createPublicKey(this.privateKey);
      this.alg = this.privateKey.asymmetricKeyType === "ec" ? "ES256" : "RS256";
    }
    if (opts.revocationFile) {
      this.loadRevocations();
      const file = opts.revocationFile;
      try {
        this.watcher = watch(dirname(file), (_ev, name) => {
          if (name && name !== basename(file)) return;
          clearTimeout(this.reloadTimer);
          this.reloadTimer = setTimeout(() => this.loadRevocations(), 50);
        });
      } catch {
        // Directory missing: revocations can still be set with revoke().
      }
    }
  }

  private loadRevocations(): void {
    const file = this.opts.revocationFile;
    const next = new Set<string>();
    if (file && existsSync(file)) {
      const text = readFileSync(file, "utf8").trim();
      let entries: string[] = [];
      try {
        const parsed = JSON.parse(text);
        if (typeof parsed !== "object" || parsed === null) throw new Error("one entry per line");
        if (Array.isArray(parsed)) entries = parsed.map(String);
        else
          entries = [
            ...(parsed.serials ?? parsed.serialNumbers ?? []),
            ...(parsed.tokenIds ?? parsed.tokens ?? []),
          ].map(String);
      } catch {
        entries = text
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith("#"));
      }
      for (const e of entries) {
        next.add(e);
        next.add(normSerial(e));
      }
    }
    this.fileRevoked = next;
  }

  /** Revokes a certificate serial number (hex) or a token id at run time. */
  revoke(idOrSerial: string): void {
    this.revoked.add(idOrSerial);
    this.revoked.add(normSerial(idOrSerial));
  }

  isRevoked(id: string, serial = false): boolean {
    const k = serial ? normSerial(id) : id;
    return this.revoked.has(k) || this.fileRevoked.has(k);
  }

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const authz = req.headers.authorization;
    if (authz?.startsWith("Bearer ")) return this.token(authz.slice(7).trim());
    const sock = req.socket as TLSSocket;
    if (typeof sock.getPeerCertificate === "function" && sock.authorized) {
      const cert = sock.getPeerCertificate();
      if (!cert?.subject) return undefined;
      if (this.isRevoked(cert.serialNumber, true)) return undefined;
      const cn = cert.subject.CN;
      const o = cert.subject.O as string | string[] | undefined;
      const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
      if (!cn) return undefined;
      return { name: Array.isArray(cn) ? cn[0]! : cn, groups: [...groups, "system:authenticated"] };
    }
    return undefined;
  }

  private async token(token: string): Promise<UserInfo | undefined> {
    const boot = /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(token);
    if (boot) {
      const [, id, secret] = boot;
      const t = this.opts.bootstrapTokens?.find((b) => b.id === id);
      if (!t || !safeEqual(t.secret, secret!) || this.isRevoked(id!)) return undefined;
      return { name: `system:bootstrap:${id}`, groups: ["system:bootstrappers", "system:authenticated"] };
    }
    for (const s of this.opts.staticTokens ?? []) {
      if (safeEqual(s.token, token)) {
        if (s.id && this.isRevoked(s.id)) return undefined;
        return { name: s.user, groups: [...(s.groups ?? []), "system:authenticated"] };
      }
    }
    if (this.publicKey && token.split(".").length === 3) {
      try {
        const { payload } = await jwtVerify(token, this.publicKey, {
          issuer: this.issuer,
          audience: [...API_AUDIENCES, this.issuer],
        });
        if (payload.jti && this.isRevoked(payload.jti)) return undefined;
        const k = payload["kubernetes.io"] as
          | {
              namespace?: string;
              serviceaccount?: { name?: string; uid?: string };
              pod?: { name: string; uid?: string };
            }
          | undefined;
        const sub = String(payload.sub ?? "");
        const ns = k?.namespace ?? sub.split(":")[2] ?? "";
        if (!sub.startsWith("system:serviceaccount:")) return undefined;
        const saName = k?.serviceaccount?.name ?? sub.split(":")[3] ?? "";
        if (
          this.validateServiceAccount &&
          !(await this.validateServiceAccount({
            namespace: ns,
            name: saName,
            uid: k?.serviceaccount?.uid,
            pod: k?.pod,
          }))
        ) {
          return undefined;
        }
        return {
          name: sub,
          groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
        };
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Issues a service-account token (TokenRequest). */
  async issue(sa: KubeObject, audiences: string[], expirationSeconds: number, pod?: KubeObject): Promise<string> {
    if (!this.privateKey) throw new Error("serviceAccountKeyPem is not configured");
    const ns = sa.metadata.namespace!;
    const claims: Record<string, unknown> = {
      "kubernetes.io": {
        namespace: ns,
        serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid },
        ...(pod ? { pod: { name: pod.metadata.name, uid: pod.metadata.uid } } : {}),
      },
    };
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: this.alg })
      .setIssuer(this.issuer)
      .setSubject(`system:serviceaccount:${ns}:${sa.metadata.name}`)
      .setAudience(audiences)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + expirationSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  stop(): void {
    clearTimeout(this.reloadTimer);
    this.watcher?.close();
  }
}
