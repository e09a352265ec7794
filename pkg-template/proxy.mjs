// agentbay-wasm/proxy: keeps the AgentBay API key on a server. A dependency-free Node request
// handler for `node:http`, Express/Connect-style middleware and the Vite dev server: it reads the
// POP request (Action and fields in the query and in an x-www-form-urlencoded body), drops any
// Authorization the client sent, adds `Bearer <apiKey>`, forwards to the upstream endpoint and
// streams the answer back. Strict by default (see createProxy). Never logs the key.
//
// Plain module with no imports: scripts/assemble-pkg.mjs copies it and makes proxy.cjs from it.

const OWN_IDS = ["SessionId", "ContextId", "Id"];
const DEFAULT_REFUSED = ["DeleteContext", "ClearContext"];
const MAX_BODY = 8 * 1024 * 1024;

function refuse(res, action, why, status = 403) {
  const body = JSON.stringify({
    RequestId: "proxy-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10),
    Success: false,
    Code: "Forbidden.ProxyRefused",
    Message: `agentbay-wasm/proxy refused ${action || "the request"}: ${why}`,
    HttpStatusCode: status,
  });
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(body));
  res.end(body);
}

// Every SessionId / ContextId / Id a request names: as a field, or inside a JSON field such as
// PersistenceDataList or BindContexts' list.
function namedIds(params) {
  const out = [];
  const walk = (v, depth) => {
    if (depth > 8 || v === null || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v)) {
      if (OWN_IDS.includes(k) && (typeof x === "string" || typeof x === "number")) out.push(String(x));
      else if (typeof x === "string" && /^[\[{]/.test(x.trim())) walk(tryJson(x), depth + 1);
      else walk(x, depth + 1);
    }
  };
  for (const [k, v] of Object.entries(params)) {
    // `Id`, or a flattened `PersistenceDataList.1.ContextId` (the Python/Go list encoding).
    if (OWN_IDS.includes(k.split(".").pop())) out.push(v);
    else if (/^[\[{]/.test(v.trim())) walk(tryJson(v), 0);
  }
  return out;
}

// The fields of a request, query then body, as one map; a name given twice (in either place) with
// different values is refused: the proxy checks one value, and an upstream that read the other
// would bypass the check. (The same value twice is harmless; agentbay-local accepts it too.)
function mergeFields(pairs) {
  const params = {};
  for (const [k, v] of pairs) {
    if (Object.prototype.hasOwnProperty.call(params, k) && params[k] !== v && k !== "Authorization") {
      throw Object.assign(new Error(`the field ${k} is given more than once, with different values`), { status: 400 });
    }
    params[k] = v;
  }
  return params;
}

function tryJson(s) {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

async function readBody(req) {
  // Connect-style stacks may have parsed the body already.
  if (req.body !== undefined && (req.readableEnded || req.complete)) {
    if (Buffer.isBuffer(req.body)) return req.body;
    if (typeof req.body === "string") return Buffer.from(req.body);
    if (req.body && typeof req.body === "object") return Buffer.from(new URLSearchParams(req.body).toString());
  }
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) throw Object.assign(new Error(`request body over ${MAX_BODY} bytes`), { status: 413 });
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/**
 * @param {{ apiKey: string, endpoint: string, mountPath?: string,
 *   allow?: (action: string, params: Record<string, string>, req: any) => boolean | Promise<boolean>,
 *   refuseActions?: string[], restrictIds?: boolean }} options
 */
export function createProxy(options = {}) {
  const apiKey = typeof options.apiKey === "string" ? options.apiKey.trim() : "";
  if (!apiKey) throw new TypeError("agentbay-wasm/proxy: apiKey is required");
  if (!options.endpoint) throw new TypeError("agentbay-wasm/proxy: endpoint (the upstream AgentBay URL) is required");
  const raw = String(options.endpoint).trim();
  const upstream = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
  const upstreamBase = upstream.origin + upstream.pathname.replace(/\/+$/, "");
  const mount = "/" + String(options.mountPath ?? "/").replace(/^\/+|\/+$/g, "");
  const refused = new Set(options.refuseActions ?? DEFAULT_REFUSED);
  const restrictIds = options.restrictIds !== false;
  const allow = typeof options.allow === "function" ? options.allow : () => true;
  const known = new Set();

  function owns(pathname) {
    return pathname === mount || pathname === (mount === "/" ? "/" : mount + "/");
  }

  const handler = async function agentbayProxy(req, res, next) {
    // Express strips its own mount point into req.url and keeps the whole path in originalUrl.
    const url = new URL(req.url || "/", "http://proxy.invalid");
    if (!owns(url.pathname)) {
      if (typeof next === "function") return next();
      return refuse(res, "", `no AgentBay endpoint at ${url.pathname}`, 404);
    }
    let action = url.searchParams.get("Action") || req.headers["x-acs-action"] || "";
    try {
      if (req.method === "OPTIONS") {
        res.statusCode = 204;
        return res.end();
      }
      if (req.method !== "POST" && req.method !== "GET") return refuse(res, action, `method ${req.method}`, 405);
      const body = await readBody(req);
      const form = /x-www-form-urlencoded/i.test(req.headers["content-type"] || "");
      const bodyPairs = form && body.length ? [...new URLSearchParams(body.toString("utf8"))] : [];
      const params = mergeFields([...url.searchParams, ...bodyPairs]);
      // The action is the request's Action field; a header naming another one is refused.
      const header = req.headers["x-acs-action"];
      if (params.Action && header && header !== params.Action) {
        return refuse(res, params.Action, `the x-acs-action header names ${header}`, 400);
      }
      action = params.Action || action;
      delete params.Authorization;
      if (!action) return refuse(res, "", "no Action");
      if (refused.has(action)) return refuse(res, action, "this action is not allowed through the proxy");
      if (restrictIds) {
        for (const id of namedIds(params)) {
          if (!known.has(id)) return refuse(res, action, `${id} was not created through this proxy`);
        }
      }
      if (!(await allow(action, params, req))) return refuse(res, action, "not allowed by allow()");

      // Rebuilt without the client's Authorization: fields stay where they were (query or body).
      const query = new URLSearchParams(url.search);
      query.delete("Authorization");
      const fields = form ? new URLSearchParams(body.toString("utf8")) : new URLSearchParams();
      fields.delete("Authorization");
      fields.set("Authorization", `Bearer ${apiKey}`);
      const headers = { "content-type": "application/x-www-form-urlencoded" };
      for (const h of ["x-acs-action", "x-acs-version", "accept"]) if (req.headers[h]) headers[h] = req.headers[h];
      const upstreamRes = await fetch(`${upstreamBase}/?${query}`, { method: "POST", headers, body: fields.toString() });

      const track = ["CreateMcpSession", "GetContext", "GetAndLoadInternalContext", "ListContexts", "ListSession"].includes(action);
      res.statusCode = upstreamRes.status;
      const type = upstreamRes.headers.get("content-type");
      if (type) res.setHeader("content-type", type);
      if (!track || !restrictIds) {
        const len = upstreamRes.headers.get("content-length");
        if (len) res.setHeader("content-length", len);
        if (upstreamRes.body) for await (const chunk of upstreamRes.body) res.write(chunk);
        return res.end();
      }
      // Replies that give ids are read whole (they are small envelopes).
      let text = await upstreamRes.text();
      const json = tryJson(text);
      const data = json && json.Data;
      if (json && json.Success !== false && data) {
        if (action === "CreateMcpSession" && data.SessionId) known.add(String(data.SessionId));
        if (action === "GetContext" && data.Id && /^true$/i.test(params.AllowCreate || "")) known.add(String(data.Id));
        // A session's own file-transfer context (fileSystem.uploadFile / downloadFile): the request
        // named a session this proxy created (checked above), so its internal context is its own.
        if (action === "GetAndLoadInternalContext" && Array.isArray(data)) {
          for (const c of data) if (c && c.ContextId) known.add(String(c.ContextId));
        }
        if ((action === "ListContexts" || action === "ListSession") && Array.isArray(data)) {
          json.Data = data.filter((d) => d && known.has(String(d.Id ?? d.SessionId ?? "")));
          if (typeof json.TotalCount === "number") json.TotalCount = json.Data.length;
          text = JSON.stringify(json);
        }
      }
      res.setHeader("content-length", Buffer.byteLength(text));
      res.end(text);
    } catch (e) {
      if (res.headersSent) return res.destroy();
      const status = e && (e.status === 413 || e.status === 400) ? e.status : 502;
      // The message of a failed fetch never contains the key (it is only in the body sent).
      refuse(res, action, status === 502 ? `upstream request failed: ${e && e.message}` : e.message, status);
    }
  };
  /** The ids (sessions and contexts) this proxy created and lets requests name. */
  handler.knownIds = known;
  return handler;
}
