//! Security: the scheme enum, the [`Authenticator`] trait users implement, and the function
//! that finds a request's credentials and asks the authenticator about them.

use crate::emit::docs::doc_attrs;
use crate::emit::types::ident;
use crate::ir::{Api, ParamLocation, SchemeKind, SecurityScheme};
use proc_macro2::TokenStream;
use quote::quote;

/// `SecurityScheme`: one variant per scheme in the spec.
pub fn emit_schemes(api: &Api) -> TokenStream {
    let variants = api.security_schemes.iter().map(|s| {
        let name = ident(&s.ident);
        let mut paragraphs = vec![format!("`{}`.", s.name)];
        paragraphs.extend(s.docs.description.clone());
        let docs = doc_attrs(&paragraphs);
        quote!(#docs #name,)
    });
    quote! {
        /// The security schemes of the spec; the router tells the [`Authenticator`] which one a
        /// credential was sent for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum SecurityScheme {
            #(#variants)*
        }
    }
}

/// The `Authenticator` trait.
pub fn emit_authenticator() -> TokenStream {
    quote! {
        /// Resolves credentials to principals. The router calls it before any method that
        /// needs credentials; a request whose credentials it rejects gets `401`.
        pub trait Authenticator: Send + Sync + 'static {
            /// Who is calling: handed to every method that accepts credentials.
            type Principal: Send + 'static;

            /// The principal behind `credential`, sent for `scheme`, or `None` to reject it.
            /// Called once per scheme the operation accepts, in spec order, until one succeeds.
            fn authenticate(
                &self,
                scheme: SecurityScheme,
                credential: &::oasgen_runtime::server::Credential,
            ) -> impl ::std::future::Future<Output = Option<Self::Principal>>
                   + Send;
        }
    }
}

/// `authenticate` and `credential`, if any operation accepts credentials.
pub fn emit_authenticate(api: &Api) -> TokenStream {
    let used = api
        .operations
        .iter()
        .any(|op| !op.security.single_schemes().is_empty());
    if !used {
        return quote!();
    }
    let credential = emit_credential(api);
    quote! {
        /// The principal for the first alternative of `op`'s schemes that all accept the
        /// request's credentials, as `op`'s method takes it; `401` if there is none and `op`
        /// needs one.
        async fn authenticate<S: Authenticator, P: rt::PrincipalRule>(
            service: &S,
            parts: &::axum::http::request::Parts,
            op: &rt::Operation<SecurityScheme, P>,
        ) -> Result<P::Principal<S::Principal>, rt::Unauthorized> {
            let mut sent = false;
            'alternatives: for alternative in op.security {
                let mut principal = None;
                for &scheme in *alternative {
                    let Some(c) = credential(scheme, &parts.headers, parts.uri.query()) else {
                        continue 'alternatives;
                    };
                    sent = true;
                    match service.authenticate(scheme, &c).await {
                        Some(p) => principal = principal.or(Some(p)),
                        None => continue 'alternatives,
                    }
                }
                if principal.is_some() {
                    return P::principal(principal);
                }
            }
            if op.security.iter().any(|a| a.is_empty()) {
                return P::principal(None);
            }
            Err(if sent {
                rt::Unauthorized::Rejected
            } else {
                rt::Unauthorized::Missing
            })
        }

        #credential
    }
}

fn emit_credential(api: &Api) -> TokenStream {
    let uses_query = api.security_schemes.iter().any(|s| {
        matches!(&s.kind, SchemeKind::ApiKey { location, .. } if *location == ParamLocation::Query)
    });
    let query = if uses_query {
        quote!(query)
    } else {
        quote!(_query)
    };
    let arms = api
        .security_schemes
        .iter()
        .map(|s| credential_arm(s, &query));
    quote! {
        /// The credential sent for `scheme`, if any.
        fn credential(
            scheme: SecurityScheme,
            headers: &::axum::http::HeaderMap,
            #query: Option<&str>,
        ) -> Option<rt::Credential> {
            match scheme {
                #(#arms)*
            }
        }
    }
}

fn credential_arm(s: &SecurityScheme, query: &TokenStream) -> TokenStream {
    let name = ident(&s.ident);
    let extract = match &s.kind {
        SchemeKind::Bearer => quote!(rt::bearer(headers)),
        SchemeKind::Basic => quote!(rt::basic(headers)),
        SchemeKind::ApiKey { location, name } => match location {
            ParamLocation::Query => quote!(rt::api_key_query(#query, #name)),
            ParamLocation::Cookie => quote!(rt::api_key_cookie(headers, #name)),
            ParamLocation::Header | ParamLocation::Path => {
                quote!(rt::api_key_header(headers, #name))
            }
        },
    };
    quote!(SecurityScheme::#name => #extract,)
}
