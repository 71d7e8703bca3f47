//! Types and signatures as short, stable strings.

use quote::ToTokens;

/// A type as a short, stable string: paths that start at a crate root keep their last
/// segment only (`::std::option::Option<::std::string::String>` -> `Option<String>`).
pub(super) fn ty(t: &syn::Type) -> String {
    match t {
        syn::Type::Path(p) if p.qself.is_none() => path(&p.path),
        syn::Type::Reference(r) => {
            let m = if r.mutability.is_some() { "mut " } else { "" };
            format!("&{m}{}", ty(&r.elem))
        }
        syn::Type::Slice(s) => format!("[{}]", ty(&s.elem)),
        syn::Type::Array(a) => format!("[{}; {}]", ty(&a.elem), compact(&a.len)),
        syn::Type::Tuple(t) => {
            let parts: Vec<String> = t.elems.iter().map(ty).collect();
            format!("({})", parts.join(", "))
        }
        syn::Type::ImplTrait(i) => format!("impl {}", bounds(&i.bounds)),
        syn::Type::TraitObject(o) => format!("dyn {}", bounds(&o.bounds)),
        syn::Type::Paren(p) => ty(&p.elem),
        syn::Type::Group(g) => ty(&g.elem),
        other => compact(other),
    }
}

fn bounds<'a>(b: impl IntoIterator<Item = &'a syn::TypeParamBound>) -> String {
    let parts: Vec<String> = b
        .into_iter()
        .filter_map(|b| match b {
            syn::TypeParamBound::Trait(t) => Some(path(&t.path)),
            syn::TypeParamBound::Lifetime(_) => None,
            other => Some(compact(other)),
        })
        .collect();
    parts.join(" + ")
}

fn path(p: &syn::Path) -> String {
    let rooted = p.leading_colon.is_some()
        || p.segments
            .first()
            .is_some_and(|s| s.ident == "crate" || s.ident == "super" || s.ident == "self");
    let segments: Vec<&syn::PathSegment> = if rooted {
        p.segments.iter().last().into_iter().collect()
    } else {
        p.segments.iter().collect()
    };
    let parts: Vec<String> = segments.into_iter().map(segment).collect();
    parts.join("::")
}

fn segment(s: &syn::PathSegment) -> String {
    let name = s.ident.to_string();
    match &s.arguments {
        syn::PathArguments::None => name,
        syn::PathArguments::AngleBracketed(a) => {
            let args: Vec<String> = a
                .args
                .iter()
                .filter_map(|g| match g {
                    syn::GenericArgument::Type(t) => Some(ty(t)),
                    syn::GenericArgument::Lifetime(_) => None,
                    syn::GenericArgument::AssocType(at) => {
                        Some(format!("{} = {}", at.ident, ty(&at.ty)))
                    }
                    other => Some(compact(other)),
                })
                .collect();
            if args.is_empty() {
                name
            } else {
                format!("{name}<{}>", args.join(", "))
            }
        }
        syn::PathArguments::Parenthesized(p) => {
            let args: Vec<String> = p.inputs.iter().map(ty).collect();
            match &p.output {
                syn::ReturnType::Default => format!("{name}({})", args.join(", ")),
                syn::ReturnType::Type(_, t) => {
                    format!("{name}({}) -> {}", args.join(", "), ty(t))
                }
            }
        }
    }
}

/// Tokens without the spaces `TokenStream`'s `Display` puts between them.
pub(super) fn compact(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string().replace(' ', "")
}

pub(super) fn arg(a: &syn::FnArg) -> Option<(String, String)> {
    match a {
        syn::FnArg::Receiver(_) => None,
        syn::FnArg::Typed(p) => Some((unraw(&compact(&p.pat)), ty(&p.ty))),
    }
}

pub(super) fn output(r: &syn::ReturnType) -> String {
    match r {
        syn::ReturnType::Default => "()".into(),
        syn::ReturnType::Type(_, t) => ty(t),
    }
}

pub(super) fn signature(sig: &syn::Signature) -> String {
    let args: Vec<String> = sig
        .inputs
        .iter()
        .map(|a| match arg(a) {
            Some((n, t)) => format!("{n}: {t}"),
            None => compact(a),
        })
        .collect();
    let asyncness = if sig.asyncness.is_some() {
        "async "
    } else {
        ""
    };
    let where_clause = match &sig.generics.where_clause {
        Some(w) => format!(" {}", w.to_token_stream()),
        None => String::new(),
    };
    format!(
        "{asyncness}fn {}{}({}) -> {}{where_clause}",
        sig.ident,
        compact(&sig.generics),
        args.join(", "),
        output(&sig.output)
    )
}

/// A Rust name without its raw-identifier prefix (`r#type` -> `type`).
pub(super) fn unraw(name: &str) -> String {
    name.strip_prefix("r#").unwrap_or(name).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_shortened() {
        let t: syn::Type = syn::parse_str(
            "::std::result::Result<crate::models::X, Error<::std::vec::Vec<&'a str>>>",
        )
        .unwrap();
        assert_eq!(ty(&t), "Result<X, Error<Vec<&str>>>");
        let t: syn::Type =
            syn::parse_str("impl ::std::future::Future<Output = Self::P> + ::std::marker::Send")
                .unwrap();
        assert_eq!(ty(&t), "impl Future<Output = Self::P> + Send");
    }

    #[test]
    fn signatures_keep_names_and_generics() {
        let f: syn::ItemFn = syn::parse_str(
            "pub fn router<S: Api>(service: ::std::sync::Arc<S>) -> ::axum::Router where S: Send { x() }",
        )
        .unwrap();
        assert_eq!(
            signature(&f.sig),
            "fn router<S:Api>(service: Arc<S>) -> Router where S : Send"
        );
    }
}
