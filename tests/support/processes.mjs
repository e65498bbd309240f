// What the Node tests share: a free port for a server of their own, and a
// wait for what that server comes to say.
import { createServer } from "node:net";

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Polls `check` every 50 ms until it holds; past `ms`, fails naming `what`
// and, when given, what `log()` returns (the server's stderr).
export async function waitFor(check, ms, what, log = () => "") {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${log()}`.trim());
    await new Promise((r) => setTimeout(r, 50));
  }
}
