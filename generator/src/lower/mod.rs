//! Stage 2: `openapiv3` document -> [`ir::Api`].
//!
//! Lowering resolves every `$ref`, names every type, and collects every problem it finds
//! (instead of stopping at the first), each with the JSON pointer of where it stands.
//! It is split by what it lowers: `schema` (types), `operation` (paths, parameters, bodies,
//! responses, security) and `check` (passes over the finished types: boxing, defaults, names).

mod check;
mod form;
mod operation;
mod sample;
mod schema;

use crate::error::{escape_token, unescape_token, Error, Problem};
use crate::ir::{self, TypeExpr, TypeId};
use crate::load::Loaded;
use indexmap::IndexMap;
use openapiv3::{Components, ReferenceOr};
use serde_json::Error as JsonError;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// What a type should be called, before global name resolution.
#[derive(Debug, Clone)]
enum NameHint {
    /// A component schema (or other `$ref` target): its own name.
    Component(String),
    /// An inline schema: the words of where it stands, and its `title` if it has one.
    Inline {
        path: Vec<String>,
        title: Option<String>,
    },
}

/// Lowering state: the one owner of every type while the IR is built.
struct Lowerer<'a> {
    doc: &'a openapiv3::OpenAPI,
    raw: &'a serde_json::Value,
    loaded: &'a Loaded<'a>,
    types: Vec<ir::TypeDef>,
    hints: Vec<NameHint>,
    /// `$ref` string -> the type slot allocated for it.
    refs: BTreeMap<String, TypeId>,
    /// JSON pointer of an inline schema -> what it lowered to (so a schema reached twice, e.g.
    /// through `allOf`, is one type).
    inline: BTreeMap<String, TypeExpr>,
    /// `$ref`s whose slots are still to be lowered, in discovery order.
    pending: Vec<(String, TypeId)>,
    /// Form types made of component structs, by struct, encoding and fields (see
    /// `form::lower_form`), so bodies that send one the same way share it.
    forms: BTreeMap<String, TypeId>,
    problems: Vec<Problem>,
    warnings: Vec<String>,
    /// Schemas with `additionalProperties: false` already warned about for refusing what other
    /// `allOf` members declare (once each: many schemas may merge one).
    closed_warned: BTreeSet<String>,
}

/// Lowers a loaded spec into the IR, or reports every problem found.
pub fn lower(file: &str, loaded: &Loaded<'_>) -> Result<ir::Api, Error> {
    let mut cx = Lowerer {
        doc: &loaded.doc,
        raw: &loaded.raw,
        loaded,
        types: Vec::new(),
        hints: Vec::new(),
        refs: BTreeMap::new(),
        inline: BTreeMap::new(),
        pending: Vec::new(),
        forms: BTreeMap::new(),
        problems: Vec::new(),
        warnings: loaded.warnings.clone(),
        closed_warned: BTreeSet::new(),
    };
    // Every component schema gets its slot first, in spec order, so names follow the spec and
    // references (even recursive ones) resolve before their target is lowered.
    let components = cx.doc.components.iter();
    for name in components.flat_map(|c| c.schemas.keys()) {
        let reference = format!("#/components/schemas/{}", escape_token(name));
        cx.slot_for_ref(&reference);
    }
    cx.lower_pending();
    let mut security_schemes = cx.lower_security_schemes();
    let operations = cx.lower_operations(&mut security_schemes);
    cx.lower_pending();
    if !cx.problems.is_empty() {
        let mut problems = std::mem::take(&mut cx.problems);
        problems.sort_by_key(|p| p.location.line);
        problems.dedup();
        return Err(Error::Invalid {
            file: file.to_string(),
            problems,
        });
    }
    let info = &cx.doc.info;
    let mut api = ir::Api {
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        base_url: cx.doc.servers.first().map(|s| s.url.clone()),
        types: std::mem::take(&mut cx.types),
        operations,
        security_schemes,
        warnings: std::mem::take(&mut cx.warnings),
    };
    let hints = std::mem::take(&mut cx.hints);
    check::finish(&mut api, &hints).map_err(|problems| Error::Invalid {
        file: file.to_string(),
        problems,
    })?;
    sample::fill(&mut api, &loaded.source);
    Ok(api)
}

