// Issue 3 item 4: every ContextSync / SyncPolicy form, the policy part classes and factories, the
// enums, validation with the official messages, and the seed's spellings. No server needed: these
// are checked on the objects' JSON (what create() sends as the Policy string).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sdk from "./helpers/sdk.mjs";

const {
  ContextSync,
  SyncPolicy,
  SyncPolicyImpl,
  UploadPolicy,
  DownloadPolicy,
  DeletePolicy,
  ExtractPolicy,
  RecyclePolicy,
  MappingPolicy,
  WhiteList,
  BWList,
  UploadStrategy,
  DownloadStrategy,
  UploadMode,
  Lifecycle,
  newContextSync,
  newSyncPolicy,
  newSyncPolicyWithDefaults,
  newUploadPolicy,
  newDownloadPolicy,
  newDeletePolicy,
  newExtractPolicy,
  newRecyclePolicy,
  newMappingPolicy,
} = sdk;

const json = (v) => JSON.parse(JSON.stringify(v));

const DEFAULTS = {
  uploadPolicy: { autoUpload: true, uploadStrategy: "UploadBeforeResourceRelease", uploadMode: "File" },
  downloadPolicy: { autoDownload: true, downloadStrategy: "DownloadAsync" },
  deletePolicy: { syncLocalFile: true },
  extractPolicy: { extract: true, deleteSrcFile: true, extractToCurrentFolder: false },
  recyclePolicy: { lifecycle: "Lifecycle_Forever", paths: [""] },
};
const LIFECYCLES = [
  "Lifecycle_1Day",
  "Lifecycle_3Days",
  "Lifecycle_5Days",
  "Lifecycle_10Days",
  "Lifecycle_15Days",
  "Lifecycle_30Days",
  "Lifecycle_90Days",
  "Lifecycle_180Days",
  "Lifecycle_360Days",
  "Lifecycle_Forever",
];
const UNKNOWN_KEY =
  "Unknown property in SyncPolicy: 'bogus'. Valid properties are: uploadPolicy, downloadPolicy, deletePolicy, extractPolicy, recyclePolicy, bwList, mappingPolicy";

function assertDefaults(policy, label) {
  const p = json(policy);
  for (const [k, v] of Object.entries(DEFAULTS)) assert.deepEqual(p[k], v, `${label}: ${k}`);
  assert.equal(p.bwList.whiteLists.length, 1, `${label}: one whole-mount white list`);
  assert.equal(p.bwList.whiteLists[0].path, "", `${label}: white list path`);
  assert.deepEqual(p.bwList.whiteLists[0].excludePaths, [], `${label}: excludePaths`);
}

test("enums are exported with the official values", () => {
  assert.deepEqual({ ...UploadStrategy }, { UploadBeforeResourceRelease: "UploadBeforeResourceRelease" });
  assert.deepEqual({ ...DownloadStrategy }, { DownloadAsync: "DownloadAsync" });
  assert.deepEqual({ ...UploadMode }, { File: "File", Archive: "Archive" });
  assert.deepEqual(Object.values(Lifecycle), LIFECYCLES);
  for (const l of LIFECYCLES) assert.equal(Lifecycle[l], l);
});

test("SyncPolicy.default(), newSyncPolicy(), newSyncPolicyWithDefaults() and new SyncPolicyImpl() give the defaults", () => {
  assertDefaults(SyncPolicy.default(), "SyncPolicy.default()");
  assertDefaults(newSyncPolicy(), "newSyncPolicy()");
  assertDefaults(newSyncPolicyWithDefaults(), "newSyncPolicyWithDefaults()");
  assertDefaults(new SyncPolicyImpl(), "new SyncPolicyImpl()");
  assertDefaults(new SyncPolicy({}), "new SyncPolicy({})");
});

