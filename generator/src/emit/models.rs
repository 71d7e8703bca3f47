//! `models.rs`: one Rust type per IR type.

use super::docs::{doc_attrs, outer_lines, raw_doc_attrs, type_link};
use super::types::{ident, type_tokens, Prelude, Scope};
use crate::ir::{Api, Field, StringEnum, Struct, TypeDef, TypeExpr, TypeId, TypeKind, Union};
use proc_macro2::{Literal, TokenStream};
use quote::{quote, ToTokens};

/// An item of `models.rs`.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    /// The module's attributes.
    Head,
    /// One model type.
    Type(TypeId),
}

/// The items of `models.rs`: every model type, in IR order.
pub fn items(api: &Api) -> Vec<Item> {
    let types = (0..api.types.len()).map(|i| Item::Type(TypeId(i)));
    std::iter::once(Item::Head).chain(types).collect()
}

/// The tokens of one item.
pub fn emit(api: &Api, scope: Scope, item: Item) -> TokenStream {
    match item {
        Item::Head => quote!(#![allow(deprecated)]),
        Item::Type(id) => emit_type(api, api.ty(id), scope),
    }
}

/// One model type.
fn emit_type(api: &Api, def: &TypeDef, scope: Scope) -> TokenStream {
    match &def.kind {
        TypeKind::Struct(s) => emit_struct(api, def, s, scope),
        TypeKind::Enum(e) => emit_enum(def, e, scope),
        TypeKind::Union(u) => emit_union(api, def, u, scope),
        TypeKind::Alias(e) => emit_alias(api, def, e, scope),
        TypeKind::Newtype(e) => emit_newtype(api, def, e, scope),
        TypeKind::Form(f) => super::form::emit_form(api, def, f, scope),
    }
}

/// Doc attributes and `#[deprecated]` of a type.
pub(super) fn type_header(def: &TypeDef) -> TokenStream {
    let mut paragraphs: Vec<String> = Vec::new();
    if let Some(t) = &def.docs.title {
        paragraphs.push(t.clone());
    }
    if let Some(d) = &def.docs.description {
        paragraphs.push(d.clone());
    }
    if paragraphs.is_empty() {
        paragraphs.push(format!("`{}` (`{}` in the spec).", def.name, def.pointer));
    }
    let docs = doc_attrs(&paragraphs);
    let deprecated = def.deprecated.then(|| quote!(#[deprecated]));
    quote!(#docs #deprecated)
}

fn field_type(api: &Api, f: &Field, scope: Scope) -> TokenStream {
    let mut ty = type_tokens(api, &f.ty, scope);
    if f.boxed {
        let boxed = scope.prelude(Prelude::Box);
        ty = quote!(#boxed<#ty>);
    }
    if !f.required || f.nullable {
        let option = scope.prelude(Prelude::Option);
        ty = quote!(#option<#ty>);
    }
    ty
}

pub(super) fn field_docs(api: &Api, f: &Field) -> TokenStream {
    let mut paragraphs: Vec<String> = Vec::new();
    if let Some(t) = &f.docs.title {
        paragraphs.push(t.clone());
    }
    if let Some(d) = &f.docs.description {
        paragraphs.push(d.clone());
    }
    let mut ours = Vec::new();
    if paragraphs.is_empty() {
        paragraphs.push(format!("`{}`.", f.json_name));
        if let TypeExpr::Named(id) = &f.ty {
            ours.push(format!("See {}.", type_link(&api.ty(*id).name)));
        }
    }
    if let Some(d) = &f.default {
        paragraphs.push(format!("Defaults to `{d}`."));
    }
    if f.read_only {
        paragraphs.push("Read-only: set by the server.".into());
    }
    if f.write_only {
        paragraphs.push("Write-only: never returned by the server.".into());
    }
    let spec = doc_attrs(&paragraphs);
    let ours = raw_doc_attrs(&ours);
    quote!(#spec #ours)
}

fn emit_struct(api: &Api, def: &TypeDef, s: &Struct, scope: Scope) -> TokenStream {
    let header = type_header(def);
    let name = ident(&def.name);
    let fields = s.fields.iter().map(|f| {
        let docs = field_docs(api, f);
        let id = ident(&f.ident);
        let ty = field_type(api, f, scope);
        let mut serde = Vec::new();
        if f.ident != f.json_name {
            let json = &f.json_name;
            serde.push(quote!(rename = #json));
        }
        if !f.required {
            serde.push(quote!(default));
            let is_none = format!("{}::is_none", scope.prelude_text(Prelude::Option));
            serde.push(quote!(skip_serializing_if = #is_none));
        }
        let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
        let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
        quote! {
            #docs
            #serde
            #deprecated
            pub #id: #ty,
        }
    });
    let additional = s.additional.as_ref().map(|value| {
        let map = match value {
            TypeExpr::Json => type_tokens(api, &TypeExpr::JsonObject, scope),
            other => {
                let (string, v) = (
                    scope.prelude(Prelude::String),
                    type_tokens(api, other, scope),
                );
                quote!(::std::collections::BTreeMap<#string, #v>)
            }
        };
        quote! {
            /// Properties not declared in the spec (`additionalProperties`).
            #[serde(flatten)]
            pub additional_properties: #map,
        }
    });
    let has_secret = s.fields.iter().any(|f| f.secret);
    let has_spec_default = s
        .fields
        .iter()
        .any(|f| default_expr(api, f, scope).is_some());
    let debug = (!has_secret).then(|| quote!(Debug,));
    let derive_default = (def.has_default && !has_spec_default).then(|| quote!(Default,));
    let debug_impl = has_secret.then(|| redacting_debug(def, s));
    let default_impl =
        (def.has_default && has_spec_default).then(|| default_impl(api, def, s, scope));
    quote! {
        #header
        #[derive(#debug Clone, PartialEq, #derive_default ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }
        #debug_impl
        #default_impl
    }
}

/// `Debug` that prints `<redacted>` for secrets, so tokens and passwords never reach logs.
pub(super) fn redacting_debug(def: &TypeDef, s: &Struct) -> TokenStream {
    let name = ident(&def.name);
    let name_str = &def.name;
    let fields = s.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let label = &f.ident;
        if !f.secret {
            quote!(.field(#label, &self.#id))
        } else if !f.required || f.nullable {
            quote!(.field(#label, &self.#id.as_ref().map(|_| "<redacted>")))
        } else {
            quote!(.field(#label, &"<redacted>"))
        }
    });
    let additional = s
        .additional
        .as_ref()
        .map(|_| quote!(.field("additional_properties", &self.additional_properties)));
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name_str)
                    #(#fields)*
                    #additional
                    .finish()
            }
        }
    }
}

/// The Rust expression of a field's spec default, where one can be written.
fn default_expr(api: &Api, f: &Field, scope: Scope) -> Option<TokenStream> {
    let value = f.default.as_ref()?;
    let expr = value_expr(api, &f.ty, value, scope)?;
    let expr = if f.boxed {
        let boxed = scope.prelude(Prelude::Box);
        quote!(#boxed::new(#expr))
    } else {
        expr
    };
    Some(if !f.required || f.nullable {
        let some = scope.prelude(Prelude::Some);
        quote!(#some(#expr))
    } else {
        expr
    })
}

fn value_expr(
    api: &Api,
    ty: &TypeExpr,
    value: &serde_json::Value,
    scope: Scope,
) -> Option<TokenStream> {
    match ty {
        TypeExpr::Bool => value.as_bool().map(|b| quote!(#b)),
        TypeExpr::I32 => value
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(|n| Literal::i32_unsuffixed(n).into_token_stream()),
        TypeExpr::I64 => value
            .as_i64()
            .map(|n| Literal::i64_unsuffixed(n).into_token_stream()),
        TypeExpr::F64 => value
            .as_f64()
            .filter(|n| n.is_finite())
            .map(|n| Literal::f64_suffixed(n).into_token_stream()),
        TypeExpr::String => value.as_str().map(|s| {
            let string = scope.prelude(Prelude::String);
            quote!(#string::from(#s))
        }),
        TypeExpr::Named(id) => {
            let def = api.ty(*id);
            match &def.kind {
                TypeKind::Enum(e) => {
                    let s = value.as_str()?;
                    let v = e.variants.iter().find(|v| v.value == s)?;
                    let name = ident(&def.name);
                    let variant = ident(&v.ident);
                    Some(quote!(#name::#variant))
                }
                TypeKind::Alias(inner) => value_expr(api, inner, value, scope),
                _ => None,
            }
        }
        _ => None,
    }
}

fn default_impl(api: &Api, def: &TypeDef, s: &Struct, scope: Scope) -> TokenStream {
    let name = ident(&def.name);
    let default = scope.prelude(Prelude::Default);
    let fields = s.fields.iter().map(|f| {
        let id = ident(&f.ident);
        match default_expr(api, f, scope) {
            Some(e) => quote!(#id: #e,),
            None => quote!(#id: #default::default(),),
        }
    });
    let additional = s
        .additional
        .as_ref()
        .map(|_| quote!(additional_properties: #default::default(),));
    quote! {
        impl #default for #name {
            fn default() -> Self {
                Self {
                    #(#fields)*
                    #additional
                }
            }
        }
    }
}

fn emit_enum(def: &TypeDef, e: &StringEnum, scope: Scope) -> TokenStream {
    let (string, from) = (scope.prelude(Prelude::String), scope.prelude(Prelude::From));
    let header = type_header(def);
    let name = ident(&def.name);
    let variants = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let value = &v.value;
        let doc = outer_lines(vec![format!(" `{value}`")]);
        let default = (e.default.as_ref() == Some(&v.value)).then(|| quote!(#[default]));
        quote! {
            #doc
            #[serde(rename = #value)]
            #default
            #id,
        }
    });
    let as_str = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let value = &v.value;
        quote!(Self::#id => #value,)
    });
    let from_str = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let value = &v.value;
        quote!(#value => Self::#id,)
    });
    let default = e.default.is_some().then(|| quote!(Default,));
    quote! {
        #header
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, #default ::serde::Serialize, ::serde::Deserialize)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the spec does not know; kept as received.
            #[serde(untagged)]
            Other(#string),
        }

        impl #name {
            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Other(value) => value.as_str(),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl #from<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::Other(other.to_string()),
                }
            }
        }
    }
}

fn emit_union(api: &Api, def: &TypeDef, u: &Union, scope: Scope) -> TokenStream {
    let boxed = scope.prelude(Prelude::Box);
    let header = type_header(def);
    let name = ident(&def.name);
    let variants = u.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let mut ty = type_tokens(api, &v.ty, scope);
        if v.boxed {
            ty = quote!(#boxed<#ty>);
        }
        let doc = match &v.tags[..] {
            [] => format!(" A `{}`.", v.ident),
            tags => format!(
                " Selected by {}.",
                tags.iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let doc = outer_lines(vec![doc]);
        quote! {
            #doc
            #id(#ty),
        }
    });
    let Some(property) = &u.discriminator else {
        // Serde tries the variants in order, so `Other` takes only what no alternative does.
        return quote! {
            #header
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #[serde(untagged)]
            #[allow(clippy::large_enum_variant)]
            pub enum #name {
                #(#variants)*
                /// A value that matches none of the alternatives this version of the spec
                /// knows; kept as received, and serialized back unchanged.
                Other(::serde_json::Value),
            }
        };
    };
    // Each alternative's own schema carries the discriminator property, so serialising the
    // payload is enough; deserialising reads the property first and picks the alternative.
    let some = scope.prelude(Prelude::Some);
    let arms = u.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let tags = &v.tags;
        let wrap = if v.boxed {
            quote!(|v| Self::#id(#boxed::new(v)))
        } else {
            quote!(Self::#id)
        };
        quote! {
            #(#some(#tags))|* => ::serde_json::from_value(value).map(#wrap).map_err(D::Error::custom),
        }
    });
    let (result, ok) = (scope.prelude(Prelude::Result), scope.prelude(Prelude::Ok));
    let other_doc = outer_lines(vec![
        format!(" A value whose `{property}` this version of the spec does not know (or that has"),
        " none); kept as received, and serialized back unchanged.".to_string(),
    ]);
    quote! {
        #header
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[serde(untagged)]
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
            #other_doc
            Other(::serde_json::Value),
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                use ::serde::de::Error as _;
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(::serde_json::Value::as_str);
                match tag {
                    #(#arms)*
                    _ => #ok(Self::Other(value)),
                }
            }
        }
    }
}

fn emit_alias(api: &Api, def: &TypeDef, e: &TypeExpr, scope: Scope) -> TokenStream {
    let header = type_header(def);
    let name = ident(&def.name);
    let ty = type_tokens(api, e, scope);
    quote! {
        #header
        pub type #name = #ty;
    }
}

fn emit_newtype(api: &Api, def: &TypeDef, e: &TypeExpr, scope: Scope) -> TokenStream {
    let header = type_header(def);
    let name = ident(&def.name);
    let ty = type_tokens(api, e, scope);
    let default = def.has_default.then(|| quote!(Default,));
    quote! {
        #header
        #[derive(Debug, Clone, PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct #name(pub #ty);
    }
}
