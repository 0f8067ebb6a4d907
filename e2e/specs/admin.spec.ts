// The admin console (issue 7), in real Chromium as a platform admin made with the operator CLI:
// find a tenant by e-mail, suspend it (the tenant sees the banner and cannot create clusters),
// resume it; make a cluster's create fail (localcloud's injected fault), see its failed job and
// retry it, retry the failed operation; mark the cluster's host down and watch the cluster
// degrade and recover. Everyone else gets a 404 from /admin, and the attempt is on record.
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { APIRequestContext, Page } from "@playwright/test";
import { newUser, signInByApi, TrpcError, trpc } from "../support/api.ts";
import { expect, makeTenant, test } from "../support/fixtures.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

async function makePlatformAdmin(page: Page) {
  const admin = newUser("operator");
  // The operator CLI, as an installation makes its operators (same database as the app).
  await run(
    "npx",
    [
      "tsx",
      "packages/core/src/cli/admin.ts",
      "create-user",
      "--email",
      admin.email,
      "--password",
      admin.password,
      "--name",
      admin.name,
      "--verified",
      "--platform-admin",
    ],
    { cwd: ROOT, env: process.env, timeout: 60_000 },
  );
  await signInByApi(page.request, admin);
  return admin;
}

async function localcloud(method: string, path: string, body?: unknown) {
  const url = process.env.NUAGE_E2E_LOCALCLOUD_URL;
  const token = process.env.NUAGE_E2E_LOCALCLOUD_TOKEN;
  if (!url || !token) throw new Error("NUAGE_E2E_LOCALCLOUD_URL/TOKEN are set by e2e/playwright.config.ts");
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`localcloud ${method} ${path}: HTTP ${res.status}`);
  return res.json() as Promise<unknown>;
}

async function clusterStatus(request: APIRequestContext, id: string): Promise<string> {
  return (await trpc<{ status: string }>(request, "clusters.get", { id }, "query")).status;
}

test("a non-admin gets a 404 from every /admin page and procedure", async ({ tenant, page }) => {
  for (const path of ["/admin", "/admin/tenants", "/admin/capacity", "/admin/jobs", "/admin/audit"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  }
  const csv = await page.request.get("/admin/audit/export");
  expect(csv.status()).toBe(404);
  const err = await trpc(page.request, "admin.overview", undefined, "query").catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TrpcError);
  expect((err as TrpcError).code).toBe("NOT_FOUND");
  void tenant;
});