test("policy part classes have .default() and matching factories", () => {
  const parts = [
    [UploadPolicy, newUploadPolicy, DEFAULTS.uploadPolicy],
    [DownloadPolicy, newDownloadPolicy, DEFAULTS.downloadPolicy],
    [DeletePolicy, newDeletePolicy, DEFAULTS.deletePolicy],
    [ExtractPolicy, newExtractPolicy, DEFAULTS.extractPolicy],
    [RecyclePolicy, newRecyclePolicy, DEFAULTS.recyclePolicy],
    [MappingPolicy, newMappingPolicy, { path: "" }],
  ];
  for (const [Cls, factory, expected] of parts) {
    assert.deepEqual(json(Cls.default()), expected, `${Cls.name}.default()`);
    assert.deepEqual(json(factory()), expected, `${factory.name}()`);
    assert.deepEqual(json(new Cls()), expected, `new ${Cls.name}()`);
  }
  assert.deepEqual(json(new WhiteList({ path: "/src", excludePaths: ["/tmp"] })).excludePaths, ["/tmp"]);
  assert.equal(json(WhiteList.default()).path, "");
  assert.equal(json(BWList.default()).whiteLists[0].path, "");
});

test("the seed's SyncPolicy/UploadPolicy/DownloadPolicy constructors, spellings normalised, period kept", () => {
  const policy = new SyncPolicy({
    uploadPolicy: new UploadPolicy({ autoUpload: true, uploadStrategy: "BeforeResourceRelease", period: 30 }),
    downloadPolicy: new DownloadPolicy({ autoDownload: true, downloadStrategy: "Async" }),
  });
  const p = json(policy);
  assert.equal(p.uploadPolicy.uploadStrategy, "UploadBeforeResourceRelease");
  assert.equal(p.uploadPolicy.period, 30);
  assert.equal(p.uploadPolicy.autoUpload, true);
  assert.equal(p.downloadPolicy.downloadStrategy, "DownloadAsync");
  assert.equal(p.downloadPolicy.autoDownload, true);
});

test("plain-object policies are accepted, normalised and otherwise sent verbatim", () => {
  const given = { uploadPolicy: { autoUpload: false, uploadStrategy: "BeforeResourceRelease" } };
  const cs = new ContextSync("ctx-1", "/mnt/data", given);
  // `policy` is the object given (official); what create() sends is the normalised plain form.
  assert.equal(cs.policy, given);
  assert.deepEqual(json(cs).policy, { uploadPolicy: { autoUpload: false, uploadStrategy: "UploadBeforeResourceRelease" } });
});

test("SyncPolicyImpl keeps nested partials and fills missing top-level parts", () => {
  const p = json(new SyncPolicyImpl({ uploadPolicy: { autoUpload: false } }));
  assert.deepEqual(p.uploadPolicy, { autoUpload: false });
  assert.deepEqual(p.downloadPolicy, DEFAULTS.downloadPolicy);
  assert.throws(() => new SyncPolicyImpl({ bogus: 1 }), { message: UNKNOWN_KEY });
});

test("every ContextSync form gives the same contextId/path/policy", () => {
  const policy = newSyncPolicy();
  const forms = {
    positional: new ContextSync("ctx-1", "/mnt/data", policy),
    seedObject: new ContextSync({ contextId: "ctx-1", path: "/mnt/data", policy }),
    pythonNew: ContextSync.new("ctx-1", "/mnt/data", policy),
    factory: newContextSync("ctx-1", "/mnt/data", policy),
    withPolicy: new ContextSync("ctx-1", "/mnt/data").withPolicy(policy),
  };
  for (const [form, cs] of Object.entries(forms)) {
    assert.equal(cs.contextId, "ctx-1", form);
    assert.equal(cs.path, "/mnt/data", form);
    assertDefaults(cs.policy, form);
  }
  const noPolicy = new ContextSync("ctx-1", "/mnt/persistent");
  assert.equal(noPolicy.policy, undefined, "no policy means no Policy key is sent");
});

test("betaWaitForCompletion: 4th argument and withBetaWaitForCompletion()", () => {
  const cs = new ContextSync("ctx-1", "/mnt/data", undefined, false);
  assert.equal(cs.betaWaitForCompletion, false);
  const chained = new ContextSync("ctx-1", "/mnt/data").withBetaWaitForCompletion(false);
  assert.equal(chained.betaWaitForCompletion, false);
  assert.equal(chained.withBetaWaitForCompletion(true).betaWaitForCompletion, true);
});

