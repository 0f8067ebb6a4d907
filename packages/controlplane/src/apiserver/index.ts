// createApiServer: storage on etcd, the generic store with admission, the loopback client, and
// the HTTP handler (REST, discovery, OpenAPI, tables, authentication and RBAC).
import type { IncomingMessage, ServerResponse } from "node:http";
import { ingressAdmission } from "../admission/ingress.ts";
import { csrIdentity, namespaceLifecycle, serviceAccountDefaults } from "../admission/lifecycle.ts";
import { nodeRestriction } from "../admission/node-restriction.ts";
import { limitRangeAdmission, resourceQuotaAdmission } from "../admission/quota.ts";
import { rbacEscalation } from "../admission/rbac-escalation.ts";
import { firstServiceIp, serviceAllocator } from "../admission/services.ts";
import { RbacAuthorizer } from "../auth/rbac.ts";
import type { Client } from "../client.ts";
import { bootstrap } from "./bootstrap.ts";
import { CrdWorker } from "./crd/controller.ts";
import { createHttpHandler, type HttpOptions } from "./http.ts";
import { createLoopbackClient } from "./loopback.ts";
import { NamespaceWorker } from "./namespaces.ts";
import { ServedResources } from "./served.ts";
import { Storage } from "./storage.ts";
import { Store } from "./store.ts";
import { Subresources } from "./subresources.ts";
import { minorOf } from "./versions.ts";

export interface ApiServerOptions extends HttpOptions {
  etcdUrl: string;
  prefix: string;
  encryptionKeyBase64?: string;
  serviceCidr?: string;
  clusterCidr?: string;
}

export interface ApiServer {
  client: Client;
  store: Store;
  authorizer: RbacAuthorizer;
  subresources: Subresources;
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** Resolves once bootstrap objects exist and caches are warm. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function createApiServer(opts: ApiServerOptions): ApiServer {
  const storage = new Storage({
    etcdUrl: opts.etcdUrl,
    prefix: opts.prefix,
    encryptionKeyBase64: opts.encryptionKeyBase64,
  });
  const store = new Store(storage);
  store.resources = new ServedResources(minorOf(opts.version));
  const serviceCidr = opts.serviceCidr ?? "10.96.0.0/12";
  store.admission = [
    namespaceLifecycle(store),
    serviceAccountDefaults(),
    csrIdentity(),
    serviceAllocator(store, serviceCidr),
    limitRangeAdmission(store),
    resourceQuotaAdmission(store),
  ];
  const subs = new Subresources(store);
  const client = createLoopbackClient(store, subs);
  const authorizer = new RbacAuthorizer(store);
  store.admission.push(rbacEscalation(store, authorizer), nodeRestriction(), ingressAdmission(store));
  const namespaces = new NamespaceWorker(store);
  const crds = new CrdWorker(store);
  const http = createHttpHandler({ ...opts, store, subs, authorizer });
  const ready = (async () => {
    await bootstrap(store, firstServiceIp(serviceCidr));
    await authorizer.start();
    await namespaces.start();
    await crds.start();
  })();
  ready.catch(() => {});
  return {
    client,
    store,
    authorizer,
    subresources: subs,
    ready,
    handler: http.handle,
    async stop() {
      await ready.catch(() => {});
      namespaces.stop();
      crds.stop();
      authorizer.stop();
      http.stop();
      await storage.close();
    },
  };
}
