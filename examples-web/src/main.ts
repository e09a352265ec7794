// The example app: contexts, their files, and sessions that mount them, driven by agentbay-wasm
// in the browser. Each block below is one panel of index.html.
import "./style.css";
import { ContextSync, UploadMode, newSyncPolicy, newUploadPolicy } from "agentbay-wasm";
import type { AgentBay, Context, ContextStatusData, Session, SyncPolicyData, TransferProgress } from "agentbay-wasm";
import { connect } from "./agentbay";
import { $, formatBytes, h, log, progressBar } from "./dom";

/** How a mounted context syncs: presets over the SDK's policy factories. */
const POLICIES: Record<string, { label: string; make: () => SyncPolicyData }> = {
  default: { label: "Upload when released (default)", make: () => newSyncPolicy() },
  manual: {
    label: "Only on explicit sync",
    make: () => ({ ...newSyncPolicy(), uploadPolicy: { ...newUploadPolicy(), autoUpload: false } }),
  },
  archive: {
    label: "Archive (one zip snapshot)",
    make: () => ({ ...newSyncPolicy(), uploadPolicy: { ...newUploadPolicy(), uploadMode: UploadMode.Archive } }),
  },
};

/** One context to mount in the next session. */
interface Mount {
  context: Context;
  path: string;
  policy: string;
}

const state = {
  agentBay: null as AgentBay | null,
  contexts: [] as Context[],
  /** The context whose files the left panel shows. */
  browsing: null as Context | null,
  /** Per context id: whether to mount it, where, and with which policy (the start form). */
  choices: new Map<string, { checked: boolean; path: string; policy: string }>(),
  session: null as Session | null,
  sessionNumber: 0,
  /** What the current (or last) session mounted: "start again" mounts the same. */
  mounts: [] as Mount[],
};

function sdk(): AgentBay {
  if (!state.agentBay) throw new Error("the SDK is not loaded yet");
  return state.agentBay;
}

/** Runs a UI action: disables `button` meanwhile and logs any failure instead of losing it. */
async function run(button: HTMLButtonElement | null, action: () => Promise<void>): Promise<void> {
  if (button) button.disabled = true;
  try {
    await action();
  } catch (e) {
    log(e instanceof Error ? e.message : String(e), "error");
  } finally {
    if (button) button.disabled = false;
  }
}

/** Fails with the result's message when a call did not succeed (results never throw). */
function check<T extends { success: boolean; errorMessage?: string; error?: string }>(what: string, r: T): T {
  if (!r.success) throw new Error(`${what} failed: ${r.errorMessage ?? r.error ?? "unknown error"}`);
  return r;
}

const mountPathFor = (c: Context) => state.choices.get(c.id)?.path ?? `/mnt/${c.name.replace(/[^\w.-]+/g, "-")}`;

// ---- contexts ----------------------------------------------------------------------------------

async function refreshContexts(): Promise<void> {
  const r = check("Listing contexts", await sdk().context.list({ maxResults: 100 }));
  state.contexts = r.contexts;
  for (const c of state.contexts) {
    if (!state.choices.has(c.id)) state.choices.set(c.id, { checked: false, path: mountPathFor(c), policy: "default" });
  }
  renderContexts();
  renderMountRows();
}

function renderContexts(): void {
  const list = $("context-list");
  list.replaceChildren(
    ...state.contexts.map((c) => {
      const del = h("button", { class: "ghost small danger", title: `Delete ${c.name}`, dataset: { testid: "delete-context" } }, "Delete");
      del.addEventListener("click", (e) => {
        e.stopPropagation();
        void run(del, () => deleteContext(c));
      });
      const item = h(
        "li",
        { class: state.browsing?.id === c.id ? "selected" : "", dataset: { testid: "context", name: c.name } },
        h("div", { class: "grow" }, h("div", { class: "name" }, c.name), h("div", { class: "muted mono" }, c.id)),
        del,
      );
      item.addEventListener("click", () => void run(null, () => browse(c)));
      return item;
    }),
  );
  if (!state.contexts.length) list.append(h("li", { class: "empty" }, "No contexts yet: create one above."));
}

