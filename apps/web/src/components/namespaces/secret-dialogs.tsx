"use client";

import { Banner, Button, Dialog, Input, Select } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { fieldErrors, formError } from "~/lib/errors";
import { useTRPC } from "~/trpc/client";
import { type ItemRow, KeyValueRows, toRecord, toRows } from "./shared";

type SecretKind = "generic" | "docker-registry" | "tls";
const KIND_OF_TYPE: Record<string, SecretKind> = {
  Opaque: "generic",
  "kubernetes.io/dockerconfigjson": "docker-registry",
  "kubernetes.io/tls": "tls",
};

/**
 * Create a Secret or ConfigMap, or replace one's values (a new version). Secret values are
 * write-only: an update asks for every value again.
 */
export function ItemDialog({
  open,
  onClose,
  namespaceId,
  kind,
  existing,
}: {
  open: boolean;
  onClose: () => void;
  namespaceId: string;
  kind: "secret" | "configmap";
  existing: ItemRow | null;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [name, setName] = useState(existing?.name ?? "");
  const [type, setType] = useState<SecretKind>(existing ? (KIND_OF_TYPE[existing.type] ?? "generic") : "generic");
  const [rows, setRows] = useState<{ key: string; value: string }[]>(
    kind === "configmap" ? toRows(existing?.data) : (existing?.keys ?? [""]).map((key) => ({ key, value: "" })),
  );
  const [docker, setDocker] = useState({ server: "", username: "", password: "", email: "" });
  const [tls, setTls] = useState({ cert: "", key: "" });
  const done = async () => {
    await qc.invalidateQueries({
      queryKey: (kind === "secret" ? trpc.secrets.list : trpc.configMaps.list).queryKey({ namespaceId }),
    });
    onClose();
  };
  const createSecret = useMutation(trpc.secrets.create.mutationOptions({ onSuccess: done }));
  const updateSecret = useMutation(trpc.secrets.update.mutationOptions({ onSuccess: done }));
  const createCm = useMutation(trpc.configMaps.create.mutationOptions({ onSuccess: done }));
  const updateCm = useMutation(trpc.configMaps.update.mutationOptions({ onSuccess: done }));
  const m = kind === "secret" ? (existing ? updateSecret : createSecret) : existing ? updateCm : createCm;
  const errors = fieldErrors(m.error);
  const content = () =>
    type === "generic"
      ? { type, data: toRecord(rows) }
      : type === "docker-registry"
        ? {
            type,
            server: docker.server,
            username: docker.username,
            password: docker.password,
            ...(docker.email ? { email: docker.email } : {}),
          }
        : { type, cert: tls.cert, key: tls.key };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (kind === "secret") {
      if (existing) updateSecret.mutate({ id: existing.id, content: content() as never });
      else createSecret.mutate({ namespaceId, name, content: content() as never });
    } else if (existing) updateCm.mutate({ id: existing.id, data: toRecord(rows) });
    else createCm.mutate({ namespaceId, name, data: toRecord(rows) });
  };
  const what = kind === "secret" ? "secret" : "ConfigMap";
  const area =
    "block w-full rounded-md border-0 px-3 py-2 font-mono text-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 focus:outline-none";
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={existing ? `New version of ${existing.name}` : `Add a ${what}`}
      description={
        kind === "secret"
          ? "Values are encrypted before they are stored and are never shown again; the cluster gets them within seconds."
          : "ConfigMap values are plain configuration, visible to everyone who can read the namespace."
      }
    >
      <form onSubmit={submit} className="space-y-4" noValidate>
        {existing ? null : (
          <Input
            label={`${kind === "secret" ? "Secret" : "ConfigMap"} name`}
            value={name}
            autoComplete="off"
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
          />
        )}
        {kind === "secret" ? (
          <Select
            label="Type"
            value={type}
            onChange={(e) => setType(e.target.value as SecretKind)}
            options={[
              { value: "generic", label: "Generic (key/values)" },
              { value: "docker-registry", label: "Docker registry credentials" },
              { value: "tls", label: "TLS certificate and key" },
            ]}
          />
        ) : null}
        {kind === "configmap" || type === "generic" ? (
          <div>
            <p className="mb-2 text-sm font-medium text-slate-700">Data</p>
            <KeyValueRows
              name="Key"
              rows={rows}
              onChange={setRows}
              secret={kind === "secret"}
              multiline={kind === "configmap"}
            />
          </div>
        ) : type === "docker-registry" ? (
          <div className="grid grid-cols-2 gap-3">
            <Input
              label="Registry server"
              value={docker.server}
              onChange={(e) => setDocker({ ...docker, server: e.target.value })}
              placeholder="registry.example.com"
            />
            <Input
              label="Username"
              value={docker.username}
              autoComplete="off"
              onChange={(e) => setDocker({ ...docker, username: e.target.value })}
            />
            <Input
              label="Password"
              type="password"
              autoComplete="new-password"
              value={docker.password}
              onChange={(e) => setDocker({ ...docker, password: e.target.value })}
            />
            <Input
              label="E-mail (optional)"
              value={docker.email}
              onChange={(e) => setDocker({ ...docker, email: e.target.value })}
            />
          </div>
        ) : (
          <div className="space-y-3">
            <label className="block text-sm font-medium text-slate-700">
              Certificate (PEM)
              <textarea
                className={`${area} mt-1`}
                rows={4}
                value={tls.cert}
                onChange={(e) => setTls({ ...tls, cert: e.target.value })}
              />
            </label>
            <label className="block text-sm font-medium text-slate-700">
              Private key (PEM)
              <textarea
                className={`${area} mt-1`}
                rows={4}
                value={tls.key}
                onChange={(e) => setTls({ ...tls, key: e.target.value })}
              />
            </label>
          </div>
        )}
        {formError(m.error, ["name"]) ? <Banner tone="error">{formError(m.error, ["name"])}</Banner> : null}
        <div className="flex justify-end gap-3">
          <Button type="button" variant="secondary" onClick={onClose} disabled={m.isPending}>
            Cancel
          </Button>
          <Button type="submit" pending={m.isPending}>
            {existing ? "Save new version" : `Add ${what}`}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Reveal: admins only, after confirming their password (valid 10 minutes); audited server-side. */
export function RevealDialog({ item, onClose }: { item: ItemRow | null; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const status = useQuery({ ...trpc.secrets.reauthStatus.queryOptions(), enabled: !!item });
  const [password, setPassword] = useState("");
  const reauth = useMutation(
    trpc.secrets.reauthenticate.mutationOptions({
      onSuccess: async () => {
        setPassword("");
        await qc.invalidateQueries({ queryKey: trpc.secrets.reauthStatus.queryKey() });
      },
    }),
  );
  const reveal = useMutation(trpc.secrets.reveal.mutationOptions());
  const confirmed = !!status.data?.expiresAt && new Date(status.data.expiresAt).getTime() > Date.now();
  const close = () => {
    reveal.reset();
    reauth.reset();
    setPassword("");
    onClose();
  };
  return (
    <Dialog
      open={!!item}
      onClose={close}
      title={item ? `Reveal ${item.name}` : ""}
      description="Revealing a secret's values is recorded in the audit log."
      footer={
        <Button variant="secondary" onClick={close}>
          Close
        </Button>
      }
    >
      {!confirmed ? (
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            reauth.mutate({ password });
          }}
        >
          <Input
            label="Confirm your password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fieldErrors(reauth.error).password ?? (reauth.error ? reauth.error.message : undefined)}
            hint="Needed once every 10 minutes to reveal secret values."
          />
          <Button type="submit" pending={reauth.isPending}>
            Confirm
          </Button>
        </form>
      ) : reveal.data ? (
        <dl className="space-y-2" data-testid="revealed-values">
          {Object.entries(reveal.data.data).map(([k, v]) => (
            <div key={k}>
              <dt className="font-mono text-xs text-slate-500">{k}</dt>
              <dd className="mt-0.5 break-all rounded bg-slate-50 p-2 font-mono text-xs text-slate-900">{v}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <div className="space-y-3">
          {reveal.error ? <Banner tone="error">{reveal.error.message}</Banner> : null}
          <Button onClick={() => item && reveal.mutate({ id: item.id })} pending={reveal.isPending}>
            Show values
          </Button>
        </div>
      )}
    </Dialog>
  );
}
