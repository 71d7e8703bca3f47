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

/// Emits some tokens on demand.
pub type Emit<'a> = Box<dyn Fn() -> TokenStream + Send + Sync + 'a>;

/// One piece of a generated file, emitted on demand. The formatter emits, prints and drops
/// each piece on its own, several at a time, so the tokens and syntax trees of a whole file
/// never exist at once.
pub enum Part<'a> {
    /// Whole items.
    Items(Emit<'a>),
    /// One item whose `{ ... }` body is made of `members`, each emitted and printed on its
    /// own: `head` is what comes before the brace (`impl Client`, `pub trait Api: Authenticator`).
    Block {
        /// Attributes and the item up to its body.
        head: Emit<'a>,
        /// The items of the body, in order.
        members: Vec<Emit<'a>>,
    },
}

/// A part of whole items.
pub fn part<'a>(f: impl Fn() -> TokenStream + Send + Sync + 'a) -> Part<'a> {
    Part::Items(Box::new(f))
}

/// A part that is one item with a body of `members`.
pub fn block<'a>(
    head: impl Fn() -> TokenStream + Send + Sync + 'a,
    members: impl IntoIterator<Item = Emit<'a>>,
) -> Part<'a> {
    Part::Block {
        head: Box::new(head),
        members: members.into_iter().collect(),
    }
}

/// A member of a [`Part::Block`].
pub fn member<'a>(f: impl Fn() -> TokenStream + Send + Sync + 'a) -> Emit<'a> {
    Box::new(f)
}

/// One generated Rust source file, before formatting.
pub struct RustFile<'a> {
    /// Path relative to the crate root (`src/models.rs`).
    pub path: &'static str,
    /// Its parts in file order; the first carries the module docs and inner attributes.
    pub parts: Vec<Part<'a>>,
}

/// All Rust files of the generated crate.
pub fn emit_api(api: &ir::Api) -> Vec<RustFile<'_>> {
    vec![
        RustFile {
            path: "src/lib.rs",
            parts: vec![part(|| krate::emit_lib(api))],
        },
        RustFile {
            path: "src/models.rs",
            parts: models::emit_models(api),
        },
        RustFile {
            path: "src/client.rs",
            parts: client::emit_client(api),
        },
        RustFile {
            path: "src/server.rs",
            parts: server::emit_server(api),
        },
    ]
}

pub use krate::{cargo_toml, toml_string};
