//! The classified differences between two surfaces (the rules are in the module docs of
//! [`super`]).

use super::surface::{
    ClientMethod, Field, Operation, Param, Response, ServerMethod, Shape, Surface, TypeDef, Variant,
};
use super::{Change, Severity};
use std::collections::{BTreeMap, BTreeSet};

/// The changes from `old` to `new`, sorted.
pub fn diff(old: &Surface, new: &Surface) -> Vec<Change> {
    let mut out = Changes::default();
    for (name, change) in pair(&old.types, &new.types) {
        let subject = format!("type `{name}`");
        match change {
            Pair::Removed(_) => {
                out.breaking(&subject, "removed", "code naming it no longer compiles")
            }
            Pair::Added(_) => out.additive(&subject, "added", ""),
            Pair::Both(a, b) => diff_type(&mut out, &subject, "", a, b),
        }
    }
    for (name, change) in pair(&old.operations, &new.operations) {
        let subject = format!("operation `{name}`");
        match change {
            Pair::Removed(op) => out.breaking(
                &subject,
                "removed",
                &format!("{} are gone", sides(name, op)),
            ),
            Pair::Added(op) => op_added(&mut out, &subject, name, op),
            Pair::Both(a, b) => diff_operation(&mut out, &subject, name, a, b),
        }
    }
    diff_signatures(&mut out, "function", &old.functions, &new.functions);
    diff_signatures(&mut out, "trait", &old.traits, &new.traits);
    for name in old.reexports.difference(&new.reexports) {
        out.breaking(
            &format!("re-export `{name}`"),
            "removed",
            "code naming it no longer compiles",
        );
    }
    for name in new.reexports.difference(&old.reexports) {
        out.additive(&format!("re-export `{name}`"), "added", "");
    }
    let mut changes = out.0;
    // Breaking first, then by subject as read (`add_address` before `add_address_tags`).
    changes.sort_by_cached_key(|c| (c.severity, c.subject.replace('`', ""), c.what.clone()));
    changes.dedup();
    changes
}

/// Functions and traits, compared by their signatures as text.
fn diff_signatures(
    out: &mut Changes,
    kind: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) {
    for (name, change) in pair(old, new) {
        let subject = format!("{kind} `{name}`");
        match change {
            Pair::Removed(_) => {
                out.breaking(&subject, "removed", "code using it no longer compiles")
            }
            Pair::Added(_) => out.additive(&subject, "added", ""),
            Pair::Both(a, b) if a != b => out.breaking(
                &subject,
                &format!("changed from `{a}` to `{b}`"),
                "callers and implementors must be updated",
            ),
            Pair::Both(..) => {}
        }
    }
}

#[derive(Default)]
struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, severity: Severity, subject: &str, what: &str, why: &str) {
        self.0.push(Change {
            severity,
            subject: subject.to_string(),
            what: what.to_string(),
            why: why.to_string(),
        });
    }
    fn breaking(&mut self, subject: &str, what: &str, why: &str) {
        self.push(Severity::Breaking, subject, what, why);
    }
    fn additive(&mut self, subject: &str, what: &str, why: &str) {
        self.push(Severity::Additive, subject, what, why);
    }
}

enum Pair<'a, T> {
    Removed(&'a T),
    Added(&'a T),
    Both(&'a T, &'a T),
}

/// The union of two maps' keys, each with its values on both sides.
fn pair<'a, T>(
    old: &'a BTreeMap<String, T>,
    new: &'a BTreeMap<String, T>,
) -> Vec<(&'a String, Pair<'a, T>)> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let p = match (old.get(k), new.get(k)) {
                (Some(a), Some(b)) => Pair::Both(a, b),
                (Some(a), None) => Pair::Removed(a),
                (None, Some(b)) => Pair::Added(b),
                (None, None) => return None,
            };
            Some((k, p))
        })
        .collect()
}

fn kind(s: &Shape) -> &'static str {
    match s {
        Shape::Struct { .. } => "struct",
        Shape::Enum { .. } => "enum",
        Shape::Alias(_) => "type alias",
        Shape::Other => "trait",
    }
}

