// Server-side apply and client-side apply with the real kubectl (1.27, 1.32 and 1.33): field
// managers in metadata.managedFields, conflicts and --force-conflicts, list-maps merged by key,
// fields dropped from an applied configuration removed, and last-applied-configuration.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loopbackContext } from "../src/apiserver/context.ts";
import { findResource } from "../src/apiserver/registry.ts";
import { KUBECTL, startTestCluster, type TestCluster } from "./cluster.ts";

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
});
afterAll(async () => {
  await c?.stop();
});

const deploy = (name: string, o: { replicas?: number; image?: string; label?: boolean } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
${o.label === false ? "" : "    tier: web\n"}spec:
${o.replicas === undefined ? "" : `  replicas: ${o.replicas}\n`}  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: web
        image: ${o.image ?? "nginx:1.27"}
        ports:
        - containerPort: 80
`;

describe.each(Object.entries(KUBECTL))("kubectl %s", (version, bin) => {
  const k = (args: string[], stdin?: string) => c.kubectl(args, { bin, stdin });
  const name = `ssa${version.replace(".", "")}`;

  it("applies server-side, reports managers, conflicts, forces and removes dropped fields", async () => {
    let r = await k(["apply", "--server-side", "-f", "-"], deploy(name, { replicas: 2 }));
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(`deployment.apps/${name} serverside-applied`);

    r = await k(["get", "deploy", name, "-o", "yaml", "--show-managed-fields"]);
    const obj = parse(r.stdout);
    const mf = obj.metadata.managedFields as { manager: string; operation: string; fieldsV1: any }[];
    const mine = mf.find((e) => e.manager === "kubectl" && e.operation === "Apply")!;
    expect(mine).toBeDefined();
    expect(mine.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
    expect(mine.fieldsV1["f:metadata"]["f:labels"]["f:tier"]).toEqual({});
    const web = mine.fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}'];
    expect(web["."]).toEqual({});
    expect(web["f:ports"]['k:{"containerPort":80,"protocol":"TCP"}']["f:containerPort"]).toEqual({});
    // Defaults the server filled in are nobody's.
    expect(web["f:imagePullPolicy"]).toBeUndefined();
    // Without --show-managed-fields kubectl hides them.
    r = await k(["get", "deploy", name, "-o", "yaml"]);
    expect(r.stdout).not.toContain("managedFields");

    // Applying the same configuration again changes nothing.
    r = await k(["apply", "--server-side", "-f", "-"], deploy(name, { replicas: 2 }));
    expect(r.stdout.trim()).toBe(`deployment.apps/${name} serverside-applied`);

    // A second manager takes replicas with an update...
    r = await k(["patch", "deploy", name, "--type=merge", "-p", '{"spec":{"replicas":3}}']);
    expect(r.stdout.trim()).toBe(`deployment.apps/${name} patched`);
    r = await k(["get", "deploy", name, "-o", "yaml", "--show-managed-fields"]);
    const after = parse(r.stdout).metadata.managedFields as { manager: string; operation: string; fieldsV1: any }[];
    expect(after.find((e) => e.manager === "kubectl-patch")?.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
    expect(after.find((e) => e.manager === "kubectl")?.fieldsV1["f:spec"]?.["f:replicas"]).toBeUndefined();

    // ...so applying a different value is a conflict naming the field and the manager.
    r = await k(["apply", "--server-side", "-f", "-"], deploy(name, { replicas: 5 }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas',
    );
    expect(r.stderr).toContain("--force-conflicts");

    r = await k(["apply", "--server-side", "--force-conflicts", "-f", "-"], deploy(name, { replicas: 5 }));
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(`deployment.apps/${name} serverside-applied`);
    r = await k(["get", "deploy", name, "-o", "yaml", "--show-managed-fields"]);
    const forced = parse(r.stdout);
    expect(forced.spec.replicas).toBe(5);
    const patcher = (forced.metadata.managedFields as { manager: string; fieldsV1: any }[]).find(
      (e) => e.manager === "kubectl-patch",
    );
    expect(patcher?.fieldsV1?.["f:spec"]?.["f:replicas"]).toBeUndefined();

    // A label no longer in the applied configuration is removed; the image changes.
    r = await k(
      ["apply", "--server-side", "-f", "-"],
      deploy(name, { replicas: 5, label: false, image: "nginx:1.28" }),
    );
    expect(r.stderr).toBe("");
    r = await k(["get", "deploy", name, "-o", "json"]);
    const dropped = JSON.parse(r.stdout);
    expect(dropped.metadata.labels).toEqual({ app: name });
    expect(dropped.spec.template.spec.containers[0].image).toBe("nginx:1.28");
  });

  it("merges containers of two managers by name", async () => {
    const n = `${name}-two`;
    let r = await k(["apply", "--server-side", "-f", "-"], deploy(n, { replicas: 1 }));
    expect(r.stderr).toBe("");
    const sidecar = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${n}
spec:
  template:
    spec:
      containers:
      - name: log
        image: busybox:1.36
`;
    r = await k(["apply", "--server-side", "--field-manager=sidecar-injector", "-f", "-"], sidecar);
    expect(r.stderr).toBe("");
    r = await k(["get", "deploy", n, "-o", "json"]);
    const obj = JSON.parse(r.stdout);
    expect(obj.spec.template.spec.containers.map((x: { name: string }) => x.name)).toEqual(["web", "log"]);
    expect(obj.spec.replicas).toBe(1);
    // The sidecar manager dropping its container removes only that container.
    r = await k(
      ["apply", "--server-side", "--field-manager=sidecar-injector", "-f", "-"],
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${n}\n  annotations:\n    injected: "no"\n`,
    );
    expect(r.stderr).toBe("");
    r = await k(["get", "deploy", n, "-o", "json"]);
    const after = JSON.parse(r.stdout);
    expect(after.spec.template.spec.containers.map((x: { name: string }) => x.name)).toEqual(["web"]);
    expect(after.metadata.annotations.injected).toBe("no");
  });

  it("round-trips client-side apply's last-applied-configuration", async () => {
    const n = `${name}-csa`;
    let r = await k(["apply", "-f", "-"], deploy(n, { replicas: 1 }));
    expect(r.stdout.trim()).toBe(`deployment.apps/${n} created`);
    r = await k(["apply", "view-last-applied", "deploy", n, "-o", "json"]);
    const last = JSON.parse(r.stdout);
    expect(last.spec.replicas).toBe(1);
    expect(last.metadata.labels).toEqual({ app: n, tier: "web" });
    r = await k(["apply", "-f", "-"], deploy(n, { replicas: 1 }));
    expect(r.stdout.trim()).toBe(`deployment.apps/${n} unchanged`);
    r = await k(["apply", "-f", "-"], deploy(n, { replicas: 2, label: false }));
    expect(r.stdout.trim()).toBe(`deployment.apps/${n} configured`);
    r = await k(["get", "deploy", n, "-o", "yaml", "--show-managed-fields"]);
    const obj = parse(r.stdout);
    expect(obj.metadata.labels).toEqual({ app: n });
    expect(obj.spec.replicas).toBe(2);
    const csa = (obj.metadata.managedFields as { manager: string; operation: string; fieldsV1: any }[]).find(
      (e) => e.manager === "kubectl-client-side-apply",
    );
    expect(csa?.operation).toBe("Update");
    expect(csa?.fieldsV1["f:metadata"]["f:annotations"]["f:kubectl.kubernetes.io/last-applied-configuration"]).toEqual(
      {},
    );
    r = await k(["apply", "view-last-applied", "deploy", n, "-o", "json"]);
    expect(JSON.parse(r.stdout).spec.replicas).toBe(2);
  });
});

describe("server-side apply through the store", () => {
  it("accepts YAML, requires a fieldManager, shares equal values and keeps fields another manager owns", async () => {
    const { store } = c.cp.api;
    const cm = findResource("", "v1", "configmaps")!;
    const ctx = (fieldManager?: string, force = false) => ({ ...loopbackContext(), fieldManager, force });
    const yaml = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-cm\n${data}`;
    await expect(store.patch(ctx(), cm, "default", "ssa-cm", "apply", yaml(""))).rejects.toThrow(
      "PATCH requests with apply must specify a fieldManager",
    );
    await store.patch(ctx("team-a"), cm, "default", "ssa-cm", "apply", yaml("data:\n  a: '1'\n"));
    const err = await store
      .patch(ctx("team-b"), cm, "default", "ssa-cm", "apply", yaml("data:\n  a: '2'\n  b: '3'\n"))
      .catch((e) => e);
    expect(err.code).toBe(409);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "team-a": .data.a');
    expect(err.details.causes).toEqual([
      { type: "FieldManagerConflict", message: 'conflict with "team-a"', field: ".data.a" },
    ]);
    // Same value: shared ownership, no conflict.
    await store.patch(ctx("team-b"), cm, "default", "ssa-cm", "apply", yaml("data:\n  a: '1'\n  b: '3'\n"));
    // team-a stops applying a: team-b still owns it, so it stays.
    const out = await store.patch(ctx("team-a"), cm, "default", "ssa-cm", "apply", yaml(""));
    expect(out.data).toEqual({ a: "1", b: "3" });
    expect((out.metadata.managedFields as { manager: string }[]).map((e) => e.manager)).toEqual(["team-b"]);
    // An update by a controller owns what it changed.
    const upd = await store.update(ctx(), cm, { ...out, data: { a: "1", b: "4" } } as never, { namespace: "default" });
    const mf = upd.metadata.managedFields as { manager: string; operation: string; fieldsV1: any }[];
    expect(mf.find((e) => e.manager === "kube-controller-manager")?.fieldsV1).toEqual({ "f:data": { "f:b": {} } });
    expect(mf.find((e) => e.manager === "team-b")?.fieldsV1).toEqual({ "f:data": { ".": {}, "f:a": {} } });
  });
});
