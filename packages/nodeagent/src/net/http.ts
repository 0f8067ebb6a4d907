// What a simulated container answers to an HTTP request, per image: nginx and httpd answer like
// their real servers (welcome page, Server header, 404 page) and log an access line in their
// own format; other serving images echo the request (handy to see which pod answered).
import { parseImage } from "../images.ts";

export interface SimRequest {
  method: string;
  /** Path with query string. */
  path: string;
  clientIP: string;
  userAgent: string;
  host?: string;
  referer?: string;
  forwardedFor?: string;
  headers?: Record<string, string | string[] | undefined>;
  /** The pod's name (the container's hostname). */
  podName?: string;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The access-log line the server writes, if it writes one. */
  accessLog?: string;
}

const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const nginxError = (code: number, text: string, ver: string) =>
  `<html>\r\n<head><title>${code} ${text}</title></head>\r\n<body>\r\n<center><h1>${code} ${text}</h1></center>\r\n<hr><center>nginx/${ver}</center>\r\n</body>\r\n</html>\r\n`;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** `22/Nov/2026:07:40:01 +0000`, nginx's and Apache's $time_local in UTC. */
export function timeLocal(d = new Date()): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

export function nginxVersion(image: string): string {
  const tag = parseImage(image).tag;
  const m = /^(\d+\.\d+\.\d+)/.exec(tag);
  if (m) return m[1] as string;
  const m2 = /^(\d+\.\d+)/.exec(tag);
  return m2 ? `${m2[1]}.0` : "1.27.3";
}

/** The ports an image listens on when its container declares none (undefined: any port). */
export function defaultPorts(image: string): number[] | undefined {
  switch (parseImage(image).name) {
    case "nginx":
    case "httpd":
      return [80];
    case "redis":
      return [6379];
    case "mysql":
      return [3306, 33060];
    case "postgres":
      return [5432];
    default:
      return undefined;
  }
}

/** Images that speak HTTP on their ports (the others accept TCP and answer their own protocol). */
export function speaksHttp(image: string): boolean {
  return !["redis", "mysql", "postgres", "mariadb", "mongo"].includes(parseImage(image).name);
}

export function respond(image: string, req: SimRequest): SimResponse {
  const name = parseImage(image).name;
  const pathOnly = req.path.split("?")[0] ?? "/";
  const head = req.method === "HEAD";
  const date = new Date();
  if (name === "nginx") {
    const ver = nginxVersion(image);
    const known = pathOnly === "/" || pathOnly === "/index.html" || pathOnly === "/50x.html";
    const allowed = ["GET", "HEAD", "POST"].includes(req.method);
    const status = !allowed ? 405 : !known ? 404 : req.method === "POST" ? 405 : 200;
    const body = status === 200 ? NGINX_WELCOME : nginxError(status, status === 404 ? "Not Found" : "Not Allowed", ver);
    const headers: Record<string, string> = {
      Server: `nginx/${ver}`,
      Date: date.toUTCString(),
      "Content-Type": "text/html",
    };
    if (status === 200) {
      headers["Last-Modified"] = "Tue, 26 Nov 2024 15:55:00 GMT";
      headers.ETag = '"6745ef54-267"';
      headers["Accept-Ranges"] = "bytes";
    }
    const sent = head ? 0 : Buffer.byteLength(body);
    return {
      status,
      headers,
      body: head ? "" : body,
      accessLog: `${req.clientIP} - - [${timeLocal(date)}] "${req.method} ${req.path} HTTP/1.1" ${status} ${sent} "${req.referer ?? "-"}" "${req.userAgent}" "${req.forwardedFor ?? "-"}"`,
    };
  }
  if (name === "httpd") {
    const ok = pathOnly === "/" || pathOnly === "/index.html";
    const status = ok ? 200 : 404;
    const body = ok
      ? "<html><body><h1>It works!</h1></body></html>\n"
      : `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n`;
    return {
      status,
      headers: { Server: "Apache/2.4.62 (Unix)", Date: date.toUTCString(), "Content-Type": "text/html" },
      body: head ? "" : body,
      accessLog: `${req.clientIP} - - [${timeLocal(date)}] "${req.method} ${req.path} HTTP/1.1" ${status} ${head ? "-" : Buffer.byteLength(body)}`,
    };
  }
  // Any other serving image: an echo server (the request as JSON), like the echoserver images
  // the Kubernetes docs use.
  const body = `${JSON.stringify(
    {
      hostname: req.podName ?? "",
      method: req.method,
      path: req.path,
      host: req.host ?? "",
      clientIP: req.clientIP,
    },
    null,
    2,
  )}\n`;
  return {
    status: 200,
    headers: { "Content-Type": "application/json", Date: date.toUTCString() },
    body: head ? "" : body,
    accessLog: `${req.clientIP} "${req.method} ${req.path}" 200`,
  };
}
