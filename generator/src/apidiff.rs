//! The API change report: what a regeneration changes in the public API of the generated
//! crate, and whether that breaks its users.
//!
//! [`Surface::from_files`] reads the public surface of a generated crate from its files
//! (parsed with `syn`; only public items and signatures, never function bodies):
//! model types (structs with their fields, enums with their variants, type aliases), the
//! operations (the async methods of `Client` and the methods of the server trait `Api`, with
//! the per-operation types their signatures name: `<Op>Request`, `<Op>Response`, `<Op>Error`,
//! `<Op>Body`), other public types, functions and re-exports. [`diff`] compares two
//! surfaces; [`report`] does both for two sets of files and never fails: an old tree that is
//! missing or does not parse gives a report that says there is no previous API.
//!
//! # Classification
//!
//! Every change is `breaking` or `additive`, judged for the users of the generated crate
//! (Rust semver: client users, server implementors) and of the HTTP API. The rules, in one
//! place:
//!
//! | change | class | why |
//! | --- | --- | --- |
//! | operation removed | breaking | its client method and `Api` method are gone |
//! | operation added | breaking | server implementors must implement the new required `Api` method (additive for client users) |
//! | operation added, `Api` method with a default body | additive | |
//! | parameter added, required or optional | breaking | the client method takes a new positional argument; a required one also breaks HTTP callers |
//! | parameter added, server only | additive if optional | the router fills the new `<Op>Request` field |
//! | parameter removed, retyped, made required or optional | breaking | the argument's Rust type changes |
//! | client arguments reordered, return type changed | breaking | |
//! | response status added | breaking | `<Op>Error` (or `<Op>Response`) gains a variant: exhaustive matches fail |
//! | response status added, server only | additive | implementors may return it |
//! | response status removed or its body retyped | breaking | |
//! | type removed, or changed between struct, enum and alias | breaking | |
//! | type added | additive | |
//! | field removed, retyped, made required (`Option<T>` -> `T`) or optional (`T` -> `Option<T>`) | breaking | code naming the field no longer compiles |
//! | required field added | breaking | struct literals must set it, and JSON without it is rejected |
//! | optional field added to a struct with `Default` | additive | literals written with `..Default::default()` keep compiling |
//! | optional field added to a struct without `Default` | breaking | struct literals must name it |
//! | enum variant added | breaking | exhaustive `match`es need a new arm (string enums already kept the value as `Other`) |
//! | enum variant added to a `#[non_exhaustive]` enum | additive | |
//! | enum variant removed or its payload retyped | breaking | |
//! | function or re-export removed or changed | breaking | |
//! | function or re-export added, item newly `#[deprecated]` | additive | |
//!
//! Changes to docs and function bodies are not API changes. The report is sorted (breaking
//! first, then by subject) and deterministic.

use crate::write::Files;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// The public API of a generated crate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Surface {
    /// Types not owned by one operation, by name (`Address`, `server::SecurityScheme`).
    pub types: BTreeMap<String, TypeDef>,
    /// Operations by method name (`login`).
    pub operations: BTreeMap<String, Operation>,
    /// Public functions and non-operation methods (`server::router`, `Client::new`) -> signature.
    pub functions: BTreeMap<String, String>,
    /// Public re-exports (`client::Credentials`).
    pub reexports: BTreeSet<String>,
}

/// A public type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// What it is.
    pub shape: Shape,
    /// `#[deprecated]`.
    pub deprecated: bool,
}

/// The shape of a public type.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A struct with public fields, in order (tuple fields are named `0`, `1`, ...).
    Struct {
        /// The public fields.
        fields: Vec<Field>,
        /// Whether it implements `Default` (derived or by hand).
        default: bool,
    },
    /// An enum.
    Enum {
        /// The variants, in order.
        variants: Vec<Variant>,
        /// `#[non_exhaustive]`.
        non_exhaustive: bool,
    },
    /// `pub type Name = Target;`
    Alias(String),
    /// A trait or union: only its presence is compared.
    Other,
}

/// A public struct field, or a parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust name.
    pub name: String,
    /// Rust type, with paths shortened (`Option<String>`).
    pub ty: String,
}

impl Field {
    /// Whether the field must be set: its type is not `Option<..>`.
    pub fn required(&self) -> bool {
        !self.ty.starts_with("Option<")
    }
}