async function createContext(name: string): Promise<void> {
  const r = check(`Creating context ${name}`, await sdk().context.create(name));
  log(`Created context ${name} (${r.contextId})`, "ok");
  await refreshContexts();
  const made = state.contexts.find((c) => c.id === r.contextId);
  if (made) await browse(made);
}

async function deleteContext(c: Context): Promise<void> {
  if (!confirm(`Delete context "${c.name}" and every file in it?`)) return;
  check(`Deleting context ${c.name}`, await sdk().context.delete(c));
  log(`Deleted context ${c.name}`, "ok");
  if (state.browsing?.id === c.id) {
    state.browsing = null;
    $("files-box").hidden = true;
  }
  state.choices.delete(c.id);
  await refreshContexts();
}

// ---- a context's files -------------------------------------------------------------------------

async function browse(c: Context): Promise<void> {
  state.browsing = c;
  $("files-context").textContent = c.name;
  $<HTMLInputElement>("files-folder").value = mountPathFor(c);
  $("files-box").hidden = false;
  renderContexts();
  await listContextFiles();
}

async function listContextFiles(): Promise<void> {
  const c = state.browsing;
  if (!c) return;
  const folder = $<HTMLInputElement>("files-folder").value.trim() || "/";
  const r = check(`Listing ${folder} in ${c.name}`, await sdk().context.listFiles(c.id, folder, 1, 200));
  const list = $("file-list");
  list.replaceChildren(
    ...r.entries.map((f) => {
      const isFolder = f.fileType === "folder";
      const get = h("button", { class: "ghost small", dataset: { testid: "download" } }, "Download");
      get.addEventListener("click", () => void run(get, () => downloadContextFile(c, f.filePath)));
      return h(
        "li",
        { dataset: { testid: "context-file", name: f.fileName ?? "" } },
        h("span", { class: `icon ${isFolder ? "folder" : "file"}` }),
        h("span", { class: "grow mono" }, f.fileName ?? f.filePath),
        h("span", { class: "muted" }, isFolder ? "folder" : formatBytes(f.size ?? 0)),
        !isFolder && get,
      );
    }),
  );
  if (!r.entries.length) list.append(h("li", { class: "empty" }, `Nothing stored under ${folder} yet.`));
}

/** Turns `{ bytesDone, total }` reports into a progress bar's fraction. */
const toBar = (bar: ReturnType<typeof progressBar>) => (p: TransferProgress) => bar.update(p.total ? p.bytesDone / p.total : 0);

async function uploadToContext(file: File): Promise<void> {
  const c = state.browsing;
  if (!c) return;
  const folder = ($<HTMLInputElement>("files-folder").value.trim() || "/").replace(/\/+$/, "");
  const path = `${folder}/${file.name}`;
  const bar = progressBar(`↑ ${file.name} → ${c.name}`);
  // The bytes go straight to AgentBay's presigned URL; onProgress follows them.
  const r = await sdk().context.uploadFile(c.id, path, file, { onProgress: toBar(bar) });
  bar.done(r.success, r.success ? "uploaded" : "failed");
  check(`Uploading ${file.name}`, r);
  log(`Uploaded ${file.name} (${formatBytes(file.size)}) to ${c.name}:${path}`, "ok");
  await listContextFiles();
}

async function downloadContextFile(c: Context, path: string): Promise<void> {
  const name = path.split("/").pop() || "download";
  const bar = progressBar(`↓ ${name} ← ${c.name}`);
  const r = await sdk().context.downloadFile(c.id, path, { onProgress: toBar(bar) });
  bar.done(r.success, r.success ? "downloaded" : "failed");
  check(`Downloading ${path}`, r);
  saveBytes(name, r.content ?? new Uint8Array());
  log(`Downloaded ${c.name}:${path} (${formatBytes(r.content?.length ?? 0)})`, "ok");
}

/** Hands bytes to the browser as a file download. */
function saveBytes(name: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart]));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---- starting a session ------------------------------------------------------------------------

