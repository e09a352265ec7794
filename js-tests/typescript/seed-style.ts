// Seed-tutorial style (Python-flavoured names) — must compile with `tsc --noEmit --strict`.
import { AgentBay, ContextSync, SyncPolicy, UploadPolicy, DownloadPolicy } from "agentbay-wasm";

const agentBay = new AgentBay({ apiKey: "your_api_key" });

export async function seedFlow(): Promise<string> {
  const contextResult = await agentBay.context.get("my-persistent-context", true);
  if (!contextResult.success || !contextResult.context) {
    throw new Error(contextResult.errorMessage ?? "no context");
  }
  const contextId: string = contextResult.context.id;

  const policy = new SyncPolicy({
    uploadPolicy: new UploadPolicy({ autoUpload: true, uploadStrategy: "BeforeResourceRelease", period: 30 }),
    downloadPolicy: new DownloadPolicy({ autoDownload: true, downloadStrategy: "Async" }),
  });
  const contextSync = new ContextSync({ contextId, path: "/mnt/data", policy });
  const pythonStyle = ContextSync.new(contextId, "/mnt/data", SyncPolicy.default());

  const sessionResult = await agentBay.create({ contextSync: [contextSync], contextSyncs: [pythonStyle] });
  const session = sessionResult.session;
  if (!session) throw new Error(sessionResult.errorMessage ?? "no session");

  const result = await session.command.execute("echo 'Hello, World!' > /mnt/data/hello.txt", { timeoutMs: 5000 });
  const ok: boolean = result.success;
  const code: number | undefined = result.exitCode;
  void ok;
  void code;
  await session.context.syncContext(contextId, "/mnt/data");

  const deleteResult = await agentBay.delete(session, true);
  const deleted: boolean = deleteResult.success;
  void deleted;

  const second = await agentBay.create({ contextSync: [contextSync] });
  const read = await second.session!.fileSystem.readFile("/mnt/data/hello.txt");
  const content: string = read.content;
  await second.session!.delete(true);
  return content;
}