/// An enum variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Rust name.
    pub name: String,
    /// The payload: empty, `(A, B)` or `{ a: A }`.
    pub payload: String,
    /// The HTTP status it stands for, read from its doc (`404`, `4XX`, `default`), if any.
    pub status: Option<String>,
}

/// One operation: its client method and server trait method, as far as they exist.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Operation {
    /// The `Client` method.
    pub client: Option<ClientMethod>,
    /// The `Api` trait method.
    pub server: Option<ServerMethod>,
    /// Parameters (and `body`) by name: the client argument and the `<Op>Request` field.
    pub params: BTreeMap<String, Param>,
    /// Responses by status (or variant name when the status is unknown).
    pub responses: BTreeMap<String, Response>,
    /// Other types the operation's signatures name (`client::<Op>Body`).
    pub types: BTreeMap<String, TypeDef>,
}

/// The client side of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientMethod {
    /// Argument names in order, without `self`.
    pub args: Vec<String>,
    /// The return type.
    pub output: String,
    /// `#[deprecated]`.
    pub deprecated: bool,
}

/// The server side of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerMethod {
    /// The signature except the request argument (`principal: Self::Principal`) and output.
    pub signature: String,
    /// The method has a default body, so implementors need not write it.
    pub has_default: bool,
}

/// A parameter as each side sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Param {
    /// The client argument's type.
    pub client: Option<String>,
    /// The `<Op>Request` field's type.
    pub server: Option<String>,
}

impl Param {
    fn required(&self) -> bool {
        let ty = self.server.as_ref().or(self.client.as_ref());
        ty.is_some_and(|t| !t.starts_with("Option<"))
    }
    fn shown(&self) -> &str {
        self.client
            .as_deref()
            .or(self.server.as_deref())
            .unwrap_or("")
    }
}

/// A response as each side sees it: `(enum, variant, payload)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    /// The variant of the client's `<Op>Error` or `<Op>Response`.
    pub client: Option<(String, String, String)>,
    /// The variant of the server's `<Op>Response`.
    pub server: Option<(String, String, String)>,
}

/// Whether a change breaks users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Code or HTTP callers written against the old API may stop working.
    Breaking,
    /// Only adds to the API.
    Additive,
}

/// One change, with what it is and why it is classified so.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Breaking or additive.
    pub severity: Severity,
    /// What changed: "type `Address`", "operation `login`".
    pub subject: String,
    /// How: "field `street` removed".
    pub what: String,
    /// Why it has its class (may be empty).
    pub why: String,
}

/// The result of comparing the API of the files on disk with the API of the new files.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Why there is no previous API to compare with, if there is none.
    pub no_previous: Option<String>,
    /// The changes, sorted: breaking first, then by subject.
    pub changes: Vec<Change>,
    /// Operations in the new API.
    pub operations: usize,
    /// Public types in the new API, besides the per-operation ones.
    pub types: usize,
}

impl Report {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.severity == Severity::Breaking)
    }

    fn count(&self, severity: Severity) -> usize {
        self.changes
            .iter()
            .filter(|c| c.severity == severity)
            .count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(reason) = &self.no_previous {
            return write!(
                f,
                "API change: unknown, no previous API to compare with ({reason}); the new API has {} operation(s) and {} other public type(s)",
                self.operations, self.types
            );
        }
        let (breaking, additive) = (
            self.count(Severity::Breaking),
            self.count(Severity::Additive),
        );
        if breaking > 0 {
            write!(
                f,
                "API change: breaking ({breaking} breaking, {additive} additive):"
            )?;
        } else if additive > 0 {
            let s = if additive == 1 { "" } else { "s" };
            write!(
                f,
                "API change: non-breaking (additive; {additive} change{s}):"
            )?;
        } else {
            return f.write_str(
                "API change: none (no API change: public items and signatures are the same; only docs or bodies differ)",
            );
        }
        for c in &self.changes {
            let class = match c.severity {
                Severity::Breaking => "breaking",
                Severity::Additive => "additive",
            };
            write!(f, "\n  {class:<8}  {}: {}", c.subject, c.what)?;
            if !c.why.is_empty() {
                write!(f, "; {}", c.why)?;
            }
        }
        Ok(())
    }
}