test("operating a tenant: suspend and resume, a failed operation and job retried, a host outage rehearsed", async ({
  page,
  browser,
}) => {
  test.setTimeout(300_000);
  const tenant = await makeTenant(page, "admtenant");
  const ctx = await browser.newContext();
  const admin = await ctx.newPage();
  let clusterId = "";
  let downHost = "";
  try {
    const operator = await makePlatformAdmin(admin);

    // Find the tenant by e-mail.
    await admin.goto("/admin/tenants");
    await admin.getByLabel("Search", { exact: true }).fill(tenant.user.email);
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.getByRole("link", { name: tenant.user.orgName }).click();
    await expect(admin.getByTestId("tenant-name")).toHaveText(tenant.user.orgName);
    await expect(admin.getByTestId("tenant-status")).toHaveAttribute("data-status", "active");

    // Suspend: the reason is required, and the tenant sees it.
    await admin.getByRole("button", { name: "Suspend" }).click();
    const dialog = admin.getByRole("dialog");
    await dialog.getByRole("button", { name: "Suspend" }).click();
    await expect(dialog.getByRole("alert")).toContainText("reason");
    const reason = "Payment overdue since 1 March";
    await dialog.getByLabel("Reason (shown to the tenant)").fill(reason);
    await dialog.getByRole("button", { name: "Suspend" }).click();
    await expect(admin.getByTestId("tenant-status")).toHaveAttribute("data-status", "suspended");
    await expect(admin.getByTestId("suspended-reason")).toHaveText(reason);

    await page.goto("/dashboard");
    await expect(page.getByTestId("suspended-banner")).toContainText(reason);
    const refused = await trpc(page.request, "clusters.create", {
      name: `sus-${Math.random().toString(36).slice(2, 8)}`,
      nodePools: [{ name: "default", flavor: "s-1vcpu-2gb", count: 1 }],
    }).catch((e: unknown) => e);
    expect((refused as TrpcError).code).toBe("FORBIDDEN");
    expect((refused as TrpcError).message).toContain(reason);

    // Resume: the banner goes, creating works again.
    await admin.getByRole("button", { name: "Resume" }).click();
    await expect(admin.getByTestId("tenant-status")).toHaveAttribute("data-status", "active");
    await page.reload();
    await expect(page.getByRole("heading").first()).toBeVisible();
    await expect(page.getByTestId("suspended-banner")).toHaveCount(0);

    // A create whose VMs the cloud refuses (injected fault) fails after its attempts.
    const name = `adm-${Math.random().toString(36).slice(2, 8)}`;
    clusterId = (
      await trpc<{ id: string }>(page.request, "clusters.create", {
        name,
        nodePools: [{ name: "default", flavor: "s-1vcpu-2gb", count: 1 }],
      })
    ).id;
    await localcloud("PUT", `/v1/faults/vm-create/${clusterId}`);
    await expect
      .poll(() => clusterStatus(page.request, clusterId), { timeout: 120_000, intervals: [2_000] })
      .toBe("error");

    // Its job is in the clusters queue's failed list: retry it (the operation itself stays failed).
    const failedOp = await trpc<{ currentOperation: { id: string } | null }>(
      page.request,
      "clusters.get",
      { id: clusterId },
      "query",
    );
    const opId = failedOp.currentOperation?.id ?? "";
    expect(opId).not.toBe("");
    await admin.goto("/admin/jobs");
    const row = admin.locator(`[data-testid="failed-job"][data-job="${opId}"]`);
    await expect(row).toBeVisible();
    await expect(admin.getByRole("row").filter({ has: row })).toContainText("injected fault");
    await admin.getByRole("button", { name: `Retry job ${opId}` }).click();
    await expect(row).toHaveCount(0, { timeout: 15_000 });

    // The failed operation, retried from the cluster's admin page once the cloud is fixed.
    await localcloud("DELETE", `/v1/faults/vm-create/${clusterId}`);
    await admin.goto(`/admin/clusters/${clusterId}`);
    await expect(admin.getByTestId("cluster-status")).toHaveAttribute("data-status", "error");
    await expect(admin.getByText(/injected fault/).first()).toBeVisible();
    await admin.getByRole("button", { name: "Retry operation" }).click();
    await expect(admin.getByTestId("cluster-status")).toHaveAttribute("data-status", "running", { timeout: 120_000 });

    // Capacity: the host holding the cluster's VM goes down; the cluster degrades, its VM is
    // replaced on another host, and it recovers.
    await admin.goto("/admin/capacity");
    const holding = admin.locator('[data-testid="host"]', {
      has: admin.locator(`a[href="/admin/clusters/${clusterId}"]`),
    });
    await expect(holding).toHaveCount(1);
    downHost = (await holding.getAttribute("data-host")) ?? "";
    const hostCard = admin.locator(`[data-testid="host"][data-host="${downHost}"]`);
    // Watch the tenant's view of the cluster from before the outage (reconcile runs every 30 s too).
    const seen: string[] = [];
    const watch = (async () => {
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        const s = await clusterStatus(page.request, clusterId);
        if (seen.at(-1) !== s) seen.push(s);
        if (s === "running" && seen.includes("degraded")) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await hostCard.getByRole("button", { name: "Mark down" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "Mark down" }).click();
    await expect(hostCard.getByTestId("host-state")).toHaveAttribute("data-state", "down");
    await admin.goto(`/admin/clusters/${clusterId}`);
    await admin.getByRole("button", { name: "Trigger reconcile" }).click();
    await expect(admin.getByText("Reconcile queued")).toBeVisible();
    await expect(admin.getByText(/MachineReplaced|NodeRecreated/).first()).toBeVisible({ timeout: 60_000 });
    // Later passes (scheduled every 30 s, or triggered) see the new VM Ready.
    await expect
      .poll(
        async () => {
          const recovered = seen.includes("degraded") && seen.at(-1) === "running";
          if (!recovered) await trpc(admin.request, "admin.clusters.reconcile", { id: clusterId });
          return recovered;
        },
        { timeout: 150_000, intervals: [5_000] },
      )
      .toBe(true);
    await watch;
    expect(seen).toContain("degraded");
    await expect(admin.getByTestId("cluster-status")).toHaveAttribute("data-status", "running");
    const machines = await localcloud("GET", `/v1/vms?controlPlaneId=${clusterId}`);
    for (const vm of (machines as { items: { hostId: string }[] }).items) expect(vm.hostId).not.toBe(downHost);

    // Every step is in the audit log, and the export has it.
    await admin.goto(`/admin/audit?orgId=${tenant.orgId}&action=admin.*`);
    await expect(admin.getByRole("cell", { name: "admin.org.suspend" })).toBeVisible();
    await expect(admin.getByRole("cell", { name: "admin.org.resume" })).toBeVisible();
    const csv = await admin.request.get(`/admin/audit/export?orgId=${tenant.orgId}&action=admin.`);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    expect(await csv.text()).toContain(operator.email);
  } finally {
    if (downHost) await localcloud("PUT", `/v1/hosts/${downHost}/state`, { state: "up" }).catch(() => undefined);
    if (clusterId) {
      await localcloud("DELETE", `/v1/faults/vm-create/${clusterId}`).catch(() => undefined);
      const c = await trpc<{ name: string; status: string }>(
        page.request,
        "clusters.get",
        { id: clusterId },
        "query",
      ).catch(() => null);
      if (c && c.status !== "deleting" && c.status !== "deleted") {
        await trpc(page.request, "clusters.delete", { id: clusterId, confirmName: c.name }).catch(() => undefined);
      }
    }
    await ctx.close();
  }
});

test("view as tenant is read-only and banner-marked; announcements reach tenants; a tenant's try at /admin is on record", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const tenant = await makeTenant(page, "admview");
  expect((await page.goto("/admin/tenants"))?.status()).toBe(404);
  const ctx = await browser.newContext();
  const admin = await ctx.newPage();
  let announcement = "";
  try {
    await makePlatformAdmin(admin);

    // The overview answers the usual questions at a glance.
    await admin.goto("/admin");
    await expect(admin.getByTestId("stat-active")).toContainText(/\d+/);
    await expect(admin.getByRole("list", { name: "vCPU per host" }).getByRole("listitem").first()).toBeVisible();
    await expect(admin.getByRole("heading", { name: "Failed operations, last 24 h" })).toBeVisible();

    // An announcement: every tenant sees it above the portal.
    const message = `Maintenance of local-1 tonight ${Math.random().toString(36).slice(2, 8)}`;
    await admin.goto("/admin/announcements");
    await admin.getByRole("button", { name: "Publish" }).click();
    await expect(admin.getByLabel("Message")).toBeFocused();
    await admin.getByLabel("Message").fill(message);
    await admin.getByRole("button", { name: "Publish" }).click();
    const row = admin.getByRole("row").filter({ hasText: message });
    await expect(row).toContainText("active");
    await page.goto("/dashboard");
    await expect(page.getByTestId("announcement-banner").filter({ hasText: message })).toBeVisible();
    announcement = message;

    // The tenant's attempt at /admin is in the audit log.
    await admin.goto(`/admin/audit?action=admin.denied&actor=${encodeURIComponent(tenant.user.email)}`);
    await expect(admin.getByRole("row").filter({ hasText: "page /admin" }).first()).toBeVisible();

    // View as tenant: the portal as the tenant's viewers see it, banner-marked, every change refused.
    await admin.goto("/admin/tenants");
    await admin.getByLabel("Search", { exact: true }).fill(tenant.orgId);
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.getByRole("link", { name: tenant.user.orgName }).click();
    await admin.getByRole("button", { name: "View as tenant" }).click();
    await expect(admin).toHaveURL(/\/dashboard$/);
    await expect(admin.getByTestId("view-as-banner")).toContainText(`Viewing as ${tenant.user.orgName} (read-only)`);
    const refused = await trpc(admin.request, "org.update", { name: "Renamed by an operator" }).catch(
      (e: unknown) => e,
    );
    expect((refused as TrpcError).code).toBe("FORBIDDEN");
    expect((refused as TrpcError).message).toContain("viewing the portal as a tenant");
    await admin.getByRole("button", { name: "End view" }).click();
    await expect(admin).toHaveURL(new RegExp(`/admin/tenants/${tenant.orgId}$`));
    await expect(admin.getByRole("cell", { name: "admin.view_as.end" })).toBeVisible();
    await expect(admin.getByRole("cell", { name: "admin.view_as.start" })).toBeVisible();
    await admin.goto("/dashboard");
    await expect(admin.getByTestId("view-as-banner")).toHaveCount(0);
  } finally {
    if (announcement) {
      await admin.goto("/admin/announcements").catch(() => undefined);
      const row = admin.getByRole("row").filter({ hasText: announcement });
      await row
        .getByRole("button", { name: "Archive" })
        .click()
        .catch(() => undefined);
      await admin
        .getByRole("dialog")
        .getByRole("button", { name: "Archive" })
        .click()
        .catch(() => undefined);
      await expect(row)
        .toContainText("archived")
        .catch(() => undefined);
    }
    await ctx.close();
  }
});
