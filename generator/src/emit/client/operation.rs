//! One method per operation: it takes the required parameters positionally and returns the
//! operation's request builder (`request.rs`).
//!
//! Arguments come in a fixed order: path parameters as the URL template has them, then the
//! required query, header and cookie parameters in spec order, then a required body. Optional
//! parameters and an optional body are never positional: each is a setter of the builder, so
//! adding one to the spec only adds a method.

use super::plain_doc;
use super::request::builder_ident;
use super::security::accepted_text;
use crate::emit::docs::doc_attrs;
use crate::emit::types::{ident, type_tokens, Scope};
use crate::ir::{
    Api, BodyContent, BodyEncoding, Operation, ParamLocation, Parameter, PathSegment, TypeExpr,
};
use crate::naming;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// What an argument (or a setter of the builder) carries.
#[derive(Clone, Copy)]
pub enum Arg<'a> {
    Param(&'a Parameter),
    Body,
}

/// Clippy's `too_many_arguments` fires above this many arguments, `self` included.
const CLIPPY_MAX_ARGS: usize = 7;

/// The positional arguments: path parameters in URL-template order, required other
/// parameters in spec order, a required body.
pub fn required_args(op: &Operation) -> Vec<Arg<'_>> {
    let path = op.path_segments.iter().filter_map(|s| match s {
        PathSegment::Param(i) => Some(&op.params[*i]),
        PathSegment::Literal(_) => None,
    });
    let required = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path && p.required);
    let mut out: Vec<Arg> = path.chain(required).map(Arg::Param).collect();
    if op.body.as_ref().is_some_and(|b| b.required) {
        out.push(Arg::Body);
    }
    out
}

/// The builder's setters: optional parameters in spec order, then an optional body.
pub fn optional_args(op: &Operation) -> Vec<Arg<'_>> {
    let mut out: Vec<Arg> = op
        .params
        .iter()
        .filter(|p| !p.required)
        .map(Arg::Param)
        .collect();
    if op.body.as_ref().is_some_and(|b| !b.required) {
        out.push(Arg::Body);
    }
    out
}

impl Arg<'_> {
    /// The argument's (and the builder field's) name.
    pub fn ident(&self) -> Ident {
        match self {
            Arg::Param(p) => ident(&p.ident),
            Arg::Body => format_ident!("body"),
        }
    }

    /// How the value is passed, borrowed for `'a`: strings as `&'a str`, bytes as `&'a [u8]`,
    /// numbers and booleans by value, anything else by reference.
    pub fn ty(&self, api: &Api, op: &Operation) -> TokenStream {
        match self {
            Arg::Param(p) => value_type(api, &p.ty),
            Arg::Body => {
                let body = op.body.as_ref().expect("called for operations with a body");
                match body.contents.as_slice() {
                    [one] => value_type(api, &one.ty),
                    _ => {
                        let name = body_enum_ident(op);
                        quote!(&'a #name)
                    }
                }
            }
        }
    }

    /// The documentation of the parameter, every paragraph of it.
    pub fn docs(&self, op: &Operation) -> Vec<String> {
        match self {
            Arg::Param(p) => {
                let mut out: Vec<String> = Vec::new();
                out.extend(p.docs.title.clone());
                out.extend(p.docs.description.clone());
                if out.is_empty() {
                    out.push(format!("The `{}` parameter ({}).", p.name, where_(p)));
                }
                if p.secret {
                    out.push("A secret: the request's `Debug` does not show it.".to_string());
                }
                out
            }
            Arg::Body => {
                let body = op.body.as_ref().expect("called for operations with a body");
                let mut out = vec!["The request body.".to_string()];
                out.extend(body.docs.title.clone());
                out.extend(body.docs.description.clone());
                out
            }
        }
    }
}

fn where_(p: &Parameter) -> &'static str {
    match p.location {
        ParamLocation::Path => "in the path",
        ParamLocation::Query => "in the query",
        ParamLocation::Header => "a header",
        ParamLocation::Cookie => "a cookie",
    }
}

