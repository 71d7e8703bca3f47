//! The `security` module: one constant per scheme and, per operation, the schemes it accepts.

use super::plain_doc;
use crate::emit::docs::{accepted_schemes, doc_attrs};
use crate::emit::types::ident;
use crate::ir::{Api, Operation, ParamLocation, SchemeKind, SecurityScheme};
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
    let schemes = api.security_schemes.iter().map(|s| {
        let name = scheme_const(s);
        let wire = &s.name;
        let kind = scheme_kind(&s.kind);
        let mut paragraphs: Vec<String> = Vec::new();
        paragraphs.extend(s.docs.title.clone());
        paragraphs.extend(s.docs.description.clone());
        let head = plain_doc(&format!(
            "`{wire}`: its name is the key for [`Credentials`](super::Credentials)."
        ));
        let more = doc_attrs(&paragraphs);
        let sep = (!paragraphs.is_empty()).then(|| quote!(#[doc = ""]));
        let docs = quote!(#head #sep #more);
        quote! {
            #docs
            pub const #name: ::oasgen_runtime::Scheme = ::oasgen_runtime::Scheme {
                name: #wire,
                kind: #kind,
            };
        }
    });
    let operations = api.operations.iter().map(|op| {
        let name = operation_const(op);
        let op_id = &op.operation_id;
        let alts = op.security.alternatives.iter().map(|alt| {
            let schemes = alt
                .iter()
                .map(|r| scheme_const(&api.security_schemes[r.scheme]));
            quote!(&[#(#schemes),*])
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
