// agentbay-wasm/proxy: a Node request handler that keeps the AgentBay API key on the server.

import type { IncomingMessage, ServerResponse } from "node:http";

export interface ProxyOptions {
  /** The AgentBay API key the proxy adds to every forwarded request (never sent to the client, never logged). */
  apiKey: string;
  /** The upstream AgentBay endpoint: a URL (`http://127.0.0.1:9810`) or a host (https). */
  endpoint: string;
  /**
   * The path the proxy answers at (default `/`): requests to exactly this path (or with a trailing
   * slash) are AgentBay calls; others go to `next()` (middleware) or get a 404. Behind Express's
   * `app.use("/agentbay", proxy)` or Vite's `server.middlewares.use("/agentbay", proxy)` the prefix is
   * already stripped: leave it `/`.
   */
  mountPath?: string;
  /**
   * Called for each request that passed the built-in checks; `false` refuses it with
   * `Forbidden.ProxyRefused` (HTTP 403). `params` are the request's fields (query and body),
   * without `Authorization`.
   */
  allow?: (action: string, params: Record<string, string>, req: IncomingMessage) => boolean | Promise<boolean>;
  /** Actions always refused (default `["DeleteContext", "ClearContext"]`). */
  refuseActions?: string[];
  /**
   * `true` (default): a request naming a `SessionId`, `ContextId` or `Id` (as a field or inside a JSON
   * field such as `PersistenceDataList`) that this proxy instance did not see created is refused, and
   * `ListContexts` / `ListSession` replies list only those.
   */
  restrictIds?: boolean;
}

export interface ProxyHandler {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** Session and context ids created through this proxy (the ones requests may name). */
  readonly knownIds: Set<string>;
}

/** Creates the handler: `http.createServer(proxy)`, `app.use("/agentbay", proxy)`, `server.middlewares.use("/agentbay", proxy)`. */
export function createProxy(options: ProxyOptions): ProxyHandler;
