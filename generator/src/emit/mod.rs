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
    /// Module-level doc and items.
    pub tokens: TokenStream,
}

/// All Rust files of the generated crate.
pub fn emit_api(api: &ir::Api) -> Vec<RustFile> {
    vec![
        RustFile {
            path: "src/lib.rs",
            tokens: krate::emit_lib(api),
        },
        RustFile {
            path: "src/models.rs",
            tokens: models::emit_models(api),
        },
        RustFile {
            path: "src/client.rs",
            tokens: client::emit_client(api),
        },
        RustFile {
            path: "src/server.rs",
            tokens: server::emit_server(api),
        },
    ]
}

pub use krate::{cargo_toml, toml_string};