/// Differences of one type; `prefix` names it when the subject is its operation.
fn diff_type(out: &mut Changes, subject: &str, prefix: &str, a: &TypeDef, b: &TypeDef) {
    if !a.deprecated && b.deprecated {
        out.additive(
            subject,
            &format!("{prefix}deprecated"),
            "users get a warning",
        );
    }
    match (&a.shape, &b.shape) {
        (
            Shape::Struct {
                fields: fa,
                default: had_default,
            },
            Shape::Struct {
                fields: fb,
                default,
            },
        ) => {
            if *had_default && !default {
                out.breaking(
                    subject,
                    &format!("{prefix}no longer implements `Default`"),
                    "`Default::default()` and `..Default::default()` no longer compile",
                );
            }
            diff_fields(out, subject, prefix, fa, fb, *default)
        }
        (
            Shape::Enum { variants: va, .. },
            Shape::Enum {
                variants: vb,
                non_exhaustive,
            },
        ) => diff_variants(out, subject, prefix, va, vb, *non_exhaustive),
        (Shape::Alias(x), Shape::Alias(y)) if x != y => out.breaking(
            subject,
            &format!("{prefix}now an alias of `{y}` (was `{x}`)"),
            "code using it as the old type no longer compiles",
        ),
        (x, y) if kind(x) != kind(y) => out.breaking(
            subject,
            &format!("{prefix}changed from {} to {}", kind(x), kind(y)),
            "code using it no longer compiles",
        ),
        _ => {}
    }
}

fn field_name(name: &str) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("tuple field `{name}`")
    } else {
        format!("field `{name}`")
    }
}

fn diff_fields(
    out: &mut Changes,
    subject: &str,
    prefix: &str,
    old: &[Field],
    new: &[Field],
    has_default: bool,
) {
    let old_map: BTreeMap<String, &Field> = old.iter().map(|f| (f.name.clone(), f)).collect();
    let new_map: BTreeMap<String, &Field> = new.iter().map(|f| (f.name.clone(), f)).collect();
    for (name, p) in pair(&old_map, &new_map) {
        let field = field_name(name);
        match p {
            Pair::Removed(_) => out.breaking(
                subject,
                &format!("{prefix}{field} removed"),
                "code reading or setting it no longer compiles",
            ),
            Pair::Added(f) if f.required() => out.breaking(
                subject,
                &format!("{prefix}required {field} added (`{}`)", f.ty),
                "struct literals must set it, and JSON without it is rejected",
            ),
            Pair::Added(f) if has_default => out.additive(
                subject,
                &format!("{prefix}optional {field} added (`{}`)", f.ty),
                "literals written with `..Default::default()` keep compiling",
            ),
            Pair::Added(f) => out.breaking(
                subject,
                &format!("{prefix}optional {field} added (`{}`)", f.ty),
                "the struct has no `Default`, so struct literals must set it",
            ),
            Pair::Both(a, b) => {
                if let Some((what, why)) = retyped(&a.ty, &b.ty) {
                    out.breaking(subject, &format!("{prefix}{field} {what}"), why);
                }
            }
        }
    }
}

/// How a type changed, and why that breaks: `None` when it did not.
fn retyped(a: &str, b: &str) -> Option<(String, &'static str)> {
    if a == b {
        return None;
    }
    let inner = |t: &str| {
        t.strip_prefix("Option<")
            .and_then(|t| t.strip_suffix('>'))
            .map(str::to_string)
    };
    Some(match (inner(a), inner(b)) {
        (Some(x), None) if x == b => (
            format!("made required (`{a}` -> `{b}`)"),
            "its Rust type loses the `Option`, and JSON without it is rejected",
        ),
        (None, Some(y)) if y == a => (
            format!("made optional (`{a}` -> `{b}`)"),
            "its Rust type becomes an `Option`",
        ),
        _ => (
            format!("type changed from `{a}` to `{b}`"),
            "code using the old type no longer compiles",
        ),
    })
}