function renderMountRows(): void {
  const rows = $("mount-rows");
  rows.replaceChildren(
    ...state.contexts.map((c) => {
      const choice = state.choices.get(c.id)!;
      const box = h("input", { type: "checkbox", checked: choice.checked, dataset: { testid: "mount-check" } });
      const path = h("input", { value: choice.path, dataset: { testid: "mount-path" } });
      path.setAttribute("aria-label", `mount path of ${c.name}`);
      const policy = h(
        "select",
        { dataset: { testid: "mount-policy" } },
        ...Object.entries(POLICIES).map(([key, p]) => h("option", { value: key, selected: key === choice.policy }, p.label)),
      );
      box.addEventListener("change", () => (choice.checked = box.checked));
      path.addEventListener("input", () => (choice.path = path.value.trim()));
      policy.addEventListener("change", () => (choice.policy = policy.value));
      return h("label", { class: "mount", dataset: { testid: "mount", name: c.name } }, box, h("span", { class: "name" }, c.name), path, policy);
    }),
  );
  if (!state.contexts.length) rows.append(h("p", { class: "muted" }, "Create a context first; a session can also start with none."));
}

function chosenMounts(): Mount[] {
  const mounts = state.contexts
    .map((context) => ({ context, choice: state.choices.get(context.id)! }))
    .filter(({ choice }) => choice.checked)
    .map(({ context, choice }) => ({ context, path: choice.path, policy: choice.policy }));
  const paths = mounts.map((m) => m.path);
  const bad = mounts.find((m) => !m.path.startsWith("/"));
  if (bad) throw new Error(`The mount path of ${bad.context.name} must be absolute (it is "${bad.path}")`);
  if (new Set(paths).size !== paths.length) throw new Error("Two contexts cannot be mounted at the same path");
  return mounts;
}

async function startSession(mounts: Mount[]): Promise<void> {
  const contextSync = mounts.map((m) => new ContextSync(m.context.id, m.path, POLICIES[m.policy].make()));
  const what = mounts.length ? mounts.map((m) => `${m.context.name} at ${m.path}`).join(", ") : "no contexts";
  log(`Starting a session with ${what}…`);
  // create() resolves once the mounted contexts were downloaded into the session.
  const r = check("Starting a session", await sdk().create({ contextSync, labels: { app: "examples-web" } }));
  state.session = r.session!;
  state.sessionNumber++;
  state.mounts = mounts;
  log(`Session ${state.sessionNumber} is running (${state.session.sessionId})`, "ok");
  showSession();
}

function showSession(): void {
  const s = state.session!;
  $("start-form").hidden = true;
  $("after-delete").hidden = true;
  $("session-box").hidden = false;
  $("tasks-note").textContent = "";
  $("task-rows").replaceChildren();
  $("session-box").querySelector("[data-testid=session-title]")!.textContent = `Session ${state.sessionNumber} · ${s.sessionId}`;
  $("session-mounts").replaceChildren(
    ...state.mounts.map((m) => h("span", { class: "chip" }, `${m.context.name} → ${m.path} · ${POLICIES[m.policy].label}`)),
  );
  $("terminal-output").textContent = "";
  $("fs-path").textContent = filePanePath();
  void run(null, refreshSessionFiles);
  // The downloads create() waited for: how the mounted files got here.
  $("tasks-note").textContent = "downloaded at start";
  void run(null, () => showTasks(s));
}

// ---- the session: terminal and file pane -------------------------------------------------------

/** The file pane shows the first mount (or /tmp without one). */
const filePanePath = () => state.mounts[0]?.path ?? "/tmp";

const history: string[] = [];

async function runCommand(command: string): Promise<void> {
  const s = state.session;
  if (!s) return;
  const out = $("terminal-output");
  out.append(h("span", { class: "cmd" }, `$ ${command}\n`));
  const r = await s.command.executeCommand(command, 30_000, filePanePath());
  if (r.stdout) out.append(r.stdout);
  if (r.stderr) out.append(h("span", { class: "stderr" }, r.stderr));
  if (!r.success && !r.stderr) out.append(h("span", { class: "stderr" }, `${r.errorMessage ?? "failed"}\n`));
  out.append(h("span", { class: "exit", dataset: { testid: "exit-code" } }, `[exit ${r.exitCode ?? "?"}]\n`));
  out.scrollTop = out.scrollHeight;
  await refreshSessionFiles();
}

