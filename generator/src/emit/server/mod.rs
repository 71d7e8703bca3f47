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
use crate::ir::{Api, Operation, Security};
use proc_macro2::TokenStream;
use quote::quote;
use validate::InputChecks;

/// The server module.
pub fn emit_server(api: &Api) -> Vec<TokenStream> {
    let input_checks = InputChecks::new(api);
    let mut items = vec![
        {
            let handlers = (!api.operations.is_empty()).then(|| {
                quote! {
                    use ::axum::extract::{Request, State};
                    use ::axum::routing::{MethodFilter, MethodRouter};
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
            }
        },
        security::emit_schemes(api),
        security::emit_authenticator(api),
        api::emit_trait(api),
    ];
    let per_op = |emit: fn(&Api, &Operation) -> TokenStream| {
        api.operations.iter().map(move |op| emit(api, op))
    };
    items.extend(per_op(api::emit_operation_types));
    items.push(router::emit_router(api));
    items.extend(per_op(router::emit_handler));
    items.extend(
        (0..api.operations.len()).map(|op| router::emit_request_builder(api, op, &input_checks)),
    );
    items.push(security::emit_authenticate(api));
    items.extend(validate::emit_checks(api));
    items.push(input_checks.emit(api));
    items
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
enum Principal {
    /// No credentials are accepted: the method gets none.
    None,
    /// Credentials are optional: `Option<Self::Principal>`.
    Optional,
    /// Credentials are required: `Self::Principal`.
    Required,
}

fn principal(security: &Security) -> Principal {
    if security.single_schemes().is_empty() {
        Principal::None
    } else if security.is_optional() {
        Principal::Optional
    } else {
        Principal::Required
    }
}
