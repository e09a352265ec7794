// The parts of the public API that are plain JavaScript, shared by every entry (node.mjs,
// node.cjs, index.mjs, bundler.mjs; scripts/assemble-pkg.mjs makes the CommonJS copy
// extras.cjs): the official logger functions, the `Context`, `BrowserContext`,
// `LifecyclePolicy` and `BetaContextMount` classes, the `code` / `browser` /
// `computer` / `mobile` modules (which need images agentbay-local does not have), and what
// wasm-bindgen classes cannot do themselves (a method returning `this`, results that are class
// instances). They cost the .wasm nothing.
//
// This file must stay a flat module: `export function|class|const NAME` declarations, no
// imports (assemble-pkg.mjs converts it to CommonJS the way it converts the glue). Names
// starting with `__` are for the entries only and are not exported by the package.

// ---- logger (official typescript/src/utils/logger.ts: same functions, levels and formats) ----

const LEVELS = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };
const LABELS = { DEBUG: "🐛 DEBUG", INFO: "ℹ️  INFO", WARN: "⚠️  WARN", ERROR: "❌ ERROR" };
const COLORS = { DEBUG: "\x1b[36m", INFO: "\x1b[34m", WARN: "\x1b[33m", ERROR: "\x1b[31m" };

function envVar(name) {
  const env = globalThis.process && globalThis.process.env;
  const v = env ? env[name] : undefined;
  return typeof v === "string" ? v : undefined;
}

function levelOf(v) {
  const up = typeof v === "string" ? v.trim().toUpperCase() : "";
  return Object.prototype.hasOwnProperty.call(LEVELS, up) ? up : undefined;
}

function formatOf(v) {
  return ["sls", "compact"].includes(String(v).toLowerCase()) ? "sls" : "pretty";
}

const logger = {
  // LOG_LEVEL / AGENTBAY_LOG_LEVEL, else INFO (the official default). The SDK itself writes
  // nothing: what appears is what the program logs through these functions.
  level: levelOf(envVar("LOG_LEVEL")) || levelOf(envVar("AGENTBAY_LOG_LEVEL")) || "INFO",
  format: formatOf(envVar("AGENTBAY_LOG_FORMAT")),
  console: true,
  file: null,
  maxFileBytes: 10 * 1024 * 1024,
  colors: false,
  // Node's fs and path, given by the Node entries (file logging); absent in browsers.
  fs: null,
  path: null,
  // The API keys of every AgentBay constructed, masked wherever they appear.
  secrets: new Set(),
};

function useColors() {
  if (logger.format === "sls" || envVar("DISABLE_COLORS") === "true") return false;
  const force = envVar("FORCE_COLOR");
  if (force !== undefined && force !== "0") return true;
  const p = globalThis.process;
  if (p && ((p.stdout && p.stdout.isTTY) || (p.stderr && p.stderr.isTTY))) return true;
  return envVar("TERM_PROGRAM") === "vscode" || envVar("GOLAND") !== undefined || envVar("IDEA_INITIAL_DIRECTORY") !== undefined;
}
logger.colors = useColors();

/** `ab****yz` for a long secret, `****` for a short one. */
function maskSecret(s) {
  return s.length > 8 ? `${s.slice(0, 2)}****${s.slice(-2)}` : "****";
}