/// Compares the API of `old` files with that of `new` ones. Never fails: when `old` holds no
/// generated Rust file, or one does not parse, the report says there is no previous API.
pub fn report(old: &Files, new: &Files) -> Report {
    let mut report = Report {
        no_previous: None,
        changes: Vec::new(),
        operations: 0,
        types: 0,
    };
    let new_parsed = match parse_modules(new, |_, _| false) {
        Ok(parsed) => parsed,
        Err(e) => {
            report.no_previous = Some(format!("the new files: {e}"));
            return report;
        }
    };
    let new_refs: Vec<(&str, &syn::File)> = new_parsed.iter().map(|(m, f)| (*m, f)).collect();
    let Some(next) = build(&new_refs) else {
        report.no_previous = Some("the new files hold no Rust module".into());
        return report;
    };
    report.operations = next.operations.len();
    report.types = next.types.len();
    // A file that did not change is parsed once, for both sides.
    let same = |path: &str, text: &str| new.get(path).is_some_and(|t| t == text);
    let old_parsed = match parse_modules(old, same) {
        Ok(parsed) => parsed,
        Err(e) => {
            report.no_previous = Some(e);
            return report;
        }
    };
    let mut old_refs: Vec<(&str, &syn::File)> = old_parsed.iter().map(|(m, f)| (*m, f)).collect();
    for (path, text) in old {
        if let (Some(name), true) = (module_name(path), same(path, text)) {
            if let Some((_, f)) = new_parsed.iter().find(|(m, _)| *m == name) {
                old_refs.push((name, f));
            }
        }
    }
    old_refs.sort_by_key(|(m, _)| *m);
    match build(&old_refs) {
        Some(prev) => report.changes = diff(&prev, &next),
        None => report.no_previous = Some("no generated crate there yet".into()),
    }
    report
}

/// [`report`] against the crate in `dir`: reads the `.rs` files named in `new` from `dir`,
/// skipping any that are missing or were not written by the generator.
pub fn report_for_dir(dir: &Path, new: &Files) -> Report {
    report(&read_generated(dir, new), new)
}

/// The files of `dir` at the Rust paths of `files` that carry the `@generated` marker.
fn read_generated(dir: &Path, files: &Files) -> Files {
    files
        .keys()
        .filter(|p| p.ends_with(".rs"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(dir.join(p)).ok()?;
            let ours = text.lines().take(3).any(|l| l.contains("@generated"));
            ours.then(|| (p.clone(), text))
        })
        .collect()
}

/// The public items of one module file.
#[derive(Default)]
struct Module<'a> {
    name: String,
    types: BTreeMap<String, TypeDef>,
    functions: BTreeMap<String, String>,
    reexports: BTreeSet<String>,
    client_ops: Vec<(String, &'a syn::Signature, bool)>,
    server_ops: Vec<(String, &'a syn::Signature, bool)>,
}

impl Surface {
    /// Reads the surface of the Rust modules among `files` (`src/<module>.rs`, `lib.rs`
    /// skipped). `Ok(None)` when there is none; `Err` names a file that does not parse.
    pub fn from_files(files: &Files) -> Result<Option<Surface>, String> {
        let parsed = parse_modules(files, |_, _| false)?;
        let refs: Vec<(&str, &syn::File)> = parsed.iter().map(|(m, f)| (*m, f)).collect();
        Ok(build(&refs))
    }
}

/// The module name of a file that holds one (`src/client.rs` -> `client`; not `lib.rs`).
fn module_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    (name != "lib" && !name.contains('/')).then_some(name)
}

/// Parses the module files among `files`, except those `skip` names (by path and text).
fn parse_modules(
    files: &Files,
    skip: impl Fn(&str, &str) -> bool,
) -> Result<Vec<(&str, syn::File)>, String> {
    let mut out = Vec::new();
    for (path, text) in files {
        let Some(name) = module_name(path) else {
            continue;
        };
        if skip(path, text) {
            continue;
        }
        let file = parse_signatures(text).map_err(|e| format!("{path} does not parse: {e}"))?;
        out.push((name, file));
    }
    Ok(out)
}

/// The surface of parsed modules, `None` when there are none.
fn build(parsed: &[(&str, &syn::File)]) -> Option<Surface> {
    if parsed.is_empty() {
        return None;
    }
    let mut surface = Surface::default();
    for (name, file) in parsed {
        let mut m = read_module(name, file);
        let prefix = if m.name == "models" {
            String::new()
        } else {
            format!("{}::", m.name)
        };
        for (name, sig, deprecated) in std::mem::take(&mut m.client_ops) {
            let op = surface.operations.entry(name).or_default();
            add_client(op, sig, deprecated, &mut m);
        }
        for (name, sig, has_default) in std::mem::take(&mut m.server_ops) {
            let op = surface.operations.entry(name).or_default();
            add_server(op, sig, has_default, &mut m);
        }
        for (name, def) in m.types {
            surface.types.insert(format!("{prefix}{name}"), def);
        }
        for (name, sig) in m.functions {
            surface.functions.insert(format!("{prefix}{name}"), sig);
        }
        for name in m.reexports {
            surface.reexports.insert(format!("{prefix}{name}"));
        }
    }
    Some(surface)
}