fn value_type(api: &Api, ty: &TypeExpr) -> TokenStream {
    match ty {
        TypeExpr::String => quote!(&'a str),
        TypeExpr::Bytes => quote!(&'a [u8]),
        TypeExpr::Bool | TypeExpr::I32 | TypeExpr::I64 | TypeExpr::F64 => {
            type_tokens(api, ty, Scope::Crate)
        }
        _ => {
            let t = type_tokens(api, ty, Scope::Crate);
            quote!(&'a #t)
        }
    }
}

/// `<Op>Body`, the enum of media types, when the body accepts several.
pub(super) fn body_enum_ident(op: &Operation) -> Ident {
    format_ident!("{}Body", op.type_stem)
}

fn media_variant(c: &BodyContent) -> Ident {
    ident(&naming::type_name(&c.media_type, "Body"))
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
pub(super) fn emit_body(api: &Api, op: &Operation) -> TokenStream {
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
pub(super) fn path_segments(op: &Operation) -> Vec<TokenStream> {
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
pub(super) fn emit_params(op: &Operation) -> TokenStream {
    let sets = op.params.iter().map(|p| {
        let id = ident(&p.ident);
        let name = &p.name;
        match p.location {
            ParamLocation::Path => quote!(),
            ParamLocation::Query => {
                let explode = p.explode;
                quote!(request_.query(#name, &#id, #explode)?;)
            }
            ParamLocation::Header if p.secret => quote!(request_.secret_header(#name, &#id)?;),
            ParamLocation::Header => quote!(request_.header(#name, &#id)?;),
            ParamLocation::Cookie => quote!(request_.cookie(#name, &#id)?;),
        }
    });
    quote!(#(#sets)*)
}

/// The method's docs: the spec's, where the request goes, the arguments with their full
/// docs (paragraphs kept as lines of the list item), and the setters of the builder.
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
    for arg in required_args(op) {
        let name = arg.ident().to_string();
        let deprecated = match arg {
            Arg::Param(p) if p.deprecated => " (deprecated)",
            _ => "",
        };
        // Paragraphs become lines of the item: a blank line would end the list.
        let lines_of: Vec<String> = arg
            .docs(op)
            .iter()
            .flat_map(|p| {
                p.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let text = lines_of.join("\n");
        lines.push(format!("- `{name}`{deprecated}: {text}"));
    }
    if lines.len() > 1 {
        paragraphs.push(lines.join("\n"));
    }
    let builder = builder_ident(op);
    let optional: Vec<String> = optional_args(op)
        .iter()
        .map(|a| format!("`{}`", a.ident()))
        .collect();
    if !optional.is_empty() {
        paragraphs.push(format!(
            "Optional, set on the returned request: {}.",
            optional.join(", ")
        ));
    }
    let mut docs = doc_attrs(&paragraphs);
    docs.extend(plain_doc(""));
    docs.extend(plain_doc(&format!(
        "`.await` the returned [`{builder}`] for the body of the success, or call its \
         [`send_with_response`]({builder}::send_with_response) for the status and headers too."
    )));
    docs
}

/// `pub fn <op>(&self, ...) -> <Op>Request<'_>`.
pub fn emit_method(api: &Api, op: &Operation) -> TokenStream {
    let docs = method_docs(api, op);
    let name = ident(&op.fn_name);
    let builder = builder_ident(op);
    let required = required_args(op);
    let sig_args = required.iter().map(|a| {
        let id = a.ident();
        let ty = a.ty(api, op);
        quote!(#id: #ty)
    });
    let set = required.iter().map(Arg::ident);
    let unset = optional_args(op).into_iter().map(|a| a.ident());
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let allow = (required.len() + 1 > CLIPPY_MAX_ARGS)
        .then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #docs
        #deprecated
        #allow
        pub fn #name<'a>(&'a self, #(#sig_args),*) -> #builder<'a> {
            #builder {
                client_: self,
                #(#set,)*
                #(#unset: None,)*
                extra_: ::std::default::Default::default(),
            }
        }
    }
}