test("validation throws the official messages", () => {
  assert.throws(() => new ContextSync("c", "/mnt/data", { bogus: {} }), { message: UNKNOWN_KEY });
  assert.throws(() => newContextSync("c", "/mnt/data", { bogus: {} }), { message: UNKNOWN_KEY });
  assert.throws(() => new ContextSync("c", "/mnt/data").withPolicy({ bogus: 1 }), { message: UNKNOWN_KEY });

  assert.throws(() => new ContextSync("c", "/m", { bwList: { whiteLists: [{ path: "/data/*" }] } }), {
    message:
      "Wildcard patterns are not supported in path when isPathRegex=false. Got: /data/*. Please use exact directory paths or set isPathRegex=true for regex matching.",
  });
  assert.throws(
    () => new ContextSync("c", "/m", { bwList: { whiteLists: [{ path: "/data", excludePaths: ["/tmp?"] }] } }),
    {
      message:
        "Wildcard patterns are not supported in excludePaths when isExcludeRegex=false. Got: /tmp?. Please use exact directory paths or set isExcludeRegex=true for regex matching.",
    },
  );
  // Regex white lists (newer SDKs) accept the same characters.
  new ContextSync("c", "/m", { bwList: { whiteLists: [{ path: "/home/wuying/.*", isPathRegex: true }] } });

  assert.throws(() => new ContextSync("c", "/m", { uploadPolicy: { uploadMode: "Zip" } }), {
    message: "Invalid uploadMode value: Zip. Valid values are: File, Archive",
  });
  const lifecycleMsg = (v) =>
    `Invalid lifecycle value: ${v}. Valid values are: ${LIFECYCLES.join(", ")}`;
  assert.throws(() => new ContextSync("c", "/m", { recyclePolicy: { lifecycle: "Lifecycle_2Days", paths: [""] } }), {
    message: lifecycleMsg("Lifecycle_2Days"),
  });
  assert.throws(() => new ContextSync("c", "/m", { recyclePolicy: { paths: [""] } }), {
    message: lifecycleMsg("undefined"),
  });
  assert.throws(
    () => new ContextSync("c", "/m", { recyclePolicy: { lifecycle: "Lifecycle_1Day", paths: ["/data/*"] } }),
    // The newest official wording: recycle paths go through the white-list path check (README,
    // "Validation messages: official 0.15 and newer").
    {
      message:
        "Wildcard patterns are not supported in path when isPathRegex=false. Got: /data/*. Please use exact directory paths or set isPathRegex=true for regex matching.",
    },
  );
});

test("unknown strategy values are rejected with the valid ones listed", () => {
  assert.throws(() => new ContextSync("c", "/m", { uploadPolicy: { uploadStrategy: "Sometimes" } }), {
    message: "Invalid uploadStrategy value: Sometimes. Valid values are: UploadBeforeResourceRelease (alias BeforeResourceRelease)",
  });
  assert.throws(() => new ContextSync("c", "/m", { downloadPolicy: { downloadStrategy: "Sync" } }), {
    message: "Invalid downloadStrategy value: Sync. Valid values are: DownloadAsync (alias Async)",
  });
  assert.throws(() => new SyncPolicy({ uploadPolicy: new UploadPolicy({ uploadStrategy: "Nope" }) }), /Invalid uploadStrategy value: Nope/);
});

test("official enum values are usable in policies", () => {
  const p = json(
    new SyncPolicyImpl({
      uploadPolicy: { autoUpload: true, uploadStrategy: UploadStrategy.UploadBeforeResourceRelease, uploadMode: UploadMode.Archive },
      recyclePolicy: { lifecycle: Lifecycle.Lifecycle_3Days, paths: ["/tmp/cache", "/tmp/logs"] },
    }),
  );
  assert.equal(p.uploadPolicy.uploadMode, "Archive");
  assert.deepEqual(p.recyclePolicy, { lifecycle: "Lifecycle_3Days", paths: ["/tmp/cache", "/tmp/logs"] });
});