/// Parses a file with every function body emptied first: the surface needs only signatures,
/// and lexing and parsing the bodies would cost most of the time.
fn parse_signatures(text: &str) -> syn::Result<syn::File> {
    syn::parse_file(&strip_bodies(text))
}

/// `text` with the brace group that follows each `fn` (a function body) replaced by `{}`,
/// and doc comments cut to their first line.
/// Strings, character literals and comments are skipped whole, so braces inside them do not
/// count. A `fn` that ends in `;` (a trait method without body) or a `}` (a function pointer
/// type in a struct) has no body.
fn strip_bodies(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() / 2);
    let (mut i, mut copied, mut after_fn, mut in_doc) = (0, 0, false, false);
    while i < b.len() {
        if b[i..].starts_with(b"///") || b[i..].starts_with(b"//!") {
            // Only the first line of a doc comment is read (the status of a response
            // variant); dropping the rest halves what syn has to lex.
            let end = skip_literal(b, i).unwrap_or(b.len());
            if in_doc || b[i + 2] == b'!' {
                out.push_str(&text[copied..i]);
                copied = end;
            }
            in_doc = true;
            i = end;
            continue;
        }
        if !b[i].is_ascii_whitespace() {
            in_doc = false;
        }
        if let Some(end) = skip_literal(b, i) {
            i = end;
            continue;
        }
        match b[i] {
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                after_fn |= &b[start..i] == b"fn";
                continue;
            }
            b';' | b'}' => after_fn = false,
            b'{' if after_fn => {
                out.push_str(&text[copied..=i]);
                i = matching_brace(b, i);
                copied = i;
                after_fn = false;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// The index of the `}` that closes the `{` at `open`, or the end of the text.
fn matching_brace(b: &[u8], open: usize) -> usize {
    let (mut i, mut depth) = (open, 0usize);
    while i < b.len() {
        if let Some(end) = skip_literal(b, i) {
            i = end;
            continue;
        }
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// When a comment, string or character literal starts at `i`, the index just past it.
fn skip_literal(b: &[u8], i: usize) -> Option<usize> {
    let at = |k: usize| b.get(k).copied().unwrap_or(0);
    if !matches!(at(i), b'/' | b'"' | b'r' | b'\'') {
        return None;
    }
    let ident_before = i > 0 && (at(i - 1) == b'_' || at(i - 1).is_ascii_alphanumeric());
    match at(i) {
        b'/' if at(i + 1) == b'/' => {
            let len = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .unwrap_or(b.len() - i);
            Some(i + len)
        }
        b'/' if at(i + 1) == b'*' => {
            let (mut k, mut depth) = (i + 2, 1);
            while k < b.len() && depth > 0 {
                if at(k) == b'/' && at(k + 1) == b'*' {
                    depth += 1;
                    k += 2;
                } else if at(k) == b'*' && at(k + 1) == b'/' {
                    depth -= 1;
                    k += 2;
                } else {
                    k += 1;
                }
            }
            Some(k)
        }
        b'"' => {
            let mut k = i + 1;
            while k < b.len() && at(k) != b'"' {
                k += if at(k) == b'\\' { 2 } else { 1 };
            }
            Some((k + 1).min(b.len()))
        }
        b'r' if !ident_before && matches!(at(i + 1), b'"' | b'#') => {
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if at(i + 1 + hashes) != b'"' {
                return None;
            }
            let mut k = i + 2 + hashes;
            while k < b.len() {
                if at(k) == b'"'
                    && b[k + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&c| c == b'#')
                        .count()
                        == hashes
                {
                    return Some(k + 1 + hashes);
                }
                k += 1;
            }
            Some(b.len())
        }
        b'\'' => {
            // A character literal ('x', '\n', '\u{..}', multi-byte 'é'), not a lifetime ('a).
            if at(i + 1) == b'\\' {
                let end = b[i + 2..].iter().position(|&c| c == b'\'')?;
                return Some(i + 2 + end + 1);
            }
            let len = match at(i + 1) {
                c if c < 0x80 => 1,
                c if c >= 0xF0 => 4,
                c if c >= 0xE0 => 3,
                _ => 2,
            };
            (at(i + 1 + len) == b'\'').then_some(i + 2 + len)
        }
        _ => None,
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn has_attr(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| a.path().is_ident(name))
}

fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive") && idents(&a.meta.to_token_stream()).iter().any(|i| i == name)
    })
}

/// Every identifier in a token stream, in order.
fn idents(tokens: &TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens.clone() {
        match t {
            TokenTree::Ident(i) => out.push(i.to_string()),
            TokenTree::Group(g) => out.extend(idents(&g.stream())),
            _ => {}
        }
    }
    out
}

fn read_module<'a>(name: &str, file: &'a syn::File) -> Module<'a> {
    let mut m = Module {
        name: name.to_string(),
        ..Module::default()
    };
    let mut defaults = BTreeSet::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                let fields = s
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| is_pub(&f.vis))
                    .map(|(i, f)| Field {
                        name: f
                            .ident
                            .as_ref()
                            .map_or_else(|| i.to_string(), |id| unraw(&id.to_string())),
                        ty: ty(&f.ty),
                    })
                    .collect();
                let default = derives(&s.attrs, "Default");
                let def = TypeDef {
                    shape: Shape::Struct { fields, default },
                    deprecated: has_attr(&s.attrs, "deprecated"),
                };
                m.types.insert(s.ident.to_string(), def);
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                let variants = e.variants.iter().map(variant).collect();
                let def = TypeDef {
                    shape: Shape::Enum {
                        variants,
                        non_exhaustive: has_attr(&e.attrs, "non_exhaustive"),
                    },
                    deprecated: has_attr(&e.attrs, "deprecated"),
                };
                m.types.insert(e.ident.to_string(), def);
            }
            syn::Item::Type(t) if is_pub(&t.vis) => {
                let def = TypeDef {
                    shape: Shape::Alias(ty(&t.ty)),
                    deprecated: has_attr(&t.attrs, "deprecated"),
                };
                m.types.insert(t.ident.to_string(), def);
            }
            syn::Item::Trait(t) if is_pub(&t.vis) && t.ident == "Api" => {
                for it in &t.items {
                    if let syn::TraitItem::Fn(f) = it {
                        let name = f.sig.ident.to_string();
                        m.server_ops.push((name, &f.sig, f.default.is_some()));
                    }
                }
                let def = TypeDef {
                    shape: Shape::Other,
                    deprecated: false,
                };
                m.types.insert(t.ident.to_string(), def);
            }
            syn::Item::Trait(t) if is_pub(&t.vis) => {
                let sigs: Vec<String> = t
                    .items
                    .iter()
                    .filter_map(|it| match it {
                        syn::TraitItem::Fn(f) => Some(signature(&f.sig)),
                        syn::TraitItem::Type(a) => Some(format!("type {}", a.ident)),
                        _ => None,
                    })
                    .collect();
                m.functions
                    .insert(format!("trait {}", t.ident), sigs.join("; "));
            }
            syn::Item::Union(u) if is_pub(&u.vis) => {
                let def = TypeDef {
                    shape: Shape::Other,
                    deprecated: false,
                };
                m.types.insert(u.ident.to_string(), def);
            }
            syn::Item::Fn(f) if is_pub(&f.vis) => {
                m.functions
                    .insert(f.sig.ident.to_string(), signature(&f.sig));
            }
            syn::Item::Use(u) if is_pub(&u.vis) => use_leaves(&u.tree, &mut m.reexports),
            syn::Item::Impl(i) => read_impl(i, &mut m, &mut defaults),
            _ => {}
        }
    }
    for name in defaults {
        if let Some(TypeDef {
            shape: Shape::Struct { default, .. },
            ..
        }) = m.types.get_mut(&name)
        {
            *default = true;
        }
    }
    m
}

