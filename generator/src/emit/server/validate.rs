//! Validation: one `check_<type>` function per type a request can carry, checking a JSON value
//! against the spec (types, required members, nullability, enums, lengths, patterns, bounds)
//! before serde decodes it. Serde alone would accept `null` for an optional string and ignore
//! constraints, so the checks run on the JSON value first.
//!
//! Generated checks use three names: `v: &Value`, `at: &str` (the JSON path, for the error
//! detail) and `errors: &mut Vec<FieldError>`.

use crate::ir::{Api, Constraints, Struct, TypeExpr, TypeId, TypeKind, Union};
use crate::naming::snake_name;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// `check_<type>` for every type reachable from a request parameter or body.
pub fn emit_checks(api: &Api) -> TokenStream {
    let mut reachable = BTreeSet::new();
    for op in &api.operations {
        for p in &op.params {
            collect(api, &p.ty, &mut reachable);
        }
        for c in op.body.iter().flat_map(|b| &b.contents) {
            collect(api, &c.ty, &mut reachable);
        }
    }
    let fns = reachable.into_iter().map(|id| emit_check_fn(api, id));
    quote!(#(#fns)*)
}

fn collect(api: &Api, ty: &TypeExpr, out: &mut BTreeSet<TypeId>) {
    match ty {
        TypeExpr::Array(inner) | TypeExpr::Map(inner) => collect(api, inner, out),
        TypeExpr::Named(id) => {
            if !out.insert(*id) {
                return;
            }
            match &api.ty(*id).kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        collect(api, &f.ty, out);
                    }
                    if let Some(a) = &s.additional {
                        collect(api, a, out);
                    }
                }
                TypeKind::Union(u) => u.variants.iter().for_each(|v| collect(api, &v.ty, out)),
                TypeKind::Alias(e) | TypeKind::Newtype(e) => collect(api, e, out),
                TypeKind::Enum(_) => {}
            }
        }
        _ => {}
    }
}

fn check_fn_name(api: &Api, id: TypeId) -> Ident {
    let name = snake_name(&api.ty(id).name, "type");
    format_ident!("check_{}", name.trim_end_matches('_'))
}

