// Official wuying-agentbay-sdk style — must compile with `tsc --noEmit --strict`.
import {
  AgentBay,
  BetaContextMount,
  BetaContextMountAccessMode,
  BetaContextMountStrategy,
  newBetaContextMount,
  ContextSync,
  Lifecycle,
  SyncPolicyImpl,
  UploadMode,
  UploadStrategy,
  DownloadStrategy,
  newContextSync,
  newSyncPolicy,
  newSyncPolicyWithDefaults,
  newMappingPolicy,
  initAsync,
  MappingPolicy,
  RecyclePolicy,
  UploadPolicy,
  WhiteList,
  WhiteListValidator,
} from "agentbay-wasm";
import type {
  BetaContextMountOptions,
  BoolResult,
  CreateSessionParams,
  ContextBinding,
  ContextBindingsResult,
  ContextBindResult,
  DirectoryListResult,
  FileTransferDownloadResult,
  FileTransferUploadResult,
  FileEdit,
  FileSearchResult,
  FileSystem,
  MultipleFileContentResult,
} from "agentbay-wasm";
import type { SyncPolicyData, WhiteListData, MappingPolicyData } from "agentbay-wasm";

const lifecycle: Lifecycle = Lifecycle.Lifecycle_1Day;
const mode: UploadMode = UploadMode.Archive;
const strategy: UploadStrategy = UploadStrategy.UploadBeforeResourceRelease;
const download: DownloadStrategy = DownloadStrategy.DownloadAsync;
// @ts-expect-error: not a Lifecycle value
const badLifecycle: Lifecycle = "Lifecycle_2Days";
void [lifecycle, mode, strategy, download, badLifecycle];

// Issue 4: regex white lists, mappingPolicy kept by SyncPolicyImpl, Archive mode, period, toDict().
const regexList = new WhiteList({ path: "/src/.*", isPathRegex: true, excludePaths: [".*\\.log"], isExcludeRegex: true });
const isRegex: boolean | undefined = regexList.isPathRegex;
const wlData: WhiteListData = regexList.toDict();
WhiteListValidator.validate({ path: "/src", excludePaths: ["/src/tmp"] });
WhiteListValidator.validate(regexList);
const mapping: MappingPolicyData = new MappingPolicy({ path: "/home/old" }).toJSON();
const mapping2: MappingPolicyData = newMappingPolicy();
const mapped: SyncPolicyData = new SyncPolicyImpl({ mappingPolicy: mapping }).toJSON();
const archive = new UploadPolicy({ uploadMode: UploadMode.Archive, period: 1 });
const period: number | undefined = archive.period;
const recycle = new RecyclePolicy({ lifecycle: Lifecycle.Lifecycle_1Day, paths: ["/cache"] });
const recyclePaths: string[] = recycle.paths;
// @ts-expect-error: path is a string
new WhiteList({ path: 1 });
void [isRegex, wlData, mapping2, mapped.mappingPolicy, period, recyclePaths];