/// Operations from `impl Client`, non-operation methods of `Client`, and hand-written
/// `Default` impls.
fn read_impl<'a>(i: &'a syn::ItemImpl, m: &mut Module<'a>, defaults: &mut BTreeSet<String>) {
    let self_ty = ty(&i.self_ty);
    if let Some((_, path, _)) = &i.trait_ {
        if path.segments.last().is_some_and(|s| s.ident == "Default") {
            defaults.insert(self_ty);
        }
        return;
    }
    if self_ty != "Client" {
        return;
    }
    for it in &i.items {
        let syn::ImplItem::Fn(f) = it else { continue };
        if !is_pub(&f.vis) {
            continue;
        }
        let name = f.sig.ident.to_string();
        if f.sig.asyncness.is_some() {
            let deprecated = has_attr(&f.attrs, "deprecated");
            m.client_ops.push((name, &f.sig, deprecated));
        } else {
            m.functions
                .insert(format!("Client::{name}"), signature(&f.sig));
        }
    }
}

fn use_leaves(tree: &syn::UseTree, out: &mut BTreeSet<String>) {
    match tree {
        syn::UseTree::Path(p) => use_leaves(&p.tree, out),
        syn::UseTree::Name(n) => {
            out.insert(n.ident.to_string());
        }
        syn::UseTree::Rename(r) => {
            out.insert(r.rename.to_string());
        }
        syn::UseTree::Glob(_) => {
            out.insert("*".into());
        }
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_leaves(t, out)),
    }
}