const KEY_PATTERN = /akm-[A-Za-z0-9][A-Za-z0-9_-]*/g;
const BEARER_PATTERN = /(Bearer\s+)[^\s"',;]+/gi;
const SENSITIVE_KEY = /api[_-]?key|password|passwd|pwd|token|secret|private[_-]?key|authorization/i;

/** The text with every configured API key, `akm-…` key and bearer token masked. */
function maskText(text) {
  const secrets = [...logger.secrets];
  const fromEnv = envVar("AGENTBAY_API_KEY");
  if (fromEnv) secrets.push(fromEnv);
  // Longest first, so that a key containing another is masked whole. Keys shorter than 4
  // characters are not masked: they would garble every line.
  for (const s of secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    text = text.split(s).join(maskSecret(s));
  }
  return text.replace(KEY_PATTERN, (k) => maskSecret(k)).replace(BEARER_PATTERN, "$1[REDACTED]");
}

/** A copy of `value` with the values of sensitive keys masked (the official maskSensitiveData). */
function maskFields(value, seen = new WeakSet()) {
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => maskFields(v, seen));
  if (typeof value.toJSON === "function") {
    try {
      return maskFields(value.toJSON(), seen);
    } catch {
      return String(value);
    }
  }
  const out = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    out[key] = SENSITIVE_KEY.test(key) ? (typeof v === "string" ? maskSecret(v) : "****") : maskFields(v, seen);
  }
  return out;
}

/** An extra argument as the official logger prints it: objects as indented JSON. */
function argText(arg) {
  if (typeof arg === "object" && arg !== null) {
    try {
      return JSON.stringify(maskFields(arg), null, 2) ?? String(arg);
    } catch {
      return String(arg);
    }
  }
  return String(arg);
}

function enabled(level) {
  return LEVELS[level] >= LEVELS[logger.level];
}

function writeFileLine(line) {
  const { fs, file } = logger;
  if (!fs || !file) return;
  try {
    if (fs.existsSync(file) && fs.statSync(file).size >= logger.maxFileBytes) {
      const rotated = `${file}.1`;
      if (fs.existsSync(rotated)) fs.unlinkSync(rotated);
      fs.renameSync(file, rotated);
    }
    fs.appendFileSync(file, line + "\n", "utf8");
  } catch (e) {
    if (logger.console) consoleWrite(true, `Failed to write to log file: ${e}`);
  }
}

function consoleWrite(toStderr, line) {
  const p = globalThis.process;
  const stream = p && (toStderr ? p.stderr : p.stdout);
  if (stream && typeof stream.write === "function") stream.write(line + "\n");
  else if (toStderr) console.error(line);
  else console.log(line);
}

/** Writes one masked line to the console (if enabled) and the log file (if any). */
function emit(toStderr, consoleLine, fileLine) {
  if (logger.console) consoleWrite(toStderr, maskText(consoleLine));
  writeFileLine(maskText(fileLine));
}

function emitLevel(level, message, extra) {
  if (!enabled(level)) return;
  const text = `${logger.format === "sls" ? level : LABELS[level]}: ${String(message)}`;
  const toStderr = level === "WARN" || level === "ERROR";
  emit(toStderr, logger.colors ? `${COLORS[level]}${text}\x1b[0m` : text, text);
  for (const line of extra) emit(toStderr, line, line);
}

/**
 * Logs a message without a level prefix, at INFO level (silent when the level is WARN or ERROR);
 * each extra argument follows on its own line (objects as JSON). API keys are masked.
 */
export function log(message, ...args) {
  if (!enabled("INFO")) return;
  const s = String(message);
  emit(false, s, s);
  for (const a of args) {
    const t = argText(a);
    emit(false, t, t);
  }
}

/** Logs a DEBUG message (stdout), then each extra argument. */
export function logDebug(message, ...args) {
  emitLevel("DEBUG", message, args.map(argText));
}

/** Logs an INFO message (stdout), then each extra argument. */
export function logInfo(message, ...args) {
  emitLevel("INFO", message, args.map(argText));
}

/** Logs a WARN message (stderr), then each extra argument. */
export function logWarn(message, ...args) {
  emitLevel("WARN", message, args.map(argText));
}

/** Logs an ERROR message (stderr), then the error: its message and stack, or the value as JSON. */
export function logError(message, error) {
  const extra = [];
  if (error instanceof Error) {
    extra.push(error.stack ? `${error.message}\nStack Trace:\n${error.stack}` : error.message);
  } else if (error) {
    extra.push(argText(error));
  }
  emitLevel("ERROR", message, extra);
}

/** Sets the lowest level written (`DEBUG`, `INFO`, `WARN`, `ERROR`); other values are ignored. */
export function setLogLevel(level) {
  const l = levelOf(level);
  if (l) logger.level = l;
}

