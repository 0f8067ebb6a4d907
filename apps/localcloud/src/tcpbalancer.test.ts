// The HA endpoint's TCP balancer: spreads connections over live backends, skips a dead one (at
// once when it refuses, and after its health check), and passes bytes through untouched.
import { connect, createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "./controlplanes.ts";
import { type Backend, TcpBalancer } from "./tcpbalancer.ts";

const servers: Server[] = [];
let balancer: TcpBalancer | undefined;

afterEach(async () => {
  await balancer?.close();
  balancer = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A backend that answers each connection with its name, then echoes. */
async function backend(name: string): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => {
    s.on("error", () => {});
    s.write(`${name}:`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  servers.push(server);
  const addr = server.address();
  return { port: typeof addr === "object" && addr ? addr.port : 0, server };
}

function ask(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port });
    let out = "";
    s.on("data", (d) => {
      out += d.toString();
      if (out.endsWith(text)) {
        s.end();
        resolve(out);
      }
    });
    s.on("error", reject);
    s.on("close", () => resolve(out));
    s.write(text);
  });
}

describe("TcpBalancer", () => {
  it("round-robins over live backends and skips one that died", async () => {
    const a = await backend("a");
    const b = await backend("b");
    const port = await freePort();
    const list: Backend[] = [
      { host: "127.0.0.1", port: a.port, up: true },
      { host: "127.0.0.1", port: b.port, up: true },
    ];
    balancer = new TcpBalancer({ host: "127.0.0.1", port }, () => list, { checkEveryMs: 50 });
    await balancer.start();
    const first = await Promise.all([ask(port, "x1"), ask(port, "x2"), ask(port, "x3"), ask(port, "x4")]);
    expect(first.every((r) => /^[ab]:x\d$/.test(r))).toBe(true);
    expect(new Set(first.map((r) => r[0])).size).toBe(2);

    // b dies without the supervisor knowing yet: connections still all land on a.
    await new Promise<void>((r) => b.server.close(() => r()));
    const after = await Promise.all([ask(port, "y1"), ask(port, "y2"), ask(port, "y3")]);
    expect(after).toEqual(["a:y1", "a:y2", "a:y3"]);
    await new Promise((r) => setTimeout(r, 150));
    expect(balancer.healthy().map((x) => x.port)).toEqual([a.port]);

    // A backend the supervisor marks down is not used either.
    list[0]!.up = false;
    list[1]!.up = true;
    const c = await backend("c");
    list.push({ host: "127.0.0.1", port: c.port, up: true });
    expect(await ask(port, "z")).toBe("c:z");
  });
});
