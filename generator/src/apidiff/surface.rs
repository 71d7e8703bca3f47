//! Reading the public surface of a generated crate from its files.

use super::render::{arg, output, signature, ty, unraw};
use super::strip::strip_bodies;
use crate::write::Files;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The public API of a generated crate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Surface {
    /// Types not owned by one operation, by name (`Address`, `server::SecurityScheme`).
    pub types: BTreeMap<String, TypeDef>,
    /// Operations by method name (`login`).
    pub operations: BTreeMap<String, Operation>,
    /// Public functions and non-operation methods (`server::router`, `Client::new`) -> signature.
    pub functions: BTreeMap<String, String>,
    /// Public traits other than `Api` (`server::Authenticator`) -> their items' signatures.
    pub traits: BTreeMap<String, String>,
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
    /// Whether callers must pass it: its type is not `Option<..>`.
    pub fn required(&self) -> bool {
        let ty = self.server.as_ref().or(self.client.as_ref());
        ty.is_some_and(|t| !t.starts_with("Option<"))
    }
    /// The type to show: the client argument's, else the request field's.
    pub fn shown(&self) -> &str {
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

/// The public items of one module file.
#[derive(Default)]
struct Module<'a> {
    name: String,
    types: BTreeMap<String, TypeDef>,
    functions: BTreeMap<String, String>,
    traits: BTreeMap<String, String>,
    reexports: BTreeSet<String>,
    client_ops: Vec<(String, &'a syn::Signature, bool)>,
    server_ops: Vec<(String, &'a syn::Signature, bool)>,
    /// Non-async public methods of `Client`: operations when they return a request builder.
    client_candidates: Vec<(String, &'a syn::Signature, bool)>,
    /// The public methods of each type's inherent impls (the request builders'), by type.
    methods: BTreeMap<String, Vec<&'a syn::Signature>>,
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
pub(super) fn module_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    (name != "lib" && !name.contains('/')).then_some(name)
}

/// Parses the module files among `files`, except those `skip` names (by path and text).
pub(super) fn parse_modules(
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
pub(super) fn build(parsed: &[(&str, &syn::File)]) -> Option<Surface> {
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
        for (name, items) in m.traits {
            surface.traits.insert(format!("{prefix}{name}"), items);
        }
        for name in m.reexports {
            surface.reexports.insert(format!("{prefix}{name}"));
        }
    }
    Some(surface)
}

/// Parses a file with every function body emptied first: the surface needs only signatures,
/// and lexing and parsing the bodies would cost most of the time.
pub(super) fn parse_signatures(text: &str) -> syn::Result<syn::File> {
    syn::parse_file(&strip_bodies(text))
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

/// The public items of one parsed module file.
fn read_module<'a>(name: &str, file: &'a syn::File) -> Module<'a> {
    let mut m = Module {
        name: name.to_string(),
        ..Module::default()
    };
    let mut defaults = BTreeSet::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                m.types.insert(s.ident.to_string(), read_struct(s));
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                let shape = Shape::Enum {
                    variants: e.variants.iter().map(variant).collect(),
                    non_exhaustive: has_attr(&e.attrs, "non_exhaustive"),
                };
                m.types
                    .insert(e.ident.to_string(), type_def(shape, &e.attrs));
            }
            syn::Item::Type(t) if is_pub(&t.vis) => {
                let shape = Shape::Alias(ty(&t.ty));
                m.types
                    .insert(t.ident.to_string(), type_def(shape, &t.attrs));
            }
            syn::Item::Trait(t) if is_pub(&t.vis) => read_trait(t, &mut m),
            syn::Item::Union(u) if is_pub(&u.vis) => {
                m.types
                    .insert(u.ident.to_string(), type_def(Shape::Other, &u.attrs));
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
    for (name, sig, deprecated) in std::mem::take(&mut m.client_candidates) {
        let builder = builder_of(sig);
        if builder.is_some_and(|b| m.types.contains_key(&b) && m.methods.contains_key(&b)) {
            m.client_ops.push((name, sig, deprecated));
        } else {
            m.functions
                .insert(format!("Client::{name}"), signature(sig));
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

fn type_def(shape: Shape, attrs: &[syn::Attribute]) -> TypeDef {
    TypeDef {
        shape,
        deprecated: has_attr(attrs, "deprecated"),
    }
}

/// A struct's public fields (tuple fields named `0`, `1`, ...) and whether it derives `Default`.
fn read_struct(s: &syn::ItemStruct) -> TypeDef {
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
    type_def(Shape::Struct { fields, default }, &s.attrs)
}

/// The server trait `Api` gives operations; other traits are compared by their items.
fn read_trait<'a>(t: &'a syn::ItemTrait, m: &mut Module<'a>) {
    if t.ident == "Api" {
        for it in &t.items {
            if let syn::TraitItem::Fn(f) = it {
                let name = f.sig.ident.to_string();
                m.server_ops.push((name, &f.sig, f.default.is_some()));
            }
        }
        m.types
            .insert(t.ident.to_string(), type_def(Shape::Other, &t.attrs));
        return;
    }
    let items: Vec<String> = t
        .items
        .iter()
        .filter_map(|it| match it {
            syn::TraitItem::Fn(f) => Some(signature(&f.sig)),
            syn::TraitItem::Type(a) => Some(format!("type {}", a.ident)),
            _ => None,
        })
        .collect();
    m.traits.insert(t.ident.to_string(), items.join("; "));
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
    let public = i.items.iter().filter_map(|it| match it {
        syn::ImplItem::Fn(f) if is_pub(&f.vis) => Some(f),
        _ => None,
    });
    if self_ty != "Client" {
        m.methods
            .entry(self_ty)
            .or_default()
            .extend(public.map(|f| &f.sig));
        return;
    }
    for f in public {
        let name = f.sig.ident.to_string();
        let deprecated = has_attr(&f.attrs, "deprecated");
        if f.sig.asyncness.is_some() {
            m.client_ops.push((name, &f.sig, deprecated));
        } else {
            m.client_candidates.push((name, &f.sig, deprecated));
        }
    }
}

/// The type a method returns when it is a plain path ending in `Request` (a request builder).
fn builder_of(sig: &syn::Signature) -> Option<String> {
    let syn::ReturnType::Type(_, t) = &sig.output else {
        return None;
    };
    let syn::Type::Path(p) = t.as_ref() else {
        return None;
    };
    let name = p.path.segments.last()?.ident.to_string();
    name.ends_with("Request").then_some(name)
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
    }
}

/// The HTTP status a response variant stands for, from the name the lowering gives it
/// (`naming::status_name`): `NotFound` -> `404`, `Status299` -> `299`, `Status4xx` -> `4XX`,
/// `Default` -> `default`.
fn status_of(variant: &str) -> Option<String> {
    static NAMED: OnceLock<BTreeMap<String, u16>> = OnceLock::new();
    if variant == "Default" {
        return Some("default".into());
    }
    if let Some(rest) = variant.strip_prefix("Status") {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|c| c.is_ascii_digit());
        if let Some(class) = rest.strip_suffix("xx").filter(|c| digits(c, 1)) {
            return Some(format!("{class}XX"));
        }
        return digits(rest, 3).then(|| rest.to_string());
    }
    let named = NAMED.get_or_init(|| {
        (100..600)
            .map(|code| (crate::naming::status_name(code), code))
            .filter(|(name, _)| !name.starts_with("Status"))
            .collect()
    });
    named.get(variant).map(|code| code.to_string())
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
    // A method returning a request builder: its setters are the optional parameters, what
    // `send` returns is the operation's output, and the other types its methods name (the
    // typed headers of `send_with_response`) belong to the operation.
    let methods = builder_of(sig)
        .and_then(|b| m.methods.remove(&b))
        .unwrap_or_default();
    let send = methods.iter().find(|s| s.ident == "send").copied();
    if send.is_some() {
        for (name, def) in take_owned(&sig.output.to_token_stream(), m) {
            op.types.insert(format!("{}::{name}", m.name), def);
        }
    }
    let output_sig = send.unwrap_or(sig);
    for (name, def) in take_owned(&output_sig.output.to_token_stream(), m) {
        match def.shape {
            Shape::Enum { variants, .. } => {
                add_responses(op, &format!("{}::{name}", m.name), variants, true)
            }
            _ => {
                op.types.insert(format!("{}::{name}", m.name), def);
            }
        }
    }
    for method in &methods {
        let name = method.ident.to_string();
        if method.asyncness.is_some() {
            for (name, def) in take_owned(&method.output.to_token_stream(), m) {
                op.types.insert(format!("{}::{name}", m.name), def);
            }
        } else if name != "header" {
            if let Some((_, t)) = method.inputs.iter().nth(1).and_then(arg) {
                op.params.entry(name).or_default().client = Some(format!("Option<{t}>"));
            }
        }
    }
    op.client = Some(ClientMethod {
        args,
        output: output(&output_sig.output),
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
                    // The raw request every request struct carries is not a parameter.
                    let params = fields.into_iter().filter(|f| !f.ty.ends_with("RawRequest"));
                    for f in params {
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
        let key = status_of(&v.name).unwrap_or_else(|| v.name.clone());
        let entry = op.responses.entry(key).or_default();
        let side = Some((enum_name.to_string(), v.name, v.payload));
        if client {
            entry.client = side;
        } else {
            entry.server = side;
        }
    }
}