/** The lowest level written. */
export function getLogLevel() {
  return logger.level;
}

function fileSize(text) {
  const m = /^(\d+)\s*(KB|MB|GB)?$/i.exec(String(text).trim());
  if (!m) return 10 * 1024 * 1024;
  return Number(m[1]) * { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(m[2] || "MB").toUpperCase()];
}

/**
 * Configures the logger: `level`, `logFile` (Node only: appended to, rotated to `<file>.1` at
 * `maxFileSize`, default "10 MB"; `""` turns file logging off), `enableConsole`, and `format`
 * (`"pretty"`, or `"sls"`/`"compact"` for plain `LEVEL: message` lines).
 */
export function setupLogger(config) {
  const c = config || {};
  if (c.level) setLogLevel(c.level);
  if (c.logFile !== undefined) {
    if (c.logFile && logger.fs) {
      logger.file = String(c.logFile);
      const dir = logger.path ? logger.path.dirname(logger.file) : "";
      if (dir && !logger.fs.existsSync(dir)) logger.fs.mkdirSync(dir, { recursive: true });
      if (c.maxFileSize) logger.maxFileBytes = fileSize(c.maxFileSize);
    } else {
      if (c.logFile) consoleWrite(true, "agentbay-wasm: setupLogger({ logFile }) needs a file system (Node); logging to the console only");
      logger.file = null;
    }
  }
  if (c.enableConsole !== undefined) logger.console = Boolean(c.enableConsole);
  if (c.format) logger.format = formatOf(c.format);
  else if (envVar("AGENTBAY_LOG_FORMAT")) logger.format = formatOf(envVar("AGENTBAY_LOG_FORMAT"));
  logger.colors = useColors();
}

// ---- Context ----------------------------------------------------------------------------------

/**
 * A context (official `new Context(id, name, createdAt?, lastUsedAt?)`). `agentBay.context.get`,
 * `create` and `list` return instances of it (with `state` and `osType` when the server says).
 */
export class Context {
  constructor(id, name, createdAt, lastUsedAt) {
    this.id = id;
    this.name = name;
    this.createdAt = createdAt;
    this.lastUsedAt = lastUsedAt;
  }
}

/**
 * Official `BrowserSyncMode`: which Chrome profile files a `BrowserContext` keeps (MINIMAL: the
 * cookies and `Local State`; STANDARD, the default: also storage, logins, preferences, …).
 */
export const BrowserSyncMode = Object.freeze({ MINIMAL: "minimal", STANDARD: "standard" });

/**
 * Official `new BrowserContext(contextId, autoUpload = true, extensionOption?, fingerprintContext?,
 * syncMode = BrowserSyncMode.STANDARD)`; `new BrowserContext(id, autoUpload, { syncMode })` works
 * too. `create({ browserContext })` syncs it at `/tmp/agentbay_browser` with the official white
 * lists. Extensions and fingerprints are not supported (create() refuses them).
 */
export class BrowserContext {
  constructor(contextId, autoUpload = true, extensionOption, fingerprintContext, syncMode = BrowserSyncMode.STANDARD) {
    const options =
      extensionOption && typeof extensionOption === "object" && "syncMode" in extensionOption && !("extensionIds" in extensionOption)
        ? extensionOption
        : null;
    if (options) {
      extensionOption = undefined;
      syncMode = options.syncMode ?? BrowserSyncMode.STANDARD;
    }
    this.contextId = contextId;
    this.autoUpload = autoUpload;
    this.syncMode = syncMode;
    this.extensionOption = extensionOption;
    this.fingerprintContext = fingerprintContext;
  }
}

/**
 * Official `new LifecyclePolicy({ idleReleaseTimeout = 5, maxRuntime = 30, manualRelease })`, in
 * minutes, with the official checks and messages. `create({ lifecyclePolicy })` sends it.
 */