async function refreshSessionFiles(): Promise<void> {
  const s = state.session;
  if (!s) return;
  const dir = filePanePath();
  const r = check(`Listing ${dir}`, await s.fileSystem.listDirectory(dir));
  const list = $("fs-list");
  list.replaceChildren(
    ...r.entries
      .slice()
      .sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory) || a.name.localeCompare(b.name))
      .map((e) => {
        const get = h("button", { class: "ghost small" }, "Download");
        get.addEventListener("click", () => void run(get, () => downloadSessionFile(`${dir}/${e.name}`)));
        return h(
          "li",
          { dataset: { testid: "session-file", name: e.name } },
          h("span", { class: `icon ${e.isDirectory ? "folder" : "file"}` }),
          h("span", { class: "grow mono" }, e.name),
          !e.isDirectory && get,
        );
      }),
  );
  if (!r.entries.length) list.append(h("li", { class: "empty" }, `${dir} is empty.`));
}

/**
 * Uploads a file into the session through its file-transfer directory (uploadFile's official
 * route), then moves it into the mounted folder, where a sync takes it to the context.
 */
async function uploadToSession(file: File): Promise<void> {
  const s = state.session;
  if (!s) return;
  const transferDir = await s.fileSystem.getFileTransferContextPath();
  if (!transferDir) throw new Error("This session has no file-transfer directory");
  const staged = `${transferDir}/${file.name}`;
  const target = `${filePanePath()}/${file.name}`;
  const bar = progressBar(`↑ ${file.name} → session ${state.sessionNumber}`);
  const up = await s.fileSystem.uploadFile(file, staged, { onProgress: toBar(bar) });
  bar.done(up.success, up.success ? "in the session" : "failed");
  check(`Uploading ${file.name}`, up);
  check(`Moving ${file.name} into ${filePanePath()}`, await s.fileSystem.moveFile(staged, target));
  log(`Uploaded ${file.name} (${formatBytes(file.size)}) to ${target}`, "ok");
  await refreshSessionFiles();
}

async function downloadSessionFile(path: string): Promise<void> {
  const s = state.session;
  if (!s) return;
  const r = check(`Reading ${path}`, await s.fileSystem.readFile(path, { format: "bytes" }));
  saveBytes(path.split("/").pop() || "download", r.content);
  log(`Downloaded ${path} (${formatBytes(r.content.length)})`, "ok");
}

// ---- sync and delete, with the tasks' statuses live --------------------------------------------

/** Renders the session's upload/download tasks once, as `session.context.info()` lists them. */
async function showTasks(s: Session): Promise<void> {
  const info = await s.context.info();
  // After the session is gone, info() fails: the last statuses stay on screen.
  if (info.success) renderTasks(info.contextStatusData, new Map(state.contexts.map((c) => [c.id, c.name])));
}

/**
 * Polls `session.context.info()` and renders the upload/download tasks until `work` ends: the
 * statuses move Pending → Running → Success (or Failed, with the reason) while you watch.
 */
