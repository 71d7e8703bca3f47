//! The router, one handler per operation, and one request builder per operation.

use super::api::{body_field, request_name};
use super::validate::check_expr;
use super::{principal, Principal};
use crate::emit::types::{ident, type_tokens, Scope};
use crate::ir::{Api, BodyEncoding, Operation, ParamLocation, Parameter, TypeExpr, TypeKind};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// `router` and `router_with`: every path in spec order, with its methods.
pub fn emit_router(api: &Api) -> TokenStream {
    let mut paths: Vec<(&str, Vec<&Operation>)> = Vec::new();
    for op in &api.operations {
        match paths.iter_mut().find(|(p, _)| *p == op.path) {
            Some((_, ops)) => ops.push(op),
            None => paths.push((&op.path, vec![op])),
        }
    }
    let routes = paths.iter().map(|(path, ops)| {
        let filters = ops.iter().map(|op| ident(op.method.as_str()));
        let handlers = ops.iter().map(|op| handler_name(op));
        let first = quote!(::axum::routing::MethodRouter::<::std::sync::Arc<S>>::new());
        quote! {
            .route(#path, #first #(.on(::axum::routing::MethodFilter::#filters, #handlers::<S>))*)
        }
    });
    quote! {
        /// The router for `service` with the default [`Config`](::oasgen_runtime::server::Config).
        pub fn router<S: Api>(service: ::std::sync::Arc<S>) -> ::axum::Router {
            router_with(service, ::oasgen_runtime::server::Config::default())
        }

        /// The router for `service`: one route per path of the spec. It is an ordinary
        /// `axum::Router`, so it can be nested into an app and wrapped in tower middleware.
        pub fn router_with<S: Api>(
            service: ::std::sync::Arc<S>,
            config: ::oasgen_runtime::server::Config,
        ) -> ::axum::Router {
            ::axum::Router::<::std::sync::Arc<S>>::new()
                #(#routes)*
                .method_not_allowed_fallback(::oasgen_runtime::server::method_not_allowed)
                .fallback(::oasgen_runtime::server::not_found)
                .layer(::axum::extract::DefaultBodyLimit::max(config.body_limit))
                .with_state(service)
        }
    }
}

fn handler_name(op: &Operation) -> Ident {
    format_ident!("handle_{}", op.fn_name)
}

fn builder_name(op: &Operation) -> Ident {
    format_ident!("{}_request", op.fn_name)
}

fn has_path_params(op: &Operation) -> bool {
    op.params.iter().any(|p| p.location == ParamLocation::Path)
}

fn uses_headers(op: &Operation) -> bool {
    op.params
        .iter()
        .any(|p| matches!(p.location, ParamLocation::Header | ParamLocation::Cookie))
}

/// The axum handler of one operation: authenticate, read the body, check the input, call.
pub fn emit_handler(api: &Api, op: &Operation) -> TokenStream {
    let name = handler_name(op);
    let path_arg = has_path_params(op).then(|| {
        quote! {
            path: ::std::result::Result<
                ::axum::extract::Path<::std::vec::Vec<(::std::string::String, ::std::string::String)>>,
                ::axum::extract::rejection::PathRejection,
            >,
        }
    });
    let path = if has_path_params(op) {
        quote!(path.map(|p| p.0).map_err(|e| e.body_text()))
    } else {
        quote!(::std::result::Result::Ok(::std::vec::Vec::new()))
    };
    let auth = emit_auth(api, op);
    let needs_headers = !auth.is_empty() || op.body.is_some() || uses_headers(op);
    let headers_arg = needs_headers.then(|| quote!(headers: ::axum::http::HeaderMap,));
    let body_arg = op.body.is_some().then(|| {
        quote! {
            body: ::std::result::Result<
                ::axum::body::Bytes,
                ::axum::extract::rejection::BytesRejection,
            >,
        }
    });
    let read_body = emit_read_body(op);
    let call = emit_call(op);
    quote! {
        async fn #name<S: Api>(
            ::axum::extract::State(service): ::axum::extract::State<::std::sync::Arc<S>>,
            #path_arg
            ::axum::extract::RawQuery(query): ::axum::extract::RawQuery,
            #headers_arg
            #body_arg
        ) -> ::axum::response::Response {
            #auth
            #read_body
            let path = #path;
            #call
        }
    }
}

