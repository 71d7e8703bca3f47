//! The crate root (`lib.rs`) and `Cargo.toml` of the generated crate.
//!
//! The crate docs end in a table of every operation that links to its client and server
//! method. Those live in modules that exist only with the `client` and `server` features, so
//! each link is a reference-style link whose target is defined twice behind `cfg_attr`: the
//! method when the feature is on, the "Cargo features" section when it is off. Either way the
//! docs build without a broken link.

use super::docs::{accepted_schemes, code_span, inner_doc_attrs, inner_lines, spaced};
use super::CrateOptions;
use crate::ir::{Api, Operation};
use proc_macro2::TokenStream;
use quote::quote;

/// The anchor of the crate docs' "Cargo features" heading, the target of links to items of a
/// disabled feature.
const FEATURES_ANCHOR: &str = "#cargo-features";

/// `lib.rs`: crate docs and module declarations.
pub fn emit_lib(api: &Api) -> TokenStream {
    let mut paragraphs = vec![format!("# {}", api.title)];
    if !api.version.is_empty() {
        paragraphs.push(format!("API version `{}`.", api.version));
    }
    if let Some(d) = &api.description {
        paragraphs.push(d.clone());
    }
    let spec_docs = inner_doc_attrs(&paragraphs);
    let usage = raw_inner_docs(&usage_lines(api));
    let table = raw_inner_docs(&operation_table(api));
    let links = operation_links(api);
    let has_forms = api
        .types
        .iter()
        .any(|t| matches!(t.kind, crate::ir::TypeKind::Form(_)));
    let form = has_forms.then(|| {
        quote! {
            /// Form bodies: [`File`](form::File), the type of their file fields, and the
            /// [`Form`](form::Form) trait their models implement (from `oasgen-runtime`).
            pub use ::oasgen_runtime::form;
        }
    });
    quote! {
        #spec_docs
        #usage
        #table
        #links
        // prettyplease formats this file, as every generated file; rustfmt would lay out the
        // long attributes above differently, so it leaves the crate alone.
        #![cfg_attr(rustfmt, rustfmt::skip)]
        #![deny(missing_docs)]

        /// The schemas of the spec as Rust types.
        // Generated modules are formatted by prettyplease, pinned by Cargo.lock; rustfmt would
        // format them differently, so it leaves them alone.
        #[rustfmt::skip]
        pub mod models;

        #form

        /// The async HTTP client (feature `client`).
        #[cfg(feature = "client")]
        #[rustfmt::skip]
        pub mod client;

        // Documented by its own inner docs: rustdoc resolves the links of a module's outer and
        // inner docs in one scope, so both together break one set.
        #[cfg(feature = "server")]
        #[rustfmt::skip]
        pub mod server;

        // Documented by its own inner docs, as `server` is.
        #[cfg(feature = "mock")]
        #[rustfmt::skip]
        pub mod mock;
    }
}

/// `#![doc = " line"]` per line of text the generator wrote itself (already valid markdown).
fn raw_inner_docs(lines: &[String]) -> TokenStream {
    inner_lines(lines.iter().map(|l| spaced(l)).collect())
}

/// The "Cargo features" section: what each feature gives and how to start with it.
fn usage_lines(api: &Api) -> Vec<String> {
    let counts = format!(
        "Generated from the OpenAPI spec: {} types, {} operations.",
        api.types.len(),
        api.operations.len()
    );
    [
        "",
        "# Cargo features",
        "",
        &counts,
        "The `models` module is always available; the rest is behind features:",
        "",
        "- `client` (default): `client::Client`, an async reqwest client with one method per",
        "  operation. Build it with a base URL and `client::Credentials`, the store of the",
        "  tokens the operations need. A method takes the required parameters and returns a",
        "  request: set optional ones on it, then `.await` it for the documented response of",
        "  the status that came back, or a `client::Error`.",
        "- `server`: `server::Api`, a trait with one method per operation, and",
        "  `server::router`, which serves an implementation with axum after checking",
        "  credentials (through `server::Authenticator`), parameters and bodies against the",
        "  spec.",
        "- `mock` (with `server`): `mock::Mock`, an implementation of `server::Api` that",
        "  answers every operation from the spec's examples, for an offline stand-in.",
        "- `tracing` (with `client`): a `tracing` span per call (`oasgen.call`, with the",
        "  operation, method, path template and status).",
    ]
    .map(str::to_string)
    .to_vec()
}

