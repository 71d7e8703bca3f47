//! The `security` module: one constant per scheme and, per operation, the schemes it accepts.

use super::plain_doc;
use crate::emit::docs::{accepted_schemes, doc_attrs, flow_lines, outer_lines};
use crate::emit::types::ident;
use crate::ir::{
    Api, FlowKind, OAuthFlow, Operation, ParamLocation, Requirement, SchemeKind, SecurityScheme,
};
use heck::ToShoutySnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The constant naming a scheme (`CUSTOMER_ACCESS_TOKEN`).
pub fn scheme_const(scheme: &SecurityScheme) -> Ident {
    ident(&scheme.ident.to_shouty_snake_case())
}

/// The constant holding an operation's accepted credentials (`GET_CUSTOMER_PROFILE`).
pub fn operation_const(op: &Operation) -> Ident {
    ident(&op.fn_name.to_shouty_snake_case())
}

/// The names of the schemes an operation accepts, for docs: `` `A` or `B` ``.
pub fn accepted_text(api: &Api, op: &Operation) -> String {
    match accepted_schemes(api, op, " and ") {
        Some(schemes) => format!("Credentials: {schemes}."),
        None => "No credentials are needed.".to_string(),
    }
}

/// `pub mod security { ... }`.
pub fn emit_security(api: &Api) -> TokenStream {
    let schemes = api.security_schemes.iter().map(emit_scheme);
    let operations = api.operations.iter().map(|op| {
        let name = operation_const(op);
        let op_id = &op.operation_id;
        let alts = op.security.alternatives.iter().map(|alt| {
            let requirements = alt.iter().map(|r| requirement(api, r));
            quote!(&[#(#requirements),*])
        });
        let docs = doc_attrs(&[format!(
            "What `{}` accepts. {}",
            op.fn_name,
            accepted_text(api, op)
        )]);
        quote! {
            #docs
            pub const #name: ::oasgen_runtime::Security = ::oasgen_runtime::Security {
                operation: #op_id,
                alternatives: &[#(#alts),*],
            };
        }
    });
    quote! {
        /// The security schemes of the API and, per operation, the credentials it accepts.
        pub mod security {
            #(#schemes)*
            #(#operations)*
        }
    }
}

/// One scheme's constant, documented with its flows.
fn emit_scheme(s: &SecurityScheme) -> TokenStream {
    let name = scheme_const(s);
    let wire = &s.name;
    let kind = scheme_kind(&s.kind);
    let flows = s.flows.iter().map(flow);
    let mut paragraphs: Vec<String> = Vec::new();
    paragraphs.extend(s.docs.title.clone());
    paragraphs.extend(s.docs.description.clone());
    let head = plain_doc(&format!(
        "`{wire}`: its name is the key for [`Credentials`](super::Credentials)."
    ));
    let more = doc_attrs(&paragraphs);
    let sep = (!paragraphs.is_empty()).then(|| quote!(#[doc = ""]));
    let flows_doc = flow_docs(s);
    let docs = quote!(#head #sep #more #flows_doc);
    quote! {
        #docs
        pub const #name: ::oasgen_runtime::Scheme = ::oasgen_runtime::Scheme {
            name: #wire,
            kind: #kind,
            flows: &[#(#flows),*],
        };
    }
}

/// The docs of a scheme's flows and where its tokens come from; nothing without flows.
fn flow_docs(s: &SecurityScheme) -> Option<TokenStream> {
    let lines = flow_lines(s);
    if lines.is_empty() {
        return None;
    }
    let client_credentials = s
        .flows
        .iter()
        .any(|f| f.kind == FlowKind::ClientCredentials);
    let others = s
        .flows
        .iter()
        .any(|f| f.kind != FlowKind::ClientCredentials);
    let backend = "A backend fetches its tokens with the client credentials flow: \
         [`Client::set_client_credentials`](super::Client::set_client_credentials).";
    let application = "Tokens of a flow that involves a user come from the application: a \
         [`TokenSource`](super::TokenSource) set with \
         [`Credentials::set_source`](super::Credentials::set_source), or one token set with \
         [`Credentials::set_token`](super::Credentials::set_token).";
    let source = match (client_credentials, others) {
        (true, true) => format!("{backend} {application}"),
        (true, false) => backend.to_string(),
        (false, _) => application.to_string(),
    };
    let mut all = vec![String::new()];
    all.extend(lines);
    all.extend([String::new(), format!(" {source}")]);
    Some(outer_lines(all))
}

/// `Flow::new(FlowKind::ClientCredentials).token_url("...")`.
fn flow(f: &OAuthFlow) -> TokenStream {
    let kind = ident(match f.kind {
        FlowKind::Implicit => "Implicit",
        FlowKind::Password => "Password",
        FlowKind::ClientCredentials => "ClientCredentials",
        FlowKind::AuthorizationCode => "AuthorizationCode",
    });
    let urls = [
        ("authorization_url", &f.authorization_url),
        ("token_url", &f.token_url),
        ("refresh_url", &f.refresh_url),
    ];
    let setters = urls.iter().filter_map(|(setter, url)| {
        let setter = ident(setter);
        url.as_ref().map(|u| quote!(.#setter(#u)))
    });
    quote!(::oasgen_runtime::Flow::new(::oasgen_runtime::FlowKind::#kind) #(#setters)*)
}

/// `Requirement::new(SCHEME)`, with `.scopes(&[...])` when it names scopes.
fn requirement(api: &Api, r: &Requirement) -> TokenStream {
    let scheme = scheme_const(&api.security_schemes[r.scheme]);
    let scopes = &r.scopes;
    let scopes = (!scopes.is_empty()).then(|| quote!(.scopes(&[#(#scopes),*])));
    quote!(::oasgen_runtime::Requirement::new(#scheme) #scopes)
}

fn scheme_kind(kind: &SchemeKind) -> TokenStream {
    match kind {
        SchemeKind::Bearer => quote!(::oasgen_runtime::SchemeKind::Bearer),
        SchemeKind::Basic => quote!(::oasgen_runtime::SchemeKind::Basic),
        SchemeKind::ApiKey { location, name } => match location {
            ParamLocation::Query => quote!(::oasgen_runtime::SchemeKind::Query(#name)),
            ParamLocation::Cookie => quote!(::oasgen_runtime::SchemeKind::Cookie(#name)),
            ParamLocation::Header | ParamLocation::Path => {
                quote!(::oasgen_runtime::SchemeKind::Header(#name))
            }
        },
    }
}
