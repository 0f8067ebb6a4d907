// @peculiar/x509 depends on tsyringe, which refuses to load without the Reflect metadata API.
// It only needs the small subset below (no decorators run on our side), so this replaces the
// `reflect-metadata` package. It must be imported before @peculiar/x509.
type MetadataMap = Map<unknown, unknown>;
const store = new WeakMap<object, Map<string | symbol | undefined, MetadataMap>>();

function own(target: object, key: string | symbol | undefined, create: boolean): MetadataMap | undefined {
  let byKey = store.get(target);
  if (!byKey) {
    if (!create) return undefined;
    byKey = new Map();
    store.set(target, byKey);
  }
  let map = byKey.get(key);
  if (!map && create) {
    map = new Map();
    byKey.set(key, map);
  }
  return map;
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== "function") {
  R.defineMetadata = (metadataKey: unknown, value: unknown, target: object, key?: string | symbol) => {
    own(target, key, true)?.set(metadataKey, value);
  };
  R.getOwnMetadata = (metadataKey: unknown, target: object, key?: string | symbol) =>
    own(target, key, false)?.get(metadataKey);
  R.hasOwnMetadata = (metadataKey: unknown, target: object, key?: string | symbol) =>
    own(target, key, false)?.has(metadataKey) ?? false;
  R.getMetadata = (metadataKey: unknown, target: object, key?: string | symbol) => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      const m = own(t, key, false);
      if (m?.has(metadataKey)) return m.get(metadataKey);
    }
    return undefined;
  };
  R.metadata =
    (metadataKey: unknown, value: unknown) =>
    (target: object, key?: string | symbol): void => {
      own(target, key, true)?.set(metadataKey, value);
    };
}