fn unraw(name: &str) -> String {
    name.strip_prefix("r#").unwrap_or(name).to_string()
}

fn variant(v: &syn::Variant) -> Variant {
    let payload = match &v.fields {
        syn::Fields::Unit => String::new(),
        syn::Fields::Unnamed(f) => {
            let tys: Vec<String> = f.unnamed.iter().map(|f| ty(&f.ty)).collect();
            format!("({})", tys.join(", "))
        }
        syn::Fields::Named(f) => {
            let fields: Vec<String> = f
                .named
                .iter()
                .map(|f| {
                    let name = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                    format!("{name}: {}", ty(&f.ty))
                })
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
    };
    Variant {
        name: v.ident.to_string(),
        payload,
        status: status_of(&v.attrs),
    }
}

/// The HTTP status a response variant stands for, from the first line of its doc:
/// "`404`." (server), "Status `404`." / "Any `4XX` status." (client), "`default`: ...".
fn status_of(attrs: &[syn::Attribute]) -> Option<String> {
    let first = attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })?;
    if first.trim() == "Any status the spec lists no other response for." {
        return Some("default".into());
    }
    let quoted = first.split('`').nth(1)?;
    let status_like = quoted == "default"
        || (quoted.len() == 3
            && quoted.starts_with(|c: char| c.is_ascii_digit())
            && quoted[1..].chars().all(|c| c.is_ascii_digit() || c == 'X'));
    status_like.then(|| quoted.to_string())
}

/// A type as a short, stable string: paths that start at a crate root keep their last
/// segment only (`::std::option::Option<::std::string::String>` -> `Option<String>`).
fn ty(t: &syn::Type) -> String {
    match t {
        syn::Type::Path(p) if p.qself.is_none() => path(&p.path),
        syn::Type::Reference(r) => {
            let m = if r.mutability.is_some() { "mut " } else { "" };
            format!("&{m}{}", ty(&r.elem))
        }
        syn::Type::Slice(s) => format!("[{}]", ty(&s.elem)),
        syn::Type::Array(a) => format!("[{}; {}]", ty(&a.elem), compact(&a.len)),
        syn::Type::Tuple(t) => {
            let parts: Vec<String> = t.elems.iter().map(ty).collect();
            format!("({})", parts.join(", "))
        }
        syn::Type::ImplTrait(i) => format!("impl {}", bounds(&i.bounds)),
        syn::Type::TraitObject(o) => format!("dyn {}", bounds(&o.bounds)),
        syn::Type::Paren(p) => ty(&p.elem),
        syn::Type::Group(g) => ty(&g.elem),
        other => compact(other),
    }
}

fn bounds<'a>(b: impl IntoIterator<Item = &'a syn::TypeParamBound>) -> String {
    let parts: Vec<String> = b
        .into_iter()
        .filter_map(|b| match b {
            syn::TypeParamBound::Trait(t) => Some(path(&t.path)),
            syn::TypeParamBound::Lifetime(_) => None,
            other => Some(compact(other)),
        })
        .collect();
    parts.join(" + ")
}

fn path(p: &syn::Path) -> String {
    let rooted = p.leading_colon.is_some()
        || p.segments
            .first()
            .is_some_and(|s| s.ident == "crate" || s.ident == "super" || s.ident == "self");
    let segments: Vec<&syn::PathSegment> = if rooted {
        p.segments.iter().last().into_iter().collect()
    } else {
        p.segments.iter().collect()
    };
    let parts: Vec<String> = segments.into_iter().map(segment).collect();
    parts.join("::")
}

