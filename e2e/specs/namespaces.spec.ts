import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BASE_URL, newUser, signInByApi, signUpByApi, trpc } from "../support/api.ts";
import { expect, test } from "../support/fixtures.ts";
import { linkIn, waitForMail } from "../support/mailbox.ts";

const run = promisify(execFile);
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";

/** The real kubectl, as a tenant runs it; rejects with its stderr. */
async function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  try {
    const r = await run(KUBECTL, ["--kubeconfig", kubeconfig, "--request-timeout=10s", ...args], { timeout: 20_000 });
    return r.stdout.trim();
  } catch (e) {
    throw new Error((e as { stderr?: string }).stderr || (e as Error).message);
  }
}

const deployment = (name: string, resources: string, env = "") => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: team-a }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: ${name}
          image: nginx
${resources}${env}`;

// The journey: a namespace from the medium template; kubectl as a namespace editor (a
// Deployment that fits runs, one over the quota is refused with "exceeded quota"); the usage bars
// move; a secret made in the portal reaches a pod through secretKeyRef; deleting it with kubectl
// is undone by the platform.
test("namespaces from the portal: quota, kubectl as a namespace editor, usage, secrets, drift", async ({
  tenant: _owner,
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), "nuage-e2e-ns-"));
  const secretValue = `s3cret-${randomBytes(6).toString("hex")}`;
  const tab = (label: string) => page.getByRole("navigation", { name: "Tabs" }).getByRole("link", { name: label });
  try {
    const { id } = await trpc<{ id: string }>(page.request, "clusters.create", {
      name: `ns-${randomBytes(3).toString("hex")}`,
      nodePools: [{ name: "p", flavor: "s-2vcpu-4gb", count: 1 }],
    });
    // A member, who will be a namespace editor (joins through an invitation).
    const editor = newUser("nseditor");
    await trpc(page.request, "invitations.create", { email: editor.email, role: "member" });
    const mail = await waitForMail(editor.email, { subject: /invited/i });
    const token = new URL(linkIn(mail, "/invite/"), BASE_URL).pathname.split("/").pop();
    const context = await browser.newContext();
    const guest = await context.newPage();
    await signUpByApi(guest.request, editor, token);
    await signInByApi(guest.request, editor);

    await expect
      .poll(async () => (await trpc<{ status: string }>(page.request, "clusters.get", { id }, "query")).status, {
        timeout: 120_000,
        message: "the cluster runs",
      })
      .toBe("running");

    // The Namespaces tab starts empty and offers creation.
    await page.goto(`/clusters/${id}`);
    await tab("Namespaces").click();
    await expect(page.getByText("No namespaces yet")).toBeVisible();
    await page.getByRole("link", { name: "Create namespace" }).click();
    await expect(page.locator("form[data-ready]")).toBeVisible();
    const nameField = page.getByLabel("Name", { exact: true });
    await nameField.fill("Team_A");
    await nameField.blur();
    await expect(page.getByText(/Use lowercase letters/)).toBeVisible();
    await nameField.fill("team-a");
    await page.getByText("medium", { exact: true }).click();
    await expect(page.getByRole("textbox", { name: "CPU requests" })).toHaveValue("1");
    await expect(page.getByRole("textbox", { name: "Pods" })).toHaveValue("40");
    await page.getByRole("button", { name: "+ Add label" }).click();
    await page.getByLabel("Label 1 key").fill("team");
    await page.getByLabel("Label 1 value").fill("a");
    await page.getByRole("button", { name: "Create namespace" }).click();
    await expect(page.getByTestId("namespace-name")).toHaveText("team-a", { timeout: 15_000 });
    await expect(page.getByTestId("sync-status").first()).toHaveAttribute("data-status", "synced", { timeout: 30_000 });

    // Access: the member becomes a namespace editor; their kubeconfig has no cluster-wide group.
    await page.getByLabel("Member").selectOption({ label: `${editor.email} (member)` });
    await page.getByLabel("Namespace role").selectOption("editor");
    await page.getByRole("button", { name: "Give access" }).click();
    const grantRow = page.getByRole("row").filter({ hasText: editor.email });
    await expect(grantRow).toContainText("namespace editor");
    await expect(grantRow.getByTestId("sync-status")).toHaveAttribute("data-status", "synced", { timeout: 30_000 });
    const issued = await trpc<{ kubeconfig: string; credential: { groups: string[] } }>(
      guest.request,
      "clusters.kubeconfig",
      { id, ttlHours: 1 },
      "query",
    );
    expect(issued.credential.groups).toEqual(["nuage:scoped"]);
    const kc = join(dir, "editor.yaml");
    writeFileSync(kc, issued.kubeconfig, { mode: 0o600 });
    expect(await kubectl(kc, ["auth", "can-i", "create", "deployments", "-n", "team-a"])).toBe("yes");
    await expect(kubectl(kc, ["get", "pods", "-n", "default"])).rejects.toThrow(/Forbidden/i);

    // A Deployment that fits runs (LimitRange defaults fill its requests); one over the quota is refused.
    const fits = join(dir, "fits.yaml");
    writeFileSync(fits, deployment("web", ""));
    await kubectl(kc, ["apply", "--validate=false", "-f", fits]);
    await expect
      .poll(
        async () =>
          kubectl(kc, [
            "get",
            "pods",
            "-n",
            "team-a",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[0].status.phase}",
          ]).catch(() => ""),
        {
          timeout: 60_000,
        },
      )
      .toBe("Running");
    const big = join(dir, "big.yaml");
    writeFileSync(
      big,
      deployment(
        "big",
        `          resources: { requests: { cpu: "2", memory: 1Gi }, limits: { cpu: "2", memory: 1Gi } }\n`,
      ),
    );
    await kubectl(kc, ["apply", "--validate=false", "-f", big]);
    await expect
      .poll(
        async () =>
          kubectl(kc, ["get", "events", "-n", "team-a", "-o", "jsonpath={.items[*].message}"]).catch(() => ""),
        {
          timeout: 30_000,
        },
      )
      .toContain("exceeded quota");

    // The usage bars move: one pod and its default 100m CPU request, read live from the cluster.
    await expect(page.getByTestId("usage-bars")).toHaveAttribute("data-live", "true", { timeout: 20_000 });
    await expect(page.getByTestId("usage-pods")).toHaveAttribute("data-used", "1", { timeout: 20_000 });
    await expect(page.getByTestId("usage-requests.cpu")).toHaveAttribute("data-used", "100");
    await expect(page.getByTestId("usage-pods")).toContainText("1 / 40");

    // A secret made in the portal (write-only value) reaches a pod through secretKeyRef.
    await page.getByRole("button", { name: "Add secret" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a secret" });
    await dialog.getByLabel("Secret name").fill("db");
    await dialog.getByLabel("Key 1 key").fill("password");
    await dialog.getByLabel("Key 1 value").fill(secretValue);
    await dialog.getByRole("button", { name: "Add secret" }).click();
    await expect(dialog).toBeHidden();
    const secretRow = page.getByTestId("secret-list").getByRole("row").filter({ hasText: "db" });
    await expect(secretRow).toContainText("password");
    await expect(secretRow.getByTestId("sync-status")).toHaveAttribute("data-status", "synced", { timeout: 30_000 });
    await expect(page.getByText(secretValue)).toHaveCount(0);
    const reader = join(dir, "reader.yaml");
    writeFileSync(
      reader,
      deployment(
        "reader",
        "",
        "          env:\n            - name: DB_PASSWORD\n              valueFrom: { secretKeyRef: { name: db, key: password } }\n",
      ),
    );
    await kubectl(kc, ["apply", "--validate=false", "-f", reader]);
    await expect
      .poll(
        async () =>
          kubectl(kc, [
            "get",
            "pods",
            "-n",
            "team-a",
            "-l",
            "app=reader",
            "-o",
            "jsonpath={.items[0].status.phase}",
          ]).catch(() => ""),
        { timeout: 60_000 },
      )
      .toBe("Running");

    // Deleted with kubectl, the managed secret comes back within seconds, with its value.
    await kubectl(kc, ["delete", "secret", "db", "-n", "team-a"]);
    const deletedAt = Date.now();
    await expect
      .poll(
        async () =>
          kubectl(kc, ["get", "secret", "db", "-n", "team-a", "-o", "jsonpath={.data.password}"]).catch(() => ""),
        {
          timeout: 15_000,
          intervals: [250],
        },
      )
      .toBe(Buffer.from(secretValue).toString("base64"));
    expect(Date.now() - deletedAt).toBeLessThan(15_000);
    // The drift is shown in the cluster's events.
    await tab("Events").click();
    await expect(
      page.getByTestId("cluster-event").filter({ hasText: "Secret team-a/db was deleted" }).first(),
    ).toBeVisible({
      timeout: 20_000,
    });
    await context.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Org B and a member scoped to another namespace cannot reach a namespace's secrets in the portal.
test("a namespace of another organization is not found", async ({ tenant, page, browser }) => {
  test.setTimeout(60_000);
  const { id } = await trpc<{ id: string }>(page.request, "clusters.create", {
    name: `nx-${randomBytes(3).toString("hex")}`,
    nodePools: [{ name: "p", flavor: "s-2vcpu-4gb", count: 1 }],
  });
  const ns = await trpc<{ id: string }>(page.request, "namespaces.create", {
    clusterId: id,
    name: "private",
    template: "small",
  });
  const context = await browser.newContext();
  const other = await context.newPage();
  try {
    const b = newUser("nsother");
    await signUpByApi(other.request, b);
    await signInByApi(other.request, b);
    await other.goto(`/clusters/${id}/namespaces/${ns.id}`);
    await expect(other.getByText("Cluster not found")).toBeVisible();
    const res = await other.request.get(
      `/api/trpc/secrets.list?input=${encodeURIComponent(JSON.stringify({ json: { namespaceId: ns.id } }))}`,
    );
    expect(res.status()).toBe(404);
    expect(tenant.orgId).toBeTruthy();
  } finally {
    await context.close();
  }
});

// Org admins edit the templates offered by the create form, and the overcommit ratio.
test("an admin edits a quota template and the overcommit ratio", async ({ tenant: _owner, page }) => {
  test.setTimeout(60_000);
  const { id } = await trpc<{ id: string }>(page.request, "clusters.create", {
    name: `nt-${randomBytes(3).toString("hex")}`,
    nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }],
  });
  await page.goto(`/clusters/${id}/namespaces`);
  await expect(page.getByText("No namespaces yet")).toBeVisible();
  await page.getByRole("button", { name: "Edit template small" }).click();
  const dialog = page.getByRole("dialog", { name: "Template small" });
  await dialog.getByRole("textbox", { name: "Pods" }).fill("7");
  await dialog.getByRole("textbox", { name: "CPU requests" }).fill("half");
  await dialog.getByRole("button", { name: "Save template" }).click();
  await expect(dialog.getByText(/quota.requests.cpu: "half" is not a Kubernetes quantity/)).toBeVisible();
  await dialog.getByRole("textbox", { name: "CPU requests" }).fill("250m");
  await dialog.getByRole("button", { name: "Save template" }).click();
  await expect(dialog).toBeHidden();
  await page.getByLabel("Overcommit ratio").fill("1.5");
  await page.getByRole("button", { name: "Save ratio" }).click();
  await expect(page.getByLabel("Overcommit ratio")).toHaveValue("1.5");
  await page.getByRole("link", { name: "Create namespace" }).click();
  await expect(page.locator("form[data-ready]")).toBeVisible();
  await page.getByText("small", { exact: true }).click();
  await expect(page.getByRole("textbox", { name: "Pods" })).toHaveValue("7");
  await expect(page.getByRole("textbox", { name: "CPU requests" })).toHaveValue("250m");
  // Keyboard only: the name field, then Enter submits; the namespace is queued while the cluster provisions.
  await page.getByLabel("Name", { exact: true }).fill("queued");
  await page.getByLabel("Name", { exact: true }).press("Enter");
  await expect(page.getByTestId("namespace-name")).toHaveText("queued", { timeout: 15_000 });
  await expect(page.getByTestId("sync-status").first()).toHaveAttribute("data-status", /pending|synced|syncing/);
  await expect(page.getByText(/Waiting for the cluster to be running|Synced|Syncing/).first()).toBeVisible();
});
