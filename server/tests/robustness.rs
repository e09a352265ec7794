//! Hostile or broken input never crashes the server or yields a non-JSON/5xx answer.

mod common;
use common::*;

#[tokio::test]
async fn garbage_requests_get_json_client_errors() {
    let s = TestServer::start().await;
    let long = "A".repeat(30_000);
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let queries = [
        "/?%".to_string(),
        "/?Action=%zz%".to_string(),
        "/?=&&&=".to_string(),
        format!("/?Action={long}"),
        "/?Action=GetContext%00".to_string(),
        "/?Action=CreateMcpSession&Version=".to_string(),
        "/?Action=CallMcpTool".to_string(),
        "/?Action=ListSession".to_string(),
    ];
    let bodies: Vec<Vec<u8>> = vec![
        b"Authorization=Bearer%20akm-test-a&Labels=".to_vec(),
        format!("Authorization=Bearer%20akm-test-a&Labels={deep}&PersistenceDataList={deep}&Args={deep}&Name=shell&SessionId=x").into_bytes(),
        b"Authorization=Bearer%20\xe4\xb8&Name=x".to_vec(),
        b"Authorization=Bearer%20akm-test-a&MaxResults=-1&NextToken=99999999999999999999999".to_vec(),
        b"Authorization=Bearer%20akm-test-a&MaxResults=18446744073709551616".to_vec(),
        b"Authorization=Bearer%20".to_vec(),
        b"Authorization=Bearer%20akm-test-a&PersistenceDataList=%5B%7B%22ContextId%22%3A1%2C%22Path%22%3A%5B%5D%7D%5D".to_vec(),
        b"&&&&".to_vec(),
    ];
    for q in &queries {
        for b in &bodies {
            for chunked in [true, false] {
                let r = send(
                    s.addr,
                    None,
                    "POST",
                    q,
                    &[("content-type", "application/x-www-form-urlencoded")],
                    TestBody::new(b.clone(), chunked),
                )
                .await;
                assert!((400..500).contains(&r.status) || r.status == 200, "{q}: HTTP {}", r.status);
                let v = r.json();
                if r.status != 200 {
                    assert_eq!(v["Success"], false, "{v}");
                    assert!(v["Code"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
                }
            }
        }
    }
    // Presigned route with junk.
    for q in ["/files", "/files?op=put", "/files?op=get&ctx=&path=&expires=x&sig=zz", "/nowhere"] {
        for m in ["GET", "PUT"] {
            let r = send(s.addr, None, m, q, &[], TestBody::new(b"x".to_vec(), false)).await;
            assert!((400..500).contains(&r.status), "{m} {q}: {}", r.status);
            r.json();
        }
    }
    // Still serving.
    s.client().ok("ListContexts", &[]).await;
    s.stop().await;
}