async function watchTasks<T>(note: string, work: Promise<T>): Promise<T> {
  const s = state.session!;
  let ended = false;
  $("tasks-note").textContent = note;
  const show = () => showTasks(s);
  const poll = async () => {
    while (!ended) {
      await show();
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  const polling = poll();
  try {
    return await work;
  } finally {
    ended = true;
    await polling;
    // The statuses as the work left them (a poll may have run just before it ended).
    await show();
  }
}

function renderTasks(tasks: ContextStatusData[], names: Map<string, string>): void {
  const shown = tasks.filter((t) => t.taskType === "upload" || t.taskType === "download");
  if (!shown.length) {
    $("task-rows").replaceChildren(h("tr", {}, h("td", { class: "muted", colSpan: 4 }, "No sync tasks yet.")));
    return;
  }
  $("task-rows").replaceChildren(
    ...shown
      .map((t) =>
        h(
          "tr",
          { dataset: { testid: "task", type: t.taskType, status: t.status } },
          h("td", {}, names.get(t.contextId) ?? t.contextId),
          h("td", { class: "mono" }, t.path),
          h("td", {}, t.taskType),
          h("td", {}, h("span", { class: `pill ${t.status.toLowerCase()}`, title: t.errorMessage }, t.status)),
        ),
      ),
  );
}

async function syncNow(): Promise<void> {
  const s = state.session!;
  log("Syncing the mounts to their contexts…");
  // The official callback form: sync() resolves once the sync started; the callback hears
  // whether every task succeeded. onProgress (an agentbay-wasm extra) sees each poll's tasks.
  const finished = new Promise<boolean>((resolve) => {
    void s.context.sync(undefined, undefined, undefined, { callback: resolve }).then((r) => {
      if (!r.success) {
        log(`Sync did not start: ${r.errorMessage}`, "error");
        resolve(false);
      }
    });
  });
  const ok = await watchTasks("syncing…", finished);
  $("tasks-note").textContent = ok ? "synced" : "sync failed";
  log(ok ? "Sync finished: every task succeeded" : "Sync finished with failures (see the tasks)", ok ? "ok" : "error");
  await refreshBrowsedFiles();
}

async function deleteWithSync(): Promise<void> {
  const s = state.session!;
  log(`Deleting session ${state.sessionNumber} with syncContext = true…`);
  // delete(session, true) uploads every mount first, then releases the session.
  const r = await watchTasks("uploading, then releasing…", sdk().delete(s, true));
  check("Deleting the session", r);
  $("tasks-note").textContent = "session deleted";
  log(`Session ${state.sessionNumber} deleted; its mounts were synced first`, "ok");
  state.session = null;
  $("session-box").hidden = true;
  $("after-delete").hidden = false;
  $("start-form").hidden = false;
  await refreshBrowsedFiles();
}

/** The left panel's file list, if it shows a context a sync may have changed. */
async function refreshBrowsedFiles(): Promise<void> {
  if (state.browsing) await listContextFiles();
}

// ---- wiring --------------------------------------------------------------------------------------

function wire(): void {
  $("create-context").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>("context-name");
    const name = input.value.trim();
    if (!name) return;
    const button = (e.currentTarget as HTMLFormElement).querySelector("button");
    void run(button, async () => {
      await createContext(name);
      input.value = "";
    });
  });
  $("files-folder-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void run(null, listContextFiles);
  });
  for (const [id, upload] of [
    ["context-upload", uploadToContext],
    ["session-upload", uploadToSession],
  ] as const) {
    const input = $<HTMLInputElement>(id);
    input.addEventListener("change", () => {
      const file = input.files?.[0];
      input.value = "";
      if (file) void run(null, () => upload(file));
    });
  }
  $("start-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void run($<HTMLButtonElement>("start-session"), () => startSession(chosenMounts()));
  });
  $("start-again").addEventListener("click", (e) => void run(e.currentTarget as HTMLButtonElement, () => startSession(state.mounts)));
  $("sync").addEventListener("click", (e) => void run(e.currentTarget as HTMLButtonElement, syncNow));
  $("delete-sync").addEventListener("click", (e) => void run(e.currentTarget as HTMLButtonElement, deleteWithSync));
  $("fs-refresh").addEventListener("click", (e) => void run(e.currentTarget as HTMLButtonElement, refreshSessionFiles));
  const input = $<HTMLInputElement>("terminal-input");
  let back = 0;
  $("terminal-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const command = input.value.trim();
    if (!command) return;
    history.push(command);
    back = 0;
    input.value = "";
    input.disabled = true;
    void run(null, () => runCommand(command)).finally(() => {
      input.disabled = false;
      input.focus();
    });
  });
  input.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
    e.preventDefault();
    back = Math.max(0, Math.min(history.length, back + (e.key === "ArrowUp" ? 1 : -1)));
    input.value = back ? history[history.length - back] : "";
  });
}

async function main(): Promise<void> {
  wire();
  const status = $("status");
  try {
    state.agentBay = await connect();
    await refreshContexts();
    status.textContent = "Connected through /agentbay · no API key in this page";
    status.classList.add("ok");
    document.body.dataset.ready = "true";
  } catch (e) {
    status.textContent = `Not connected: ${e instanceof Error ? e.message : String(e)}`;
    status.classList.add("error");
    log(status.textContent, "error");
  }
}

void main();
