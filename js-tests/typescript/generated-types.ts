// The generated types (src/js/generated.d.ts) as a consumer sees them — must compile with
// `tsc --noEmit --strict` (js-tests/package.test.mjs, skipLibCheck: false).
import {
  AgentBay,
  ContextSync,
  DownloadPolicy,
  DownloadStrategy,
  Lifecycle,
  SyncPolicy,
  UploadMode,
  UploadPolicy,
  UploadStrategy,
  WhiteList,
  newSyncPolicy,
  newUploadPolicy,
} from "agentbay-wasm";
import type {
  BinaryFileContentResult,
  CompleteSyncPolicy,
  ContextStatusData,
  CreateSessionParams,
  DownloadResult,
  LabelResult,
  PolicyInput,
  SessionResult,
  SyncPolicyData,
  TransferProgress,
  UploadPolicyData,
  UploadStrategyInput,
} from "agentbay-wasm";

// Input positions accept the seed's spellings (the `…Input` forms)...
const seedUpload = new UploadPolicy({ autoUpload: true, uploadStrategy: "BeforeResourceRelease", period: 30 });
const seedDownload = new DownloadPolicy({ downloadStrategy: "Async" });
const plain: SyncPolicyData = {
  uploadPolicy: { uploadStrategy: "BeforeResourceRelease" },
  downloadPolicy: { downloadStrategy: "Async" },
  bwList: { whiteLists: [{ path: "/src", isPathRegex: false }] },
};
new SyncPolicy(plain);
new SyncPolicy({ uploadPolicy: seedUpload, downloadPolicy: seedDownload });
new ContextSync({ contextId: "c", path: "/mnt/data", policy: { uploadPolicy: { uploadStrategy: "BeforeResourceRelease" } } });
new ContextSync("c", "/mnt/data", { downloadPolicy: { downloadStrategy: "Async" } });
const input: UploadStrategyInput = "BeforeResourceRelease";
const partial: PolicyInput<UploadPolicyData> = { uploadStrategy: input, uploadMode: UploadMode.Archive };
void partial;

// ...and refuse misspellings.
// @ts-expect-error: not an UploadStrategy spelling
new UploadPolicy({ uploadStrategy: "BeforeResourceReleas" });
// @ts-expect-error: not a DownloadStrategy spelling
new SyncPolicy({ downloadPolicy: { downloadStrategy: "Sync" } });
// @ts-expect-error: not a Lifecycle value
new ContextSync({ contextId: "c", path: "/p", policy: { recyclePolicy: { lifecycle: "Lifecycle_2Days" } } });

// Output positions give the canonical values only.
const canonical: "UploadBeforeResourceRelease" = newUploadPolicy().uploadStrategy;
const fromClass: UploadStrategy = seedUpload.uploadStrategy;
const complete: CompleteSyncPolicy = newSyncPolicy();
const downloadStrategy: "DownloadAsync" = complete.downloadPolicy.downloadStrategy;
// @ts-expect-error: data positions do not take the seed's spelling
const notData: UploadPolicyData = { autoUpload: true, uploadStrategy: "BeforeResourceRelease", uploadMode: "File" };
// The value objects list the canonical values only.
const value: "UploadBeforeResourceRelease" = UploadStrategy.UploadBeforeResourceRelease;
// @ts-expect-error: the alias is no member of the value object
void UploadStrategy.BeforeResourceRelease;
const lifecycles: Lifecycle[] = [Lifecycle.Lifecycle_1Day, Lifecycle.Lifecycle_Forever];
const enums: { readonly DownloadAsync: "DownloadAsync" } = DownloadStrategy;
void [canonical, fromClass, downloadStrategy, notData, value, lifecycles, enums];

// Getters are typed from the data types; absent optionals are `field?: T`.
const auto: boolean = seedUpload.autoUpload;
const period: number | undefined = seedUpload.period;
const regex: boolean | undefined = new WhiteList({ path: "/a" }).isPathRegex;
const excludes: string[] = new WhiteList({ path: "/a" }).excludePaths;
void [auto, period, regex, excludes];

export async function results(agentBay: AgentBay, params: CreateSessionParams): Promise<void> {
  const created: SessionResult = await agentBay.create(params);
  const tasks: ContextStatusData[] = created.contextSyncFailures ?? [];
  const required: [string, string, number] = [tasks[0].contextId, tasks[0].status, tasks[0].finishTime];
  void required;
  if (!created.session) return;
  const labels: LabelResult = await created.session.setLabels({ a: "b" });
  const bytes: BinaryFileContentResult = await created.session.fileSystem.readFile("/a", { format: "bytes" });
  const content: Uint8Array = bytes.content;
  const downloaded: DownloadResult = await agentBay.context.downloadFile("c", "/a");
  const maybe: Uint8Array | undefined = downloaded.content;
  // @ts-expect-error: a download's content is absent on failure
  const sure: Uint8Array = downloaded.content;
  void [labels, content, maybe, sure];
}

// File transfers report `TransferProgress` (generated from src/core/file_transfer.rs) to
// `onProgress`, next to the official `progressCb(bytes)`; sync reports its tasks.
export async function progress(session: NonNullable<SessionResult["session"]>): Promise<void> {
  const bars: number[] = [];
  const onProgress = (p: TransferProgress): void => {
    const total: number | undefined = p.total;
    bars.push(total ? p.bytesDone / total : 0);
  };
  await session.fileSystem.uploadFile(new Uint8Array(8), "/tmp/file_transfer/a", { onProgress, progressCb: (n: number) => void n });
  await session.fileSystem.downloadFile("/tmp/file_transfer/a", undefined, { onProgress });
  // @ts-expect-error: onProgress hears an object, not a byte count
  await session.fileSystem.uploadFile(new Uint8Array(8), "/tmp/file_transfer/a", { onProgress: (n: number) => void n });
  await session.context.sync(undefined, undefined, undefined, {
    callback: (ok: boolean) => void ok,
    onProgress: (tasks: ContextStatusData[]) => void tasks.map((t) => t.status),
  });
  void bars;
}
