//! The router, one handler per operation, and one request builder per operation.

use super::api::{body_field, raw_field, request_name, response_name};
use super::validate::{strict_decode_suffices, InputChecks};
use super::{principal, Principal};
use crate::emit::types::{ident, type_tokens, Scope};
use crate::ir::{
    Api, BodyEncoding, ErrorShape, FormField, Operation, ParamLocation, Parameter, PartKind,
    RefusalPart, StatusSpec, TypeExpr, TypeKind,
};
use heck::ToShoutySnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// `router` and `router_with`: every path in spec order, with its methods.
pub fn emit_router(api: &Api, routes: &Routes) -> TokenStream {
    let mut paths: Vec<(&str, Vec<&Operation>)> = Vec::new();
    for (i, op) in api.operations.iter().enumerate() {
        let route = routes.route_of(api, i).path.as_str();
        match paths.iter_mut().find(|(p, _)| *p == route) {
            Some((_, ops)) => ops.push(op),
            None => paths.push((route, vec![op])),
        }
    }
    let registrations = paths.iter().map(|(path, ops)| {
        let filters = ops.iter().map(|op| ident(op.method.as_str()));
        let handlers = ops.iter().map(|op| handler_name(op));
        quote! {
            .route(#path, MethodRouter::<rt::Shared<S>>::new() #(.on(MethodFilter::#filters, #handlers::<S>))*)
        }
    });
    // Requests that leave a path parameter empty reach the fallback when axum does not route
    // them (an empty last segment, or an empty segment a client dropped with its slash; an
    // empty segment inside the path is routed, and its parameter checked): the runtime answers
    // them with their operation's `404`, or its bad request where only that is documented.
    let empty_parameter_routes: Vec<TokenStream> = api
        .operations
        .iter()
        .enumerate()
        .filter_map(|(i, op)| {
            let route = routes.route_of(api, i).path.as_str();
            route.contains('{').then(|| {
                let method = op.method.as_str().to_ascii_uppercase();
                let descriptor = descriptor_name(op);
                quote!(rt::EmptyParameterRoute::new(#method, #route, &#descriptor.refusals))
            })
        })
        .collect();
    let (fallback, not_found) = if empty_parameter_routes.is_empty() {
        (quote!(rt::not_found), None)
    } else {
        let table = quote! {
            /// The operations whose `404` (or bad request) the router's fallback sends for a
            /// request that leaves one of their path parameters empty.
            const EMPTY_PARAMETER_ROUTES: &[rt::EmptyParameterRoute] = &[#(#empty_parameter_routes),*];

            async fn not_found(request: Request) -> ::axum::response::Response {
                rt::not_found_in(EMPTY_PARAMETER_ROUTES, &request)
            }
        };
        (quote!(not_found), Some(table))
    };
    quote! {
        /// The router for `service` with the default [`Config`](::oasgen_runtime::server::Config).
        pub fn router<S: Api>(service: Arc<S>) -> ::axum::Router {
            router_with(service, ::oasgen_runtime::server::Config::default())
        }

        /// The router for `service`: one route per path of the spec. It is an ordinary
        /// `axum::Router`, so it can be nested into an app and wrapped in tower middleware.
        pub fn router_with<S: Api>(
            service: Arc<S>,
            config: ::oasgen_runtime::server::Config,
        ) -> ::axum::Router {
            ::axum::Router::<rt::Shared<S>>::new()
                #(#registrations)*
                .method_not_allowed_fallback(rt::method_not_allowed)
                .fallback(#fallback)
                .with_state(rt::Shared { service, config })
        }

        #not_found
    }
}

/// Which operation's path is each operation's route: the first of its shape. Paths that differ
/// only in their parameters' names are one path (a warning at generation says so), and the
/// router can register it once.
pub struct Routes(Vec<usize>);

impl Routes {
    /// The route of every operation of `api`.
    pub fn new(api: &Api) -> Self {
        let mut first: std::collections::HashMap<String, usize> = Default::default();
        let routes = api.operations.iter().enumerate();
        Routes(
            routes
                .map(|(i, op)| *first.entry(op.path_shape()).or_insert(i))
                .collect(),
        )
    }

    /// The operation whose path is operation `op`'s route.
    fn route_of<'a>(&self, api: &'a Api, op: usize) -> &'a Operation {
        &api.operations[self.0[op]]
    }
}

/// The name `route` gives `op`'s path parameter `name`: the one at its position in the
/// route's path.
fn route_param_name<'a>(route: &'a Operation, op: &'a Operation, name: &'a str) -> &'a str {
    let position = op.path_param_names().iter().position(|n| *n == name);
    let names = route.path_param_names();
    position.and_then(|i| names.get(i).copied()).unwrap_or(name)
}

fn handler_name(op: &Operation) -> Ident {
    format_ident!("handle_{}", op.fn_name)
}

fn builder_name(op: &Operation) -> Ident {
    format_ident!("{}_request", op.fn_name)
}

/// The name of the constant describing `op` to the runtime (`LOGIN`).
fn descriptor_name(op: &Operation) -> Ident {
    format_ident!(
        "{}",
        op.fn_name.trim_start_matches("r#").to_shouty_snake_case()
    )
}

/// The operation's descriptor, and its axum handler: authenticate, read and check the input,
/// call the method.
pub fn emit_handler(api: &Api, op: &Operation) -> TokenStream {
    let descriptor = descriptor_name(op);
    let name = handler_name(op);
    let method = ident(&op.fn_name);
    let response = response_name(op);
    let build = builder_name(op);
    let (rule, auth, principal) = match principal(&op.security) {
        Principal::None => (quote!(NoPrincipal), None, None),
        Principal::Optional => (
            quote!(OptionalPrincipal),
            Some(()),
            Some(quote!(principal,)),
        ),
        Principal::Required => (
            quote!(RequiredPrincipal),
            Some(()),
            Some(quote!(principal,)),
        ),
    };
    let auth = auth
        .map(|()| quote!(let principal = authenticate(&*service, &parts, &#descriptor).await?;));
    let alternatives = op.security.alternatives.iter().map(|alt| {
        let requirements = alt.iter().map(|r| {
            let scheme = ident(&api.security_schemes[r.scheme].ident);
            let scopes = &r.scopes;
            let scopes = (!scopes.is_empty()).then(|| quote!(.scopes(&[#(#scopes),*])));
            quote!(rt::Requirement::new(SecurityScheme::#scheme) #scopes)
        });
        quote!(&[#(#requirements),*])
    });
    let forbidden = forbidden_body(op);
    let documented = documented_refusals(op)
        .into_iter()
        .map(proc_macro2::Literal::u16_unsuffixed);
    let bad_request = op.bad_request.as_ref().map(|shape| {
        let shape = error_shape(shape);
        quote!(.bad_request(#shape))
    });
    let not_found = op.not_found.as_ref().map(|shape| {
        let shape = error_shape(shape);
        quote!(.not_found(#shape))
    });
    let path_params = op.params.iter().any(|p| p.location == ParamLocation::Path);
    let body = match &op.body {
        Some(body) => {
            let first = &body.contents[0].ty;
            let accepted = body.contents.iter().filter(|c| &c.ty == first).map(|c| {
                let media = &c.media_type;
                let form = api.form(&c.ty).is_some();
                let encoding = match c.encoding {
                    BodyEncoding::Json => quote!(Json),
                    BodyEncoding::Form if form => quote!(FormFields),
                    BodyEncoding::Form => quote!(Form),
                    BodyEncoding::Multipart if form => quote!(Multipart),
                    BodyEncoding::Text => quote!(Text),
                    BodyEncoding::Binary | BodyEncoding::Multipart => quote!(Binary),
                };
                quote!((#media, rt::Encoding::#encoding))
            });
            let required = body.required;
            quote!(Some(rt::BodyRules { accepted: &[#(#accepted),*], required: #required }))
        }
        None => quote!(None),
    };
    let docs = format!(" How `{}` is served.", op.fn_name.trim_start_matches("r#"));
    quote! {
        #[doc = #docs]
        const #descriptor: rt::Operation<SecurityScheme, rt::#rule> = rt::Operation {
            security: &[#(#alternatives),*],
            principal: rt::#rule,
            path_params: #path_params,
            body: #body,
            forbidden: #forbidden,
            refusals: rt::Refusals::new(&[#(#documented),*]) #bad_request #not_found,
        };

        async fn #name<S: Api>(
            State(rt::Shared { service, config }): State<rt::Shared<S>>,
            request: Request,
        ) -> Result<#response, rt::Refused> {
            let (parts, body) = request.into_parts();
            #auth
            let request = rt::read(&#descriptor, &config, parts, body, #build).await?;
            Ok(service.#method(#principal request).await)
        }
    }
}

/// The JSON text of the example the spec documents for `op`'s `403`, when its requirements
/// name scopes (only then does the router answer `403` itself).
fn forbidden_body(op: &Operation) -> TokenStream {
    let documented = op
        .responses
        .iter()
        .filter(|_| op.security.has_scopes())
        .find(|r| r.status == StatusSpec::Code(403))
        .and_then(|r| r.body.as_ref()?.example.as_ref());
    match documented {
        Some(example) => {
            let text = example.to_string();
            quote!(Some(#text))
        }
        None => quote!(None),
    }
}

/// Of the statuses the router refuses a request with, those `op` documents (all of them,
/// under `4XX` or `default`).
fn documented_refusals(op: &Operation) -> Vec<u16> {
    let documents = |code: u16| {
        op.responses.iter().any(|r| match r.status {
            StatusSpec::Code(c) => c == code,
            StatusSpec::Range(4) | StatusSpec::Default => true,
            StatusSpec::Range(_) => false,
        })
    };
    [400, 404, 413, 415, 422]
        .into_iter()
        .filter(|&c| documents(c))
        .collect()
}

/// A documented error body as the runtime's `ErrorShape`.
fn error_shape(shape: &ErrorShape) -> TokenStream {
    let template = shape.template.to_string();
    let fields = shape.fields.iter().map(|(name, part)| {
        let part = match part {
            RefusalPart::Code => quote!(Code),
            RefusalPart::Reason => quote!(Reason),
            RefusalPart::Kind => quote!(Kind),
            RefusalPart::Message => quote!(Message),
            RefusalPart::Details => quote!(Details),
            RefusalPart::DetailTexts => quote!(DetailTexts),
        };
        quote!((#name, rt::Part::#part))
    });
    quote!(rt::ErrorShape { template: #template, fields: &[#(#fields),*] })
}

/// The request builder of one operation: reads, checks and decodes each input, and hands over
/// the raw request. It returns `None` only after recording why in `input`.
pub fn emit_request_builder(
    api: &Api,
    index: usize,
    checks: &InputChecks,
    routes: &Routes,
) -> TokenStream {
    let op = &api.operations[index];
    let name = builder_name(op);
    let request = request_name(op);
    let lets: Vec<TokenStream> = op
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let field = ident(&p.ident);
            let route = routes.route_of(api, index);
            let read = read_param(api, route, op, p, checks.param(api, index, i));
            quote!(let #field = #read;)
        })
        .collect();
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
        let check = checks.body(api, index);
        fields.push(if b.required {
            quote!(#field: #field?)
        } else {
            quote!(#field)
        });
        let ty = &b.contents[0].ty;
        if api.form(ty).is_some() {
            let reader = form_reader_name(op);
            quote!(let #field = input.form(#reader);)
        } else if strict_decode_suffices(api, ty) {
            quote!(let #field = input.typed_body(#check);)
        } else {
            quote!(let #field = input.body(#check);)
        }
    });
    let raw = raw_field(op);
    let form_reader = emit_form_reader(api, index, checks);
    quote! {
        fn #name(input: &mut rt::Input) -> Option<#request> {
            #(#lets)*
            #body
            Some(#request { #(#fields,)* #raw: input.raw() })
        }

        #form_reader
    }
}

fn form_reader_name(op: &Operation) -> Ident {
    format_ident!("{}_form", op.fn_name)
}

/// The reader of `op`'s form body, if it has one: each field read from its parts, checked
/// and decoded, and the form made of them. Like a request builder, it returns `None` only
/// after recording why in `input`.
fn emit_form_reader(api: &Api, index: usize, checks: &InputChecks) -> Option<TokenStream> {
    let op = &api.operations[index];
    let ty = &op.body.as_ref()?.contents[0].ty;
    let form = api.form(ty)?;
    let name = form_reader_name(op);
    let form_ty = type_tokens(api, ty, Scope::Crate);
    let lets = form.fields.iter().enumerate().map(|(i, f)| {
        let id = ident(&f.field.ident);
        let read = read_form_field(api, f, checks.form_field(api, index, i));
        quote!(let #id = #read;)
    });
    let fields = form.fields.iter().map(|f| {
        let id = ident(&f.field.ident);
        let value = match f.field.boxed {
            true => quote!(::std::boxed::Box::new(#id?)),
            false => quote!(#id?),
        };
        if f.field.required && !f.field.nullable {
            quote!(#id: #value)
        } else if f.field.boxed {
            quote!(#id: #id.map(::std::boxed::Box::new))
        } else {
            quote!(#id)
        }
    });
    let docs = format!(
        " Reads the form body of `{}`.",
        op.fn_name.trim_start_matches("r#")
    );
    Some(quote! {
        #[doc = #docs]
        fn #name(input: &mut rt::Input) -> Option<#form_ty> {
            #(#lets)*
            Some(#form_ty { #(#fields),* })
        }
    })
}

/// Reads one field of a form: an `Option` of its Rust type.
fn read_form_field(api: &Api, f: &FormField, check: TokenStream) -> TokenStream {
    let name = &f.field.json_name;
    let required = f.field.required && !f.field.nullable;
    match (f.part, &f.field.ty) {
        (PartKind::File, TypeExpr::Array(_)) => quote!(input.form_files(#name, #required)),
        (PartKind::File, _) => quote!(input.form_file(#name, #required)),
        (PartKind::Json, _) => quote!(input.form_json(#name, #required, #check)),
        (PartKind::Text, TypeExpr::Array(inner)) => {
            let kind = param_kind(api, inner);
            let explode = f.explode;
            quote!(input.form_texts(#name, rt::Kind::#kind, #explode, #required, #check))
        }
        (PartKind::Text, ty) => {
            let kind = param_kind(api, ty);
            quote!(input.form_text(#name, rt::Kind::#kind, #required, #check))
        }
    }
}

/// Reads, checks (with `check`) and decodes one parameter of `op`, served as `route`: an
/// `Option` of its Rust type.
fn read_param(
    api: &Api,
    route: &Operation,
    op: &Operation,
    p: &Parameter,
    check: TokenStream,
) -> TokenStream {
    let name = &p.name;
    let required = p.required;
    match (&p.ty, p.location) {
        (TypeExpr::Array(inner), ParamLocation::Query) => {
            let kind = param_kind(api, inner);
            let explode = p.explode;
            quote!(input.query_array(#name, rt::Kind::#kind, #explode, #required, #check))
        }
        (ty, ParamLocation::Path) => {
            let kind = param_kind(api, ty);
            let name = route_param_name(route, op, name);
            quote!(input.path(#name, rt::Kind::#kind, #check))
        }
        (ty, ParamLocation::Query) => {
            let kind = param_kind(api, ty);
            quote!(input.query(#name, rt::Kind::#kind, #required, #check))
        }
        (ty, ParamLocation::Header) => {
            let kind = param_kind(api, ty);
            quote!(input.header(#name, rt::Kind::#kind, #required, #check))
        }
        (ty, ParamLocation::Cookie) => {
            let kind = param_kind(api, ty);
            quote!(input.cookie(#name, rt::Kind::#kind, #required, #check))
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
