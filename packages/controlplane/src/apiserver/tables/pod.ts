// Pod READY / STATUS / RESTARTS, computed as kubectl's printPod does.
type Json = any;

export function podReadyAndStatus(pod: Json): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  const total = (spec.containers ?? []).length;
  let readyCount = 0;
  let restarts = 0;
  let reason: string = st.reason || st.phase || "Pending";
  let initializing = false;
  const inits: Json[] = st.initContainerStatuses ?? [];
  const initTotal = (spec.initContainers ?? []).length;
  inits.forEach((c, i) => {
    if (initializing) return;
    restarts += c.restartCount ?? 0;
    const t = c.state?.terminated;
    const w = c.state?.waiting;
    if (t && t.exitCode === 0) return;
    if (c.started && spec.initContainers?.[i]?.restartPolicy === "Always") return;
    if (t) {
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    } else if (w?.reason && w.reason !== "PodInitializing") reason = `Init:${w.reason}`;
    else reason = `Init:${i}/${initTotal}`;
    initializing = true;
  });
  if (!initializing) {
    let hasRunning = false;
    const cs: Json[] = [...(st.containerStatuses ?? [])].reverse();
    for (const c of cs) {
      restarts += c.restartCount ?? 0;
      const w = c.state?.waiting;
      const t = c.state?.terminated;
      if (w?.reason) reason = w.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === "Completed" && hasRunning) {
      const readyCond = (st.conditions ?? []).some((c: Json) => c.type === "Ready" && c.status === "True");
      reason = readyCond ? "Running" : "NotReady";
    }
  }
  if (pod.metadata?.deletionTimestamp) reason = st.reason === "NodeLost" ? "Unknown" : "Terminating";
  return { ready: `${readyCount}/${total}`, status: reason, restarts: String(restarts) };
}
