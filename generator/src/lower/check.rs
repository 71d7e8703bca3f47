//! Passes over the finished type table (serde's `internals/check.rs` in spirit): alias cycles,
//! boxing of recursive types, which types implement `Default`, and global name resolution.

use super::NameHint;
use crate::error::{Location, Problem};
use crate::ir::{Api, TypeExpr, TypeId, TypeKind};
use crate::naming;

/// Runs every pass; fails only for specs that cannot be represented at all.
pub(super) fn finish(api: &mut Api, hints: &[NameHint]) -> Result<(), Vec<Problem>> {
    resolve_names(api, hints);
    let problems = check_alias_cycles(api);
    if !problems.is_empty() {
        return Err(problems);
    }
    box_recursion(api);
    compute_defaults(api);
    name_union_variants(api);
    Ok(())
}

/// Types a type contains by value (without a `Vec` or map in between).
fn by_value(expr: &TypeExpr, out: &mut Vec<TypeId>) {
    if let TypeExpr::Named(id) = expr {
        out.push(*id);
    }
}

fn edges(kind: &TypeKind) -> Vec<TypeId> {
    let mut out = Vec::new();
    match kind {
        TypeKind::Struct(s) => s.fields.iter().for_each(|f| by_value(&f.ty, &mut out)),
        TypeKind::Union(u) => u.variants.iter().for_each(|v| by_value(&v.ty, &mut out)),
        TypeKind::Alias(e) | TypeKind::Newtype(e) => by_value(e, &mut out),
        TypeKind::Form(f) => f
            .fields
            .iter()
            .for_each(|f| by_value(&f.field.ty, &mut out)),
        TypeKind::Enum(_) => {}
    }
    out
}

/// Whether `expr` mentions `id` anywhere (also inside containers).
fn mentions(expr: &TypeExpr, id: TypeId, api: &Api, seen: &mut Vec<TypeId>) -> bool {
    match expr {
        TypeExpr::Named(x) if *x == id => true,
        TypeExpr::Named(x) => {
            if seen.contains(x) {
                return false;
            }
            seen.push(*x);
            match &api.types[x.0].kind {
                TypeKind::Alias(e) => mentions(e, id, api, seen),
                _ => false,
            }
        }
        TypeExpr::Array(e) | TypeExpr::Map(e) => mentions(e, id, api, seen),
        _ => false,
    }
}

/// `A = B`, `B = A` cannot be written in any language; `A = Vec<A>` can, as a newtype.
fn check_alias_cycles(api: &mut Api) -> Vec<Problem> {
    let mut problems = Vec::new();
    for i in 0..api.types.len() {
        let TypeKind::Alias(expr) = &api.types[i].kind else {
            continue;
        };
        let mut seen = Vec::new();
        if !mentions(expr, TypeId(i), api, &mut seen) {
            continue;
        }
        // A cycle made only of aliases, with no container anywhere, has no finite meaning.
        let mut cur = expr.clone();
        let mut steps = 0;
        let mut pure = true;
        loop {
            match cur {
                TypeExpr::Named(x) if x.0 == i => break,
                TypeExpr::Named(x) => match &api.types[x.0].kind {
                    TypeKind::Alias(e) if steps < api.types.len() => {
                        cur = e.clone();
                        steps += 1;
                    }
                    _ => {
                        pure = false;
                        break;
                    }
                },
                _ => {
                    pure = false;
                    break;
                }
            }
        }
        if pure {
            problems.push(Problem {
                location: Location {
                    pointer: api.types[i].pointer.clone(),
                    line: None,
                },
                message: "$ref cycle through aliases: this schema is only a reference to itself"
                    .into(),
            });
        } else {
            // Rust type aliases cannot be recursive; a transparent newtype can.
            let expr = expr.clone();
            api.types[i].kind = TypeKind::Newtype(expr);
        }
    }
    problems
}

/// Strongly connected components of the by-value graph (Kosaraju, iterative).
fn components(api: &Api) -> Vec<usize> {
    let n = api.types.len();
    let adj: Vec<Vec<TypeId>> = api.types.iter().map(|t| edges(&t.kind)).collect();
    let mut radj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, out) in adj.iter().enumerate() {
        for t in out {
            radj[t.0].push(i);
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    for start in 0..n {
        if visited[start] {
            continue;
        }
        visited[start] = true;
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.pop() {
            if next < adj[node].len() {
                stack.push((node, next + 1));
                let to = adj[node][next].0;
                if !visited[to] {
                    visited[to] = true;
                    stack.push((to, 0));
                }
            } else {
                order.push(node);
            }
        }
    }
    let mut comp = vec![usize::MAX; n];
    let mut c = 0;
    for &start in order.iter().rev() {
        if comp[start] != usize::MAX {
            continue;
        }
        let mut stack = vec![start];
        comp[start] = c;
        while let Some(node) = stack.pop() {
            for &from in &radj[node] {
                if comp[from] == usize::MAX {
                    comp[from] = c;
                    stack.push(from);
                }
            }
        }
        c += 1;
    }
    comp
}

/// Boxes every by-value reference that closes a cycle, so every type has a finite size.
fn box_recursion(api: &mut Api) {
    let comp = components(api);
    for i in 0..api.types.len() {
        let same = |e: &TypeExpr| matches!(e, TypeExpr::Named(x) if comp[x.0] == comp[i]);
        match &mut api.types[i].kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    f.boxed = same(&f.ty);
                }
            }
            TypeKind::Union(u) => {
                for v in &mut u.variants {
                    v.boxed = same(&v.ty);
                }
            }
            TypeKind::Form(f) => {
                for f in &mut f.fields {
                    f.field.boxed = same(&f.field.ty);
                }
            }
            _ => {}
        }
    }
}

