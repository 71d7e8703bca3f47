//! Form models: the struct of a form request body, and its `oasgen_runtime::form::Form` impl,
//! which lists the parts the client sends (the server reads them back in `server/router.rs`).

use super::types::{ident, type_tokens, Prelude, Scope};
use crate::ir::{Api, Form, FormField, PartKind, Struct, TypeDef, TypeExpr};
use proc_macro2::TokenStream;
use quote::quote;

/// The struct of a form and its `Form` impl.
pub fn emit_form(api: &Api, def: &TypeDef, form: &Form, scope: Scope) -> TokenStream {
    let header = super::models::type_header(def);
    let name = ident(&def.name);
    let fields = form.fields.iter().map(|f| {
        let docs = super::models::field_docs(api, &f.field);
        let id = ident(&f.field.ident);
        let ty = field_type(api, f, scope);
        let deprecated = f.field.deprecated.then(|| quote!(#[deprecated]));
        quote! {
            #docs
            #deprecated
            pub #id: #ty,
        }
    });
    let as_struct = Struct {
        fields: form.fields.iter().map(|f| f.field.clone()).collect(),
        additional: None,
        closed: false,
    };
    let has_secret = as_struct.fields.iter().any(|f| f.secret);
    let debug = (!has_secret).then(|| quote!(Debug,));
    let debug_impl = has_secret.then(|| super::models::redacting_debug(def, &as_struct));
    let writes = form.fields.iter().map(|f| write_field(f, scope));
    quote! {
        #header
        #[derive(#debug Clone, PartialEq)]
        pub struct #name {
            #(#fields)*
        }
        #debug_impl
        impl ::oasgen_runtime::form::Form for #name {
            fn write(&self, parts: &mut ::oasgen_runtime::form::Parts) {
                #(#writes)*
            }
        }
    }
}

/// Whether a field is an `Option` in its struct.
fn optional(f: &FormField) -> bool {
    !f.field.required || f.field.nullable
}

/// The Rust type of a field: files as `oasgen_runtime::File`.
fn field_type(api: &Api, f: &FormField, scope: Scope) -> TokenStream {
    let file = quote!(::oasgen_runtime::form::File);
    let mut ty = match &f.field.ty {
        TypeExpr::Bytes => file,
        TypeExpr::Array(inner) if **inner == TypeExpr::Bytes => {
            let vec = scope.prelude(Prelude::Vec);
            quote!(#vec<#file>)
        }
        other => type_tokens(api, other, scope),
    };
    if f.field.boxed {
        let boxed = scope.prelude(Prelude::Box);
        ty = quote!(#boxed<#ty>);
    }
    if optional(f) {
        let option = scope.prelude(Prelude::Option);
        ty = quote!(#option<#ty>);
    }
    ty
}

/// The statement that writes one field's parts.
fn write_field(f: &FormField, scope: Scope) -> TokenStream {
    let name = &f.field.json_name;
    let id = ident(&f.field.ident);
    match f.part {
        PartKind::Text => {
            let explode = f.explode;
            quote!(parts.text(#name, &self.#id, #explode);)
        }
        PartKind::Json => {
            let content_type = f.content_type.as_deref().unwrap_or("application/json");
            quote!(parts.json(#name, &self.#id, #content_type);)
        }
        PartKind::File => {
            let array = matches!(f.field.ty, TypeExpr::Array(_));
            let files = match (optional(f), array) {
                (false, false) => quote!(::std::iter::once(&self.#id)),
                (true, true) => quote!(self.#id.iter().flatten()),
                _ => quote!(self.#id.iter()),
            };
            let content_type = match &f.content_type {
                Some(c) => {
                    let some = scope.prelude(Prelude::Some);
                    quote!(#some(#c))
                }
                None => scope.prelude(Prelude::None),
            };
            quote!(parts.files(#name, #files, #content_type);)
        }
    }
}
