//! Per-operation result types and the `match` that turns a raw response into them.
//!
//! The success type is the body of the one documented success (or `()`), or an enum
//! `<Op>Response` when there are several. Documented error statuses become the variants of
//! `<Op>Error`, carried by `Error::Api`; any other status is `Error::UnexpectedStatus`.

use super::plain_doc;
use crate::emit::docs::doc_attrs;
use crate::emit::types::{ident, type_tokens, Scope};
use crate::ir::{
    Api, BodyContent, BodyEncoding, BodyStream, Operation, Response, ResponseHeader, StatusSpec,
    TypeExpr,
};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// `<Op>Error`.
pub fn error_ident(op: &Operation) -> Ident {
    format_ident!("{}Error", op.type_stem)
}

fn success_enum_ident(op: &Operation) -> Ident {
    format_ident!("{}Response", op.type_stem)
}

fn successes(op: &Operation) -> Vec<&Response> {
    op.responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect()
}

fn errors(op: &Operation) -> Vec<&Response> {
    op.responses
        .iter()
        .filter(|r| !r.status.is_success())
        .collect()
}

/// The type a successful call returns.
pub fn success_type(api: &Api, op: &Operation) -> TokenStream {
    match successes(op).as_slice() {
        [] => quote!(()),
        [one] => match &one.body {
            Some(b) => type_tokens(api, &b.ty, Scope::Crate),
            None => quote!(()),
        },
        _ => {
            let name = success_enum_ident(op);
            quote!(#name)
        }
    }
}

fn status_text(status: StatusSpec) -> String {
    match status {
        StatusSpec::Code(c) => format!("Status `{c}`."),
        StatusSpec::Range(r) => format!("Any `{r}XX` status."),
        StatusSpec::Default => "Any status the spec lists no other response for.".to_string(),
    }
}

fn variant(api: &Api, r: &Response, with_status: bool) -> TokenStream {
    let name = ident(&r.ident);
    let mut paragraphs = vec![status_text(r.status)];
    paragraphs.extend(r.docs.description.clone());
    let docs = doc_attrs(&paragraphs);
    let status = with_status.then(|| quote!(u16,));
    match &r.body {
        Some(b) => {
            let ty = type_tokens(api, &b.ty, Scope::Crate);
            quote!(#docs #name(#status #ty))
        }
        None if with_status => quote!(#docs #name(u16)),
        None => quote!(#docs #name),
    }
}

/// The success enum (when there are several successes) and the error enum.
pub fn emit_types(api: &Api, op: &Operation) -> TokenStream {
    let oks = successes(op);
    let fn_name = &op.fn_name;
    let success = (oks.len() > 1).then(|| {
        let name = success_enum_ident(op);
        let variants = oks
            .iter()
            .map(|r| variant(api, r, matches!(r.status, StatusSpec::Range(_))));
        let docs = plain_doc(&format!("The successful results of [`Client::{fn_name}`]."));
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq)]
            pub enum #name { #(#variants,)* }
        }
    });
    let name = error_ident(op);
    let variants = errors(op).into_iter().map(|r| variant(api, r, false));
    let docs = plain_doc(&format!(
        "The documented error responses of [`Client::{fn_name}`], carried by [`Error::Api`] \
         with the status, headers and raw body."
    ));
    let headers = emit_headers(api, op);
    quote! {
        #success
        #headers
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#variants,)* }
    }
}

/// `<Op>Headers`.
pub fn headers_ident(op: &Operation) -> Ident {
    format_ident!("{}Headers", op.type_stem)
}

/// The headers the successes declare, each once (by its Rust name, first declaration first),
/// and whether its field is the plain value: when every success requires it and its type has
/// a `Default` (the struct derives one). Any other is an `Option`.
fn header_fields(op: &Operation) -> Vec<(&ResponseHeader, bool)> {
    let oks = successes(op);
    let mut out: Vec<&ResponseHeader> = Vec::new();
    for h in oks.iter().flat_map(|r| &r.headers) {
        if !out.iter().any(|o| o.ident == h.ident) {
            out.push(h);
        }
    }
    let plain = |h: &ResponseHeader| {
        let everywhere = oks
            .iter()
            .all(|r| r.headers.iter().any(|x| x.ident == h.ident && x.required));
        let defaults = matches!(
            h.ty,
            TypeExpr::Bool | TypeExpr::I32 | TypeExpr::I64 | TypeExpr::F64 | TypeExpr::String
        );
        everywhere && defaults
    };
    out.into_iter().map(|h| (h, plain(h))).collect()
}

/// The struct of the typed headers the successes declare (empty when they declare none, so
/// that a header the spec adds later only adds a field).
fn emit_headers(api: &Api, op: &Operation) -> TokenStream {
    let name = headers_ident(op);
    let fields = header_fields(op).into_iter().map(|(h, plain)| {
        let id = ident(&h.ident);
        let ty = type_tokens(api, &h.ty, Scope::Crate);
        let ty = if plain { ty } else { quote!(Option<#ty>) };
        let mut paragraphs = vec![format!("`{}`.", h.name)];
        paragraphs.extend(h.docs.description.clone());
        let docs = doc_attrs(&paragraphs);
        let deprecated = h.deprecated.then(|| quote!(#[deprecated]));
        quote!(#docs #deprecated pub #id: #ty)
    });
    let docs = plain_doc(&format!(
        "The response headers the successes of [`Client::{}`] declare, typed (`None` when an \
         optional one is absent), from [`{}::send_with_response`].",
        op.fn_name,
        super::request::builder_ident(op)
    ));
    quote! {
        #docs
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct #name { #(#fields,)* }
    }
}

/// The expression that reads the typed headers from `status_` and `raw_headers_`.
pub fn headers_init(op: &Operation) -> TokenStream {
    let name = headers_ident(op);
    let err = error_ident(op);
    let fields = header_fields(op).into_iter().map(|(h, plain)| {
        let id = ident(&h.ident);
        let wire = &h.name;
        let read = if plain {
            quote!(required_header)
        } else {
            quote!(optional_header)
        };
        quote! {
            #id: ::oasgen_runtime::response::#read::<_, #err>(status_, &raw_headers_, #wire)?
        }
    });
    quote!(#name { #(#fields,)* })
}

/// Whether the body of a response is decoded from JSON (else it is taken as text or bytes).
fn is_json(body: &BodyContent) -> bool {
    body.encoding == BodyEncoding::Json || !matches!(body.ty, TypeExpr::Bytes | TypeExpr::String)
}

/// Decodes a text or binary body from `response_` (a `Raw`).
fn decode_raw(body: &BodyContent) -> TokenStream {
    match body.ty {
        TypeExpr::Bytes => quote!(response_.body.clone()),
        _ => quote!(String::from_utf8_lossy(&response_.body).into_owned()),
    }
}

fn pattern(status: StatusSpec) -> TokenStream {
    match status {
        StatusSpec::Code(c) => quote!(#c),
        StatusSpec::Range(r) => {
            let lo = u16::from(r) * 100;
            let hi = lo + 99;
            quote!(#lo..=#hi)
        }
        StatusSpec::Default => quote!(_),
    }
}

fn arm(op: &Operation, r: &Response, several_oks: bool) -> TokenStream {
    let err = error_ident(op);
    let pat = pattern(r.status);
    let v = ident(&r.ident);
    let ok = quote!(Ok);
    let result = if !r.status.is_success() {
        match &r.body {
            Some(b) if is_json(b) => quote!(response_.api_error_json(#err::#v)),
            // Decoded first: `api_error` consumes the response.
            Some(b) => {
                let value = decode_raw(b);
                quote! {{
                    let body_ = #value;
                    Err(response_.api_error(#err::#v(body_)))
                }}
            }
            None => quote!(Err(response_.api_error(#err::#v))),
        }
    } else if several_oks {
        let name = success_enum_ident(op);
        let ranged = matches!(r.status, StatusSpec::Range(_));
        match (&r.body, ranged) {
            (Some(b), false) if is_json(b) => quote!(response_.json().map(#name::#v)),
            (Some(b), true) if is_json(b) => {
                quote!(response_.json().map(|body_| #name::#v(status_, body_)))
            }
            (Some(b), false) => {
                let value = decode_raw(b);
                quote!(#ok(#name::#v(#value)))
            }
            (Some(b), true) => {
                let value = decode_raw(b);
                quote!(#ok(#name::#v(status_, #value)))
            }
            (None, true) => quote!(#ok(#name::#v(status_))),
            (None, false) => quote!(#ok(#name::#v)),
        }
    } else {
        match &r.body {
            Some(b) if is_json(b) => quote!(response_.json()),
            Some(b) => {
                let value = decode_raw(b);
                quote!(#ok(#value))
            }
            None => quote!(#ok(())),
        }
    };
    quote!(#pat => #result,)
}

/// Which responses a `match` of [`emit_match`] decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arms {
    /// All of them.
    All,
    /// The success; any other status is left to `refuse_`.
    Success,
    /// The errors (and undocumented statuses), for `refuse_`.
    Errors,
}

/// The success of an operation whose body streams, if that is its one success.
pub fn stream_of(op: &Operation) -> Option<(&Response, BodyStream<'_>)> {
    match successes(op).as_slice() {
        [one] => one.body.as_ref()?.stream().map(|s| (*one, s)),
        _ => None,
    }
}

/// The condition that `status_` (a `u16`) is one `r` documents.
pub fn status_matches(r: &Response) -> TokenStream {
    let pat = pattern(r.status);
    quote!(matches!(status_, #pat))
}

/// `match response_.status.as_u16() { ... }`: exact codes first, then ranges, then `default`
/// or the undocumented-status arm.
pub fn emit_match(op: &Operation, arms: Arms) -> TokenStream {
    let several_oks = successes(op).len() > 1;
    let rank = |r: &&Response| match r.status {
        StatusSpec::Code(_) => 0,
        StatusSpec::Range(_) => 1,
        StatusSpec::Default => 2,
    };
    let mut ordered: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| match arms {
            Arms::All => true,
            Arms::Success => r.status.is_success(),
            Arms::Errors => !r.status.is_success(),
        })
        .collect();
    ordered.sort_by_key(rank);
    let arms_tokens = ordered.iter().map(|r| arm(op, r, several_oks));
    let fallback = match arms {
        Arms::Success => Some(quote!(Self::refuse_(response_))),
        _ => (!ordered.iter().any(|r| r.status == StatusSpec::Default))
            .then(|| quote!(Err(response_.unexpected()))),
    };
    // Only the variants of a success enum carry a ranged status.
    let uses_status = several_oks
        && ordered
            .iter()
            .any(|r| r.status.is_success() && matches!(r.status, StatusSpec::Range(_)));
    let status_binding = uses_status.then(|| quote!(let status_ = response_.status.as_u16();));
    if ordered.is_empty() {
        // Clippy's `match_single_binding`: the fallback alone (there is one: no arm is
        // `default`).
        return quote!(#fallback);
    }
    let fallback = fallback.map(|e| quote!(_ => #e,));
    quote! {
        #status_binding
        match response_.status.as_u16() {
            #(#arms_tokens)*
            #fallback
        }
    }
}