export class LifecyclePolicy {
  constructor(options) {
    const o = options || {};
    const given = (v) => v !== undefined && v !== null;
    if (o.manualRelease) {
      for (const k of ["idleReleaseTimeout", "maxRuntime"]) {
        if (given(o[k])) {
          throw new Error(`${k} cannot be set when manualRelease=true. In manual release mode, the session is only released via delete().`);
        }
      }
      this.idleReleaseTimeout = 0;
      this.maxRuntime = 0;
      this.manualRelease = true;
      return;
    }
    const idle = given(o.idleReleaseTimeout) ? o.idleReleaseTimeout : 5;
    const max = given(o.maxRuntime) ? o.maxRuntime : 30;
    if (typeof idle !== "number" || !Number.isInteger(idle) || idle <= 0) {
      throw new Error("idleReleaseTimeout must be a positive integer (minutes)");
    }
    if (typeof max !== "number" || !Number.isInteger(max) || max <= 0) {
      throw new Error("maxRuntime must be a positive integer (minutes)");
    }
    this.idleReleaseTimeout = idle;
    this.maxRuntime = max;
    this.manualRelease = false;
  }
}

// ---- BetaContextMount (official beta-context-mount.ts, 0.21) --------------------------------

/** The glue module, given by __install (the class checks its enum fields through it). */
let glue = null;

/**
 * The canonical value of a mount field: the official default for `undefined`/`null`, else the
 * value if valid; throws `Invalid accessMode value: … Valid values are: …` otherwise (the values
 * and the wording are the SDK's, src/core/mount.rs, so create() and bind() say the same).
 */
function mountMode(field, value) {
  return glue.__agentbayMountMode(field, value);
}

/**
 * [Beta] Official `new BetaContextMount(contextId, path, accessMode = ReadWrite, strategy =
 * Standard)`: a context shown live at `path`, every write landing in it at once (no sync).
 * `create({ betaContextMount: [...] })` and `session.context.bind()` take it. A plain class of
 * five fields, as officially; the `with…` methods return `this`. An invalid `accessMode` or
 * `strategy` throws, naming the valid values.
 */
export class BetaContextMount {
  constructor(contextId, path, accessMode, strategy) {
    this.contextId = contextId;
    this.path = path;
    this.accessMode = mountMode("accessMode", accessMode);
    this.strategy = mountMode("strategy", strategy);
    this.sourcePath = "";
  }
  /** Sets `accessMode` (`readWrite` or `readOnly`); returns this mount. */
  withAccessMode(accessMode) {
    this.accessMode = mountMode("accessMode", accessMode);
    return this;
  }
  /** Sets `strategy` (`standard` or `performance`); returns this mount. */
  withStrategy(strategy) {
    this.strategy = mountMode("strategy", strategy);
    return this;
  }
  /** Shows only this folder of the context at the mount path (`""`: all of it); returns this mount. */
  withSourcePath(sourcePath) {
    this.sourcePath = sourcePath;
    return this;
  }
  /** `{"accessMode":…,"storageMode":…,"sourcePath":…}`, as the official method gives it. */
  toMountConfigJSON() {
    return JSON.stringify({ accessMode: this.accessMode, storageMode: this.strategy, sourcePath: this.sourcePath });
  }
}

/** Official `newBetaContextMount(contextId, path, accessMode?, strategy?)`: `new BetaContextMount(...)`. */
export function newBetaContextMount(contextId, path, accessMode, strategy) {
  return new BetaContextMount(contextId, path, accessMode, strategy);
}

function asContext(c) {
  if (c && typeof c === "object" && !(c instanceof Context)) Object.setPrototypeOf(c, Context.prototype);
  return c;
}

// ---- modules that need other images -----------------------------------------------------------

function unavailable(path, image, method, session) {
  let runs = "";
  try {
    runs = session && typeof session.imageId === "string" ? session.imageId : "";
  } catch {
    // A freed Session: its image is unknown.
  }
  const what = `session.${path}.${method}()`;
  if (runs === image) return `${what} is not implemented by agentbay-wasm (this session runs ${image})`;
  const current = runs ? `this session runs ${runs}` : "this session's image is unknown";
  return `${what} requires the ${image} image; ${current}`;
}

