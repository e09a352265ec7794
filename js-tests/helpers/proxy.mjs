// A recording (and optionally rewriting) proxy between the SDK and agentbay-local: tests prove what
// the SDK sent, and can change what it receives (e.g. hold back a context's sync status).
import { createServer } from "node:http";

/**
 * @param {string} target the server's endpoint
 * @param {{ rewrite?: (action: string, params: object, json: any) => any }} [options] may return a
 *   replacement for a JSON reply
 * @returns {Promise<{ endpoint: string, requests: { action: string, params: object }[], close: () => Promise<void> }>}
 */
export async function startProxy(target, options = {}) {
  const requests = [];
  const http = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, target);
    const params = Object.fromEntries(url.searchParams);
    if (/x-www-form-urlencoded/.test(req.headers["content-type"] ?? "")) {
      Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
    }
    const action = params.Action ?? req.headers["x-acs-action"];
    requests.push({ action, params });
    const headers = { ...req.headers };
    delete headers.host;
    delete headers["content-length"];
    try {
      const r = await fetch(url, { method: req.method, headers, body: body.length ? body : undefined });
      let out = Buffer.from(await r.arrayBuffer());
      const type = r.headers.get("content-type") ?? "application/json";
      if (options.rewrite && /json/.test(type)) {
        const replaced = options.rewrite(action, params, JSON.parse(out.toString("utf8")));
        if (replaced !== undefined) out = Buffer.from(JSON.stringify(replaced));
      }
      res.writeHead(r.status, { "content-type": type });
      res.end(out);
    } catch (e) {
      res.writeHead(502);
      res.end(String(e));
    }
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${http.address().port}`,
    requests,
    close: () => new Promise((resolve) => http.close(resolve)),
  };
}
