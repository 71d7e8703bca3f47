//! Stage 3: [`ir::Api`] -> token streams, one per generated file.
//!
//! **Invariant:** emitters read only the IR; they never see `openapiv3`.

pub mod client;
pub mod docs;
mod krate;
pub mod models;
pub mod server;
pub mod types;

use crate::ir;
use proc_macro2::TokenStream;

/// How the generated crate is packaged.
#[derive(Debug, Clone)]
pub struct CrateOptions {
    /// Package name of the generated crate.
    pub crate_name: String,
    /// Shown in each file's header: the command that made it (`cargo xtask codegen`).
    pub command: String,
    /// Shown in each file's header: the spec it came from (`specs/customer-managed.yaml`).
    pub spec_label: String,
    /// How the generated crate depends on the runtime crate: a `path = ...` or `version = ...`
    /// dependency specification (the part inside the braces).
    pub runtime_dependency: String,
}

/// One generated Rust source file, before formatting.
pub struct RustFile {
    /// Path relative to the crate root (`src/models.rs`).
    pub path: &'static str,
    /// The tokens of its items in file order, one entry per item or a few related ones; the
    /// first carries the module docs and inner attributes.
    pub items: Vec<TokenStream>,
}

/// All Rust files of the generated crate.
pub fn emit_api(api: &ir::Api) -> Vec<RustFile> {
    vec![
        RustFile {
            path: "src/lib.rs",
            items: vec![krate::emit_lib(api)],
        },
        RustFile {
            path: "src/models.rs",
            items: models::emit_models(api),
        },
        RustFile {
            path: "src/client.rs",
            items: client::emit_client(api),
        },
        RustFile {
            path: "src/server.rs",
            items: server::emit_server(api),
        },
    ]
}

pub use krate::{cargo_toml, toml_string};
