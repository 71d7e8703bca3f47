//! One async method per operation, with positional arguments.
//!
//! Locals of generated methods end in `_` (`url_`, `response_`): parameter names never do
//! unless they are escaped keywords, so the two cannot collide.

use super::plain_doc;
use super::response::{emit_match, error_ident, success_type};
use super::security::{accepted_text, operation_const};
use crate::emit::docs::doc_attrs;
use crate::emit::types::{ident, type_tokens, Scope};
use crate::ir::{
    Api, BodyContent, BodyEncoding, Operation, ParamLocation, Parameter, PathSegment, TypeExpr,
};
use crate::naming;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// What an argument of a generated method carries.
enum Arg<'a> {
    Param(&'a Parameter),
    Body,
}

/// Arguments in signature order: path parameters, required other parameters, a required
/// body, optional parameters, an optional body.
fn args(op: &Operation) -> Vec<Arg<'_>> {
    let path = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path);
    let required = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path && p.required);
    let optional = op.params.iter().filter(|p| !p.required);
    let body_required = op.body.as_ref().map(|b| b.required);
    let mut out: Vec<Arg> = path.chain(required).map(Arg::Param).collect();
    if body_required == Some(true) {
        out.push(Arg::Body);
    }
    out.extend(optional.map(Arg::Param));
    if body_required == Some(false) {
        out.push(Arg::Body);
    }
    out
}