fn segment(s: &syn::PathSegment) -> String {
    let name = s.ident.to_string();
    match &s.arguments {
        syn::PathArguments::None => name,
        syn::PathArguments::AngleBracketed(a) => {
            let args: Vec<String> = a
                .args
                .iter()
                .filter_map(|g| match g {
                    syn::GenericArgument::Type(t) => Some(ty(t)),
                    syn::GenericArgument::Lifetime(_) => None,
                    syn::GenericArgument::AssocType(at) => {
                        Some(format!("{} = {}", at.ident, ty(&at.ty)))
                    }
                    other => Some(compact(other)),
                })
                .collect();
            if args.is_empty() {
                name
            } else {
                format!("{name}<{}>", args.join(", "))
            }
        }
        syn::PathArguments::Parenthesized(p) => {
            let args: Vec<String> = p.inputs.iter().map(ty).collect();
            match &p.output {
                syn::ReturnType::Default => format!("{name}({})", args.join(", ")),
                syn::ReturnType::Type(_, t) => {
                    format!("{name}({}) -> {}", args.join(", "), ty(t))
                }
            }
        }
    }
}

/// Tokens without the spaces `TokenStream`'s `Display` puts between them.
fn compact(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string().replace(' ', "")
}

fn arg(a: &syn::FnArg) -> Option<(String, String)> {
    match a {
        syn::FnArg::Receiver(_) => None,
        syn::FnArg::Typed(p) => Some((unraw(&compact(&p.pat)), ty(&p.ty))),
    }
}

fn output(r: &syn::ReturnType) -> String {
    match r {
        syn::ReturnType::Default => "()".into(),
        syn::ReturnType::Type(_, t) => ty(t),
    }
}

fn signature(sig: &syn::Signature) -> String {
    let args: Vec<String> = sig
        .inputs
        .iter()
        .map(|a| match arg(a) {
            Some((n, t)) => format!("{n}: {t}"),
            None => compact(a),
        })
        .collect();
    let asyncness = if sig.asyncness.is_some() {
        "async "
    } else {
        ""
    };
    format!(
        "{asyncness}fn({}) -> {}",
        args.join(", "),
        output(&sig.output)
    )
}

/// Takes the module's types that `tokens` name: they belong to the operation.
fn take_owned(tokens: &TokenStream, m: &mut Module<'_>) -> Vec<(String, TypeDef)> {
    let mut out = Vec::new();
    for name in idents(tokens) {
        if let Some(def) = m.types.remove(&name) {
            out.push((name, def));
        }
    }
    out
}

fn add_client(op: &mut Operation, sig: &syn::Signature, deprecated: bool, m: &mut Module<'_>) {
    let mut args = Vec::new();
    for a in &sig.inputs {
        if let Some((name, t)) = arg(a) {
            op.params.entry(name.clone()).or_default().client = Some(t);
            args.push(name);
        }
    }
    for a in &sig.inputs {
        for (name, def) in take_owned(&a.to_token_stream(), m) {
            op.types.insert(format!("{}::{name}", m.name), def);
        }
    }
    for (name, def) in take_owned(&sig.output.to_token_stream(), m) {
        match def.shape {
            Shape::Enum { variants, .. } => {
                add_responses(op, &format!("{}::{name}", m.name), variants, true)
            }
            _ => {
                op.types.insert(format!("{}::{name}", m.name), def);
            }
        }
    }
    op.client = Some(ClientMethod {
        args,
        output: output(&sig.output),
        deprecated,
    });
}

fn add_server(op: &mut Operation, sig: &syn::Signature, has_default: bool, m: &mut Module<'_>) {
    let mut rest = Vec::new();
    for a in &sig.inputs {
        let owned = take_owned(&a.to_token_stream(), m);
        if owned.is_empty() {
            if let Some((n, t)) = arg(a) {
                rest.push(format!("{n}: {t}"));
            }
        }
        for (name, def) in owned {
            match def.shape {
                Shape::Struct { fields, .. } => {
                    for f in fields {
                        op.params.entry(f.name).or_default().server = Some(f.ty);
                    }
                }
                _ => {
                    op.types.insert(format!("{}::{name}", m.name), def);
                }
            }
        }
    }
    for (name, def) in take_owned(&sig.output.to_token_stream(), m) {
        match def.shape {
            Shape::Enum { variants, .. } => {
                add_responses(op, &format!("{}::{name}", m.name), variants, false)
            }
            _ => {
                op.types.insert(format!("{}::{name}", m.name), def);
            }
        }
    }
    op.server = Some(ServerMethod {
        signature: format!("({})", rest.join(", ")),
        has_default,
    });
}

