// Issue 10 part A, as official code writes it — must compile with `tsc --noEmit --strict`.
import {
  AgentBay,
  Browser,
  Code,
  Command,
  Computer,
  Context,
  ContextManager,
  ContextService,
  ContextSync,
  FileSystem,
  Mobile,
  Session,
  getLogLevel,
  log,
  logDebug,
  logError,
  logInfo,
  logWarn,
  newContextManager,
  newSyncPolicy,
  setLogLevel,
  setupLogger,
} from "agentbay-wasm";
import type {
  BinaryFileContentResult,
  LoggerConfig,
  LogLevel,
  McpTool,
  McpToolResult,
  McpToolsResult,
  UnavailableResult,
} from "agentbay-wasm";

// Logger: the official signatures.
const config: LoggerConfig = { level: "DEBUG", logFile: "/tmp/agentbay.log", maxFileSize: "10 MB", enableConsole: true, format: "sls" };
setupLogger(config);
setLogLevel("WARN");
const level: LogLevel = getLogLevel();
log("plain", { a: 1 }, 2);
logDebug("debug", "more");
logInfo("info");
logWarn("warn", new Date());
logError("error", new Error("boom"));
logError("error without an error");
// @ts-expect-error: not a level
setLogLevel("LOUD");
void level;

export async function parityFlow(): Promise<void> {
  const agentBay = new AgentBay({ apiKey: process.env.AGENTBAY_API_KEY ?? "" });
  const key: string = agentBay.getAPIKey();

  // Context: constructible, and what the service returns.
  const made = new Context("SdkCtx-1", "name", "2025-01-01", "2025-01-02");
  const id: string = made.id;
  const state: string | undefined = made.state;
  const got = await new ContextService(agentBay).get("name", true);
  const ctx: Context | undefined = got.context;
  await agentBay.context.update(new Context(id, "renamed"));
  await agentBay.context.delete(made);

  // Session, FileSystem, Command, ContextManager from an id.
  const session = new Session(agentBay, "s-1");
  const sameKey: string = session.getAPIKey();
  const token: string = session.getToken();
  const link: string = session.getLinkUrl();
  const owner: AgentBay = session.getAgentBay();
  const bytes: BinaryFileContentResult = await new FileSystem(session).readFile("/x", { format: "bytes" });
  const content: Uint8Array = bytes.content;
  await new Command(session).executeCommand("true");
  await new ContextManager(session).info();
  await newContextManager(session).sync();

  // The official Session fields and the generic MCP tool calls.
  const appInstanceId: string = session.appInstanceId;
  const wsUrl: string = session.wsUrl;
  const replay: boolean = session.enableBrowserReplay;
  const tools: McpTool[] = session.mcpTools;
  const schema: Record<string, unknown> = tools[0].inputSchema;
  const called: McpToolResult = await session.callMcpTool("shell", { command: "echo hi", timeout_ms: 5000 });
  const output: string = called.data;
  const why: string = called.errorMessage;
  await session.callMcpTool("list_directory", { path: "/tmp" }, false);
  interface PathArgs {
    path: string;
  }
  const pathArgs: PathArgs = { path: "/tmp" };
  await session.callMcpTool("get_file_info", pathArgs);
  const listed: McpToolsResult = await session.listMcpTools();
  const names: string[] = listed.tools.map((t) => t.name);
  await session.listMcpTools("linux_latest");
  void [appInstanceId, wsUrl, replay, schema, output, why, names];

  // ContextSync: chaining returns ContextSync; policy reads back and can be set.
  const policy = newSyncPolicy();
  const cs: ContextSync = new ContextSync("c", "/p").withPolicy(policy).withBetaWaitForCompletion(false);
  cs.policy = undefined;
  cs.policy = policy;

  // Modules that need other images.
  const code: Code = session.code;
  const ran: UnavailableResult = await code.runCode("print(1)", "python", 60);
  const failed: false = ran.success;
  const browser: Browser = session.browser;
  const initialised: boolean = browser.isInitialized();
  await browser.initializeAsync({});
  await browser.agent.act({ action: "click" }, {});
  const computer: Computer = session.computer;
  const shot: UnavailableResult = await computer.screenshot();
  const mobile: Mobile = session.mobile;
  await mobile.tap(1, 2);
  // @ts-expect-error: not an official Mobile method
  await mobile.fly();
  void [key, id, state, ctx, sameKey, token, link, owner, content, failed, initialised, shot, ran.errorMessage];
}