/** The methods of a module class: each resolves `{ requestId: "", success: false, errorMessage }`. */
function stubMethods(cls, path, image, methods) {
  for (const method of methods) {
    Object.defineProperty(cls.prototype, method, {
      configurable: true,
      writable: true,
      value: function () {
        return Promise.resolve({ requestId: "", success: false, errorMessage: unavailable(path, image, method, this._session) });
      },
    });
  }
}

/** `session.code` (official `Code`): code execution needs the `code_latest` image. */
export class Code {
  constructor(session) {
    Object.defineProperty(this, "_session", { value: session });
  }
}
stubMethods(Code, "code", "code_latest", ["runCode"]);

/** `session.computer` (official `Computer`): desktop automation needs the `windows_latest` image. */
export class Computer {
  constructor(session) {
    Object.defineProperty(this, "_session", { value: session });
  }
}
stubMethods(Computer, "computer", "windows_latest", [
  "clickMouse", "moveMouse", "dragMouse", "scroll", "inputText", "pressKeys", "releaseKeys",
  "getCursorPosition", "getScreenSize", "screenshot",
  "listRootWindows", "getActiveWindow", "activateWindow", "closeWindow", "maximizeWindow",
  "minimizeWindow", "restoreWindow", "resizeWindow", "fullscreenWindow", "focusMode",
  "getInstalledApps", "startApp", "listVisibleApps", "stopAppByPName", "stopAppByPID", "stopAppByCmd",
]);

/** `session.mobile` (official `Mobile`): mobile automation needs the `mobile_latest` image. */
export class Mobile {
  constructor(session) {
    Object.defineProperty(this, "_session", { value: session });
  }
}
stubMethods(Mobile, "mobile", "mobile_latest", [
  "tap", "swipe", "inputText", "sendKey", "getClickableUIElements", "getAllUIElements",
  "getInstalledApps", "startApp", "stopAppByPName", "screenshot", "getAdbUrl",
]);

/** `session.browser.agent` (official `BrowserAgent`): needs the `browser_latest` image. */
export class BrowserAgent {
  constructor(session) {
    Object.defineProperty(this, "_session", { value: session });
  }
}
stubMethods(BrowserAgent, "browser.agent", "browser_latest", ["act", "actAsync", "observe", "observeAsync", "extract", "extractAsync"]);

/**
 * `session.browser` (official `Browser`): browser automation needs the `browser_latest` image.
 * `isInitialized()` is `false` and `getOption()` is `null`, as for a browser never initialised.
 */
export class Browser {
  constructor(session) {
    Object.defineProperty(this, "_session", { value: session });
    this.agent = new BrowserAgent(session);
  }
  isInitialized() {
    return false;
  }
  getOption() {
    return null;
  }
  /**
   * Resolves `false`, as the official method does when the browser cannot start (a failure
   * object would be truthy, and `if (await browser.initializeAsync(o))` would take the success
   * branch); the reason, naming the image, goes to `logWarn`.
   */
  initializeAsync() {
    logWarn(unavailable("browser", "browser_latest", "initializeAsync", this._session));
    return Promise.resolve(false);
  }
  /** Alias of `initializeAsync`. */
  initialize() {
    logWarn(unavailable("browser", "browser_latest", "initialize", this._session));
    return Promise.resolve(false);
  }
}
stubMethods(Browser, "browser", "browser_latest", ["getEndpointUrl"]);

// ---- the Node transport: keep-alive node:http / node:https ------------------------------------

