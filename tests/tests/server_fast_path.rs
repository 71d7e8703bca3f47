//! `POST /customer/{tenant}/me/addresses` takes the fast path for its body (`Address` has no
//! constraints, enums or unions, so a strict decode straight into the model replaces the checks
//! on a `serde_json::Value` when it succeeds). Many valid and broken bodies, in the style of
//! Schemathesis (nulls, wrong types, missing and extra members, arrays for objects, numbers out
//! of range, bad strings, duplicates), go to the generated server. In this debug build the
//! runtime takes every body the fast path accepts through the slow path as well and panics if
//! they disagree (which closes the connection and fails the request here); bodies the fast path
//! refuses are answered by the slow path alone. Spot checks pin the answers themselves.

use oasgen_runtime::reqwest::{self, StatusCode};
use oasgen_tests::ReferenceService;
use serde_json::{json, Value};
use std::sync::Arc;

const MEMBERS: &[&str] = &[
    "id",
    "contactName",
    "companyName",
    "street",
    "streetNumber",
    "streetAppendix",
    "extraLine1",
    "extraLine2",
    "extraLine3",
    "extraLine4",
    "zipCode",
    "city",
    "country",
    "state",
    "contactPhone",
    "tags",
    "metadata",
    "mixins",
    "isDefault",
    "unknownMember",
];

const VALUES: &[&str] = &[
    "null",
    "0",
    "-1",
    "1.5",
    "1e400",
    "18446744073709551616",
    r#""s""#,
    r#""""#,
    r#""\ud800""#,
    r#""\u00e9""#,
    "true",
    "[]",
    "[null]",
    r#"["a"]"#,
    "[1]",
    "{}",
    r#"{"a":null}"#,
    r#"{"a":"b"}"#,
    r#"{"version":1}"#,
    r#"{"version":null}"#,
    r#"{"version":2147483648}"#,
    r#"{"mixins":{"a":"b"}}"#,
    r#"{"mixins":{"a":1}}"#,
    r#"{"mixins":null}"#,
];

fn base() -> Value {
    json!({
        "contactName": "John Doe",
        "street": "Platz der Republik",
        "streetNumber": "1",
        "zipCode": "11011",
        "city": "Berlin",
        "country": "DE",
        "tags": ["BILLING", "SHIPPING"],
        "isDefault": false
    })
}

/// The base address with `member` set to the JSON text `value` (written last, so that a
/// member the base has appears twice).
fn with(member: &str, value: &str, replace: bool) -> Vec<u8> {
    let mut base = base();
    if replace {
        base.as_object_mut().unwrap().remove(member);
    }
    let text = base.to_string();
    let rest = &text[1..text.len() - 1];
    format!("{{{rest},\"{member}\":{value}}}").into_bytes()
}

fn bodies() -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = [
        base().to_string().as_str(),
        "{}",
        "null",
        "[]",
        r#"["John Doe"]"#,
        r#""Berlin""#,
        "1",
        "{",
        r#"{"city":"Berlin"} x"#,
        r#"{"city":"Berlin",}"#,
        r#"{"city":"Berlin","city":"Bonn"}"#,
        r#"{"city":"Berlin","city":null}"#,
        r#"{"city":"Berlin","unknownMember":[[[[[[[[[[]]]]]]]]]]}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    for member in MEMBERS {
        for value in VALUES {
            bodies.push(with(member, value, true));
            bodies.push(with(member, value, false));
        }
    }
    bodies.push(b"{\"city\":\"\xff\"}".to_vec());
    bodies.push(b"{\"unknownMember\":\"\xc3\x28\"}".to_vec());
    bodies
}

async fn post(http: &reqwest::Client, base: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = http
        .post(format!("{base}/customer/shop/me/addresses"))
        .bearer_auth("seed-token")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the server answers (it panics if the two paths disagree)");
    let status = response.status();
    let body = response.json().await.expect("a JSON answer");
    (status, body)
}

/// `(field, type)` of each detail of a `400`.
fn details(body: &Value) -> Vec<(String, String)> {
    body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap().into(),
                d["type"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect()
}

#[tokio::test]
async fn valid_and_broken_addresses_get_the_answers_of_the_checks() {
    let service = Arc::new(ReferenceService::new().with_seed_token("seed-token"));
    let base = oasgen_tests::spawn(service).await.unwrap();
    let http = reqwest::Client::new();
    let (mut created, mut refused) = (0, 0);
    for body in bodies() {
        let text = String::from_utf8_lossy(&body).into_owned();
        let (status, answer) = post(&http, &base, body).await;
        match status.as_u16() {
            201 => created += 1,
            400 => {
                refused += 1;
                let kind = answer["type"].as_str().unwrap();
                assert!(
                    ["validation_failure", "malformed_request"].contains(&kind),
                    "{text}: {answer}"
                );
                assert!(!details(&answer).is_empty(), "{text}: {answer}");
            }
            other => panic!("{text}: {other} {answer}"),
        }
    }
    assert!(
        created > 100 && refused > 300,
        "{created} created, {refused} refused"
    );
}

/// A body, the `type` of the answer and its details as `(field, type)`.
type Case = (
    &'static [u8],
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[tokio::test]
async fn what_serde_alone_would_accept_is_refused_with_details() {
    let service = Arc::new(ReferenceService::new().with_seed_token("seed-token"));
    let base = oasgen_tests::spawn(service).await.unwrap();
    let http = reqwest::Client::new();
    let cases: &[Case] = &[
        (
            br#"{"city":null}"#,
            "validation_failure",
            &[("city", "invalid_type")],
        ),
        (br#"[]"#, "validation_failure", &[("body", "invalid_type")]),
        (
            br#"{"metadata":{"version":null,"mixins":{"a":1}}}"#,
            "validation_failure",
            &[
                ("metadata.mixins.a", "invalid_type"),
                ("metadata.version", "invalid_type"),
            ],
        ),
        (
            br#"{"metadata":[]}"#,
            "validation_failure",
            &[("metadata", "invalid_type")],
        ),
        (
            br#"{"tags":["a",null]}"#,
            "validation_failure",
            &[("tags[1]", "invalid_type")],
        ),
        (
            br#"{"unknownMember":1e400}"#,
            "malformed_request",
            &[("body", "malformed_json")],
        ),
        (
            br#"{"unknownMember":"\ud800"}"#,
            "malformed_request",
            &[("body", "malformed_json")],
        ),
    ];
    for (body, kind, expected) in cases {
        let (status, answer) = post(&http, &base, body.to_vec()).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["type"], *kind, "{answer}");
        assert_eq!(details(&answer), pairs(expected), "{answer}");
    }
    // Members serde does not know, `null` there included, are ignored as before.
    let body = br#"{"city":"Bonn","unknownMember":{"a":null}}"#.to_vec();
    let (status, answer) = post(&http, &base, body).await;
    assert_eq!(status, 201, "{answer}");
}