/// How a value of `ty` is passed: strings as `&str`, bytes as `&[u8]`, numbers and booleans
/// by value, anything else by reference.
fn arg_type(api: &Api, ty: &TypeExpr, required: bool) -> TokenStream {
    let base = match ty {
        TypeExpr::String => quote!(&str),
        TypeExpr::Bytes => quote!(&[u8]),
        TypeExpr::Bool | TypeExpr::I32 | TypeExpr::I64 | TypeExpr::F64 => {
            type_tokens(api, ty, Scope::Crate)
        }
        _ => {
            let t = type_tokens(api, ty, Scope::Crate);
            quote!(&#t)
        }
    };
    if required {
        base
    } else {
        quote!(Option<#base>)
    }
}

/// `<Op>Body`, the enum of media types, when the body accepts several.
fn body_enum_ident(op: &Operation) -> Ident {
    format_ident!("{}Body", op.type_stem)
}

fn media_variant(c: &BodyContent) -> Ident {
    ident(&naming::type_name(&c.media_type, "Body"))
}

fn body_arg_type(api: &Api, op: &Operation) -> TokenStream {
    let body = op.body.as_ref().expect("called for operations with a body");
    let base = match body.contents.as_slice() {
        [one] => arg_type(api, &one.ty, true),
        _ => {
            let name = body_enum_ident(op);
            quote!(&#name)
        }
    };
    if body.required {
        base
    } else {
        quote!(Option<#base>)
    }
}

/// The body enum of an operation whose body has several media types.
pub fn emit_body_enum(api: &Api, op: &Operation) -> Option<TokenStream> {
    let body = op.body.as_ref().filter(|b| b.contents.len() > 1)?;
    let name = body_enum_ident(op);
    let variants = body.contents.iter().map(|c| {
        let v = media_variant(c);
        let ty = type_tokens(api, &c.ty, Scope::Crate);
        let docs = doc_attrs(&[format!("Sent as `{}`.", c.media_type)]);
        quote!(#docs #v(#ty))
    });
    let docs = plain_doc(&format!(
        "The request body of [`Client::{}`], in one of the media types it accepts.",
        op.fn_name
    ));
    Some(quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#variants,)* }
    })
}

/// Sets the body held in `value` on `request_`, in one media type.
fn encode_body(api: &Api, c: &BodyContent, value: &TokenStream) -> TokenStream {
    let media = &c.media_type;
    let form = api.form(&c.ty).is_some();
    match c.encoding {
        BodyEncoding::Json => quote!(request_.json(#media, #value)?),
        BodyEncoding::Form if form => quote!(request_.form_fields(#media, #value)?),
        BodyEncoding::Form => quote!(request_.form(#media, #value)?),
        BodyEncoding::Multipart if form => quote!(request_.multipart(#value)?),
        BodyEncoding::Text | BodyEncoding::Binary | BodyEncoding::Multipart => {
            quote!(request_.raw(#media, #value))
        }
    }
}

/// Sets the body, if any, on `request_`.
fn emit_body(api: &Api, op: &Operation) -> TokenStream {
    let Some(body) = &op.body else {
        return quote!();
    };
    let encoded = match body.contents.as_slice() {
        [one] => encode_body(api, one, &quote!(body)),
        contents => {
            let name = body_enum_ident(op);
            let arms = contents.iter().map(|c| {
                let v = media_variant(c);
                let enc = encode_body(api, c, &quote!(value));
                quote!(#name::#v(value) => #enc,)
            });
            quote!(match body { #(#arms)* })
        }
    };
    if body.required {
        quote!(#encoded;)
    } else {
        quote! {
            if let Some(body) = body {
                #encoded;
            }
        }
    }
}

/// The path as segments, each one expression of type `&str`.
fn path_segments(op: &Operation) -> Vec<TokenStream> {
    // Pieces of the current segment: literal text or a parameter.
    let mut segments: Vec<Vec<TokenStream>> = vec![Vec::new()];
    for seg in &op.path_segments {
        match seg {
            PathSegment::Literal(text) => {
                for (i, piece) in text.split('/').enumerate() {
                    if i > 0 {
                        segments.push(Vec::new());
                    }
                    if !piece.is_empty() {
                        segments
                            .last_mut()
                            .expect("never empty")
                            .push(quote!(#piece));
                    }
                }
            }
            PathSegment::Param(i) => {
                let p = &op.params[*i];
                let id = ident(&p.ident);
                let value = match p.ty {
                    TypeExpr::String => quote!(#id),
                    _ => quote!(::oasgen_runtime::transport::path_value(&#id).as_str()),
                };
                segments.last_mut().expect("never empty").push(value);
            }
        }
    }
    let last = segments.len() - 1;
    segments
        .into_iter()
        .enumerate()
        // Empty segments come from the leading `/` (and doubled slashes); a trailing one is
        // a trailing slash and is kept.
        .filter(|(i, pieces)| !pieces.is_empty() || (*i == last && last > 0))
        .map(|(_, pieces)| match pieces.as_slice() {
            [] => quote!(""),
            [one] => one.clone(),
            many => quote!(&[#(#many),*].concat()),
        })
        .collect()
}

/// Query, header and cookie parameters, set on `request_`.
fn emit_params(op: &Operation) -> TokenStream {
    let sets = op.params.iter().map(|p| {
        let id = ident(&p.ident);
        let name = &p.name;
        match p.location {
            ParamLocation::Path => quote!(),
            ParamLocation::Query => {
                let explode = p.explode;
                quote!(request_.query(#name, &#id, #explode)?;)
            }
            ParamLocation::Header => quote!(request_.header(#name, &#id)?;),
            ParamLocation::Cookie => quote!(request_.cookie(#name, &#id)?;),
        }
    });
    quote!(#(#sets)*)
}

fn method_docs(api: &Api, op: &Operation) -> TokenStream {
    let mut paragraphs: Vec<String> = Vec::new();
    paragraphs.extend(op.docs.title.clone());
    paragraphs.extend(op.docs.description.clone());
    paragraphs.push(format!(
        "Sends a `{}` request to `{}`. {}",
        op.method.as_str(),
        op.path,
        accepted_text(api, op)
    ));
    let mut lines = vec!["Arguments:".to_string()];
    for arg in args(op) {
        let line = match arg {
            Arg::Param(p) => {
                let text = p.docs.description.as_deref().or(p.docs.title.as_deref());
                // The first paragraph, on one line.
                let first = text
                    .and_then(|t| t.split("\n\n").next())
                    .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                    .unwrap_or_default();
                let deprecated = if p.deprecated { " (deprecated)" } else { "" };
                if first.is_empty() {
                    format!("- `{}`{deprecated}", p.ident)
                } else {
                    format!("- `{}`: {first}{deprecated}", p.ident)
                }
            }
            Arg::Body => "- `body`: the request body".to_string(),
        };
        lines.push(line);
    }
    if lines.len() > 1 {
        paragraphs.push(lines.join("\n"));
    }
    doc_attrs(&paragraphs)
}

/// `pub async fn <op>(&self, ...) -> Result<Success, Error<<Op>Error>>`.
pub fn emit_method(api: &Api, op: &Operation) -> TokenStream {
    let docs = method_docs(api, op);
    let name = ident(&op.fn_name);
    let err = error_ident(op);
    let success = success_type(api, op);
    let sig_args = args(op).into_iter().map(|a| match a {
        Arg::Param(p) => {
            let id = ident(&p.ident);
            let ty = arg_type(api, &p.ty, p.required);
            quote!(#id: #ty)
        }
        Arg::Body => {
            let ty = body_arg_type(api, op);
            quote!(body: #ty)
        }
    });
    let segments = path_segments(op);
    let params = emit_params(op);
    let body = emit_body(api, op);
    let method = format_ident!("{}", op.method.as_str().to_ascii_lowercase());
    let security = operation_const(op);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let decode = emit_match(op);
    let request_mut = (!params.is_empty() || !body.is_empty()).then(|| quote!(mut));
    quote! {
        #docs
        #deprecated
        pub async fn #name(&self, #(#sig_args),*)
            -> Result<#success, Error<#err>>
        {
            let #request_mut request_ = self.core.#method::<#err>(&[#(#segments),*])?;
            #params
            #body
            let response_ = self.core.send(request_, &security::#security).await?;
            #decode
        }
    }
}
