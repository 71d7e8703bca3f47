//! The `Api` trait and, per operation, its request struct and response enum.

use super::{operation_docs, principal, Principal};
use crate::emit::docs::{doc_attrs, outer_lines};
use crate::emit::types::{ident, type_tokens, Scope};
use crate::ir::{
    Api, BodyEncoding, BodyStream, Operation, Parameter, Response, ResponseHeader, StatusSpec,
    TypeExpr,
};
use crate::naming;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

/// `FooRequest`.
pub fn request_name(op: &Operation) -> Ident {
    format_ident!("{}Request", op.type_stem)
}

/// `FooResponse`.
pub fn response_name(op: &Operation) -> Ident {
    format_ident!("{}Response", op.type_stem)
}

/// The request struct's field that holds the body (`body`, unless a parameter took that name).
pub fn body_field(op: &Operation) -> Ident {
    if op.params.iter().any(|p| p.ident == "body") {
        ident("request_body")
    } else {
        ident("body")
    }
}

/// The request struct's field that holds the raw request (`raw`, unless a parameter or the
/// body took that name).
pub fn raw_field(op: &Operation) -> Ident {
    let mut taken: Vec<&str> = op.params.iter().map(|p| p.ident.as_str()).collect();
    let body = body_field(op).to_string();
    taken.push(&body);
    ident(&naming::Scope::with_reserved(&taken).claim("raw"))
}

/// The trait with one method per operation.
pub fn emit_trait(api: &Api) -> TokenStream {
    let methods = api.operations.iter().map(emit_trait_method);
    quote! {
        /// The operations of the API. The router has already checked credentials, parameters
        /// and body against the spec when a method runs, and the response types admit only
        /// the statuses and bodies the spec documents.
        pub trait Api: Authenticator {
            #(#methods)*
        }
    }
}

/// The trait method of one operation.
fn emit_trait_method(op: &Operation) -> TokenStream {
    let docs = operation_docs(op, "Handles");
    let name = ident(&op.fn_name);
    let request = request_name(op);
    let response = response_name(op);
    let principal = match principal(&op.security) {
        Principal::None => quote!(),
        Principal::Optional => {
            quote!(principal: Option<Self::Principal>,)
        }
        Principal::Required => quote!(principal: Self::Principal,),
    };
    quote! {
        #docs
        fn #name(&self, #principal request: #request)
            -> impl ::std::future::Future<Output = #response> + Send;
    }
}

