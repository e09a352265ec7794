// The SDK in the page: loads the WebAssembly module and makes a client that holds no API key.
// Every API call goes to this page's own origin at /agentbay, where the server (the Vite dev
// server, or server.mjs in production) adds the key and forwards it (agentbay-proxy.mjs).
// File bytes go straight to the presigned URLs AgentBay hands out, which carry no key.
import { AgentBay, initAsync } from "agentbay-wasm";

export async function connect(): Promise<AgentBay> {
  await initAsync();
  const endpoint = new URL("/agentbay", window.location.href).href;
  return new AgentBay({ config: { endpoint }, proxied: true });
}