/**
 * The HTTP function the Node entries hand the core (`__agentbayHostHttp`, see src/js/env.rs):
 * one keep-alive agent per scheme, so sequential and concurrent calls reuse TCP (and TLS)
 * connections instead of paying `fetch`'s per-request cost. It keeps fetch's contract as the
 * core uses it: the whole exchange (redirects and body included) ends within `timeoutMs`; a body
 * over `cap` bytes is refused by its Content-Length before any of it is read, or as soon as the
 * bytes read pass the cap, and the connection is dropped; redirects are followed as fetch
 * follows them; gzip/deflate/br bodies are decoded; a failed exchange fails as fetch's does
 * (`fetch failed` with the cause, `terminated` for a body cut short), so messages stay the same.
 * TLS is Node's: the default CAs plus NODE_EXTRA_CA_CERTS. It returns `undefined` (the core then
 * uses `fetch`) when AGENTBAY_TRANSPORT=fetch or when globalThis.fetch was replaced after the
 * SDK was loaded (a mock or instrumented fetch wins).
 */
function nodeHttpTransport(host) {
  const { http, https, zlib } = host;
  const agents = {
    "http:": new http.Agent({ keepAlive: true, scheduling: "lifo" }),
    "https:": new https.Agent({ keepAlive: true, scheduling: "lifo" }),
  };
  const modules = { "http:": http, "https:": https };
  const loadedFetch = globalThis.fetch;
  const kindError = (kind, message, extra) => Object.assign(new Error(message), { agentbayKind: kind }, extra);
  const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];

  return function agentbayNodeHttp(url, method, headers, body, timeoutMs, cap, onBytes) {
    if (globalThis.fetch !== loadedFetch || envVar("AGENTBAY_TRANSPORT") === "fetch") return undefined;
    return new Promise((resolve, reject) => {
      let settled = false;
      let current = null; // the ClientRequest in flight
      const finish = (err, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          if (current) current.destroy();
          reject(err);
        } else resolve(value);
      };
      // Clamped as the fetch path clamps it (a longer delay would make setTimeout fire at once).
      const delay = Math.min(timeoutMs, 2 ** 31 - 1);
      const timer = setTimeout(() => finish(kindError("timeout", `timed out after ${timeoutMs}ms`)), delay);

      const send = (target, method, headers, body, redirects, retried) => {
        let parsed;
        try {
          parsed = new URL(target);
        } catch (e) {
          return finish(new TypeError("fetch failed", { cause: e }));
        }
        const mod = modules[parsed.protocol];
        if (!mod) return finish(new TypeError("fetch failed", { cause: new Error("unknown scheme") }));
        const h = Object.assign({}, headers);
        if (body && body.length !== undefined) h["content-length"] = String(body.length);
        else if (method !== "GET" && method !== "HEAD") h["content-length"] = "0";
        let responded = false;
        let req;
        try {
          req = mod.request(parsed, { method, headers: h, agent: agents[parsed.protocol] });
        } catch (e) {
          return finish(new TypeError("fetch failed", { cause: e }));
        }
        current = req;
        req.on("error", (e) => {
          if (settled) return;
          // A keep-alive connection the server closed while idle: the request never reached it.
          if (!responded && !retried && req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) {
            return send(target, method, headers, body, redirects, true);
          }
          finish(responded ? new TypeError("terminated", { cause: e }) : new TypeError("fetch failed", { cause: e }));
        });
        req.on("response", (res) => {
          responded = true;
          if (settled) return res.resume();
          const status = res.statusCode;
          const location = res.headers.location;
          if ([301, 302, 303, 307, 308].includes(status) && location !== undefined) {
            res.resume();
            if (redirects >= 20) return finish(new TypeError("fetch failed", { cause: new Error("redirect count exceeded") }));
            let next;
            try {
              next = new URL(location, parsed);
            } catch (e) {
              return finish(new TypeError("fetch failed", { cause: e }));
            }
            let m = method;
            let b = body;
            let hs = Object.assign({}, headers);
            if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
              m = "GET";
              b = undefined;
              for (const k of Object.keys(hs)) if (BODY_HEADERS.includes(k.toLowerCase())) delete hs[k];
            }
            if (next.origin !== parsed.origin) {
              for (const k of Object.keys(hs)) {
                if (["authorization", "cookie", "proxy-authorization", "host"].includes(k.toLowerCase())) delete hs[k];
              }
            }
            return send(next.href, m, hs, b, redirects + 1, false);
          }
          const declaredText = res.headers["content-length"];
          const declared = declaredText === undefined ? NaN : Number(String(declaredText).trim());
          if (Number.isFinite(declared) && declared > cap) {
            return finish(kindError("too-large", "response too large", { declared }));
          }
          let stream = res;
          const encoding = String(res.headers["content-encoding"] || "").trim().toLowerCase();
          if (zlib && method !== "HEAD" && status !== 204 && status !== 304) {
            const decoder =
              encoding === "gzip" || encoding === "x-gzip"
                ? zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH })
                : encoding === "deflate"
                  ? zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH })
                  : encoding === "br"
                    ? zlib.createBrotliDecompress()
                    : null;
            if (decoder) {
              res.on("error", (e) => decoder.destroy(e));
              stream = res.pipe(decoder);
            }
          }
          const chunks = [];
          let total = 0;
          // A download's progress: the decoded bytes, against Content-Length when it counts them.
          const reportRead = onBytes && (body === undefined || body === null);
          const expected = stream === res && Number.isFinite(declared) ? declared : undefined;
          stream.on("data", (c) => {
            if (settled) return;
            total += c.length;
            if (total > cap) return finish(kindError("too-large", "response too large", { declared: undefined }));
            chunks.push(c);
            if (reportRead) onBytes(total, expected);
          });
          stream.on("error", (e) => finish(new TypeError("terminated", { cause: e })));
          res.on("aborted", () => finish(new TypeError("terminated", { cause: new Error("other side closed") })));
          res.on("close", () => {
            if (!res.complete) finish(new TypeError("terminated", { cause: new Error("other side closed") }));
          });
          stream.on("end", () => {
            if (stream === res && !res.complete) return;
            finish(null, { status, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total) });
          });
        });
        if (body === undefined || body === null) req.end();
        else if (onBytes && body.length > PROGRESS_STEP) sendInSteps(req, body);
        else req.end(body);
      };
      // An upload's progress: the body goes out in steps, each reported once Node has handed it
      // to the socket (the write callback), so the count follows the network.
      const sendInSteps = (req, body) => {
        let at = 0;
        const next = () => {
          if (settled || current !== req) return;
          if (at >= body.length) return req.end();
          const end = Math.min(at + PROGRESS_STEP, body.length);
          req.write(body.subarray(at, end), (err) => {
            if (err || settled) return;
            at = end;
            onBytes(at, body.length);
            next();
          });
        };
        next();
      };
      send(url, method, headers, body, 0, false);
    });
  };
}

