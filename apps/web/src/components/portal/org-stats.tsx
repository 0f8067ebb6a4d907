import Link from "next/link";
import { formatDateTime } from "~/lib/format";
import { getCaller } from "~/trpc/server";

interface Stat {
  label: string;
  value: string;
  href?: string;
}

/** Counts a role may read; a refused list is simply left out. */
async function settle<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}

export async function OrgStats() {
  const caller = await getCaller();
  const [org, members, invitations, tokens] = await Promise.all([
    settle(caller.org.get()),
    settle(caller.members.list()),
    settle(caller.invitations.list()),
    settle(caller.tokens.list()),
  ]);
  const stats: Stat[] = [];
  if (members) stats.push({ label: "Members", value: String(members.length), href: "/settings/members" });
  if (invitations) {
    const pending = invitations.filter((i) => i.status === "valid").length;
    stats.push({ label: "Pending invitations", value: String(pending), href: "/settings/members" });
  }
  if (tokens) {
    const active = tokens.filter((t) => !t.revokedAt && (!t.expiresAt || t.expiresAt.getTime() > Date.now())).length;
    stats.push({ label: "Active API tokens", value: String(active), href: "/settings/tokens" });
  }
  if (org) stats.push({ label: "Created", value: formatDateTime(org.createdAt).replace(/, .*$/, "") });
  return (
    <dl className="grid grid-cols-2 gap-4 md:grid-cols-4">
      {stats.map((s) => (
        <div key={s.label} className="rounded-lg bg-white px-5 py-4 shadow-sm ring-1 ring-slate-200">
          <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{s.label}</dt>
          <dd className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">
            {s.href ? (
              <Link href={s.href} className="hover:text-indigo-600">
                {s.value}
              </Link>
            ) : (
              s.value
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