fn diff_variants(
    out: &mut Changes,
    subject: &str,
    prefix: &str,
    old: &[Variant],
    new: &[Variant],
    non_exhaustive: bool,
) {
    let old_map: BTreeMap<String, &Variant> = old.iter().map(|v| (v.name.clone(), v)).collect();
    let new_map: BTreeMap<String, &Variant> = new.iter().map(|v| (v.name.clone(), v)).collect();
    let catch_all = new.iter().any(|v| v.name == "Other");
    for (name, p) in pair(&old_map, &new_map) {
        match p {
            Pair::Removed(_) => out.breaking(
                subject,
                &format!("{prefix}variant `{name}` removed"),
                "code constructing or matching it no longer compiles",
            ),
            Pair::Added(_) if non_exhaustive => out.additive(
                subject,
                &format!("{prefix}variant `{name}` added"),
                "the enum is `#[non_exhaustive]`",
            ),
            Pair::Added(_) => out.breaking(
                subject,
                &format!("{prefix}variant `{name}` added"),
                if catch_all {
                    "exhaustive `match`es need a new arm (the value used to arrive as `Other`)"
                } else {
                    "exhaustive `match`es need a new arm"
                },
            ),
            Pair::Both(a, b) if a.payload != b.payload => out.breaking(
                subject,
                &format!(
                    "{prefix}variant `{name}` payload changed from `{}` to `{}`",
                    show_payload(&a.payload),
                    show_payload(&b.payload)
                ),
                "code constructing or matching it no longer compiles",
            ),
            Pair::Both(..) => {}
        }
    }
}

fn show_payload(p: &str) -> &str {
    if p.is_empty() {
        "(none)"
    } else {
        p
    }
}

fn sides(name: &str, op: &Operation) -> String {
    match (&op.client, &op.server) {
        (Some(_), Some(_)) => {
            format!("client method `Client::{name}` and server method `Api::{name}`")
        }
        (Some(_), None) => format!("client method `Client::{name}`"),
        (None, _) => format!("server method `Api::{name}`"),
    }
}

fn op_added(out: &mut Changes, subject: &str, name: &str, op: &Operation) {
    match &op.server {
        Some(s) if !s.has_default => out.breaking(
            subject,
            "added",
            &format!(
                "server implementors must implement the new required method `Api::{name}` (additive for client users)"
            ),
        ),
        _ => out.additive(subject, "added", &format!("new {}", sides(name, op))),
    }
}

/// The client method of an operation: presence, deprecation, return type, argument order.
fn diff_client(
    out: &mut Changes,
    subject: &str,
    name: &str,
    a: Option<&ClientMethod>,
    b: Option<&ClientMethod>,
) {
    match (a, b) {
        (Some(_), None) => out.breaking(
            subject,
            "client method removed",
            &format!("callers of `Client::{name}` no longer compile"),
        ),
        (None, Some(_)) => out.additive(subject, "client method added", ""),
        (Some(x), Some(y)) => {
            if !x.deprecated && y.deprecated {
                out.additive(subject, "deprecated", "callers get a warning");
            }
            if x.output != y.output {
                out.breaking(
                    subject,
                    &format!(
                        "client method now returns `{}` (was `{}`)",
                        y.output, x.output
                    ),
                    "callers using the result must be updated",
                );
            }
            let common: Vec<&String> = y.args.iter().filter(|n| x.args.contains(n)).collect();
            let before: Vec<&String> = x.args.iter().filter(|n| y.args.contains(n)).collect();
            if common != before {
                out.breaking(
                    subject,
                    &format!(
                        "client method arguments reordered: ({}) -> ({})",
                        x.args.join(", "),
                        y.args.join(", ")
                    ),
                    "positional arguments no longer line up",
                );
            }
        }
        (None, None) => {}
    }
}

/// The `Api` method of an operation: presence, extra arguments (the principal), default body.
fn diff_server(
    out: &mut Changes,
    subject: &str,
    name: &str,
    a: Option<&ServerMethod>,
    b: Option<&ServerMethod>,
) {
    match (a, b) {
        (Some(_), None) => out.breaking(
            subject,
            "server method removed",
            &format!("implementations of `Api::{name}` no longer compile"),
        ),
        (None, Some(s)) if !s.has_default => out.breaking(
            subject,
            "server method added",
            &format!("implementors must implement `Api::{name}`"),
        ),
        (None, Some(_)) => out.additive(subject, "server method added", ""),
        (Some(x), Some(y)) => {
            if x.signature != y.signature {
                out.breaking(
                    subject,
                    &format!(
                        "server method `Api::{name}` arguments changed from `{}` to `{}`",
                        x.signature, y.signature
                    ),
                    "implementors must update the method (security requirements changed?)",
                );
            }
            if x.has_default && !y.has_default {
                out.breaking(
                    subject,
                    &format!("server method `Api::{name}` lost its default body"),
                    "implementors must write it",
                );
            }
        }
        (None, None) => {}
    }
}

