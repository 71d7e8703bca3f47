//! `mock.rs`: an examples-backed implementation of the server's `Api` (feature `mock`).
//!
//! Each method answers its operation's first documented success response, with the body
//! lowering chose for it (`BodyContent::sample`: the spec's example when it conforms to the
//! type, else a value built from the type) and the headers it declares (`ResponseHeader::sample`,
//! chosen the same way; an optional one without a sample is not sent). When no such body or
//! required header could be built, it answers the first documented response it can.
//!
//! A body that streams is sent as a stream: an event stream's sample events (the example read
//! as a list of events, or as one), a binary body's example bytes.
//!
//! The mock remembers the paths it answered a successful `DELETE` for (`Mock::deleted`): a
//! later request to such a path answers the operation's documented `404`, if it documents one,
//! until a `POST` to its collection succeeds (its sample may name the resource again); a
//! creation elsewhere brings nothing back, and one under a deleted resource answers its `404`
//! (or, documenting none, brings that resource back).

use super::docs::doc_attrs;
use super::server::{
    header_fields, is_secret, principal, request_name, response_name, stream_ident, Principal,
};
use super::types::ident;
use crate::ir::{
    Api, BodyContent, BodyEncoding, BodyStream, Method, Operation, PathSegment, Response,
    ResponseHeader, StatusSpec, TypeExpr, TypeKind,
};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

/// An item of `mock.rs`.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    /// The module's docs, imports, `Mock` and its `Authenticator`.
    Head,
    /// `impl Api for Mock`.
    Api,
}

/// The items of `mock.rs`.
pub fn items() -> Vec<Item> {
    vec![Item::Head, Item::Api]
}

/// The tokens of one item.
pub fn emit(api: &Api, item: Item) -> TokenStream {
    match item {
        Item::Head => emit_head(api),
        Item::Api => {
            let methods = api.operations.iter().map(|op| emit_method(api, op));
            quote! {
                impl Api for Mock {
                    #(#methods)*
                }
            }
        }
    }
}

fn emit_head(api: &Api) -> TokenStream {
    let has_scope = api
        .operations
        .iter()
        .any(|op| op.security.has_scopes())
        .then(|| {
            quote! {
                /// Whether the scopes given to [`Mock::grant_scopes`] include `scope` (all are
                /// granted when none were given).
                fn has_scope(&self, _token: &String, _scheme: SecurityScheme, scope: &str) -> bool {
                    self.grants(scope)
                }
            }
        });
    quote! {
        //! An offline stand-in for the API: [`Mock`] implements [`Api`] from the spec's
        //! examples, behind the same [`router`] and its checks.
        //!
        //! Each operation answers its first documented success response, with the spec's
        //! example when it conforms to the response's schema, and otherwise with a value built
        //! from the schema (required fields, enums, formats, bounds, array sizes, and patterns
        //! where a simple value meets them). Serve it with
        //! `router(Arc::new(Mock::new()))`, or run `cargo xtask mock SPEC --addr HOST:PORT`.
        #![allow(deprecated)]

        use crate::server::*;

        /// Serves every operation from the spec's examples; what it accepts and grants is
        /// configured on it.
        pub use ::oasgen_runtime::server::Mock;

        impl Authenticator for Mock {
            /// The credential as sent.
            type Principal = String;

            async fn authenticate(
                &self,
                _scheme: SecurityScheme,
                credential: &::oasgen_runtime::server::Credential,
            ) -> Option<String> {
                self.principal(credential)
            }

            #has_scope
        }
    }
}

/// One method of `impl Api for Mock`.
fn emit_method(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.fn_name);
    let request = request_name(op);
    let response = response_name(op);
    let principal = match principal(&op.security) {
        Principal::None => None,
        Principal::Optional => Some(quote!(_principal: Option<String>,)),
        Principal::Required => Some(quote!(_principal: String,)),
    };
    let docs = doc_attrs(&[format!("Answers `{}` from the spec.", op.operation_id)]);
    let chosen = answer(op);
    let answer = match chosen {
        Some(r) => emit_answer(&response, r),
        // Nothing documented can be built: the warning at generation said so.
        None => quote!(::std::panic!(
            "the spec documents no response this mock can build"
        )),
    };
    let succeeds = chosen.is_some_and(is_success);
    let (memory, reads_request) = match memory(api, op, &response, succeeds) {
        Some((tokens, reads)) => (Some(tokens), reads),
        None => (None, false),
    };
    let arg = if reads_request {
        quote!(request)
    } else {
        quote!(_request)
    };
    quote! {
        #docs
        async fn #name(&self, #principal #arg: #request) -> #response {
            #memory
            #answer
        }
    }
}

