//! Typing ahead: a second thread types the component schemas and path items from the raw
//! document while lowering works through them.
//!
//! The typed document leaves both out (see `load`), so lowering types each from its raw value
//! when it reaches it. On a large spec that typing is a good part of lowering, and it needs
//! nothing lowering makes: a worker does it in spec order, the order lowering takes them in,
//! and hands over each result through a bounded channel, so at most [`LEAD`] typed values wait
//! at a time. Lowering takes a result only for the very value it is about to type (compared by
//! address), and types any other itself: what it gets never depends on the worker.

use openapiv3::{PathItem, ReferenceOr, Schema};
use serde::Deserialize;
use serde_json::{Error as JsonError, Value};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::Scope;

/// Below this many schemas and path items together the worker saves nothing that shows: it did
/// not on the corpus's largest spec, with 165 (the large bench spec has 2,163).
const MIN_ITEMS: usize = 256;

/// How many typed values may wait for lowering.
const LEAD: usize = 32;

/// What the worker typed, with the raw value it typed it from. Typed values are large (a path
/// item takes 8 KiB), so they go boxed.
enum Typed<'a> {
    Schema(&'a Value, Box<Result<Schema, JsonError>>),
    PathItem(&'a Value, Box<Result<ReferenceOr<PathItem>, JsonError>>),
}

/// The receiving end, with the next result looked at but not yet taken; empty when no worker
/// runs.
#[derive(Default)]
pub(super) struct Ahead<'a> {
    rx: Option<Receiver<Typed<'a>>>,
    next: Option<Typed<'a>>,
}

impl<'a> Ahead<'a> {
    /// Starts the worker on `raw`'s component schemas and then its path items, if there are
    /// enough of them. It stops when it is done or when the returned value is dropped.
    pub(super) fn start<'s>(scope: &'s Scope<'s, '_>, raw: &'a Value) -> Ahead<'a>
    where
        'a: 's,
    {
        let schemas = raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(_, v)| v)
            // An alias (a schema that is only a `$ref`) is not typed (`lower_ref_target`).
            .filter(|v| !v.get("$ref").is_some_and(Value::is_string));
        let paths = raw
            .pointer("/paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(path, _)| path.starts_with('/'))
            .map(|(_, v)| v);
        let (schemas, paths): (Vec<&'a Value>, Vec<&'a Value>) =
            (schemas.collect(), paths.collect());
        if schemas.len() + paths.len() < MIN_ITEMS {
            return Ahead::default();
        }
        let (tx, rx) = sync_channel(LEAD);
        scope.spawn(move || {
            let schemas = schemas
                .into_iter()
                .map(|v| Typed::Schema(v, Box::new(Schema::deserialize(v))));
            let paths = paths
                .into_iter()
                .map(|v| Typed::PathItem(v, Box::new(ReferenceOr::deserialize(v))));
            // A failed send means lowering is done and dropped its end: stop.
            for typed in schemas.chain(paths) {
                if tx.send(typed).is_err() {
                    break;
                }
            }
        });
        Ahead {
            rx: Some(rx),
            next: None,
        }
    }

    /// The worker's typing of `raw`, if `raw` is the component schema it typed next.
    pub(super) fn schema(&mut self, raw: &Value) -> Option<Result<Schema, JsonError>> {
        match self.take(raw)? {
            Typed::Schema(_, typed) => Some(*typed),
            Typed::PathItem(..) => None,
        }
    }

    /// The worker's typing of `raw`, if `raw` is the path item it typed next.
    pub(super) fn path_item(
        &mut self,
        raw: &Value,
    ) -> Option<Result<ReferenceOr<PathItem>, JsonError>> {
        match self.take(raw)? {
            Typed::PathItem(_, typed) => Some(*typed),
            Typed::Schema(..) => None,
        }
    }

    /// The next result if it was typed from `raw` (the same value, not an equal one). Waits
    /// for the worker if it has not sent the next one yet, which cannot block for good: the
    /// channel is empty then, so the worker is typing or has ended.
    fn take(&mut self, raw: &Value) -> Option<Typed<'a>> {
        if self.next.is_none() {
            self.next = self.rx.as_ref()?.recv().ok();
        }
        let (Typed::Schema(v, _) | Typed::PathItem(v, _)) = self.next.as_ref()?;
        match std::ptr::eq(*v, raw) {
            true => self.next.take(),
            false => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;

    /// A spec with `n` component schemas (objects, arrays, aliases and inline enums, some
    /// referring to others) and `n / 2` paths using them: enough for the worker to run.
    fn spec(n: usize, broken: Option<usize>) -> String {
        let mut schemas = serde_json::Map::new();
        for i in 0..n {
            let schema = match i % 4 {
                0 => serde_json::json!({
                    "type": "object",
                    "description": format!("Thing {i}."),
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string"},
                        "next": {"$ref": format!("#/components/schemas/S{}", (i + 1) % n)},
                        "kind": {"type": "string", "enum": ["a", "b"]}
                    }
                }),
                1 => {
                    serde_json::json!({"type": "array", "items": {"$ref": "#/components/schemas/S0"}})
                }
                2 => serde_json::json!({"$ref": format!("#/components/schemas/S{}", i - 2)}),
                _ => serde_json::json!({"type": "integer", "format": "int64", "minimum": i}),
            };
            let schema = match broken {
                Some(b) if b == i => serde_json::json!({"type": "object", "properties": []}),
                _ => schema,
            };
            schemas.insert(format!("S{i}"), schema);
        }
        let mut paths = serde_json::Map::new();
        for i in 0..n / 2 {
            paths.insert(
                format!("/things/{i}/{{id}}"),
                serde_json::json!({
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "get": {
                        "operationId": format!("getThing{i}"),
                        "responses": {"200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/S{i}")}}}
                        }}
                    }
                }),
            );
        }
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "Many", "version": "1"},
            "paths": paths,
            "components": {"schemas": schemas}
        })
        .to_string()
    }

    /// Lowers `text` with and without the worker.
    fn both(
        text: &str,
    ) -> (
        Result<crate::ir::Api, String>,
        Result<crate::ir::Api, String>,
    ) {
        let loaded = load("many.json", text).expect("the spec loads");
        let with = std::thread::scope(|s| {
            let ahead = Ahead::start(s, &loaded.raw);
            assert!(ahead.rx.is_some(), "the worker runs on this spec");
            super::super::lower_with("many.json", &loaded, ahead)
        });
        let without = super::super::lower_with("many.json", &loaded, Ahead::default());
        (
            with.map_err(|e| e.to_string()),
            without.map_err(|e| e.to_string()),
        )
    }

    #[test]
    fn typing_ahead_gives_the_same_ir() {
        let (with, without) = both(&spec(400, None));
        let with = with.expect("the spec lowers");
        assert_eq!(
            with.types.len(),
            without.as_ref().map_or(0, |a| a.types.len())
        );
        assert_eq!(Ok(with), without);
    }

    #[test]
    fn typing_ahead_gives_the_same_error() {
        for broken in [0, 201, 399] {
            let (with, without) = both(&spec(400, Some(broken)));
            let error = with.expect_err("a component schema does not type");
            let place = format!("#/components/schemas/S{broken}: not a valid");
            assert!(error.contains(&place), "{place} not in: {error}");
            assert_eq!(Err(error), without);
        }
    }

    #[test]
    fn small_specs_start_no_worker() {
        let text = spec(100, None);
        let loaded = load("few.json", &text).expect("the spec loads");
        std::thread::scope(|s| assert!(Ahead::start(s, &loaded.raw).rx.is_none()));
    }
}