fn add_responses(op: &mut Operation, enum_name: &str, variants: Vec<Variant>, client: bool) {
    for v in variants {
        let key = v.status.clone().unwrap_or_else(|| v.name.clone());
        let entry = op.responses.entry(key).or_default();
        let side = Some((enum_name.to_string(), v.name, v.payload));
        if client {
            entry.client = side;
        } else {
            entry.server = side;
        }
    }
}

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
    for (name, change) in pair(&old.functions, &new.functions) {
        let subject = format!("function `{name}`");
        match change {
            Pair::Removed(_) => out.breaking(&subject, "removed", "callers no longer compile"),
            Pair::Added(_) => out.additive(&subject, "added", ""),
            Pair::Both(a, b) if a != b => out.breaking(
                &subject,
                &format!("signature changed from `{a}` to `{b}`"),
                "callers and implementors must be updated",
            ),
            Pair::Both(..) => {}
        }
    }
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
    changes.sort();
    changes.dedup();
    changes
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
            Shape::Struct { fields: fa, .. },
            Shape::Struct {
                fields: fb,
                default,
            },
        ) => diff_fields(out, subject, prefix, fa, fb, *default),
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

fn diff_operation(out: &mut Changes, subject: &str, name: &str, a: &Operation, b: &Operation) {
    match (&a.client, &b.client) {
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
    match (&a.server, &b.server) {
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
            if client && p.client.is_some() {
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
            } else if x.client.is_none() && y.client.is_some() {
                if let Some((e, v, _)) = &y.client {
                    out.breaking(
                        subject,
                        &format!("{label} now a client variant `{e}::{v}`"),
                        "exhaustive `match`es need a new arm",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(models: &str) -> Files {
        let mut f = Files::new();
        f.insert("src/models.rs".into(), models.into());
        f
    }

    #[test]
    fn missing_or_broken_old_tree_means_no_previous_api() {
        let new = files("pub struct A { pub x: ::std::option::Option<i64> }");
        let r = report(&Files::new(), &new);
        assert!(r.no_previous.is_some());
        assert!(r.to_string().contains("no previous API"), "{r}");
        let r = report(&files("pub struct A { pub x: "), &new);
        let text = r.to_string();
        assert!(text.contains("no previous API"), "{text}");
        assert!(text.contains("src/models.rs does not parse"), "{text}");
        let r = report_for_dir(Path::new("/nonexistent/oasgen/apidiff"), &new);
        assert!(r.no_previous.is_some());
    }

    #[test]
    fn doc_and_body_changes_are_no_api_change() {
        let a = files("/// A.\n#[derive(Default)] pub struct A { pub x: Option<i64> }\nimpl A { fn f() { 1; } }");
        let b = files("/// B.\n#[derive(Default)] pub struct A {\n /// x\n pub x: Option<i64> }\nimpl A { fn f() { 2; } }");
        let r = report(&a, &b);
        assert!(r.changes.is_empty());
        assert!(r.to_string().contains("no API change"));
    }

    #[test]
    fn field_changes_are_classified() {
        let a = files(
            "#[derive(Default)] pub struct A { pub x: Option<i64>, pub y: String, pub z: i64 }",
        );
        let b = files("#[derive(Default)] pub struct A { pub x: i64, pub y: Option<String>, pub w: Option<i64> }");
        let r = report(&a, &b);
        let text = r.to_string();
        assert!(
            text.starts_with("API change: breaking (3 breaking, 1 additive):"),
            "{text}"
        );
        assert!(text.contains("field `x` made required"), "{text}");
        assert!(text.contains("field `y` made optional"), "{text}");
        assert!(text.contains("field `z` removed"), "{text}");
        assert!(
            text.contains("additive  type `A`: optional field `w` added"),
            "{text}"
        );
    }

    #[test]
    fn types_are_shortened() {
        let t: syn::Type = syn::parse_str(
            "::std::result::Result<crate::models::X, Error<::std::vec::Vec<&'a str>>>",
        )
        .unwrap();
        assert_eq!(ty(&t), "Result<X, Error<Vec<&str>>>");
        let t: syn::Type =
            syn::parse_str("impl ::std::future::Future<Output = Self::P> + ::std::marker::Send")
                .unwrap();
        assert_eq!(ty(&t), "impl Future<Output = Self::P> + Send");
    }
}
