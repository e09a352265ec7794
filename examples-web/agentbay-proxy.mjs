// The app's backend: the one place that holds the AgentBay API key. Both the Vite dev server
// (vite.config.mjs) and the production server (server.mjs) mount this handler at /agentbay; the
// page talks to its own origin and never sees the key (see src/agentbay.ts).
//
// The key and the upstream endpoint come from the server's environment:
//   AGENTBAY_API_KEY   the account key (agentbay-local prints one when it starts)
//   AGENTBAY_ENDPOINT  where AgentBay is (agentbay-local: http://127.0.0.1:<port>)
// `npm run web` sets both for you (scripts/web.mjs).
import { createProxy } from "../pkg/proxy.mjs";

/** The AgentBay actions this app uses; anything else is refused with a clear error. */
const APP_ACTIONS = new Set([
  // contexts
  "ListContexts",
  "GetContext",
  "DeleteContext",
  "DescribeContextFiles",
  "GetContextFileUploadUrl",
  "GetContextFileDownloadUrl",
  "DeleteContextFile",
  // sessions
  "CreateMcpSession",
  "GetSession",
  "GetSessionDetail",
  "DeleteSessionAsync",
  "CallMcpTool",
  // the session's mounts: sync and its task statuses, and the file-transfer context
  "SyncContext",
  "GetContextInfo",
  "GetAndLoadInternalContext",
]);

/**
 * The proxy, configured for this demo. `log` hears each refusal (never the key).
 * @param {{ apiKey?: string, endpoint?: string, log?: (line: string) => void }} [options]
 */
export function agentbayProxy(options = {}) {
  const apiKey = options.apiKey ?? process.env.AGENTBAY_API_KEY;
  const endpoint = options.endpoint ?? process.env.AGENTBAY_ENDPOINT;
  if (!apiKey || !endpoint) {
    throw new Error(
      "examples-web: set AGENTBAY_API_KEY and AGENTBAY_ENDPOINT for the server (npm run web does it for agentbay-local)",
    );
  }
  const log = options.log ?? ((line) => console.warn(line));
  return createProxy({
    apiKey,
    endpoint,
    // DEMO ONLY: the proxy refuses DeleteContext (and ClearContext) by default, because a page
    // that can delete contexts can destroy a user's data. This demo has a "delete context"
    // button, so it takes DeleteContext off the refused list and lets allow() decide. Even then,
    // the proxy's default `restrictIds` limits every call (deletion included) to the contexts and
    // sessions this server created. A real app would also check who the user is here.
    refuseActions: ["ClearContext"],
    allow(action) {
      if (APP_ACTIONS.has(action)) return true;
      log(`[agentbay-proxy] refused ${action}: not one of the actions examples-web uses`);
      return false;
    },
  });
}
