//! Rust type tokens for IR type expressions, shared by every emitter.

use crate::ir::{Api, TypeExpr, TypeId};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// An identifier from a name the lowering made valid.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Where the tokens will stand, which decides how model types are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Inside `models.rs`: model types by their bare name.
    Models,
    /// Anywhere else in the crate: `crate::models::Name`.
    Crate,
}

/// The path of a named type.
pub fn named(api: &Api, id: TypeId, scope: Scope) -> TokenStream {
    let name = ident(&api.ty(id).name);
    match scope {
        Scope::Models => quote!(#name),
        Scope::Crate => quote!(crate::models::#name),
    }
}

/// The Rust type of an expression.
pub fn type_tokens(api: &Api, expr: &TypeExpr, scope: Scope) -> TokenStream {
    match expr {
        TypeExpr::Bool => quote!(bool),
        TypeExpr::I32 => quote!(i32),
        TypeExpr::I64 => quote!(i64),
        TypeExpr::F64 => quote!(f64),
        TypeExpr::String => quote!(::std::string::String),
        TypeExpr::Bytes => quote!(::std::vec::Vec<u8>),
        TypeExpr::Json => quote!(::serde_json::Value),
        TypeExpr::JsonObject => {
            quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>)
        }
        TypeExpr::Array(inner) => {
            let inner = type_tokens(api, inner, scope);
            quote!(::std::vec::Vec<#inner>)
        }
        TypeExpr::Map(inner) => {
            let inner = type_tokens(api, inner, scope);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        TypeExpr::Named(id) => named(api, *id, scope),
    }
}