/** How often (in bytes) a file transfer reports its progress where the host lets us choose. */
const PROGRESS_STEP = 64 * 1024;

/**
 * The browser entries' HTTP function (`__agentbayHostHttp`, see src/js/env.rs): it takes only
 * uploads that report progress (`fileSystem.uploadFile(…, { onProgress })`), through
 * XMLHttpRequest, the one browser API that reports upload progress (fetch cannot stream a request
 * body over HTTP/1.1). Everything else returns `undefined`, so it goes through `fetch`. It keeps
 * the core's contract: the exchange ends within `timeoutMs`, a reply over `cap` bytes is refused,
 * a network failure reads like fetch's.
 */
function xhrUploadTransport() {
  const kindError = (kind, message, extra) => Object.assign(new Error(message), { agentbayKind: kind }, extra);
  return function agentbayXhrUpload(url, method, headers, body, timeoutMs, cap, onBytes) {
    if (!onBytes || body === undefined || body === null || typeof XMLHttpRequest !== "function") return undefined;
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      // onBytes must not run once the exchange ended (the core has dropped it by then).
      let settled = false;
      const settle = (fn) => (value) => {
        settled = true;
        fn(value);
      };
      resolve = settle(resolve);
      reject = settle(reject);
      try {
        xhr.open(method, url);
        xhr.responseType = "arraybuffer";
        xhr.timeout = Math.min(timeoutMs, 2 ** 31 - 1);
        for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
      } catch (e) {
        return reject(new TypeError("Failed to fetch", { cause: e }));
      }
      xhr.upload.onprogress = (e) => settled || onBytes(e.loaded, body.length);
      xhr.onload = () => {
        const bytes = new Uint8Array(xhr.response || new ArrayBuffer(0));
        if (bytes.length > cap) reject(kindError("too-large", "response too large", { declared: undefined }));
        else resolve({ status: xhr.status, body: bytes });
      };
      xhr.onerror = () => reject(new TypeError("Failed to fetch"));
      xhr.onabort = () => reject(new TypeError("Failed to fetch", { cause: new Error("aborted") }));
      xhr.ontimeout = () => reject(kindError("timeout", `timed out after ${timeoutMs}ms`));
      xhr.send(body);
    });
  };
}