/// The "Operations" section: one row per operation, in spec order.
fn operation_table(api: &Api) -> Vec<String> {
    let mut lines = vec![String::new(), "# Operations".to_string(), String::new()];
    if api.operations.is_empty() {
        lines.push("The spec defines no operations.".to_string());
        return lines;
    }
    lines.push("| Method | Path | Client method | Server method | Credentials |".to_string());
    lines.push("| --- | --- | --- | --- | --- |".to_string());
    for op in &api.operations {
        lines.push(format!(
            "| `{}` | {} | [{}] | [{}] | {} |",
            op.method.as_str(),
            table_cell(&code_span(&op.path)),
            client_label(op),
            server_label(op),
            table_cell(&accepted_schemes(api, op, " + ").unwrap_or_else(|| "none".into())),
        ));
    }
    // A blank line ends the table, so the link definitions after it are not read as rows.
    lines.push(String::new());
    lines
}

fn client_label(op: &Operation) -> String {
    format!("`Client::{}`", op.fn_name)
}

fn server_label(op: &Operation) -> String {
    format!("`Api::{}`", op.fn_name)
}

/// The link definitions of the table's labels: one `cfg_attr` per feature and state.
fn operation_links(api: &Api) -> TokenStream {
    let defs = |label: fn(&Operation) -> String, target: &dyn Fn(&Operation) -> String| {
        api.operations
            .iter()
            .map(|op| format!(" [{}]: {}", label(op), target(op)))
            .collect::<Vec<String>>()
    };
    let client_on = defs(client_label, &|op| {
        format!("client::Client::{}", op.fn_name)
    });
    let client_off = defs(client_label, &|_| FEATURES_ANCHOR.to_string());
    let server_on = defs(server_label, &|op| format!("server::Api::{}", op.fn_name));
    let server_off = defs(server_label, &|_| FEATURES_ANCHOR.to_string());
    if api.operations.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #![cfg_attr(feature = "client", #(doc = #client_on),*)]
        #![cfg_attr(not(feature = "client"), #(doc = #client_off),*)]
        #![cfg_attr(feature = "server", #(doc = #server_on),*)]
        #![cfg_attr(not(feature = "server"), #(doc = #server_off),*)]
    }
}

/// Text made safe for a table cell: a `|`, even in a code span, would end the cell.
fn table_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `Cargo.toml` of the generated crate.
pub fn cargo_toml(api: &Api, opts: &CrateOptions) -> String {
    let version = semver_or_default(&api.version);
    let description = toml_string(&format!("Typed client and server for {}", api.title));
    format!(
        r#"# @generated by `{command}` from {spec}. Do not edit by hand.
[package]
name = "{name}"
version = "{version}"
edition = "2021"
publish = false
description = {description}

[features]
default = ["client"]
# The async HTTP client (reqwest with rustls).
client = ["dep:reqwest", "oasgen-runtime/client"]
# The axum server trait and router.
server = ["dep:axum", "oasgen-runtime/server"]
# An implementation of the server trait from the spec's examples.
mock = ["server"]
# A `tracing` span per client call (operation, method, path template, status).
tracing = ["client", "oasgen-runtime/tracing"]

[dependencies]
axum = {{ version = "0.8", optional = true, default-features = false, features = ["http1", "json", "query", "tokio"] }}
oasgen-runtime = {{ {runtime} }}
reqwest = {{ version = "0.12", optional = true, default-features = false, features = ["json", "rustls-tls"] }}
serde = {{ version = "1.0.190", features = ["derive"] }}
serde_json = "1"
"#,
        runtime = opts.runtime_dependency,
        command = opts.command,
        spec = opts.spec_label,
        name = opts.crate_name,
    )
}

/// A crate version from `info.version` when it is semver, else `0.0.0`.
fn semver_or_default(v: &str) -> String {
    let parts: Vec<&str> = v.trim().split('.').collect();
    let ok = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if ok {
        v.trim().to_string()
    } else {
        "0.0.0".to_string()
    }
}

/// A TOML basic string (JSON string syntax is valid TOML).
pub fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}
