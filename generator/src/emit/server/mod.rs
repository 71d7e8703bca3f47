//! `server.rs`: the server trait, the authenticator and the axum router (feature `server`).
//!
//! Split by concern: `api` emits the trait and the per-operation request and response types,
//! `router` the router and one handler per operation, `security` credential extraction, and
//! `validate` the checks that run before a handler (one function per request type).

mod api;
mod router;
mod security;
mod validate;

use crate::emit::docs::doc_attrs;
use crate::ir::{Api, Operation, Security, TypeId};
pub(crate) use api::{header_fields, is_secret, request_name, response_name, stream_ident};
use proc_macro2::TokenStream;
use quote::quote;
use validate::InputChecks;

/// An item of `server.rs`.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    /// The module's docs, attributes and imports.
    Head,
    /// The `SecurityScheme` enum.
    Schemes,
    /// The `Authenticator` trait.
    Authenticator,
    /// The `Api` trait.
    Trait,
    /// The request and response types of one operation.
    OperationTypes(usize),
    /// `router` and `router_with`.
    Router,
    /// The descriptor and handler of one operation.
    Handler(usize),
    /// The request builder of one operation.
    RequestBuilder(usize),
    /// `authenticate` and `credential`.
    Authenticate,
    /// The check function of one type.
    Check(TypeId),
    /// The check functions shared by parameters and bodies.
    InputChecks,
}

/// The items of `server.rs`.
pub fn items(api: &Api) -> Vec<Item> {
    let ops = 0..api.operations.len();
    let mut items = vec![Item::Head, Item::Schemes, Item::Authenticator, Item::Trait];
    items.extend(ops.clone().map(Item::OperationTypes));
    items.push(Item::Router);
    items.extend(ops.clone().map(Item::Handler));
    items.extend(ops.map(Item::RequestBuilder));
    items.push(Item::Authenticate);
    items.extend(validate::reachable(api).into_iter().map(Item::Check));
    items.push(Item::InputChecks);
    items
}

/// What several items of `server.rs` read, made once from the IR.
pub struct Tables {
    /// The check functions shared by parameters and bodies.
    checks: InputChecks,
    /// Each operation's route.
    routes: router::Routes,
}

impl Tables {
    /// The tables of `api`.
    pub fn new(api: &Api) -> Self {
        Tables {
            checks: InputChecks::new(api),
            routes: router::Routes::new(api),
        }
    }
}

/// The tokens of one item.
pub fn emit(api: &Api, tables: &Tables, item: Item) -> TokenStream {
    match item {
        Item::Head => emit_head(api),
        Item::Schemes => security::emit_schemes(api),
        Item::Authenticator => security::emit_authenticator(api),
        Item::Trait => api::emit_trait(api),
        Item::OperationTypes(i) => api::emit_operation_types(api, &api.operations[i]),
        Item::Router => router::emit_router(api, &tables.routes),
        Item::Handler(i) => router::emit_handler(api, &api.operations[i]),
        Item::RequestBuilder(i) => {
            router::emit_request_builder(api, i, &tables.checks, &tables.routes)
        }
        Item::Authenticate => security::emit_authenticate(api),
        Item::Check(id) => validate::emit_check_fn(api, id),
        Item::InputChecks => tables.checks.emit(api),
    }
}

/// The module's docs, attributes and imports.
fn emit_head(api: &Api) -> TokenStream {
    let handlers = (!api.operations.is_empty()).then(|| {
        quote! {
            use ::axum::extract::{Request, State};
            use ::axum::routing::{MethodFilter, MethodRouter};
        }
    });
    let streams = api
        .operations
        .iter()
        .flat_map(|op| &op.responses)
        .any(|r| r.body.as_ref().is_some_and(|b| b.stream().is_some()))
        .then(|| {
            quote! {
                /// What the `…Stream` variants of response enums hold.
                pub use ::oasgen_runtime::server::{ByteStream, Event, EventStream};
            }
        });
    quote! {
        //! The server side: implement [`Api`] (and its [`Authenticator`]) and serve [`router`].
        //!
        //! The router checks every request against the spec before a method runs: credentials
        //! (`401`), media type (`415`), body size (`413`), parameters and body (`400`), and
        //! answers unknown paths with `404` and unknown methods with `405`, always with a JSON body.
        // Response enums hold their bodies inline, as implementers build them; boxing the large
        // ones would only make handlers noisier.
        #![allow(deprecated, clippy::large_enum_variant)]

        // The helpers private code calls; no generated item is named `rt`, so nothing shadows it.
        use ::oasgen_runtime::server as rt;
        // What handlers and routes name; generated items are never named like these either.
        #handlers
        use ::std::sync::Arc;
        #streams
    }
}

/// Rustdoc of an operation: summary, description and the route.
fn operation_docs(op: &Operation, verb: &str) -> TokenStream {
    let mut paragraphs: Vec<String> = Vec::new();
    if let Some(t) = &op.docs.title {
        paragraphs.push(t.clone());
    }
    if let Some(d) = &op.docs.description {
        paragraphs.push(d.clone());
    }
    paragraphs.push(format!(
        "{verb} `{}` requests to `{}`.",
        op.method.as_str(),
        op.path
    ));
    if op.deprecated {
        paragraphs.push("Deprecated by the spec.".to_string());
    }
    doc_attrs(&paragraphs)
}

/// How an operation's principal reaches its method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Principal {
    /// No credentials are accepted: the method gets none.
    None,
    /// Credentials are optional: `Option<Self::Principal>`.
    Optional,
    /// Credentials are required: `Self::Principal`.
    Required,
}

pub(crate) fn principal(security: &Security) -> Principal {
    if security.single_schemes().is_empty() {
        Principal::None
    } else if security.is_optional() {
        Principal::Optional
    } else {
        Principal::Required
    }
}
