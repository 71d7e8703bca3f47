//! The `tracing` span of a call, on the golden crate of `tests/fixtures/calls.yaml`.
//!
//! Alone in its test binary: `tracing` caches per call site whether any subscriber wants it, and
//! a call made on another test thread with no subscriber, at the moment this test installs its
//! own, can leave that cache at "never" (the span is then not recorded).

mod client_support;

use client_support::{quick_config, Recorder, Reply};
use fixture_calls::client::{Client, Credentials, Token};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A client of the fixture for `base_url`, with a bearer token and retries off.
fn client(base_url: &str) -> Client {
    let credentials = Credentials::new();
    credentials.set_token("BearerAuth", Token::new("tok-1"));
    Client::with_config(base_url, credentials, quick_config()).unwrap()
}

/// A span's name and fields, as recorded.
type Span = (String, BTreeMap<String, String>);

/// Spans as a subscriber of our own records them.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<Span>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
}

impl tracing::Subscriber for Spans {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut spans = self.0.lock().unwrap();
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        spans.push((attrs.metadata().name().to_string(), fields));
        tracing::span::Id::from_u64(spans.len() as u64)
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.0.lock().unwrap();
        let (_, fields) = &mut spans[id.into_u64() as usize - 1];
        values.record(&mut Fields(fields));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn each_call_is_a_span_with_operation_method_path_and_status() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(spans.clone());
    let server = Recorder::start().await;
    let c = client(&server.base_url);
    server.push(Reply::empty(404));
    let err = c.get_address("acme", "a-1").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let recorded = spans.0.lock().unwrap().clone();
    let calls: Vec<&BTreeMap<String, String>> = recorded
        .iter()
        .filter(|(name, _)| name == "oasgen.call")
        .map(|(_, fields)| fields)
        .collect();
    let expected: BTreeMap<String, String> = [
        ("operation", "getAddress"),
        ("method", "GET"),
        ("path", "/{tenant}/addresses/{addressId}"),
        ("status", "404"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(calls, [&expected]);
}