fn expr_has_default(expr: &TypeExpr, api: &Api) -> bool {
    match expr {
        TypeExpr::Named(id) => api.types[id.0].has_default,
        _ => true,
    }
}

/// Which types can implement `Default`: a fixpoint, since types refer to each other.
fn compute_defaults(api: &mut Api) {
    loop {
        let mut changed = false;
        for i in 0..api.types.len() {
            if api.types[i].has_default {
                continue;
            }
            let yes = match &api.types[i].kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .all(|f| !f.required || f.nullable || expr_has_default(&f.ty, api)),
                TypeKind::Enum(e) => e.default.is_some(),
                // A form is built by its sender, field by field.
                TypeKind::Union(_) | TypeKind::Form(_) => false,
                TypeKind::Alias(e) | TypeKind::Newtype(e) => expr_has_default(e, api),
            };
            if yes {
                api.types[i].has_default = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Gives every type its final, unique UpperCamelCase name.
///
/// A name depends only on the type's own place in the spec and on the types it collides with,
/// never on the order of the spec or on unrelated types: types claim their names in tiers
/// (component schemas, then inline types inside `#/components`, then inline types of
/// operations), and within a tier in the order of their JSON pointers. An inline type takes
/// its `title` if free, else the words of where it stands; one inside a response, request
/// body, parameter or header component whose name is taken first tries that name followed by
/// its section's word (`Response`, `Body`, `Parameter`, `Header`).
fn resolve_names(api: &mut Api, hints: &[NameHint]) {
    let mut scope = naming::Scope::new();
    let mut order: Vec<usize> = (0..api.types.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| {
            (
                tier(&hints[i], &api.types[i].pointer),
                &api.types[i].pointer,
            )
        };
        key(a).cmp(&key(b)).then(a.cmp(&b))
    });
    for i in order {
        let name = match &hints[i] {
            NameHint::Component(name) => scope.claim(&naming::type_name(name, "Schema")),
            NameHint::Inline { path, title } => {
                let by_title = title.as_deref().map(|t| naming::type_name(t, "Schema"));
                let by_path = naming::type_name(&path.join(" "), "Schema");
                let by_section = section_word(&api.types[i].pointer)
                    .map(|word| naming::type_name(&format!("{} {word}", path.join(" ")), "Schema"));
                let free = [by_title, Some(by_path.clone()), by_section]
                    .into_iter()
                    .flatten()
                    .find(|n| scope.is_free(n));
                scope.claim(free.as_deref().unwrap_or(&by_path))
            }
        };
        api.types[i].name = name;
    }
}

/// The order of naming: component schemas (0), inline types inside `#/components` (1), the
/// inline types of operations (2).
fn tier(hint: &NameHint, pointer: &str) -> u8 {
    match hint {
        NameHint::Component(_) => 0,
        NameHint::Inline { .. } if pointer.starts_with("#/components/") => 1,
        NameHint::Inline { .. } => 2,
    }
}

/// The word that tells a type of a non-schema component from a schema of the same name.
fn section_word(pointer: &str) -> Option<&'static str> {
    let section = pointer.strip_prefix("#/components/")?.split('/').next()?;
    Some(match section {
        "responses" => "Response",
        "requestBodies" => "Body",
        "parameters" => "Parameter",
        "headers" => "Header",
        _ => return None,
    })
}

fn variant_word(expr: &TypeExpr, api: &Api) -> String {
    match expr {
        TypeExpr::Bool => "Boolean".into(),
        TypeExpr::I32 | TypeExpr::I64 => "Integer".into(),
        TypeExpr::F64 => "Number".into(),
        TypeExpr::String => "String".into(),
        TypeExpr::Bytes => "Bytes".into(),
        TypeExpr::Json => "Value".into(),
        TypeExpr::JsonObject | TypeExpr::Map(_) => "Object".into(),
        TypeExpr::Array(inner) => format!("{}List", variant_word(inner, api)),
        TypeExpr::Named(id) => api.types[id.0].name.clone(),
    }
}

fn name_union_variants(api: &mut Api) {
    for i in 0..api.types.len() {
        let TypeKind::Union(u) = &api.types[i].kind else {
            continue;
        };
        let words: Vec<String> = u
            .variants
            .iter()
            .map(|v| variant_word(&v.ty, api))
            .collect();
        // `Other` is the catch-all variant every union gets (`emit/models.rs`).
        let mut scope = naming::Scope::with_reserved(&["Other"]);
        let idents: Vec<String> = words.iter().map(|w| scope.claim(w)).collect();
        if let TypeKind::Union(u) = &mut api.types[i].kind {
            for (v, ident) in u.variants.iter_mut().zip(idents) {
                v.ident = ident;
            }
        }
    }
}