fn diff_operation(out: &mut Changes, subject: &str, name: &str, a: &Operation, b: &Operation) {
    diff_client(out, subject, name, a.client.as_ref(), b.client.as_ref());
    diff_server(out, subject, name, a.server.as_ref(), b.server.as_ref());
    let client = a.client.is_some() && b.client.is_some();
    for (param, p) in pair(&a.params, &b.params) {
        diff_param(out, subject, name, param, p, client);
    }
    for (status, p) in pair(&a.responses, &b.responses) {
        diff_response(out, subject, status, p);
    }
    for (ty_name, p) in pair(&a.types, &b.types) {
        match p {
            Pair::Removed(_) => out.breaking(
                subject,
                &format!("type `{ty_name}` removed"),
                "code naming it no longer compiles",
            ),
            Pair::Added(_) => out.additive(subject, &format!("type `{ty_name}` added"), ""),
            Pair::Both(x, y) => diff_type(out, subject, &format!("`{ty_name}`: "), x, y),
        }
    }
}

fn diff_param(
    out: &mut Changes,
    subject: &str,
    op: &str,
    name: &str,
    p: Pair<'_, Param>,
    client: bool,
) {
    let label = if name == "body" {
        "request body".to_string()
    } else {
        format!("parameter `{name}`")
    };
    match p {
        Pair::Added(p) => {
            let req = if p.required() { "required" } else { "optional" };
            let what = format!("{req} {label} added (`{}`)", p.shown());
            if client && p.client.is_some() && !p.required() {
                out.additive(
                    subject,
                    &what,
                    &format!("the request of `Client::{op}` gains a setter"),
                );
            } else if client && p.client.is_some() {
                let http = if p.required() {
                    ", and HTTP callers that omit it are rejected"
                } else {
                    ""
                };
                let why = format!("`Client::{op}` takes a new argument{http}");
                out.breaking(subject, &what, &why);
            } else if p.required() {
                out.breaking(
                    subject,
                    &what,
                    "HTTP callers that do not send it are rejected",
                );
            } else {
                out.additive(subject, &what, "the router fills the new request field");
            }
        }
        Pair::Removed(_) => out.breaking(
            subject,
            &format!("{label} removed"),
            "callers passing it and implementors reading it no longer compile",
        ),
        Pair::Both(x, y) => {
            let changed = retyped(x.shown(), y.shown()).or_else(|| {
                retyped(
                    x.server.as_deref().unwrap_or(""),
                    y.server.as_deref().unwrap_or(""),
                )
            });
            if let Some((what, why)) = changed {
                out.breaking(subject, &format!("{label} {what}"), why);
            }
        }
    }
}

fn diff_response(out: &mut Changes, subject: &str, status: &str, p: Pair<'_, Response>) {
    let label = format!("response `{status}`");
    match p {
        Pair::Added(r) => match &r.client {
            Some((e, v, _)) => out.breaking(
                subject,
                &format!("{label} added"),
                &format!("`{e}` gains variant `{v}`, so exhaustive `match`es on it need a new arm"),
            ),
            None => out.additive(
                subject,
                &format!("{label} added"),
                "implementors may return it",
            ),
        },
        Pair::Removed(r) => {
            let variants: Vec<String> = [&r.server, &r.client]
                .into_iter()
                .flatten()
                .map(|(e, v, _)| format!("`{e}::{v}`"))
                .collect();
            let why = format!(
                "code constructing or matching {} no longer compiles",
                variants.join(" or ")
            );
            out.breaking(subject, &format!("{label} removed"), &why);
        }
        Pair::Both(x, y) => {
            let payload = |r: &Response| {
                r.server
                    .as_ref()
                    .or(r.client.as_ref())
                    .map(|(_, _, p)| p.clone())
                    .unwrap_or_default()
            };
            let (pa, pb) = (payload(x), payload(y));
            if pa != pb {
                out.breaking(
                    subject,
                    &format!(
                        "{label} body changed from `{}` to `{}`",
                        show_payload(&pa),
                        show_payload(&pb)
                    ),
                    "code constructing or matching it no longer compiles",
                );
            }
            // A success status that becomes a client variant (a second success was added)
            // shows as the changed return type.
        }
    }
}