/// What the method does with the mock's memory of deleted paths before it answers: looks the
/// path up when the operation documents a `404`; after a successful `DELETE`, remembers it;
/// after a successful `POST`, forgets what that creation brings back (see `Mock::created`).
/// And whether that reads the request. `None` when nothing (a path without parameters, or one
/// whose parameters are not scalars, outside a `POST`).
fn memory(
    api: &Api,
    op: &Operation,
    response: &proc_macro2::Ident,
    succeeds: bool,
) -> Option<(TokenStream, bool)> {
    let creates = op.method == Method::Post && succeeds;
    let Some(path) = concrete_path(api, op) else {
        return creates.then(|| match fixed_path(op) {
            Some(path) => (quote!(self.created(Some(#path));), false),
            None => (quote!(self.created(None);), false),
        });
    };
    let not_found = op
        .responses
        .iter()
        .filter(|r| r.status == StatusSpec::Code(404) && buildable(r))
        .map(|r| emit_answer(response, r))
        .next();
    let lookup = not_found.map(|answer| {
        quote! {
            if self.is_deleted(&path) {
                return #answer;
            }
        }
    });
    let after = match op.method {
        Method::Delete if succeeds => Some(quote!(self.deleted(path);)),
        Method::Post if succeeds => Some(quote!(self.created(Some(&path));)),
        _ => None,
    };
    if lookup.is_none() && after.is_none() {
        return None;
    }
    let tokens = quote! {
        let path = #path;
        #lookup
        #after
    };
    Some((tokens, true))
}

/// The path of an operation whose path has no parameters.
fn fixed_path(op: &Operation) -> Option<String> {
    op.path_segments
        .iter()
        .map(|segment| match segment {
            PathSegment::Literal(text) => Some(text.as_str()),
            PathSegment::Param(_) => None,
        })
        .collect()
}

/// `format!` of the request's path with its parameters' values, if the path has parameters and
/// each is a scalar (what a path holds in practice).
fn concrete_path(api: &Api, op: &Operation) -> Option<TokenStream> {
    let mut template = String::new();
    let mut args = Vec::new();
    for segment in &op.path_segments {
        match segment {
            PathSegment::Literal(text) => {
                template.push_str(&text.replace('{', "{{").replace('}', "}}"))
            }
            PathSegment::Param(i) => {
                let p = &op.params[*i];
                if !displays(api, &p.ty) {
                    return None;
                }
                template.push_str("{}");
                let field = ident(&p.ident);
                args.push(quote!(request.#field));
            }
        }
    }
    (!args.is_empty()).then(|| quote!(::std::format!(#template, #(#args),*)))
}

/// Whether a value of `ty` implements `Display` as the path shows it.
fn displays(api: &Api, ty: &TypeExpr) -> bool {
    match ty {
        TypeExpr::Bool | TypeExpr::I32 | TypeExpr::I64 | TypeExpr::F64 | TypeExpr::String => true,
        TypeExpr::Named(id) => match &api.ty(*id).kind {
            TypeKind::Enum(_) => true,
            TypeKind::Alias(e) => displays(api, e),
            _ => false,
        },
        _ => false,
    }
}

fn is_success(r: &Response) -> bool {
    match r.status {
        StatusSpec::Code(c) => (200..300).contains(&c),
        StatusSpec::Range(x) => x == 2,
        StatusSpec::Default => false,
    }
}

/// Whether the mock can build `r`: a JSON body needs a sample, a required header too.
fn buildable(r: &Response) -> bool {
    r.body
        .as_ref()
        .is_none_or(|b| b.encoding != BodyEncoding::Json || b.sample.is_some())
        && r.headers.iter().all(|h| !h.required || h.sample.is_some())
}

/// The response the mock answers: the first success it has a body for, else the first other
/// response it has one for.
fn answer(op: &Operation) -> Option<&Response> {
    let mut rest = op.responses.iter().filter(|r| buildable(r));
    op.responses
        .iter()
        .filter(|r| buildable(r))
        .find(|r| is_success(r))
        .or_else(|| rest.next())
}

/// The variant of a body that streams, and the stream of its sample: the sample's events, or
/// the example's bytes (a string example as its UTF-8, else none).
fn stream_answer(r: &Response, b: &BodyContent) -> Option<(Ident, TokenStream)> {
    let body = match b.stream()? {
        BodyStream::Events(_) => {
            let events = b.sample.clone().unwrap_or_default();
            let text = events.to_string();
            quote! {
                ::oasgen_runtime::server::EventStream::iter(
                    ::oasgen_runtime::server::sample::<::std::vec::Vec<_>>(#text),
                )
            }
        }
        BodyStream::Bytes => {
            let text = b.example.as_ref().and_then(|e| e.as_str()).unwrap_or("");
            let bytes = Literal::byte_string(text.as_bytes());
            quote!(::oasgen_runtime::server::ByteStream::once(&#bytes[..]))
        }
    };
    Some((stream_ident(r), body))
}

/// `Response::Variant(...)` for `r`; the `…Stream` variant when its body streams.
fn emit_answer(response: &proc_macro2::Ident, r: &Response) -> TokenStream {
    let stream = r.body.as_ref().and_then(|b| stream_answer(r, b));
    let variant = match &stream {
        Some((name, _)) => name.clone(),
        None => ident(&r.ident),
    };
    let status = match r.status {
        StatusSpec::Code(_) => None,
        StatusSpec::Range(x) => {
            let code = u16::from(x) * 100;
            Some(quote!(::axum::http::StatusCode::from_u16(#code).unwrap_or_default()))
        }
        StatusSpec::Default => Some(quote!(::axum::http::StatusCode::OK)),
    };
    let body = match stream {
        Some((_, stream)) => Some(stream),
        None => r.body.as_ref().map(whole_body),
    };
    if !r.headers.is_empty() {
        let status = status.map(|s| quote!(status: #s,));
        let body = body.map(|b| quote!(body: #b,));
        let headers = r.headers.iter().zip(header_fields(r)).map(|(h, field)| {
            let value = header_value(h);
            quote!(#field: #value,)
        });
        return quote!(#response::#variant { #status #body #(#headers)* });
    }
    match (status, body) {
        (None, None) => quote!(#response::#variant),
        (Some(s), None) => quote!(#response::#variant(#s)),
        (None, Some(b)) => quote!(#response::#variant(#b)),
        (Some(s), Some(b)) => quote!(#response::#variant(#s, #b)),
    }
}

/// The body sent whole: the sample, a text example, or the type's default.
fn whole_body(b: &BodyContent) -> TokenStream {
    match (&b.sample, b.encoding) {
        (Some(sample), _) => {
            let text = sample.to_string();
            quote!(::oasgen_runtime::server::sample(#text))
        }
        (None, BodyEncoding::Text) => {
            let text = b
                .example
                .as_ref()
                .and_then(|e| e.as_str())
                .unwrap_or("")
                .to_string();
            quote!(#text.into())
        }
        (None, _) => quote!(::std::default::Default::default()),
    }
}

/// The value of a header's field: its sample (`None` without one, which lowering allows only
/// for optional headers).
fn header_value(h: &ResponseHeader) -> TokenStream {
    let Some(sample) = &h.sample else {
        return quote!(None);
    };
    let text = sample.to_string();
    let value = if is_secret(h) {
        quote!(::oasgen_runtime::Secret::new(::oasgen_runtime::server::sample::<String>(#text)))
    } else {
        quote!(::oasgen_runtime::server::sample(#text))
    };
    if h.required {
        value
    } else {
        quote!(Some(#value))
    }
}