/// The request struct and response enum of one operation.
pub fn emit_operation_types(api: &Api, op: &Operation) -> TokenStream {
    let request = emit_request(api, op);
    let response = emit_response(api, op);
    quote!(#request #response)
}

fn param_type(api: &Api, p: &Parameter) -> TokenStream {
    let ty = type_tokens(api, &p.ty, Scope::Crate);
    if p.required {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

/// The body type of an operation: the first media type's payload (all media types of a body
/// share it in the specs we accept; the router decodes each into it).
pub fn body_type(api: &Api, op: &Operation) -> Option<TokenStream> {
    let body = op.body.as_ref()?;
    let ty = type_tokens(api, &body.contents.first()?.ty, Scope::Crate);
    Some(if body.required {
        ty
    } else {
        quote!(Option<#ty>)
    })
}

fn emit_request(api: &Api, op: &Operation) -> TokenStream {
    let name = request_name(op);
    let mut fields = Vec::new();
    let mut debug = Vec::new();
    for p in &op.params {
        let field = ident(&p.ident);
        let ty = param_type(api, p);
        let mut paragraphs = vec![format!("`{}` ({:?} parameter).", p.name, p.location)];
        paragraphs.extend(p.docs.description.clone());
        let docs = doc_attrs(&paragraphs);
        fields.push(quote!(#docs pub #field: #ty,));
        let label = p.ident.as_str();
        debug.push(if p.secret {
            quote!(.field(#label, &"<redacted>"))
        } else {
            quote!(.field(#label, &self.#field))
        });
    }
    if let Some(ty) = body_type(api, op) {
        let field = body_field(op);
        let label = field.to_string();
        fields.push(quote!(#[doc = " The request body."] pub #field: #ty,));
        debug.push(quote!(.field(#label, &self.#field)));
    }
    let raw = raw_field(op);
    let label = raw.to_string();
    fields.push(quote! {
        #[doc = " The request as it arrived: headers, extensions tower layers set, the peer's address."]
        pub #raw: ::oasgen_runtime::server::RawRequest,
    });
    debug.push(quote!(.field(#label, &self.#raw)));
    let docs = doc_attrs(&[format!(
        "The input of `{}` (`{} {}`), checked against the spec.",
        op.operation_id,
        op.method.as_str(),
        op.path
    )]);
    // A derived `Debug` prints the same; it is written out only to redact secrets.
    if !op.params.iter().any(|p| p.secret) {
        return quote! {
            #docs
            #[derive(Debug)]
            pub struct #name { #(#fields)* }
        };
    }
    let label = name.to_string();
    quote! {
        #docs
        pub struct #name { #(#fields)* }

        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #(#debug)* .finish()
            }
        }
    }
}

fn emit_response(api: &Api, op: &Operation) -> TokenStream {
    let name = response_name(op);
    let variants = op.responses.iter().map(|r| {
        let stream = stream_variant(api, r);
        let buffered = response_variant(api, r, &ident(&r.ident), buffered_body(api, r));
        quote!(#buffered #stream)
    });
    let arms = op.responses.iter().map(|r| {
        let stream = stream_arm(r);
        let buffered = response_arm(r, &ident(&r.ident), buffered_response(r));
        quote!(#buffered #stream)
    });
    let docs = doc_attrs(&[format!(
        "The responses `{}` documents, one variant per status.",
        op.operation_id
    )]);
    quote! {
        #docs
        #[derive(Debug)]
        pub enum #name { #(#variants)* }

        impl ::axum::response::IntoResponse for #name {
            fn into_response(self) -> ::axum::response::Response {
                match self { #(#arms)* }
            }
        }
    }
}

/// The name of the variant that streams the body of `r`: `<Variant>Stream`.
pub(crate) fn stream_ident(r: &Response) -> Ident {
    format_ident!("{}Stream", r.ident)
}

fn buffered_body(api: &Api, r: &Response) -> Option<TokenStream> {
    r.body
        .as_ref()
        .map(|b| type_tokens(api, &b.ty, Scope::Crate))
}

/// The `…Stream` variant of a response whose body streams: the events or chunks as a stream.
fn stream_variant(api: &Api, r: &Response) -> Option<TokenStream> {
    let body = match r.body.as_ref()?.stream()? {
        BodyStream::Events(data) => {
            let data = type_tokens(api, data, Scope::Crate);
            quote!(::oasgen_runtime::server::EventStream<#data>)
        }
        BodyStream::Bytes => quote!(::oasgen_runtime::server::ByteStream),
    };
    Some(response_variant(api, r, &stream_ident(r), Some(body)))
}

fn response_variant(
    api: &Api,
    r: &Response,
    name: &Ident,
    body: Option<TokenStream>,
) -> TokenStream {
    let mut paragraphs = vec![match r.status {
        StatusSpec::Code(c) => format!("`{c}`."),
        StatusSpec::Range(x) => format!("`{x}XX`: any status in the range, given here."),
        StatusSpec::Default => "`default`: any status not documented otherwise.".to_string(),
    }];
    paragraphs.extend(r.docs.description.clone());
    let mut docs = doc_attrs(&paragraphs);
    if *name != r.ident {
        docs.extend(outer_lines(vec![
            String::new(),
            format!(
                " The body sent as the stream yields it, where [`Self::{}`] sends it whole.",
                r.ident
            ),
        ]));
    }
    let status =
        (!matches!(r.status, StatusSpec::Code(_))).then(|| quote!(::axum::http::StatusCode));
    if !r.headers.is_empty() {
        return header_variant(api, r, name, docs, status, body);
    }
    match (status, body) {
        (None, None) => quote!(#docs #name,),
        (Some(s), None) => quote!(#docs #name(#s),),
        (None, Some(b)) => quote!(#docs #name(#b),),
        (Some(s), Some(b)) => quote!(#docs #name(#s, #b),),
    }
}

/// A variant whose response declares headers: named fields, `status` and `body` as the
/// tuple variants have them, then one per header (optional ones as `Option`).
fn header_variant(
    api: &Api,
    r: &Response,
    name: &Ident,
    docs: TokenStream,
    status: Option<TokenStream>,
    body: Option<TokenStream>,
) -> TokenStream {
    let status = status.map(|s| quote!(#[doc = " The status."] status: #s,));
    let body = body.map(|b| quote!(#[doc = " The body."] body: #b,));
    let headers = r.headers.iter().zip(header_fields(r)).map(|(h, field)| {
        let mut paragraphs = vec![format!("The `{}` header.", h.name)];
        paragraphs.extend(h.docs.description.clone());
        let docs = doc_attrs(&paragraphs);
        let ty = header_type(api, h);
        quote!(#docs #field: #ty,)
    });
    quote!(#docs #name { #status #body #(#headers)* },)
}

/// The field of each header of `r`, in order: its identifier, unless `status` or `body` took it.
pub(crate) fn header_fields(r: &Response) -> Vec<Ident> {
    let mut reserved = Vec::new();
    if !matches!(r.status, StatusSpec::Code(_)) {
        reserved.push("status");
    }
    if r.body.is_some() {
        reserved.push("body");
    }
    let mut scope = naming::Scope::with_reserved(&reserved);
    r.headers
        .iter()
        .map(|h| ident(&scope.claim(&h.ident)))
        .collect()
}

/// The Rust type of a header's field: a credential as a `Secret` (never printed).
fn header_type(api: &Api, h: &ResponseHeader) -> TokenStream {
    let ty = if is_secret(h) {
        quote!(::oasgen_runtime::Secret)
    } else {
        type_tokens(api, &h.ty, Scope::Crate)
    };
    if h.required {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

/// Whether the header's field is a `Secret`: a string whose name marks it as a credential.
pub(crate) fn is_secret(h: &ResponseHeader) -> bool {
    h.secret && h.ty == TypeExpr::String
}

/// The response that sends the body of `r` whole (`body` bound).
fn buffered_response(r: &Response) -> TokenStream {
    let status = arm_status(r);
    match &r.body {
        None => quote!(rt::empty(#status)),
        Some(b) => {
            let media = &b.media_type;
            match b.encoding {
                BodyEncoding::Json | BodyEncoding::Form => quote!(rt::json(#status, #media, body)),
                BodyEncoding::Text | BodyEncoding::Binary | BodyEncoding::Multipart => {
                    quote!(rt::raw(#status, #media, body))
                }
            }
        }
    }
}

/// The arm of the `…Stream` variant of `r`, if its body streams.
fn stream_arm(r: &Response) -> Option<TokenStream> {
    let b = r.body.as_ref()?;
    let status = arm_status(r);
    let media = &b.media_type;
    let response = match b.stream()? {
        BodyStream::Events(TypeExpr::String) => quote!(rt::text_events(#status, body)),
        BodyStream::Events(_) => quote!(rt::json_events(#status, body)),
        BodyStream::Bytes => quote!(rt::byte_stream(#status, #media, body)),
    };
    Some(response_arm(r, &stream_ident(r), response))
}

/// The status code of an arm: the documented one, or the variant's `status`.
fn arm_status(r: &Response) -> TokenStream {
    match r.status {
        StatusSpec::Code(c) => {
            let c = Literal::u16_unsuffixed(c);
            quote!(#c)
        }
        _ => quote!(status.as_u16()),
    }
}

/// The arm of variant `name` of `r`, answering `response` (which reads `status` and `body`).
fn response_arm(r: &Response, name: &Ident, response: TokenStream) -> TokenStream {
    let pattern = match (r.status, &r.body) {
        (StatusSpec::Code(_), None) => quote!(Self::#name),
        (StatusSpec::Code(_), Some(_)) => quote!(Self::#name(body)),
        (_, None) => quote!(Self::#name(status)),
        (_, Some(_)) => quote!(Self::#name(status, body)),
    };
    if r.headers.is_empty() {
        return quote!(#pattern => #response,);
    }
    let fields = header_fields(r);
    let status = (!matches!(r.status, StatusSpec::Code(_))).then(|| quote!(status,));
    let body = r.body.as_ref().map(|_| quote!(body,));
    let adds = r.headers.iter().zip(&fields).map(|(h, field)| {
        let name = &h.name;
        let value = match (is_secret(h), h.required) {
            (false, _) => quote!(&#field),
            (true, true) => quote!(&#field.expose()),
            (true, false) => quote!(&#field.as_ref().map(::oasgen_runtime::Secret::expose)),
        };
        quote!(.add(#name, #value))
    });
    quote! {
        Self::#name { #status #body #(#fields),* } => {
            rt::ResponseHeaders::new() #(#adds)* .respond(#response)
        }
    }
}
