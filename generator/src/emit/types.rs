//! Rust type tokens for IR type expressions, shared by every emitter.

use crate::ir::{Api, TypeExpr, TypeId};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, ToTokens};

/// An identifier from a name the lowering made valid.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Where the tokens will stand, which decides how model types and prelude names are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Inside `models.rs`: model types by their bare name. A model named like an item of Rust's
    /// prelude shadows it there, so that item is written by its full path.
    Models(Shadowed),
    /// Anywhere else in the crate: `crate::models::Name`. No item there is named like one of
    /// the prelude (their names are fixed or end in `Request`, `Response`, ...).
    Crate,
}

/// The prelude items a module's own items shadow, one bit per [`Prelude`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shadowed(u16);

impl Scope {
    /// The scope of `models.rs`, where every model type is an item.
    pub fn models(api: &Api) -> Self {
        let mut shadowed = Shadowed::default();
        for def in &api.types {
            if let Some(p) = Prelude::ALL.iter().find(|p| p.name() == def.name) {
                shadowed.0 |= 1 << *p as u16;
            }
        }
        Scope::Models(shadowed)
    }

    /// `item`, bare where nothing shadows it, else by its full path.
    pub fn prelude(self, item: Prelude) -> TokenStream {
        match self.shadows(item) {
            true => item.path(),
            false => ident(item.name()).into_token_stream(),
        }
    }

    /// [`Scope::prelude`] as text, for paths inside attribute strings
    /// (`skip_serializing_if = "Option::is_none"`).
    pub fn prelude_text(self, item: Prelude) -> &'static str {
        match self.shadows(item) {
            true => item.full_path(),
            false => item.name(),
        }
    }

    fn shadows(self, item: Prelude) -> bool {
        matches!(self, Scope::Models(Shadowed(bits)) if bits & (1 << item as u16) != 0)
    }
}

/// The items of Rust's prelude that generated code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prelude {
    /// `std::option::Option`.
    Option,
    /// `std::option::Option::Some`.
    Some,
    /// `std::option::Option::None`.
    None,
    /// `std::result::Result`.
    Result,
    /// `std::result::Result::Ok`.
    Ok,
    /// `std::result::Result::Err`.
    Err,
    /// `std::string::String`.
    String,
    /// `std::vec::Vec`.
    Vec,
    /// `std::boxed::Box`.
    Box,
    /// `std::default::Default`.
    Default,
    /// `std::convert::From`.
    From,
}

impl Prelude {
    const ALL: [Prelude; 11] = [
        Prelude::Option,
        Prelude::Some,
        Prelude::None,
        Prelude::Result,
        Prelude::Ok,
        Prelude::Err,
        Prelude::String,
        Prelude::Vec,
        Prelude::Box,
        Prelude::Default,
        Prelude::From,
    ];

    fn name(self) -> &'static str {
        match self {
            Prelude::Option => "Option",
            Prelude::Some => "Some",
            Prelude::None => "None",
            Prelude::Result => "Result",
            Prelude::Ok => "Ok",
            Prelude::Err => "Err",
            Prelude::String => "String",
            Prelude::Vec => "Vec",
            Prelude::Box => "Box",
            Prelude::Default => "Default",
            Prelude::From => "From",
        }
    }

    /// The full path, which no item of a generated module can shadow.
    fn full_path(self) -> &'static str {
        match self {
            Prelude::Option => "::std::option::Option",
            Prelude::Some => "::std::option::Option::Some",
            Prelude::None => "::std::option::Option::None",
            Prelude::Result => "::std::result::Result",
            Prelude::Ok => "::std::result::Result::Ok",
            Prelude::Err => "::std::result::Result::Err",
            Prelude::String => "::std::string::String",
            Prelude::Vec => "::std::vec::Vec",
            Prelude::Box => "::std::boxed::Box",
            Prelude::Default => "::std::default::Default",
            Prelude::From => "::std::convert::From",
        }
    }

    /// [`Prelude::full_path`] as tokens.
    fn path(self) -> TokenStream {
        let segments = self.full_path().split("::").skip(1).map(ident);
        quote!(#(::#segments)*)
    }
}

/// The path of a named type.
pub fn named(api: &Api, id: TypeId, scope: Scope) -> TokenStream {
    let name = ident(&api.ty(id).name);
    match scope {
        Scope::Models(_) => quote!(#name),
        Scope::Crate => quote!(crate::models::#name),
    }
}

/// The Rust type of an expression.
pub fn type_tokens(api: &Api, expr: &TypeExpr, scope: Scope) -> TokenStream {
    let string = || scope.prelude(Prelude::String);
    match expr {
        TypeExpr::Bool => quote!(bool),
        TypeExpr::I32 => quote!(i32),
        TypeExpr::I64 => quote!(i64),
        TypeExpr::F64 => quote!(f64),
        TypeExpr::String => string(),
        TypeExpr::Bytes => {
            let vec = scope.prelude(Prelude::Vec);
            quote!(#vec<u8>)
        }
        TypeExpr::Json => quote!(::serde_json::Value),
        TypeExpr::JsonObject => {
            let string = string();
            quote!(::serde_json::Map<#string, ::serde_json::Value>)
        }
        TypeExpr::Array(inner) => {
            let inner = type_tokens(api, inner, scope);
            let vec = scope.prelude(Prelude::Vec);
            quote!(#vec<#inner>)
        }
        TypeExpr::Map(inner) => {
            let inner = type_tokens(api, inner, scope);
            let string = string();
            quote!(::std::collections::BTreeMap<#string, #inner>)
        }
        TypeExpr::Named(id) => named(api, *id, scope),
    }
}