/// `let principal = ...;` (nothing for operations without credentials).
fn emit_auth(api: &Api, op: &Operation) -> TokenStream {
    let alternatives = op.security.alternatives.iter().map(|alt| {
        let schemes = alt.iter().map(|&i| ident(&api.security_schemes[i].ident));
        quote!(&[#(SecurityScheme::#schemes),*])
    });
    let call = quote! {
        authenticate(&*service, &headers, query.as_deref(), &[#(#alternatives),*]).await
    };
    let respond = quote!(::axum::response::IntoResponse::into_response);
    match principal(&op.security) {
        Principal::None => quote!(),
        Principal::Optional => quote! {
            let principal = match #call {
                ::std::result::Result::Ok(p) => p,
                ::std::result::Result::Err(e) => return #respond(e),
            };
        },
        Principal::Required => quote! {
            let principal = match #call {
                ::std::result::Result::Ok(::std::option::Option::Some(p)) => p,
                ::std::result::Result::Ok(::std::option::Option::None) => {
                    return #respond(::oasgen_runtime::server::Unauthorized::Missing)
                }
                ::std::result::Result::Err(e) => return #respond(e),
            };
        },
    }
}

/// `let body = ...;`: size, media type and syntax; a rejection returns early.
fn emit_read_body(op: &Operation) -> TokenStream {
    let Some(body) = &op.body else {
        return quote!();
    };
    let first = &body.contents[0].ty;
    let accepted = body.contents.iter().filter(|c| &c.ty == first).map(|c| {
        let media = &c.media_type;
        let encoding = match c.encoding {
            BodyEncoding::Json => quote!(Json),
            BodyEncoding::Form => quote!(Form),
            BodyEncoding::Text => quote!(Text),
            BodyEncoding::Binary => quote!(Binary),
        };
        quote!((#media, ::oasgen_runtime::server::Encoding::#encoding))
    });
    let required = body.required;
    quote! {
        let body = match ::oasgen_runtime::server::body(&headers, body, &[#(#accepted),*], #required) {
            ::std::result::Result::Ok(b) => b,
            ::std::result::Result::Err(e) => {
                return ::axum::response::IntoResponse::into_response(e)
            }
        };
    }
}

/// Builds the request, then calls the method or answers `400`.
fn emit_call(op: &Operation) -> TokenStream {
    let method = ident(&op.fn_name);
    let request = request_name(op);
    let principal_arg = (principal(&op.security) != Principal::None).then(|| quote!(principal,));
    let (input, build) = if op.params.is_empty() && op.body.is_none() {
        (
            quote!(input),
            quote!(::std::option::Option::Some(#request {})),
        )
    } else {
        let builder = builder_name(op);
        let headers = uses_headers(op).then(|| quote!(&headers,));
        let body = op.body.is_some().then(|| quote!(body,));
        (
            quote!(mut input),
            quote!(#builder(&mut input, #headers #body)),
        )
    };
    quote! {
        let #input = ::oasgen_runtime::server::Input::new(path, query.as_deref());
        let request = #build;
        match input.finish(request) {
            ::std::result::Result::Ok(request) => ::axum::response::IntoResponse::into_response(
                service.#method(#principal_arg request).await,
            ),
            ::std::result::Result::Err(e) => ::axum::response::IntoResponse::into_response(e),
        }
    }
}

/// The request builder of one operation: reads, checks and decodes each input. It returns
/// `None` only after recording why in `input`.
pub fn emit_request_builder(api: &Api, op: &Operation) -> TokenStream {
    if op.params.is_empty() && op.body.is_none() {
        return quote!();
    }
    let name = builder_name(op);
    let request = request_name(op);
    let headers_arg = uses_headers(op).then(|| quote!(headers: &::axum::http::HeaderMap,));
    let body_arg = op
        .body
        .is_some()
        .then(|| quote!(body: ::std::option::Option<::serde_json::Value>,));
    let lets = op.params.iter().map(|p| {
        let field = ident(&p.ident);
        let read = read_param(api, p);
        quote!(let #field = #read;)
    });
    let mut fields: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| {
            let field = ident(&p.ident);
            if p.required {
                quote!(#field: #field?)
            } else {
                quote!(#field)
            }
        })
        .collect();
    let body = op.body.as_ref().map(|b| {
        let field = body_field(op);
        let ty = type_tokens(api, &b.contents[0].ty, Scope::Crate);
        let check = checked("body", &check_expr(api, &b.contents[0].ty, None));
        fields.push(if b.required {
            quote!(#field: #field?)
        } else {
            quote!(#field)
        });
        quote! {
            let #field = match body {
                ::std::option::Option::Some(v) => {
                    #check
                    input.decode::<#ty>("body", v)
                }
                ::std::option::Option::None => ::std::option::Option::None,
            };
        }
    });
    quote! {
        fn #name(
            input: &mut ::oasgen_runtime::server::Input,
            #headers_arg
            #body_arg
        ) -> ::std::option::Option<#request> {
            #(#lets)*
            #body
            ::std::option::Option::Some(#request { #(#fields),* })
        }
    }
}

/// `{ let errors = ...; let at = ...; let v = &v; <check> }`, or nothing when nothing applies.
fn checked(at: &str, check: &TokenStream) -> TokenStream {
    if check.is_empty() {
        return quote!();
    }
    let at = if at == "body" { "" } else { at };
    quote! {
        {
            let errors = input.errors();
            let at: &str = #at;
            let v = &v;
            #check
        }
    }
}

/// Reads, checks and decodes one parameter: an `Option` of its Rust type.
fn read_param(api: &Api, p: &Parameter) -> TokenStream {
    let name = &p.name;
    let required = p.required;
    let rt = quote!(::oasgen_runtime::server);
    let read = match (&p.ty, p.location) {
        (TypeExpr::Array(inner), ParamLocation::Query) => {
            let kind = param_kind(api, inner);
            let explode = p.explode;
            quote!(input.query_array(#name, #rt::Kind::#kind, #explode, #required))
        }
        (ty, ParamLocation::Path) => {
            let kind = param_kind(api, ty);
            quote!(input.path(#name, #rt::Kind::#kind))
        }
        (ty, ParamLocation::Query) => {
            let kind = param_kind(api, ty);
            quote!(input.query(#name, #rt::Kind::#kind, #required))
        }
        (ty, ParamLocation::Header) => {
            let kind = param_kind(api, ty);
            quote!(input.header(headers, #name, #rt::Kind::#kind, #required))
        }
        (ty, ParamLocation::Cookie) => {
            let kind = param_kind(api, ty);
            quote!(input.cookie(headers, #name, #rt::Kind::#kind, #required))
        }
    };
    let ty = type_tokens(api, &p.ty, Scope::Crate);
    let check = checked(name, &check_expr(api, &p.ty, Some(&p.constraints)));
    quote! {
        match #read {
            ::std::option::Option::Some(v) => {
                #check
                input.decode::<#ty>(#name, v)
            }
            ::std::option::Option::None => ::std::option::Option::None,
        }
    }
}

/// How the text of a parameter is read (`String`, `Integer`, `Number`, `Boolean`).
fn param_kind(api: &Api, ty: &TypeExpr) -> Ident {
    let kind = match ty {
        TypeExpr::Bool => "Boolean",
        TypeExpr::I32 | TypeExpr::I64 => "Integer",
        TypeExpr::F64 => "Number",
        TypeExpr::Named(id) => match &api.ty(*id).kind {
            TypeKind::Alias(e) | TypeKind::Newtype(e) => return param_kind(api, e),
            _ => "String",
        },
        _ => "String",
    };
    ident(kind)
}
