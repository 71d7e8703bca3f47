//! Security: the scheme enum, the [`Authenticator`] trait users implement, and the function
//! that finds a request's credentials and asks the authenticator about them.

use crate::emit::docs::{doc_attrs, flow_lines, outer_lines};
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
        let flows = flow_lines(s);
        let flows = (!flows.is_empty()).then(|| {
            let mut lines = vec![String::new()];
            lines.extend(flows);
            outer_lines(lines)
        });
        quote!(#docs #flows #name,)
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

/// The `Authenticator` trait; it answers for scopes when the spec names any.
pub fn emit_authenticator(api: &Api) -> TokenStream {
    let has_scope = uses_scopes(api).then(|| {
        quote! {
            /// Whether `principal`, authenticated for `scheme`, was granted `scope`. The router
            /// asks for every scope an operation's requirement names, before the method runs,
            /// and answers `403` when one is missing.
            fn has_scope(
                &self,
                principal: &Self::Principal,
                scheme: SecurityScheme,
                scope: &str,
            ) -> bool;
        }
    });
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

            #has_scope
        }
    }
}

/// Whether any operation's requirement names scopes.
fn uses_scopes(api: &Api) -> bool {
    api.operations.iter().any(|op| op.security.has_scopes())
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
    let scopes = uses_scopes(api);
    let declare_lacking = scopes.then(|| quote!(let mut lacking = false;));
    let check_scopes = scopes.then(|| {
        quote! {
            if !requirement.scopes.iter().all(|s| service.has_scope(&p, scheme, s)) {
                lacking = true;
                continue 'alternatives;
            }
        }
    });
    let forbid = scopes.then(|| {
        quote! {
            if lacking {
                return Err(rt::Refused::Forbidden(rt::Forbidden(op.forbidden)));
            }
        }
    });
    quote! {
        /// The principal for the first alternative of `op`'s schemes that all accept the
        /// request's credentials (and grant the scopes it names), as `op`'s method takes it;
        /// `401` if there is none and `op` needs one, `403` if credentials were accepted but
        /// lack a scope.
        async fn authenticate<S: Authenticator, P: rt::PrincipalRule>(
            service: &S,
            parts: &::axum::http::request::Parts,
            op: &rt::Operation<SecurityScheme, P>,
        ) -> Result<P::Principal<S::Principal>, rt::Refused> {
            let mut sent = false;
            #declare_lacking
            'alternatives: for alternative in op.security {
                let mut principal = None;
                for requirement in *alternative {
                    let scheme = requirement.scheme;
                    let Some(c) = credential(scheme, &parts.headers, parts.uri.query()) else {
                        continue 'alternatives;
                    };
                    sent = true;
                    let Some(p) = service.authenticate(scheme, &c).await else {
                        continue 'alternatives;
                    };
                    #check_scopes
                    principal = principal.or(Some(p));
                }
                if principal.is_some() {
                    return Ok(P::principal(principal)?);
                }
            }
            if op.security.iter().any(|a| a.is_empty()) {
                return Ok(P::principal(None)?);
            }
            #forbid
            Err(rt::Refused::Unauthorized(if sent {
                rt::Unauthorized::Rejected
            } else {
                rt::Unauthorized::Missing
            }))
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