export async function officialFlow(): Promise<number> {
  await initAsync();
  const agentBay = new AgentBay({
    apiKey: process.env.AGENTBAY_API_KEY ?? "",
    config: { endpoint: "127.0.0.1:9810", timeout_ms: 60000, max_response_bytes: 32 * 1024 * 1024 },
  });
  // Response size caps (camelCase form), readable back as numbers.
  const capped = new AgentBay({ apiKey: "k", maxResponseBytes: 1 << 20, maxDownloadBytes: 1 << 30 });
  const caps: number[] = [capped.maxResponseBytes, capped.maxDownloadBytes];
  // @ts-expect-error: a cap is a number of bytes
  new AgentBay({ apiKey: "k", maxResponseBytes: "1MB" });
  void caps;
  const ctx = await agentBay.context.get("persistence-demo", true);
  const id: string = ctx.contextId;

  const policy = newSyncPolicy();
  const withDefaults = newSyncPolicyWithDefaults({ recyclePolicy: { lifecycle: Lifecycle.Lifecycle_3Days, paths: [""] } });
  const impl = new SyncPolicyImpl({ uploadPolicy: { autoUpload: false } });
  const cs = new ContextSync(id, "/tmp/persistent_data", policy).withBetaWaitForCompletion(true);
  const cs2 = newContextSync(id, "/tmp/other", withDefaults);
  const cs3 = new ContextSync(id, "/tmp/third").withPolicy(impl);

  const created = await agentBay.create({ contextSync: [cs, cs2, cs3], labels: { a: "b" }, imageId: "linux_latest" });
  if (!created.success || !created.session) return -1;
  const session = created.session;

  const cmd = await session.command.executeCommand("ls", 1000, "/tmp", { A: "b" });
  const out: string = cmd.output;
  const r2 = await session.command.run("true");
  const r3 = await session.command.exec("true");
  void [out, r2.success, r3.requestId];

  const w = await session.fileSystem.writeFile("/tmp/persistent_data/a.txt", "x", "overwrite");
  const info = await session.fileSystem.getFileInfo("/tmp/persistent_data/a.txt");
  const size: number | undefined = info.fileInfo?.size;
  const ls = await session.fileSystem.listDirectory("/tmp");
  const names: string[] = ls.entries.map((e) => e.name);
  void [w.success, size, names];

  // The rest of the official FileSystem surface, its aliases and the Session getter aliases.
  const fs: FileSystem = session.fs;
  const found: FileSearchResult = await fs.searchFiles("/tmp", "*.txt", ["node_modules"]);
  const paths: string[] = found.matches;
  const foundAll = await session.filesystem.searchFiles("/tmp", "*.txt");
  const many: MultipleFileContentResult = await session.files.readMultipleFiles(paths);
  const contents: Record<string, string> = many.contents;
  const edits: FileEdit[] = [{ oldText: "a", newText: "b" }];
  const edited: BoolResult = await fs.editFile("/tmp/a.txt", edits, true);
  const editedNow = await fs.editFile("/tmp/a.txt", [{ oldText: "b", newText: "a" }]);
  const removed: BoolResult[] = [await fs.delete("/a"), await fs.remove("/b"), await fs.rm("/c")];
  const listed: DirectoryListResult[] = [await fs.list("/tmp"), await fs.ls("/tmp")];
  const text: string = (await fs.read("/tmp/a.txt")).content;
  const bytes: Uint8Array = (await fs.read("/tmp/a.txt", { format: "bytes" })).content;
  const wrote: BoolResult = await fs.write("/tmp/a.txt", "x", "append");
  // @ts-expect-error edits need both fields
  await fs.editFile("/tmp/a.txt", [{ oldText: "a" }]);
  // @ts-expect-error excludePatterns is a string array
  await fs.searchFiles("/tmp", "*", "node_modules");
  void [foundAll.errorMessage, contents, edited.data, editedNow.success, removed, listed, text, bytes, wrote];

  const sync = await session.context.sync();
  const status = await session.context.info();
  const tasks: string[] = status.contextStatusData.map((d) => `${d.contextId} ${d.path} ${d.status} ${d.taskType}`);
  void [sync.success, tasks];

  // Official 0.19–0.21: contexts bound to a running session, and file transfer.
  const bound: ContextBindResult = await session.context.bind(new ContextSync(id, "/tmp/bound"));
  const boundMany = await session.context.bind([cs2, { contextId: id, path: "/tmp/bound2" }], false);
  const bindings: ContextBindingsResult = await session.context.listBindings();
  const where: string[] = bindings.bindings.map((b: ContextBinding) => `${b.contextId} ${b.path} ${b.bindTime ?? ""}`);
  // @ts-expect-error a ContextSync, a BetaContextMount, their object forms or an array of them
  await session.context.bind("SdkCtx-1");
  void [bound.errorMessage, boundMany.success, where];
  const dir: string | null = await session.fileSystem.getFileTransferContextPath();
  const sent: FileTransferUploadResult = await session.fileSystem.uploadFile("./local.txt", `${dir}/a.txt`, {
    contentType: "text/plain",
    wait: true,
    waitTimeout: 30,
    pollInterval: 1.5,
    progressCb: (n: number) => void n,
  });
  const sentBytes = await session.fileSystem.uploadFile(new Uint8Array([1]), `${dir}/b.bin`);
  const got: FileTransferDownloadResult = await session.fileSystem.downloadFile(`${dir}/a.txt`, "./a.txt", { overwrite: false });
  const gotBytes: Uint8Array | undefined = (await session.fileSystem.downloadFile(`${dir}/b.bin`)).content;
  const transferError: string | undefined = sent.error ?? got.error;
  // @ts-expect-error the official options take seconds as numbers
  await session.fileSystem.downloadFile(`${dir}/a.txt`, "./a.txt", { waitTimeout: "30s" });
  void [sent.bytesSent, sentBytes.requestIdSync, got.bytesReceived, got.localPath, gotBytes, transferError];

  // Official 0.21 live mounts (the official context-mount example's forms).
  const contextMount = new BetaContextMount(id, "/tmp/mounted_data");
  const params1: CreateSessionParams = { imageId: "aio-ubuntu-2404", betaContextMount: [contextMount] };
  const live = await agentBay.create(params1);
  const readOnly = newBetaContextMount(id, "/tmp/readonly-data", BetaContextMountAccessMode.ReadOnly)
    .withStrategy(BetaContextMountStrategy.Performance)
    .withSourcePath("/datasets/train");
  const access: BetaContextMountAccessMode = readOnly.accessMode;
  const configJson: string = readOnly.toMountConfigJSON();
  const plainMount: BetaContextMountOptions = { contextId: id, path: "/tmp/plain", accessMode: "readOnly" };
  await agentBay.create({ betaContextMounts: [plainMount, readOnly] });
  const dynamic: ContextBindResult = await session.context.bind(new BetaContextMount(id, "/tmp/dynamic_mount"));
  const mixed = await session.context.bind([cs, readOnly, plainMount], true);
  // @ts-expect-error: not a BetaContextMountAccessMode value
  new BetaContextMount(id, "/tmp/x", "rw");
  // @ts-expect-error: strategy is a BetaContextMountStrategy
  readOnly.withStrategy("fast");
  void [live.success, access, configJson, dynamic.success, mixed.success];

  const labels = await session.getLabels();
  await session.setLabels({ a: "c" });
  void labels;

  const list = await agentBay.list({ a: "c" }, 1, 10);
  const ids: string[] = list.sessionIds.map((s) => s.sessionId);
  void ids;

  const files = await agentBay.context.listFiles(id, "/tmp/persistent_data", 1, 50);
  const up = await agentBay.context.getFileUploadUrl(id, "/tmp/persistent_data/b.txt");
  const url: string = up.url;
  const uploaded = await agentBay.context.uploadFile(id, "/tmp/persistent_data/c.txt", new Uint8Array([1, 2, 3]));
  const downloaded = await agentBay.context.downloadFile(id, "/tmp/persistent_data/c.txt");
  void [files.entries.length, url, uploaded.success, downloaded.success];

  const list2 = await agentBay.context.list({ maxResults: 5 });
  const cleared = await agentBay.context.clear(id, 30, 2.0);
  void [list2.contexts.length, cleared.status];

  const del = await agentBay.delete(session, true);
  return del.success ? 0 : 1;
}
