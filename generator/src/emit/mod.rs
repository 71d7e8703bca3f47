//! Stage 3: [`ir::Api`] -> token streams, one per generated file.
//!
//! **Invariant:** emitters read only the IR; they never see `openapiv3`.

pub mod client;
pub mod docs;
mod form;
mod krate;
pub mod mock;
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

/// One generated Rust source file, before formatting: what its items are, in order.
pub struct RustFile<I = Item> {
    /// Path relative to the crate root (`src/models.rs`).
    pub path: &'static str,
    /// Its items in file order; the first carries the module docs and inner attributes.
    pub items: Vec<I>,
}

/// One item of a generated file (or a few related ones), named rather than emitted: token
/// streams cannot cross threads, so the formatter's workers emit each item themselves
/// ([`Emitter::emit`]) and print it.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    /// `lib.rs`, whole.
    Lib,
    /// An item of `models.rs`.
    Models(models::Item),
    /// An item of `client.rs`.
    Client(client::Item),
    /// An item of `server.rs`.
    Server(server::Item),
    /// An item of `mock.rs`.
    Mock(mock::Item),
}

/// Emits the items of one crate: the IR, and the tables derived from it that several items
/// read, made once.
pub struct Emitter<'a> {
    api: &'a ir::Api,
    scope: types::Scope,
    server: server::Tables,
}

impl<'a> Emitter<'a> {
    /// Derives the shared tables from `api`.
    pub fn new(api: &'a ir::Api) -> Self {
        Emitter {
            api,
            scope: types::Scope::models(api),
            server: server::Tables::new(api),
        }
    }

    /// All Rust files of the generated crate, with their items.
    pub fn files(&self) -> Vec<RustFile> {
        let api = self.api;
        let file = |path, items| RustFile { path, items };
        vec![
            file("src/lib.rs", vec![Item::Lib]),
            file("src/models.rs", wrap(models::items(api), Item::Models)),
            file("src/client.rs", wrap(client::items(api), Item::Client)),
            file("src/server.rs", wrap(server::items(api), Item::Server)),
            file("src/mock.rs", wrap(mock::items(), Item::Mock)),
        ]
    }

    /// The tokens of one item.
    pub fn emit(&self, item: Item) -> TokenStream {
        let api = self.api;
        match item {
            Item::Lib => krate::emit_lib(api),
            Item::Models(item) => models::emit(api, self.scope, item),
            Item::Client(item) => client::emit(api, item),
            Item::Server(item) => server::emit(api, &self.server, item),
            Item::Mock(item) => mock::emit(api, item),
        }
    }
}

fn wrap<T>(items: Vec<T>, f: fn(T) -> Item) -> Vec<Item> {
    items.into_iter().map(f).collect()
}

pub use krate::{cargo_toml, toml_string};
