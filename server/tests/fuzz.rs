//! Property tests on the parsers every request goes through (issue 8): the form decoder and
//! the request parameter parser, the sync-policy parser (and what the server compiles from a
//! policy), and the path normalisers. Inputs are arbitrary; the properties are "never
//! panics" plus what each parser promises about its output.
//!
//! 256 cases per property in `npm test`; `npm run test:stress` sets `PROPTEST_CASES`.

use agentbay_local::api::mount_policy;
use agentbay_local::api::params::Params;
use agentbay_local::paths;
use agentbay_local::sandbox::validate_mount_path;
use agentbay_local::store::expiry;
use agentbay_local::sync::select::Selector;
use agentbay_wire::form;
use agentbay_wire::policy::{validate_and_normalize, SyncPolicy};
use agentbay_wire::request::*;
use proptest::prelude::*;
use serde_json::Value;

/// Arbitrary JSON, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,10}", inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Strings made of the pieces paths and patterns are made of, so the interesting cases
/// (`..`, `//`, drive letters, regex syntax, long components) come up often.
fn pathish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("/".to_string()),
        Just("..".to_string()),
        Just(".".to_string()),
        Just("\\".to_string()),
        Just("c:".to_string()),
        Just("C:\\".to_string()),
        Just("*".to_string()),
        Just("(".to_string()),
        Just(".*".to_string()),
        Just("\0".to_string()),
        Just("\n".to_string()),
        Just("x".repeat(256)),
        "[a-z下载]{1,8}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

/// Policies built from the real keys with arbitrary values: deeper than random JSON gets.
fn policyish() -> impl Strategy<Value = Value> {
    let white_list = (pathish(), prop::collection::vec(pathish(), 0..3), any::<bool>(), any::<bool>()).prop_map(
        |(path, ex, pr, er)| serde_json::json!({"path": path, "excludePaths": ex, "isPathRegex": pr, "isExcludeRegex": er}),
    );
    (
        prop::option::of(json()),
        prop::option::of(prop_oneof![Just(Value::from("File")), Just(Value::from("Archive")), json()]),
        prop::option::of(prop_oneof![any::<f64>().prop_map(Value::from), any::<i64>().prop_map(Value::from)]),
        prop::collection::vec(white_list, 0..3),
        prop::option::of((pathish(), prop::collection::vec(pathish(), 0..3))),
        prop::option::of(pathish()),
    )
        .prop_map(|(extra, mode, period, lists, recycle, mapping)| {
            let mut p = serde_json::json!({
                "uploadPolicy": {"uploadMode": mode, "period": period},
                "bwList": {"whiteLists": lists},
            });
            if let Some((lc, paths)) = recycle {
                p["recyclePolicy"] = serde_json::json!({"lifecycle": lc, "paths": paths});
            }
            if let Some(m) = mapping {
                p["mappingPolicy"] = serde_json::json!({"path": m});
            }
            if let Some(x) = extra {
                p["deletePolicy"] = x;
            }
            p
        })
}

/// What the server does with a policy once parsed, for a mount at `/mnt/data`.
fn use_policy(p: &SyncPolicy) {
    if let Ok(sel) = Selector::compile(p, "/mnt/data") {
        for rel in ["", "a", "src/a.txt", "x/y/z", "下载/n"] {
            let _ = sel.selects(rel);
            let _ = sel.may_contain(rel);
        }
    }
    let _ = mount_policy::check(0, "/mnt/data", p);
    let _ = expiry::recycle_dirs("/mnt/data", &p.recycle_policy);
}

proptest! {
    // A failure prints its minimal input; nothing is written next to the sources.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn form_decoding_never_panics_and_encoding_round_trips(
        raw in ".{0,64}",
        pairs in prop::collection::vec((".{0,12}", ".{0,12}"), 0..6),
    ) {
        let _ = form::decode(&raw);
        let encoded = form::encode(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        prop_assert_eq!(form::decode(&encoded), pairs);
    }

    #[test]
    fn request_parameters_never_panic(
        query in prop::option::of(".{0,48}"),
        body in prop::collection::vec(any::<u8>(), 0..96),
        json_body in any::<bool>(),
    ) {
        let ct = if json_body { Some("application/json") } else { Some("application/x-www-form-urlencoded") };
        if let Ok(p) = Params::parse(query.as_deref(), &body, ct) {
            // Every action's typed request, read from whatever arrived.
            let get = |k: &str| p.raw(k);
            let _ = ListContextsRequest::from_fields(&get);
            let _ = GetContextRequest::from_fields(&get);
            let _ = CreateMcpSessionRequest::from_fields(&get);
            let _ = CallMcpToolRequest::from_fields(&get);
            let _ = DescribeContextFilesRequest::from_fields(&get);
            let _ = p.check_names("GetContext", GetContextRequest::FIELDS);
        }
    }

    #[test]
    fn policy_parsing_never_panics_on_any_json(v in json(), s in ".{0,40}") {
        let _ = SyncPolicy::parse(&s);
        if let Ok(p) = SyncPolicy::parse(&v.to_string()) {
            use_policy(&p);
        }
    }

    #[test]
    fn parsed_policies_round_trip_and_validation_is_idempotent(v in policyish()) {
        let mut once = v.clone();
        if validate_and_normalize(&mut once).is_ok() {
            let mut twice = once.clone();
            prop_assert!(validate_and_normalize(&mut twice).is_ok());
            prop_assert_eq!(&once, &twice);
        }
        if let Ok(p) = SyncPolicy::parse(&v.to_string()) {
            use_policy(&p);
            let again = SyncPolicy::parse(&serde_json::to_string(&p).unwrap());
            prop_assert_eq!(again.ok(), Some(p));
        }
    }

    #[test]
    fn normalised_paths_are_canonical(p in pathish()) {
        let _ = validate_mount_path(&p);
        for (name, normalize) in [
            ("normalize", paths::normalize as fn(&str) -> Result<String, paths::PathError>),
            ("normalize_file", paths::normalize_file),
            ("normalize_context", paths::normalize_context),
            ("normalize_context_file", paths::normalize_context_file),
        ] {
            if let Ok(n) = normalize(&p) {
                prop_assert!(n.starts_with('/'), "{}: {:?} -> {:?}", name, p, n);
                prop_assert!(n == "/" || !n.ends_with('/'), "{}: {:?}", name, n);
                prop_assert!(n.len() <= paths::MAX_LEN && !n.contains('\0'), "{}: {:?}", name, n);
                for c in n[1..].split('/').filter(|_| n != "/") {
                    prop_assert!(!c.is_empty() && c != "." && c != "..", "{}: {:?} -> {:?}", name, p, n);
                    prop_assert!(c.len() <= paths::MAX_COMPONENT, "{}: {:?}", name, n);
                }
                prop_assert_eq!(normalize(&n).ok(), Some(n.clone()), "{} is not idempotent on {:?}", name, p);
            }
        }
    }
}
