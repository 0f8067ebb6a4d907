// The tiny shell the simulated busybox/alpine containers understand: `echo …`, `sleep N`,
// `exit N`, `true`, `false`, joined by `;`, `&&`, newlines, and `sh -c "…"` / `while true; do …; done`.

export type Step =
  | { op: "echo"; text: string }
  | { op: "sleep"; seconds: number }
  | { op: "exit"; code: number }
  /** `wget`/`curl` through the cluster's simulated network (net/network.ts). */
  | { op: "fetch"; tool: "wget" | "curl"; url: string; toStdout: boolean; quiet: boolean }
  | { op: "nslookup"; host: string };

export interface Program {
  steps: Step[];
  /** Repeat the steps forever (`while true; do …; done`). */
  loop: boolean;
  /** Runs forever after the steps (e.g. `sleep infinity`, `tail -f /dev/null`). */
  forever: boolean;
}

function unquote(s: string): string {
  const t = s.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

function splitStatements(script: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
      cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
      continue;
    }
    if (ch === ";" || ch === "\n" || (ch === "&" && script[i + 1] === "&") || (ch === "|" && script[i + 1] === "|")) {
      if (ch === "&" || ch === "|") i++;
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  return out.filter(Boolean);
}

function parseScript(script: string, prog: Program): void {
  let body = script.trim();
  const loop = /^while\s+(true|:|sleep\s+[\d.]+)\s*;?\s*do\s+([\s\S]*?);?\s*done\s*$/.exec(body);
  if (loop) {
    prog.loop = true;
    body = loop[2] ?? "";
    // `while sleep 0.01; do …; done` (the HPA walkthrough's load generator) sleeps each round.
    const pause = /^sleep\s+([\d.]+)/.exec(loop[1] ?? "");
    if (pause) prog.steps.push({ op: "sleep", seconds: Number.parseFloat(pause[1] ?? "0") || 0 });
  }
  for (const stmt of splitStatements(body)) {
    const words = stmt.split(/\s+/);
    const cmd = words[0] ?? "";
    if (cmd === "echo") {
      const text = stmt.slice(4).trim();
      prog.steps.push({ op: "echo", text: unquote(text.replace(/^-[neE]+\s+/, "")) });
    } else if (cmd === "sleep") {
      const arg = words[1] ?? "0";
      if (arg === "infinity") prog.forever = true;
      else prog.steps.push({ op: "sleep", seconds: Number.parseFloat(arg) || 0 });
    } else if (cmd === "exit") {
      prog.steps.push({ op: "exit", code: Number.parseInt(words[1] ?? "0", 10) || 0 });
    } else if (cmd === "false") {
      prog.steps.push({ op: "exit", code: 1 });
    } else if ((cmd === "sh" || cmd === "bash" || cmd === "/bin/sh") && words[1] === "-c") {
      parseScript(unquote(stmt.replace(/^\S+\s+-c\s+/, "")), prog);
    } else if (cmd === "wget" || cmd === "curl") {
      const args = words.slice(1).map(unquote);
      const url = [...args]
        .reverse()
        .find((a, i, all) => !a.startsWith("-") && all[i + 1] !== "-O" && all[i + 1] !== "-o");
      if (url) {
        const flags = args.filter((a) => a.startsWith("-")).join(" ");
        prog.steps.push({
          op: "fetch",
          tool: cmd,
          url,
          toStdout: cmd === "curl" || /-\w*O-|-O\s+-|-O\s*$/.test(`${flags} `) || args.includes("-"),
          quiet: cmd === "curl" || /-\w*q|-s/.test(flags),
        });
      }
    } else if (cmd === "nslookup" && words[1]) {
      prog.steps.push({ op: "nslookup", host: unquote(words[1]) });
    } else if (cmd === "tail" && stmt.includes("-f")) {
      prog.forever = true;
    }
    // Anything else (true, date, cat, …) succeeds silently.
  }
}

/** Builds the program of a container from its command and args (Kubernetes semantics). */
export function parseProgram(command: string[] | undefined, args: string[] | undefined): Program {
  const prog: Program = { steps: [], loop: false, forever: false };
  const argv = [...(command ?? []), ...(args ?? [])];
  if (argv.length === 0) return prog;
  const bin = (argv[0] ?? "").split("/").pop();
  if ((bin === "sh" || bin === "bash" || bin === "ash") && argv[1] === "-c") {
    parseScript(argv.slice(2).join(" "), prog);
  } else {
    parseScript(argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(" "), prog);
  }
  return prog;
}
