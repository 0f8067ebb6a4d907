import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectlGetNodesText, kubectlNodes, localcloudHas, localcloudLeftovers } from "../fixtures/clusters.ts";
import { BASE_URL, newUser, signInByApi, signUpByApi, trpc, trpcRaw } from "../support/api.ts";
import { expect, makeTenant, test } from "../support/fixtures.ts";
import { linkIn, waitForMail } from "../support/mailbox.ts";

// A whole cluster life in the portal: create with two pools, watch it come up, use it with the
// real kubectl, scale a pool, delete it, and check localcloud holds nothing of it afterwards.
test("a cluster from the portal: create, watch, kubectl, scale, delete", async ({ tenant, page }) => {
  test.setTimeout(150_000);
  const name = `e2e-${Math.random().toString(36).slice(2, 8)}`;
  const tab = (label: string) => page.getByRole("navigation", { name: "Tabs" }).getByRole("link", { name: label });
  const dir = mkdtempSync(join(tmpdir(), "nuage-e2e-kube-"));
  try {
    // The list starts empty and offers creation.
    await page.goto("/clusters");
    await expect(page.getByText("No clusters yet")).toBeVisible();
    await page.getByRole("link", { name: "Create cluster" }).click();
    await expect(page).toHaveURL(/\/clusters\/new$/);
    await expect(page.locator("form[data-ready]")).toBeVisible();

    // Inline validation names the field before anything is sent.
    const nameField = page.getByLabel("Name", { exact: true });
    await nameField.fill("Bad_Name");
    await nameField.blur();
    await expect(page.getByText(/Use lowercase letters/)).toBeVisible();
    await nameField.fill(name);

    // Pool 1: one node; pool 2 added with the keyboard-usable row editor.
    await page.getByLabel("Pool 1 nodes").fill("1");
    const hourly = page.getByTestId("estimate-hourly");
    const before = await hourly.textContent();
    await page.getByRole("button", { name: "+ Add node pool" }).click();
    await page.getByLabel("Pool 2 name").fill("workers");
    await page.getByLabel("Pool 2 nodes").fill("1");
    await page.getByLabel("Pool 2 maximum").fill("3");
    await page.getByRole("button", { name: "+ Add label" }).nth(1).click();
    await page.getByLabel("Pool 2 labels 1 key").fill("tier");
    await page.getByLabel("Pool 2 labels 1 value").fill("workers");
    // The price follows the edit (a second pool costs something).
    await expect(hourly).not.toHaveText(before ?? "");
    await expect(page.getByTestId("estimate-monthly")).toContainText("/ month");
    // Priced with the org's plan in the current price book, which the card names.
    await expect(page.getByTestId("estimate-pricebook")).toContainText(/ plan, price book version \d+/);

    await page.getByRole("button", { name: "Create cluster" }).click();
    await expect(page).toHaveURL(/\/clusters\/(?!new$)[a-z0-9]+$/, { timeout: 20_000 });
    const clusterId = new URL(page.url()).pathname.split("/").pop() ?? "";
    await expect(page.getByTestId("cluster-name")).toHaveText(name);

    // The steps stream in without reloading, then the cluster runs.
    const steps = page.getByTestId("operation-step");
    await expect(steps.first()).toBeVisible();
    await expect(page.locator('[data-testid="operation-step"][data-step="control-plane"]')).toBeVisible();
    await expect(page.getByTestId("cluster-status")).toHaveAttribute("data-status", "running", { timeout: 90_000 });
    await expect(page.locator('[data-testid="operation-step"][data-step="ready"]')).toHaveAttribute(
      "data-status",
      "succeeded",
    );
    expect(await localcloudHas(clusterId)).toBe(true);

    // The dashboard now lists it instead of the empty state.
    const clusterUrl = page.url();
    await page.goto("/dashboard");
    await expect(page.getByTestId("dashboard-clusters").getByRole("link", { name })).toBeVisible();
    await expect(page.getByText("No clusters yet")).toHaveCount(0);
    await page.goto(clusterUrl);

    // Access: download a kubeconfig with a chosen lifetime.
    await tab("Access").click();
    await expect(page.getByTestId("kubectl-hint")).toHaveText(`kubectl --kubeconfig ${name}-kubeconfig.yaml get nodes`);
    await page.getByLabel("Lifetime").selectOption("8");
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download kubeconfig" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`${name}-kubeconfig.yaml`);
    const kubeconfig = join(dir, download.suggestedFilename());
    await download.saveAs(kubeconfig);
    expect(readFileSync(kubeconfig, "utf8")).toContain("client-certificate-data");
    // The credential is listed as issued to this user.
    await expect(page.getByRole("row").filter({ hasText: tenant.user.email })).toContainText("active");

    // The real kubectl sees both pools' nodes Ready.
    await expect
      .poll(async () => (await kubectlNodes(kubeconfig)).filter((n) => n.ready).length, {
        timeout: 30_000,
        message: "2 nodes Ready",
      })
      .toBe(2);
    expect((await kubectlNodes(kubeconfig)).some((n) => n.labels.tier === "workers")).toBe(true);

    // Scale the workers pool to 2: a new node joins and is Ready.
    await tab("Overview").click();
    const workers = page.getByTestId("pool-workers");
    await workers.getByLabel("Nodes in workers").fill("2");
    // The new price shows before the resize is applied.
    await expect(workers.getByTestId("resize-estimate")).toContainText(/New estimate €[\d.]+ \/ hour/);
    await workers.getByRole("button", { name: "Resize" }).click();
    await expect(page.getByTestId("current-operation")).toBeVisible();
    await expect(page.getByTestId("cluster-status")).toHaveAttribute("data-status", "running", { timeout: 60_000 });
    await expect
      .poll(async () => (await kubectlNodes(kubeconfig)).filter((n) => n.ready).length, {
        timeout: 30_000,
        message: "3 nodes Ready after the resize",
      })
      .toBe(3);
    await expect(workers.getByTestId("pool-count")).toHaveText("2/2");

    // Delete with typed confirmation; the page shows the progress and the cleanup report.
    await tab("Settings").click();
    await page.getByRole("button", { name: "Delete cluster" }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${name}?` });
    const confirm = dialog.getByRole("button", { name: "Delete cluster" });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel("Cluster name").fill(name);
    await confirm.click();
    await expect(page.getByTestId("cluster-status")).toHaveAttribute("data-status", "deleted", { timeout: 60_000 });
    await expect(page.getByTestId("cleanup-report")).toBeVisible();

    // Nothing of it is left at localcloud.
    await expect.poll(() => localcloudLeftovers(clusterId), { timeout: 15_000 }).toEqual([]);
    await page.goto("/clusters");
    await expect(page.getByRole("link", { name })).toHaveCount(0);
  } catch (err) {
    // On failure, what kubectl printed helps more than a timeout.
    const file = join(dir, `${name}-kubeconfig.yaml`);
    const nodes = await kubectlGetNodesText(file).catch(() => "");
    if (nodes) console.error(`kubectl get nodes:\n${nodes}`);
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Another organization's cluster does not exist for this user: not in the list, its page is "not found".
test("a cluster of another organization is not found in the portal", async ({ page, browser }) => {
  test.setTimeout(90_000);
  await makeTenant(page, "orga");
  const name = `x-${Math.random().toString(36).slice(2, 8)}`;
  const created = await trpc<{ id: string }>(page.request, "clusters.create", {
    name,
    nodePools: [{ name: "default", flavor: "s-1vcpu-2gb", count: 1 }],
  });
  const id = created.id;
  const context = await browser.newContext();
  const other = await context.newPage();
  try {
    await makeTenant(other, "orgb");
    await other.goto(`/clusters/${id}`);
    await expect(other.getByText("Cluster not found")).toBeVisible();
    await expect(other.getByText(name)).toHaveCount(0);
    await other.goto("/clusters");
    await expect(other.getByText("No clusters yet")).toBeVisible();
    // The owner still sees it.
    await page.goto("/clusters");
    await expect(page.getByRole("link", { name })).toBeVisible();
  } finally {
    await context.close();
    // Clean up once its creation finished (one operation at a time).
    await expect
      .poll(async () => (await trpc<{ status: string }>(page.request, "clusters.get", { id }, "query")).status, {
        timeout: 60_000,
      })
      .toMatch(/running|error/);
    await trpc(page.request, "clusters.delete", { id, confirmName: name });
  }
});

// A viewer sees the organization's cluster but is offered nothing that changes it.
test("a viewer sees clusters but cannot create, resize or delete them", async ({ page, browser }) => {
  test.setTimeout(90_000);
  await makeTenant(page, "owner");
  const name = `v-${Math.random().toString(36).slice(2, 8)}`;
  const { id } = await trpc<{ id: string }>(page.request, "clusters.create", {
    name,
    nodePools: [{ name: "default", flavor: "s-1vcpu-2gb", count: 1 }],
  });
  const viewer = newUser("viewer");
  await trpc(page.request, "invitations.create", { email: viewer.email, role: "viewer" });
  const mail = await waitForMail(viewer.email, { subject: /invited/i });
  const token = new URL(linkIn(mail, "/invite/"), BASE_URL).pathname.split("/").pop();
  const context = await browser.newContext();
  const guest = await context.newPage();
  try {
    await signUpByApi(guest.request, viewer, token);
    await signInByApi(guest.request, viewer);
    await guest.goto("/clusters");
    await expect(guest.getByText("Your role can see clusters but not create or change them.")).toBeVisible();
    await expect(guest.getByRole("link", { name: "Create cluster" })).toHaveCount(0);
    await guest.getByRole("link", { name }).click();
    await expect(guest.getByTestId("cluster-name")).toHaveText(name);
    await expect(guest.getByText("Your role can see this cluster but not change it.")).toBeVisible();
    await expect(guest.getByRole("button", { name: "Resize" })).toHaveCount(0);
    await expect(guest.getByRole("button", { name: "+ Add node pool" })).toHaveCount(0);
    await guest.getByRole("navigation", { name: "Tabs" }).getByRole("link", { name: "Settings" }).click();
    await expect(guest.getByText("Your role cannot delete clusters.")).toBeVisible();
    await expect(guest.getByRole("button", { name: "Delete cluster" })).toHaveCount(0);
    await guest.goto("/clusters/new");
    await expect(guest.getByText(/Your role can see clusters but not create them/)).toBeVisible();
    // The server refuses too.
    const res = await trpcRaw(guest.request, "clusters.delete", { id, confirmName: name });
    expect(res.status()).toBe(403);
  } finally {
    await context.close();
    await expect
      .poll(async () => (await trpc<{ status: string }>(page.request, "clusters.get", { id }, "query")).status, {
        timeout: 60_000,
      })
      .toMatch(/running|error/);
    await trpc(page.request, "clusters.delete", { id, confirmName: name });
  }
});

// An upgrade from the portal: pick the version, watch the control plane restart on it and the
// nodes get replaced, and the page shows the new version once it runs.
test("a cluster upgrade from the portal: version select, steps, new version", async ({ page }) => {
  test.setTimeout(150_000);
  await makeTenant(page, "upgrade");
  const name = `u-${Math.random().toString(36).slice(2, 8)}`;
  const { id } = await trpc<{ id: string }>(page.request, "clusters.create", {
    name,
    version: "1.32",
    nodePools: [{ name: "default", flavor: "s-1vcpu-2gb", count: 1 }],
  });
  try {
    await page.goto(`/clusters/${id}`);
    await expect(page.getByTestId("cluster-status")).toHaveAttribute("data-status", "running", { timeout: 90_000 });
    await expect(page.getByText("Running 1.32")).toBeVisible();
    await page.getByLabel("Upgrade to").selectOption("1.33");
    await page.getByRole("button", { name: "Upgrade" }).click();
    await expect(page.getByTestId("current-operation")).toBeVisible();
    const step = (s: string) => page.locator(`[data-testid="operation-step"][data-step="${s}"]`);
    await expect(step("control-plane")).toBeVisible();
    await expect(step("nodes")).toBeVisible();
    await expect(page.getByTestId("cluster-status")).toHaveAttribute("data-status", "running", { timeout: 90_000 });
    await expect(step("control-plane")).toHaveAttribute("data-status", "succeeded");
    // The control plane itself runs the new version: the step checked the cluster's /version.
    await expect(step("control-plane")).toContainText("v1.33.1");
    await expect(page.getByText("Running 1.33")).toBeVisible();
    await expect(page.getByText("This is the newest version offered.")).toBeVisible();
  } finally {
    await expect
      .poll(async () => (await trpc<{ status: string }>(page.request, "clusters.get", { id }, "query")).status, {
        timeout: 60_000,
      })
      .toMatch(/running|error/);
    await trpc(page.request, "clusters.delete", { id, confirmName: name });
  }
});
