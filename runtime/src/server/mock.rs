//! [`Mock`]: what a generated crate's mock (feature `mock`) accepts and grants. The generated
//! crate implements its `Authenticator` and `Api` for it; this is the part every crate shares.

use super::Credential;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// An implementation of a generated crate's `server::Api` that answers every operation from
/// the spec's examples (the methods are in the generated `mock` module). Its `Authenticator`
/// accepts any non-empty credential for every scheme, or only the tokens given to
/// [`Mock::accept_tokens`], and grants every scope, or only those given to
/// [`Mock::grant_scopes`]; the principal is the credential itself.
///
/// It remembers one thing: the paths it answered a successful `DELETE` for. Until a `POST`
/// succeeds (its answer, a sample, may name the deleted resource again), a request to such a
/// path, or under it, is answered with the operation's documented `404` when it documents one.
/// Clones share that memory.
#[derive(Debug, Clone, Default)]
pub struct Mock {
    tokens: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    deleted: Arc<Mutex<HashSet<String>>>,
}

impl Mock {
    /// A mock that accepts any non-empty credential and grants every scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts only these credentials.
    pub fn accept_tokens(mut self, tokens: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tokens = Some(tokens.into_iter().map(Into::into).collect());
        self
    }

    /// Grants only these scopes: operations whose requirements name others answer `403`.
    pub fn grant_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// The principal for `credential`: the credential itself, if accepted.
    #[doc(hidden)]
    pub fn principal(&self, credential: &Credential) -> Option<String> {
        let token = credential.expose();
        let accepted = match &self.tokens {
            Some(tokens) => tokens.iter().any(|t| t == token),
            None => !token.is_empty(),
        };
        accepted.then(|| token.to_string())
    }

    /// Remembers that the resource at `path` (with its parameters' values) was deleted.
    #[doc(hidden)]
    pub fn deleted(&self, path: String) {
        self.memory().insert(path);
    }

    /// Whether the resource at `path`, or one it is under (`/a/1` for `/a/1/items`), was
    /// deleted.
    #[doc(hidden)]
    pub fn is_deleted(&self, path: &str) -> bool {
        self.memory().iter().any(|d| at_or_under(path, d))
    }

    /// Forgets the deletions a successful creation at `collection` (with its parameters'
    /// values) undoes: of the resources directly under it (`/a/1` for `/a`), which it may have
    /// made again, and of the resources it is under (`/a` for `/a/1/items`), which it shows
    /// exist. `None` (the path could not be built): every deletion.
    #[doc(hidden)]
    pub fn created(&self, collection: Option<&str>) {
        let mut memory = self.memory();
        let Some(collection) = collection else {
            memory.clear();
            return;
        };
        memory.retain(|d| {
            let child = d.strip_prefix(collection).and_then(|r| r.strip_prefix('/'));
            let made_again =
                child.is_some_and(|segment| !segment.is_empty() && !segment.contains('/'));
            !made_again && !at_or_under(collection, d)
        });
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        // A set of strings is valid whatever a panicking holder did.
        self.deleted.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `scope` is granted.
    #[doc(hidden)]
    pub fn grants(&self, scope: &str) -> bool {
        self.scopes
            .as_ref()
            .is_none_or(|granted| granted.iter().any(|s| s == scope))
    }
}

/// Whether `path` is `resource`, or a path under it (`/a/1/items` under `/a/1`).
fn at_or_under(path: &str, resource: &str) -> bool {
    path.strip_prefix(resource)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_grants_what_it_is_told() {
        let open = Mock::new();
        assert_eq!(open.principal(&Credential::new("t")), Some("t".into()));
        assert_eq!(open.principal(&Credential::new("")), None);
        assert!(open.grants("any.scope"));
        let strict = Mock::new().accept_tokens(["good"]).grant_scopes(["a.read"]);
        assert_eq!(strict.principal(&Credential::new("bad")), None);
        assert_eq!(
            strict.principal(&Credential::new("good")),
            Some("good".into())
        );
        assert!(strict.grants("a.read") && !strict.grants("a.write"));
    }

    #[test]
    fn remembers_deletions_until_a_creation() {
        let mock = Mock::new();
        let clone = mock.clone();
        mock.deleted("/things/1".into());
        assert!(clone.is_deleted("/things/1") && !clone.is_deleted("/things/2"));
        assert!(clone.is_deleted("/things/1/parts") && !clone.is_deleted("/things/10"));
        // A creation elsewhere leaves it deleted; one in its collection does not.
        mock.deleted("/shops/a/things/1".into());
        mock.deleted("/things/1/parts/2".into());
        clone.created(Some("/shops/b/things"));
        assert!(mock.is_deleted("/shops/a/things/1") && mock.is_deleted("/things/1"));
        clone.created(Some("/things"));
        assert!(!mock.is_deleted("/things/1") && mock.is_deleted("/things/1/parts/2"));
        assert!(mock.is_deleted("/shops/a/things/1/x"));
        // A creation under a deleted resource shows that it exists.
        clone.created(Some("/shops/a/things/1/notes"));
        assert!(!mock.is_deleted("/shops/a/things/1"));
        mock.deleted("/shops/a/things/2".into());
        clone.created(None);
        assert!(!mock.is_deleted("/shops/a/things/2") && !mock.is_deleted("/things/1/parts/2"));
    }
}
