// Banners above every portal page (rendered by the portal layout): "viewing as" for a platform
// admin reading a tenant's portal, the org's suspension with its reason, and announcements.
import { portalBanners, VIEW_AS_COOKIE, verifyViewAs } from "@nuage/core";
import { Banner, Button } from "@nuage/ui";
import { cookies } from "next/headers";
import type { Me } from "~/lib/me";

export async function TenantBanners({ me }: { me: Me }) {
  const jar = await cookies();
  const viewing = me.user.isPlatformAdmin ? verifyViewAs(jar.get(VIEW_AS_COOKIE)?.value, me.user.id) : null;
  const b = await portalBanners(me.currentOrg?.id ?? null);
  if (!viewing && !b.suspended && !b.deleting && b.announcements.length === 0) return null;
  return (
    <div className="mx-auto max-w-6xl space-y-2 px-4 pt-4 sm:px-6" data-testid="portal-banners">
      {viewing ? (
        <div data-testid="view-as-banner">
          <Banner
            tone="warning"
            title={`Viewing as ${me.currentOrg?.name ?? "a tenant"} (read-only)`}
            actions={
              <form method="post" action="/admin/view-as/end">
                <Button type="submit" size="sm" variant="secondary">
                  End view
                </Button>
              </form>
            }
          >
            You see the portal as this organization's viewers do. Every change is refused, and this view is audited.
          </Banner>
        </div>
      ) : null}
      {b.suspended ? (
        <div data-testid="suspended-banner">
          <Banner tone="error" title="This organization is suspended">
            {b.suspended.reason}. Running clusters keep running, but you cannot create clusters or add nodes. Contact
            support to lift the suspension.
          </Banner>
        </div>
      ) : null}
      {b.deleting ? (
        <Banner tone="error" title="This organization is being deleted">
          Its clusters are being deleted; the organization goes once they are.
        </Banner>
      ) : null}
      {b.announcements.map((a) => (
        <div key={a.id} data-testid="announcement-banner">
          <Banner tone={a.level === "warning" ? "warning" : "info"}>{a.message}</Banner>
        </div>
      ))}
    </div>
  );
}
