//! `client.rs`: the async client (feature `client`).
//!
//! One `Client` struct wrapping the runtime's `ClientCore`, one method per operation
//! (`operation.rs`) returning the operation's request builder (`request.rs`), per-operation
//! result and header types (`response.rs`) and the security table (`security.rs`). Required
//! parameters are positional (path parameters in URL order, then the other required ones, then
//! a required body); optional ones are setters of the builder.

mod operation;
mod request;
mod response;
mod security;

use super::docs::{doc_attrs, outer_lines};
use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc]` line of text the generator wrote itself (intra-doc links intact), unlike spec
/// prose, which goes through [`doc_attrs`] to be escaped.
fn plain_doc(text: &str) -> TokenStream {
    outer_lines(vec![format!(" {text}")])
}

/// An item of `client.rs`.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    /// The module's attributes and re-exports.
    Head,
    /// The security table.
    Security,
    /// The `Client` struct and its constructors.
    Struct,
    /// `impl Client`: one method per operation.
    Methods,
    /// The body and result types of one operation.
    OperationTypes(usize),
}

/// The items of `client.rs`.
pub fn items(api: &Api) -> Vec<Item> {
    let mut items = vec![Item::Head, Item::Security, Item::Struct];
    if !api.operations.is_empty() {
        items.push(Item::Methods);
    }
    items.extend((0..api.operations.len()).map(Item::OperationTypes));
    items
}

/// The tokens of one item.
pub fn emit(api: &Api, item: Item) -> TokenStream {
    match item {
        Item::Head => {
            let oauth2 = has_oauth2(api).then(|| {
                quote! {
                    pub use ::oasgen_runtime::oauth2::{
                        ClientAuthentication, ClientCredentials, ErrorCode, Scopes, TokenError,
                    };
                    pub use ::oasgen_runtime::FlowKind;
                }
            });
            let streams = api
                .operations
                .iter()
                .any(|op| response::stream_of(op).is_some())
                .then(|| {
                    quote! {
                        pub use ::oasgen_runtime::stream::{ByteStream, EventStream};
                        pub use ::oasgen_runtime::Event;
                    }
                });
            // Response enums hold bodies of any size, as the server's do.
            quote! {
            #![allow(deprecated, clippy::large_enum_variant)]

            pub use ::oasgen_runtime::{
                Config, Credentials, Error, Response, RetryPolicy, Secret, Token, TokenSource,
            };
            /// The HTTP client the generated client uses, re-exported for building one to pass
            /// as [`Config::http`] (proxies, TLS roots).
            pub use ::oasgen_runtime::reqwest;
            #oauth2
            #streams
            }
        }
        Item::Security => security::emit_security(api),
        Item::Struct => emit_client_struct(api),
        Item::Methods => {
            let methods = api
                .operations
                .iter()
                .map(|op| operation::emit_method(api, op));
            quote!(impl Client { #(#methods)* })
        }
        Item::OperationTypes(i) => {
            let op = &api.operations[i];
            let body = operation::emit_body_enum(api, op);
            let builder = request::emit_builder(api, op);
            let results = response::emit_types(api, op);
            quote!(#body #builder #results)
        }
    }
}

/// Whether a scheme of the API is OAuth2 (declares flows): the client then has the helpers
/// for client credentials.
fn has_oauth2(api: &Api) -> bool {
    api.security_schemes.iter().any(|s| !s.flows.is_empty())
}

/// `set_client_credentials` and `resolve_url`, for an API with OAuth2 schemes.
fn emit_oauth2_methods(api: &Api) -> Option<TokenStream> {
    if !has_oauth2(api) {
        return None;
    }
    Some(quote! {
        /// Fetches the tokens of the OAuth2 `scheme` (a constant of [`security`]) with the
        /// client credentials grant (RFC 6749 §4.4), from the token URL of its
        /// `clientCredentials` flow or the one `grant` names, resolved against the base URL.
        /// Tokens are kept in [`Credentials`] until shortly before they expire, fetched once
        /// for concurrent calls, and again once after a `401`.
        ///
        /// Fails when neither the scheme nor `grant` names a token URL. A failure at the token
        /// endpoint surfaces from the call that needed the token as [`Error::TokenRefresh`];
        /// [`Error::token_error`] reads its RFC 6749 error code.
        pub fn set_client_credentials(
            &self,
            scheme: ::oasgen_runtime::Scheme,
            grant: ClientCredentials,
        ) -> Result<(), Error> {
            self.core.set_client_credentials(scheme, grant)
        }

        /// A URL of the spec (a flow's token URL, say), resolved against the base URL when
        /// relative, as a [`TokenSource`] for another flow needs it.
        pub fn resolve_url(&self, url: &str) -> Result<::oasgen_runtime::reqwest::Url, Error> {
            self.core.resolve_url(url)
        }
    })
}

/// The `Client` struct and its constructors.
fn emit_client_struct(api: &Api) -> TokenStream {
    let docs = doc_attrs(&[format!(
        "Client for {}. Cloning is cheap and shares the connection pool and credentials.",
        api.title
    )]);
    let oauth2_methods = emit_oauth2_methods(api);
    let default_ctor = api.base_url.as_ref().map(|url| {
        let ctor_docs = plain_doc(&format!(
            "A client for the spec's server, `{url}`, with the default [`Config`]."
        ));
        quote! {
            /// The spec's server.
            pub const DEFAULT_BASE_URL: &'static str = #url;

            #ctor_docs
            pub fn new(credentials: Credentials) -> Result<Self, Error> {
                Self::with_config(Self::DEFAULT_BASE_URL, credentials, Config::default())
            }
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone)]
        pub struct Client {
            core: ::oasgen_runtime::ClientCore,
        }

        impl Client {
            #default_ctor

            /// A client for `base_url` with the default [`Config`].
            pub fn with_base_url(
                base_url: &str,
                credentials: Credentials,
            ) -> Result<Self, Error> {
                Self::with_config(base_url, credentials, Config::default())
            }

            /// A client for `base_url` with `config` (timeouts, retries, User-Agent).
            pub fn with_config(
                base_url: &str,
                credentials: Credentials,
                config: Config,
            ) -> Result<Self, Error> {
                let user_agent = ::std::concat!(
                    ::std::env!("CARGO_PKG_NAME"),
                    "/",
                    ::std::env!("CARGO_PKG_VERSION")
                );
                let core = ::oasgen_runtime::ClientCore::new(base_url, credentials, config, user_agent)?;
                Ok(Client { core })
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &::oasgen_runtime::reqwest::Url {
                self.core.base_url()
            }

            /// The credentials store, shared with every clone of this client.
            pub fn credentials(&self) -> &Credentials {
                self.core.credentials()
            }

            #oauth2_methods
        }
    }
}