/**
 * Called by the browser entries once the .wasm is instantiated: requests go through fetch,
 * except uploads that report progress (xhrUploadTransport above).
 */
export function __installBrowserHttp(bindings) {
  if (typeof bindings.__agentbayHostHttp === "function") bindings.__agentbayHostHttp(xhrUploadTransport());
}

// ---- installation into the wasm-bindgen classes ----------------------------------------------

/** Names the entries take from `__install` instead of the glue. */
export const __OVERRIDES = ["AgentBay"];

/**
 * Wires the above into the glue's classes; called once by each entry with its glue module and
 * what the host offers (`{ fs, path, http, https, zlib }` under Node). Returns the overridden exports.
 */
export function __install(bindings, host) {
  glue = bindings;
  logger.fs = (host && host.fs) || null;
  logger.path = (host && host.path) || null;
  // fileSystem.uploadFile(localPath) / downloadFile(…, localPath) read and write local files
  // through the host's fs (the Node entries; the .wasm imports no node: module itself).
  if (logger.fs && typeof bindings.__agentbayHostFs === "function") bindings.__agentbayHostFs(logger.fs);
  // Under Node, API and file-transfer requests go over keep-alive node:http / node:https
  // (nodeHttpTransport above); browsers, workers and the bundler entry keep fetch.
  if (host && host.http && host.https && typeof bindings.__agentbayHostHttp === "function") {
    bindings.__agentbayHostHttp(nodeHttpTransport(host));
  }

  // The official methods return `this`; a wasm-bindgen method cannot (src/js/policy.rs).
  const cs = bindings.ContextSync.prototype;
  for (const name of ["withPolicy", "withBetaWaitForCompletion"]) {
    const inner = cs[name];
    cs[name] = function (...args) {
      inner.apply(this, args);
      return this;
    };
  }

  // Contexts in results are `Context` instances, as officially.
  const ctx = bindings.ContextService.prototype;
  for (const name of ["get", "create"]) {
    const inner = ctx[name];
    ctx[name] = function (...args) {
      return inner.apply(this, args).then((r) => (r && asContext(r.context), r));
    };
  }
  const list = ctx.list;
  ctx.list = function (...args) {
    return list.apply(this, args).then((r) => (r && Array.isArray(r.contexts) && r.contexts.forEach(asContext), r));
  };

  // session.code / browser / computer / mobile: one object per session, as officially.
  const modules = { code: Code, browser: Browser, computer: Computer, mobile: Mobile };
  const made = new WeakMap();
  for (const [name, cls] of Object.entries(modules)) {
    Object.defineProperty(bindings.Session.prototype, name, {
      configurable: true,
      get() {
        let m = made.get(this);
        if (!m) made.set(this, (m = {}));
        return m[name] || (m[name] = new cls(this));
      },
    });
  }

  // Every configured API key is masked in log output.
  const AgentBay = new Proxy(bindings.AgentBay, {
    construct(target, args, newTarget) {
      const agentBay = Reflect.construct(target, args, newTarget);
      logger.secrets.add(agentBay.getAPIKey());
      return agentBay;
    },
  });
  return { AgentBay };
}