impl<'a> Lowerer<'a> {
    fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        let location = self.loaded.source.locate(pointer);
        self.problems.push(Problem {
            location,
            message: message.into(),
        });
    }

    fn warn(&mut self, pointer: &str, message: impl std::fmt::Display) {
        let location = self.loaded.source.locate(pointer);
        self.warnings.push(format!("{location}: {message}"));
    }

    /// Allocates an empty type with a name hint; its kind is filled in later.
    fn new_type(&mut self, hint: NameHint, pointer: &str) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(ir::TypeDef {
            name: String::new(),
            pointer: pointer.to_string(),
            docs: ir::Docs::default(),
            deprecated: false,
            kind: ir::TypeKind::Alias(TypeExpr::Json),
            constraints: ir::Constraints::default(),
            has_default: false,
        });
        self.hints.push(hint);
        id
    }

    /// The slot of a `$ref` target, allocating (and queueing) it on first sight.
    fn slot_for_ref(&mut self, reference: &str) -> TypeId {
        if let Some(&id) = self.refs.get(reference) {
            return id;
        }
        let last = reference.rsplit('/').next().unwrap_or("");
        let name = unescape_token(last);
        let hint = if reference.starts_with("#/components/schemas/")
            && reference.matches('/').count() == 3
        {
            NameHint::Component(name)
        } else {
            // A reference into the middle of a document: name it by its last two tokens.
            let mut parts: Vec<String> = reference
                .trim_start_matches("#/")
                .split('/')
                .map(unescape_token)
                .filter(|t| !matches!(t.as_str(), "properties" | "items" | "schema" | "content"))
                .collect();
            let keep = parts.len().saturating_sub(2);
            parts.drain(..keep);
            NameHint::Inline {
                path: parts,
                title: None,
            }
        };
        let id = self.new_type(hint, reference);
        self.refs.insert(reference.to_string(), id);
        self.pending.push((reference.to_string(), id));
        id
    }

    /// Lowers every queued `$ref` target (lowering may queue more).
    fn lower_pending(&mut self) {
        let mut next = 0;
        while next < self.pending.len() {
            let (reference, id) = self.pending[next].clone();
            next += 1;
            self.lower_ref_target(&reference, id);
        }
        self.pending.clear();
    }

    /// Looks up a local `$ref` in the raw document.
    fn resolve_raw(&self, reference: &str) -> Option<&'a serde_json::Value> {
        let pointer = reference.strip_prefix('#')?;
        self.raw.pointer(pointer)
    }

    /// The component a `$ref` at `ptr` points to (a `what`: `parameter`, `header`, ...), or
    /// `None` after reporting why there is none: not valid as a `what`, or nothing there.
    fn resolve_or_report<T: Component>(
        &mut self,
        reference: &str,
        ptr: &str,
        what: &str,
    ) -> Option<T> {
        match self.resolve::<T>(reference) {
            Some(Ok(item)) => Some(item.into_owned()),
            Some(Err(e)) => {
                self.problem(reference, format!("not a valid {what}: {e}"));
                None
            }
            None => {
                let message = format!("$ref `{reference}` points to nothing in this document");
                self.problem(ptr, message);
                None
            }
        }
    }

    /// The schema behind a schema or its `$ref`; `None` if the `$ref` points to no schema.
    fn schema_behind<'s, T: std::borrow::Borrow<openapiv3::Schema>>(
        &self,
        s: &'s ReferenceOr<T>,
    ) -> Option<Cow<'s, openapiv3::Schema>>
    where
        'a: 's,
    {
        match s {
            ReferenceOr::Item(s) => Some(Cow::Borrowed(s.borrow())),
            ReferenceOr::Reference { reference } => {
                self.resolve::<openapiv3::Schema>(reference)?.ok()
            }
        }
    }

    /// What a local `$ref` points to, typed: borrowed from the typed document when it names a
    /// component of `T`'s section (typed once, at load), else read from the raw document.
    /// `None` if it points to nothing.
    fn resolve<T: Component>(&self, reference: &str) -> Option<Result<Cow<'a, T>, JsonError>> {
        // A target that is itself a `$ref` (siblings beside it are ignored, as OpenAPI 3.0
        // says) stands for what that points to. A cycle ends where the hops run out, at a
        // value that is only a `$ref`: read as an empty schema.
        let mut reference = reference;
        for _ in 0..MAX_ALIAS_HOPS {
            match self.resolve_raw(reference).and_then(alias_of) {
                Some(next) if next.starts_with('#') => reference = next,
                _ => break,
            }
        }
        let name = reference
            .strip_prefix("#/components/")
            .and_then(|rest| rest.strip_prefix(T::SECTION))
            .and_then(|rest| rest.strip_prefix('/'))
            .filter(|name| !name.contains('/'));
        let typed = name.and_then(|name| {
            let section = T::section(self.doc.components.as_ref()?);
            match section.get(unescape_token(name).as_str())? {
                ReferenceOr::Item(item) => Some(item),
                ReferenceOr::Reference { .. } => None,
            }
        });
        match typed {
            Some(item) => Some(Ok(Cow::Borrowed(item))),
            None => Some(T::deserialize(self.resolve_raw(reference)?).map(Cow::Owned)),
        }
    }
}

/// How many `$ref`s to `$ref`s [`Lowerer::resolve`] follows.
const MAX_ALIAS_HOPS: usize = 32;

/// What a schema that is only a `$ref` (an alias, never typed) points to.
fn alias_of(raw: &serde_json::Value) -> Option<&str> {
    raw.get("$ref").and_then(serde_json::Value::as_str)
}

/// What a section of `#/components` holds, which [`Lowerer::resolve`] finds typed.
trait Component: Clone + serde::de::DeserializeOwned + 'static {
    /// The section's name (`schemas`).
    const SECTION: &'static str;
    /// The section in the typed document.
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>>;
}

macro_rules! component {
    ($ty:ty, $section:literal, $field:ident) => {
        impl Component for $ty {
            const SECTION: &'static str = $section;
            fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
                &components.$field
            }
        }
    };
}

component!(openapiv3::Schema, "schemas", schemas);
component!(openapiv3::Example, "examples", examples);
component!(openapiv3::Parameter, "parameters", parameters);
component!(openapiv3::RequestBody, "requestBodies", request_bodies);
component!(openapiv3::Response, "responses", responses);
component!(openapiv3::Header, "headers", headers);
component!(
    openapiv3::SecurityScheme,
    "securitySchemes",
    security_schemes
);
