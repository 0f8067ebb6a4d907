// Bearer-token authentication: bootstrap tokens, service-account JWTs, static tokens, revocation.
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "./cluster.ts";

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({
    bootstrapTokens: [{ id: "abcdef", secret: "0123456789abcdef" }],
    staticTokens: [
      { token: "platform-token-for-tests-1234567890", user: "nuage-platform", groups: ["system:masters"], id: "tok1" },
    ],
  });
});
afterAll(async () => {
  await c?.stop();
});

function call(method: string, path: string, token?: string, body?: unknown): Promise<{ code: number; json: any }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, c.server);
    const req = request(
      url,
      {
        method,
        ca: c.ca.certPem,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          "content-type": "application/json",
          accept: "application/json",
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ code: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe("authentication", () => {
  it("refuses anonymous requests with an upstream Status", async () => {
    const r = await call("GET", "/api/v1/namespaces");
    expect(r.code).toBe(401);
    expect(r.json).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });

  it("accepts bootstrap tokens, which may only create CSRs", async () => {
    const tok = "abcdef.0123456789abcdef";
    const who = await call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", tok, {
      kind: "SelfSubjectReview",
      apiVersion: "authentication.k8s.io/v1",
    });
    expect(who.json.status.userInfo).toEqual({
      username: "system:bootstrap:abcdef",
      groups: ["system:bootstrappers", "system:authenticated"],
    });
    const pods = await call("GET", "/api/v1/pods", tok);
    expect(pods.code).toBe(403);
    const csrs = await call("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests", tok);
    expect(csrs.code).toBe(200);
    expect((await call("GET", "/api/v1/pods", "abcdef.ffffffffffffffff")).code).toBe(401);
  });

  it("issues and accepts service-account tokens, and static platform tokens until revoked", async () => {
    const admin = "platform-token-for-tests-1234567890";
    expect(
      (await call("POST", "/api/v1/namespaces/default/serviceaccounts", admin, { metadata: { name: "robot" } })).code,
    ).toBe(201);
    const tr = await call("POST", "/api/v1/namespaces/default/serviceaccounts/robot/token", admin, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 3600 },
    });
    expect(tr.code).toBe(201);
    const jwt = tr.json.status.token as string;
    const who = await call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", jwt, {
      kind: "SelfSubjectReview",
    });
    expect(who.json.status.userInfo.username).toBe("system:serviceaccount:default:robot");
    const forbidden = await call("GET", "/api/v1/namespaces/default/secrets", jwt);
    expect(forbidden.code).toBe(403);
    expect(forbidden.json.message).toBe(
      'secrets is forbidden: User "system:serviceaccount:default:robot" cannot list resource "secrets" in API group "" in the namespace "default"',
    );
    const other = await call("POST", "/api/v1/namespaces/default/serviceaccounts/robot/token", admin, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { audiences: ["vault"] },
    });
    expect((await call("GET", "/api/v1/namespaces/default/pods", other.json.status.token)).code).toBe(401);
    expect((await call("DELETE", "/api/v1/namespaces/default/serviceaccounts/robot", admin)).code).toBe(200);
    expect(
      (await call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", jwt, { kind: "SelfSubjectReview" }))
        .code,
    ).toBe(401);
    c.cp.authenticator.revoke("tok1");
    expect((await call("GET", "/api/v1/namespaces", admin)).code).toBe(401);
  });

  it("prevents RBAC escalation by a namespace admin", async () => {
    expect((await c.kubectl(["create", "namespace", "team"])).code).toBe(0);
    expect(
      (await c.kubectl(["-n", "team", "create", "rolebinding", "alice-admin", "--clusterrole=admin", "--user=alice"]))
        .code,
    ).toBe(0);
    const alice = await c.kubeconfig("alice");
    let r = await c.kubectl(["-n", "team", "create", "rolebinding", "bob-edit", "--clusterrole=edit", "--user=bob"], {
      kubeconfig: alice.path,
    });
    expect(r.stderr).toBe("");
    r = await c.kubectl(
      ["-n", "team", "create", "rolebinding", "alice-root", "--clusterrole=cluster-admin", "--user=alice"],
      {
        kubeconfig: alice.path,
      },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('rolebindings.rbac.authorization.k8s.io "alice-root" is forbidden: user "alice"');
    expect(r.stderr).toContain("is attempting to grant RBAC permissions not currently held");
  });

  it("lets a node change only its own Node and the pods bound to it", async () => {
    const n1 = await c.kubeconfig("system:node:n1", ["system:nodes"]);
    const node = (name: string) => `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\n`;
    let r = await c.kubectl(["create", "-f", "-"], { kubeconfig: n1.path, stdin: node("n1") });
    expect(r.stderr).toBe("");
    r = await c.kubectl(["create", "-f", "-"], { kubeconfig: n1.path, stdin: node("n2") });
    expect(r.stderr).toContain('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    await c.kubectl(["create", "-f", "-"], { stdin: node("n2") });
    await c.kubectl(["run", "elsewhere", "--image=nginx", "--overrides", '{"spec":{"nodeName":"n2"}}']);
    r = await c.kubectl(["delete", "pod", "elsewhere", "--wait=false"], { kubeconfig: n1.path });
    expect(r.stderr).toContain('pods "elsewhere" is forbidden: node "n1" can only delete pods bound to it');
  });
});
