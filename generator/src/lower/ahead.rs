//! Typing ahead: a second thread types the component schemas and path items from the raw
//! document while lowering works through them.
//!
//! The typed document leaves both out (see `load`), so lowering types each from its raw value
//! when it reaches it. On a large spec that typing is a good part of lowering, and it needs
//! nothing lowering makes: a worker does it in spec order, the order lowering takes them in
//! (all component schemas, then all path items), and hands each result over through one of
//! two bounded channels. Lowering takes a result only for the very value it is about to type
//! (compared by address), and types any other itself: what it gets never depends on the worker.
//!
//! Lowering a schema takes longer than typing it, so while the schema channel is full the
//! worker types path items ahead, up to [`PATH_LEAD`] of them. It waits only when both
//! channels are full, on the schema channel, which lowering drains or (once it asks for a
//! path item) drops; and when the schemas are done, on the path channel, which lowering
//! drains once it has taken the schemas that are left and found the schema channel closed.

use openapiv3::{PathItem, ReferenceOr, Schema};
use serde::Deserialize;
use serde_json::{Error as JsonError, Value};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::thread::Scope;

/// Below this many schemas and path items together the worker saves nothing that shows: it did
/// not on the corpus's largest spec, with 165 (the large bench spec has 2,163).
const MIN_ITEMS: usize = 256;

/// How many typed schemas may wait for lowering.
const SCHEMA_LEAD: usize = 32;

/// How many typed path items may wait for lowering.
const PATH_LEAD: usize = 64;

/// A raw value and what typing it gave. Typed values are large (a path item takes 8 KiB), so
/// they go boxed.
type Typed<'a, T> = (&'a Value, Box<Result<T, JsonError>>);

/// The receiving ends; empty when no worker runs.
#[derive(Default)]
pub(super) struct Ahead<'a> {
    schemas: Queue<'a, Schema>,
    paths: Queue<'a, ReferenceOr<PathItem>>,
}

impl<'a> Ahead<'a> {
    /// Starts the worker on `raw`'s component schemas and path items, if there are enough of
    /// them. It stops when it is done or when the returned value is dropped.
    pub(super) fn start<'s>(scope: &'s Scope<'s, '_>, raw: &'a Value) -> Ahead<'a>
    where
        'a: 's,
    {
        // What lowering types, in its order: every component schema but an alias, then every
        // path item.
        let schemas: Vec<&'a Value> = super::raw_schemas(raw)
            .map(|(_, v)| v)
            .filter(|v| super::alias_of(v).is_none())
            .collect();
        let paths: Vec<&'a Value> = super::raw_path_items(raw).map(|(_, v)| v).collect();
        if schemas.len() + paths.len() < MIN_ITEMS {
            return Ahead::default();
        }
        let (schema_tx, schema_rx) = sync_channel(SCHEMA_LEAD);
        let (path_tx, path_rx) = sync_channel(PATH_LEAD);
        scope.spawn(move || work(schemas, paths, schema_tx, path_tx));
        Ahead {
            schemas: Queue::new(schema_rx),
            paths: Queue::new(path_rx),
        }
    }

    /// The worker's typing of `raw`, if `raw` is the component schema it typed next.
    pub(super) fn schema(&mut self, raw: &Value) -> Option<Result<Schema, JsonError>> {
        self.schemas.take(raw)
    }

    /// The worker's typing of `raw`, if `raw` is the path item it typed next. The schemas
    /// are done once path items are asked for: the schema channel is dropped, so the worker
    /// never waits on it again.
    pub(super) fn path_item(
        &mut self,
        raw: &Value,
    ) -> Option<Result<ReferenceOr<PathItem>, JsonError>> {
        self.schemas = Queue::default();
        self.paths.take(raw)
    }
}