fn emit_check_fn(api: &Api, id: TypeId) -> TokenStream {
    let name = check_fn_name(api, id);
    let def = api.ty(id);
    let body = match &def.kind {
        TypeKind::Struct(s) => check_struct(api, s),
        TypeKind::Enum(e) => {
            let values = e.variants.iter().map(|v| &v.value);
            quote!(::oasgen_runtime::server::one_of(v, at, &[#(#values),*], errors);)
        }
        TypeKind::Union(u) => check_union(api, u),
        TypeKind::Alias(e) | TypeKind::Newtype(e) => check_expr(api, e, None),
    };
    let doc = format!(" Checks a `{}` value.", def.name);
    let (v, at, errors) = if body.is_empty() {
        (quote!(_v), quote!(_at), quote!(_errors))
    } else {
        (quote!(v), quote!(at), quote!(errors))
    };
    quote! {
        #[doc = #doc]
        fn #name(
            #v: &::serde_json::Value,
            #at: &str,
            #errors: &mut ::std::vec::Vec<::oasgen_runtime::server::FieldError>,
        ) {
            #body
        }
    }
}

fn check_struct(api: &Api, s: &Struct) -> TokenStream {
    let required = s.fields.iter().filter(|f| f.required).map(|f| &f.json_name);
    let fields = s.fields.iter().map(|f| {
        let name = &f.json_name;
        let nullable = f.nullable;
        let check = check_expr(api, &f.ty, Some(&f.constraints));
        quote! {
            if let ::std::option::Option::Some(v) = o.get(#name) {
                let at: &str = &::oasgen_runtime::server::member(at, #name);
                if ::oasgen_runtime::server::present(v, at, #nullable, errors) { #check }
            }
        }
    });
    let additional = s.additional.as_ref().map(|a| {
        let check = check_expr(api, a, None);
        let known = s.fields.iter().map(|f| &f.json_name);
        (!check.is_empty()).then(|| {
            quote! {
                for (k, v) in o {
                    if [#(#known),*].contains(&k.as_str()) { continue; }
                    let at: &str = &::oasgen_runtime::server::member(at, k);
                    #check
                }
            }
        })
    });
    if s.fields.is_empty() && additional.as_ref().is_none_or(Option::is_none) {
        return quote!(::oasgen_runtime::server::object(v, at, &[#(#required),*], errors););
    }
    quote! {
        let ::std::option::Option::Some(o) =
            ::oasgen_runtime::server::object(v, at, &[#(#required),*], errors)
        else {
            return;
        };
        #(#fields)*
        #additional
    }
}

fn check_union(api: &Api, u: &Union) -> TokenStream {
    let alternatives = u.variants.iter().map(|var| {
        let check = check_expr(api, &var.ty, None);
        quote! {
            ::oasgen_runtime::server::accepts(v, |v, errors| {
                let _ = (v, &errors);
                #check
            })
        }
    });
    quote! {
        if !(#(#alternatives)||*) {
            ::oasgen_runtime::server::no_alternative(at, errors);
        }
    }
}

/// The checks for a value of type `ty` with `constraints`; empty when anything is accepted.
pub fn check_expr(api: &Api, ty: &TypeExpr, constraints: Option<&Constraints>) -> TokenStream {
    let rt = quote!(::oasgen_runtime::server);
    let shape = match ty {
        TypeExpr::Bool => quote!(#rt::boolean(v, at, errors);),
        TypeExpr::I32 => quote!(#rt::integer(v, at, true, errors);),
        TypeExpr::I64 => quote!(#rt::integer(v, at, false, errors);),
        TypeExpr::F64 => quote!(#rt::number(v, at, errors);),
        TypeExpr::String => quote!(#rt::string(v, at, errors);),
        TypeExpr::Bytes | TypeExpr::Json => quote!(),
        TypeExpr::JsonObject => quote!(#rt::object(v, at, &[], errors);),
        TypeExpr::Array(inner) => {
            let inner = check_expr(api, inner, None);
            quote! {
                if let ::std::option::Option::Some(items) = #rt::array(v, at, errors) {
                    for (i, v) in items.iter().enumerate() {
                        let at: &str = &#rt::item(at, i);
                        let _ = (v, at);
                        #inner
                    }
                }
            }
        }
        TypeExpr::Map(inner) => {
            let inner = check_expr(api, inner, None);
            quote! {
                if let ::std::option::Option::Some(o) = #rt::object(v, at, &[], errors) {
                    for (k, v) in o {
                        let at: &str = &#rt::member(at, k);
                        let _ = (v, at);
                        #inner
                    }
                }
            }
        }
        TypeExpr::Named(id) => {
            let name = check_fn_name(api, *id);
            quote!(#name(v, at, errors);)
        }
    };
    let rules = constraints.and_then(rules_static);
    quote!(#shape #rules)
}

/// A `static` with the constraints and the call that checks them, if any apply.
fn rules_static(c: &Constraints) -> Option<TokenStream> {
    let email = c.format.as_deref() == Some("email");
    if c.is_empty() && !email {
        return None;
    }
    let opt_u64 = |x: Option<u64>| match x {
        Some(n) => {
            let n = Literal::u64_suffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    };
    let opt_bound = |x: Option<(f64, bool)>| match x {
        Some((n, excl)) => {
            let n = Literal::f64_suffixed(n);
            quote!(::std::option::Option::Some((#n, #excl)))
        }
        None => quote!(::std::option::Option::None),
    };
    let pattern = match &c.pattern {
        Some(p) => quote!(::std::option::Option::Some(::oasgen_runtime::server::Pattern::new(#p))),
        None => quote!(::std::option::Option::None),
    };
    let format = if email {
        quote!(::std::option::Option::Some("email"))
    } else {
        quote!(::std::option::Option::None)
    };
    let (min_length, max_length) = (opt_u64(c.min_length), opt_u64(c.max_length));
    let (min_items, max_items) = (opt_u64(c.min_items), opt_u64(c.max_items));
    let (minimum, maximum) = (opt_bound(c.minimum), opt_bound(c.maximum));
    Some(quote! {
        static RULES: ::oasgen_runtime::server::Rules = ::oasgen_runtime::server::Rules {
            min_length: #min_length,
            max_length: #max_length,
            pattern: #pattern,
            minimum: #minimum,
            maximum: #maximum,
            min_items: #min_items,
            max_items: #max_items,
            format: #format,
        };
        ::oasgen_runtime::server::rules(v, at, &RULES, errors);
    })
}