/// The worker: types and sends the schemas, and path items while the schema channel is full;
/// returns when all are sent or lowering has dropped its ends.
fn work<'a>(
    schemas: Vec<&'a Value>,
    paths: Vec<&'a Value>,
    schema_tx: SyncSender<Typed<'a, Schema>>,
    path_tx: SyncSender<Typed<'a, ReferenceOr<PathItem>>>,
) {
    let mut schemas = schemas.into_iter().map(typed::<Schema>);
    let mut paths = paths.into_iter().map(typed::<ReferenceOr<PathItem>>);
    let mut schema_tx = Some(schema_tx);
    // Typed, but not sent yet because its channel was full. While the schema channel is open,
    // a schema waits here whenever the loop gets past the first step.
    let mut schema = None;
    let mut path = None;
    loop {
        // Schemas first, while there is room for them.
        if let Some(tx) = &schema_tx {
            match schema
                .take()
                .or_else(|| schemas.next())
                .map(|t| tx.try_send(t))
            {
                Some(Ok(())) => continue,
                Some(Err(TrySendError::Full(t))) => schema = Some(t),
                // All sent, or no longer wanted: closing the channel tells lowering so.
                None | Some(Err(TrySendError::Disconnected(_))) => {
                    schema_tx = None;
                    continue;
                }
            }
        }
        // Then a path item, while there is room for it.
        if let Some(p) = path.take().or_else(|| paths.next()) {
            match path_tx.try_send(p) {
                Ok(()) => continue,
                Err(TrySendError::Full(p)) => path = Some(p),
                Err(TrySendError::Disconnected(_)) => return,
            }
        }
        // Nothing could be sent: wait for room, on the schemas (which lowering takes first)
        // while they last, then on the path items.
        match (&schema_tx, schema.take(), path.take()) {
            (Some(tx), Some(t), p) => {
                path = p;
                if tx.send(t).is_err() {
                    schema_tx = None;
                }
            }
            (None, _, Some(p)) => {
                if path_tx.send(p).is_err() {
                    return;
                }
            }
            // Everything is sent.
            _ => return,
        }
    }
}

fn typed<'a, T: Deserialize<'a>>(v: &'a Value) -> Typed<'a, T> {
    (v, Box::new(T::deserialize(v)))
}

/// Results in the worker's order, with the next one looked at but not yet taken.
struct Queue<'a, T> {
    rx: Option<Receiver<Typed<'a, T>>>,
    next: Option<Typed<'a, T>>,
}

impl<T> Default for Queue<'_, T> {
    fn default() -> Self {
        Queue {
            rx: None,
            next: None,
        }
    }
}

impl<'a, T> Queue<'a, T> {
    fn new(rx: Receiver<Typed<'a, T>>) -> Self {
        Queue {
            rx: Some(rx),
            next: None,
        }
    }

    /// The next result if it was typed from `raw` (the same value, not an equal one). Waits
    /// for the worker if it has not sent the next one yet; see the module docs for why that
    /// wait ends.
    fn take(&mut self, raw: &Value) -> Option<Result<T, JsonError>> {
        if self.next.is_none() {
            self.next = self.rx.as_ref()?.recv().ok();
        }
        match &self.next {
            Some((v, _)) if std::ptr::eq(*v, raw) => self.next.take().map(|(_, typed)| *typed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;

    /// A spec with `n` component schemas (objects, arrays, aliases and inline enums, some
    /// referring to others) and `n / 2` paths using them.
    fn spec(n: usize, broken: Option<usize>) -> String {
        spec_with(n, n / 2, broken)
    }

    /// A spec with `n` component schemas and `paths` paths.
    fn spec_with(n: usize, paths_n: usize, broken: Option<usize>) -> String {
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
        for i in 0..paths_n {
            let body = match n {
                0 => serde_json::json!({"type": "string"}),
                _ => serde_json::json!({"$ref": format!("#/components/schemas/S{}", i % n)}),
            };
            paths.insert(
                format!("/things/{i}/{{id}}"),
                serde_json::json!({
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "get": {
                        "operationId": format!("getThing{i}"),
                        "responses": {"200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": body}}
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
            assert!(ahead.schemas.rx.is_some(), "the worker runs on this spec");
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
    fn typing_ahead_gives_the_same_ir_whatever_the_mix() {
        // Path items beyond what may wait, schemas alone, path items alone.
        for (schemas, paths) in [(300, 1000), (600, 0), (0, 600), (340, 3)] {
            let (with, without) = both(&spec_with(schemas, paths, None));
            let with = with.expect("the spec lowers");
            assert_eq!(with.operations.len(), paths);
            assert_eq!(Ok(with), without, "{schemas} schemas, {paths} paths");
        }
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
        std::thread::scope(|s| assert!(Ahead::start(s, &loaded.raw).schemas.rx.is_none()));
    }
}
