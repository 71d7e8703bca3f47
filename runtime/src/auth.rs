//! Credentials: the tokens a session holds per security scheme, where fresh ones come from, and
//! how a generated client picks one for a call.

use crate::error::{BoxError, Error};
pub use crate::secret::Secret;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// An access token and when it stops being valid.
#[derive(Clone, Debug)]
pub struct Token {
    /// The token as sent to the server.
    pub value: Secret,
    /// When it expires; `None` if unknown (it is then used until the server rejects it).
    pub expires_at: Option<Instant>,
}

impl Token {
    /// A token with no known expiry.
    pub fn new(value: impl Into<Secret>) -> Self {
        Token {
            value: value.into(),
            expires_at: None,
        }
    }

    /// A token valid for `lifetime` from now (`expires_in` of a token response).
    pub fn expiring_in(value: impl Into<Secret>, lifetime: Duration) -> Self {
        Token {
            value: value.into(),
            expires_at: Some(Instant::now() + lifetime),
        }
    }

    /// Whether it has expired, counting a small margin so that it does not expire in flight.
    pub fn is_expired(&self) -> bool {
        const MARGIN: Duration = Duration::from_secs(5);
        self.expires_at
            .is_some_and(|at| Instant::now() + MARGIN >= at)
    }
}

/// The future a [`TokenSource`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Token, BoxError>> + Send + 'a>>;

/// Where fresh tokens of one scheme come from (a login, an anonymous-token or refresh call).
///
/// The client calls it when the held token is missing or expired, and once after a `401`.
/// Concurrent callers share one call (single flight). Any `Fn() -> impl Future` closure is a
/// token source.
pub trait TokenSource: Send + Sync + 'static {
    /// Fetches a new token.
    fn fetch(&self) -> TokenFuture<'_>;
}

impl<F, Fut> TokenSource for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Token, BoxError>> + Send + 'static,
{
    fn fetch(&self) -> TokenFuture<'_> {
        Box::pin(self())
    }
}

/// How a scheme's credential is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic <token>` (the token is the encoded `user:password`).
    Basic,
    /// A header of this name.
    Header(&'static str),
    /// A query parameter of this name.
    Query(&'static str),
    /// A cookie of this name.
    Cookie(&'static str),
}

/// A security scheme of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// Its name in `components.securitySchemes`, the key for [`Credentials`].
    pub name: &'static str,
    /// How its credential is sent.
    pub kind: SchemeKind,
    /// The OAuth2 flows it declares, in spec order (empty for other schemes).
    pub flows: &'static [Flow],
}

impl Scheme {
    /// The flow of this kind, if the scheme declares it.
    pub fn flow(&self, kind: FlowKind) -> Option<&'static Flow> {
        self.flows.iter().find(|f| f.kind == kind)
    }

    /// The token URL of the flow of this kind, as the spec writes it (it may be relative to the
    /// server's URL: resolve it with the generated client's `resolve_url`).
    pub fn token_url(&self, kind: FlowKind) -> Option<&'static str> {
        self.flow(kind).and_then(|f| f.token_url)
    }
}

/// The OAuth2 flows OpenAPI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    /// `implicit`.
    Implicit,
    /// `password` (resource owner password credentials).
    Password,
    /// `clientCredentials`: a backend authenticates as itself (see
    /// [`ClientCredentials`](crate::oauth2::ClientCredentials)).
    ClientCredentials,
    /// `authorizationCode`.
    AuthorizationCode,
}

/// One OAuth2 flow of a scheme: its URLs as the spec writes them, relative ones included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    /// Which flow.
    pub kind: FlowKind,
    /// `authorizationUrl` (implicit and authorization code).
    pub authorization_url: Option<&'static str>,
    /// `tokenUrl` (password, client credentials and authorization code).
    pub token_url: Option<&'static str>,
    /// `refreshUrl`.
    pub refresh_url: Option<&'static str>,
}

impl Flow {
    /// A flow with none of its URLs set.
    pub const fn new(kind: FlowKind) -> Self {
        Flow {
            kind,
            authorization_url: None,
            token_url: None,
            refresh_url: None,
        }
    }

    /// With `authorizationUrl`.
    pub const fn authorization_url(mut self, url: &'static str) -> Self {
        self.authorization_url = Some(url);
        self
    }

    /// With `tokenUrl`.
    pub const fn token_url(mut self, url: &'static str) -> Self {
        self.token_url = Some(url);
        self
    }

    /// With `refreshUrl`.
    pub const fn refresh_url(mut self, url: &'static str) -> Self {
        self.refresh_url = Some(url);
        self
    }
}

/// One scheme of an alternative and the scopes its token must grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// The scheme.
    pub scheme: Scheme,
    /// The scopes the operation names for it (OAuth2), in spec order.
    pub scopes: &'static [&'static str],
}

impl Requirement {
    /// The scheme, without scopes.
    pub const fn new(scheme: Scheme) -> Self {
        Requirement {
            scheme,
            scopes: &[],
        }
    }

    /// With the scopes the operation names.
    pub const fn scopes(mut self, scopes: &'static [&'static str]) -> Self {
        self.scopes = scopes;
        self
    }
}

/// What an operation accepts: any one of the alternatives, each a set of schemes used together.
/// An empty alternative means the operation may be called without credentials.
#[derive(Debug, Clone, Copy)]
pub struct Security {
    /// The operation's name, for messages.
    pub operation: &'static str,
    /// The alternatives in spec order; the first one whose tokens are all held is used.
    pub alternatives: &'static [&'static [Requirement]],
}

/// Where fresh tokens come from for a scheme whose tokens are fetched per scope set (an OAuth2
/// client that asks for the scopes each operation names). Each set gets its own cached token.
pub(crate) trait ScopedTokenSource: Send + Sync + 'static {
    /// Fetches a token granting `scopes` (none: the server's default set).
    fn fetch<'a>(&'a self, scopes: &'a [String]) -> TokenFuture<'a>;
}

/// The [`TokenSource`] of one scope set of a [`ScopedTokenSource`].
pub(crate) struct ScopeSet {
    source: Arc<dyn ScopedTokenSource>,
    scopes: Vec<String>,
}

impl ScopeSet {
    /// Tokens from `source` for `scopes`.
    pub(crate) fn new(source: Arc<dyn ScopedTokenSource>, scopes: Vec<String>) -> Self {
        ScopeSet { source, scopes }
    }
}

impl TokenSource for ScopeSet {
    fn fetch(&self) -> TokenFuture<'_> {
        self.source.fetch(&self.scopes)
    }
}

#[derive(Default)]
struct State {
    token: Option<Token>,
    /// Bumped whenever the token changes, so a caller can tell whether the token it used is
    /// still the current one.
    generation: u64,
    source: Option<Arc<dyn TokenSource>>,
    /// Set when tokens are fetched per scope set: each set then has a slot of its own, keyed
    /// `"{scheme} {scopes}"` (neither a scheme name nor a scope can hold a space).
    scoped: Option<Arc<dyn ScopedTokenSource>>,
}

#[derive(Default)]
struct Slot {
    state: Mutex<State>,
    /// Held while a refresh is running: the single-flight gate.
    refresh: tokio::sync::Mutex<()>,
}

/// The tokens a session holds, per scheme name. Cloning shares the store, so a clone kept by the
/// application sees tokens the client refreshed and vice versa.
#[derive(Clone, Default)]
pub struct Credentials {
    slots: Arc<RwLock<BTreeMap<String, Arc<Slot>>>>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
        let mut m = f.debug_map();
        for (name, slot) in slots.iter() {
            let st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
            let shown = match (&st.token, &st.source) {
                (Some(t), _) if t.is_expired() => "<redacted, expired>",
                (Some(_), _) => "<redacted>",
                (None, Some(_)) => "<from source>",
                (None, None) => "<none>",
            };
            m.entry(name, &shown);
        }
        m.finish()
    }
}

/// A token chosen for one request, and which generation of its slot it was.
#[doc(hidden)]
#[derive(Clone)]
pub struct Chosen {
    pub scheme: Scheme,
    pub token: Token,
    /// The slot it came from: the scheme's name, or its name and a scope set.
    key: String,
    generation: u64,
}

impl Credentials {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self, scheme: &str) -> Arc<Slot> {
        if let Some(s) = self
            .slots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(scheme)
        {
            return s.clone();
        }
        let mut slots = self.slots.write().unwrap_or_else(PoisonError::into_inner);
        slots.entry(scheme.to_string()).or_default().clone()
    }

    /// Sets the token of a scheme (after a login, for example).
    pub fn set_token(&self, scheme: &str, token: Token) {
        let slot = self.slot(scheme);
        let mut st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.token = Some(token);
        st.generation += 1;
    }

    /// Sets where fresh tokens of a scheme come from when the held one is missing or expired.
    pub fn set_source(&self, scheme: &str, source: impl TokenSource) {
        let slot = self.slot(scheme);
        let mut st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.source = Some(Arc::new(source));
        st.scoped = None;
        drop(st);
        self.drop_scope_sets(scheme);
    }

    /// Fetches tokens of a scheme per scope set: a requirement naming scopes gets a token of
    /// its own for exactly those (sorted, without duplicates), one without gets the token of
    /// `source` asked for no scopes.
    pub(crate) fn set_scoped_source(&self, scheme: &str, source: Arc<dyn ScopedTokenSource>) {
        self.drop_scope_sets(scheme);
        let slot = self.slot(scheme);
        let mut st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.source = Some(Arc::new(ScopeSet::new(source.clone(), Vec::new())));
        st.scoped = Some(source);
        // A token held before was not fetched by this source.
        st.token = None;
        st.generation += 1;
    }

    /// Forgets the token and source of a scheme (after a logout, for example), and the tokens
    /// it held per scope set.
    pub fn clear(&self, scheme: &str) {
        let slot = self.slot(scheme);
        let mut st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.token = None;
        st.source = None;
        st.scoped = None;
        st.generation += 1;
        drop(st);
        self.drop_scope_sets(scheme);
    }

    /// Forgets the slots of a scheme's scope sets.
    fn drop_scope_sets(&self, scheme: &str) {
        let prefix = format!("{scheme} ");
        let mut slots = self.slots.write().unwrap_or_else(PoisonError::into_inner);
        slots.retain(|key, _| !key.starts_with(&prefix));
    }

    /// The slot a requirement takes its token from: the scheme's own, or, when its tokens are
    /// fetched per scope set and the requirement names scopes, the slot of that set (created
    /// with its source on first use).
    fn slot_key(&self, requirement: &Requirement) -> String {
        let name = requirement.scheme.name;
        if requirement.scopes.is_empty() {
            return name.to_string();
        }
        let scoped = {
            let slot = self.slot(name);
            let st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
            st.scoped.clone()
        };
        let Some(source) = scoped else {
            return name.to_string();
        };
        let mut scopes: Vec<String> = requirement.scopes.iter().map(|s| s.to_string()).collect();
        scopes.sort();
        scopes.dedup();
        let key = format!("{name} {}", scopes.join(" "));
        let slot = self.slot(&key);
        let mut st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        if st.source.is_none() {
            st.source = Some(Arc::new(ScopeSet::new(source, scopes)));
        }
        key
    }

    /// Whether a token of the scheme is held or can be fetched.
    pub fn has(&self, scheme: &str) -> bool {
        let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
        slots.get(scheme).is_some_and(|s| {
            let st = s.state.lock().unwrap_or_else(PoisonError::into_inner);
            st.token.is_some() || st.source.is_some()
        })
    }

    /// A valid token of the scheme: the held one, or a fresh one from its source when it is
    /// missing or expired. Returns `Ok(None)` when there is neither.
    pub async fn token(&self, scheme: &str) -> Result<Option<Token>, BoxError> {
        Ok(self.current(scheme, None).await?.map(|(t, _)| t))
    }

    /// The current token of the slot `key`, refreshing when it is missing, expired, or (with
    /// `stale`) still the generation the server rejected. Concurrent callers wait for one
    /// refresh.
    async fn current(
        &self,
        key: &str,
        stale: Option<u64>,
    ) -> Result<Option<(Token, u64)>, BoxError> {
        let slot = self.slot(key);
        let usable = |st: &State| match &st.token {
            Some(t) if !t.is_expired() && Some(st.generation) != stale => {
                Some((t.clone(), st.generation))
            }
            _ => None,
        };
        let source = {
            let st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(found) = usable(&st) {
                return Ok(Some(found));
            }
            match &st.source {
                Some(s) => s.clone(),
                // Without a source an expired token is still sent: the server decides.
                None => return Ok(st.token.clone().map(|t| (t, st.generation))),
            }
        };
        let _gate = slot.refresh.lock().await;
        // Whoever held the gate before us may have refreshed already.
        if let Some(found) = usable(&slot.state.lock().unwrap_or_else(PoisonError::into_inner)) {
            return Ok(Some(found));
        }
        let token = source.fetch().await?;
        let mut st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.token = Some(token.clone());
        st.generation += 1;
        Ok(Some((token, st.generation)))
    }

    /// Tokens for the first alternative of `security` whose schemes are all available.
    /// `Ok(vec![])` when the operation may go without credentials and none fit.
    #[doc(hidden)]
    pub async fn choose<E>(&self, security: &Security) -> Result<Vec<Chosen>, Error<E>> {
        if security.alternatives.is_empty() {
            return Ok(Vec::new());
        }
        for alt in security.alternatives {
            if !alt.iter().all(|r| self.has(r.scheme.name)) {
                continue;
            }
            let mut chosen = Vec::with_capacity(alt.len());
            for requirement in alt.iter() {
                let key = self.slot_key(requirement);
                match self.current(&key, None).await {
                    Ok(Some((token, generation))) => chosen.push(Chosen {
                        scheme: requirement.scheme,
                        token,
                        key,
                        generation,
                    }),
                    Ok(None) => break,
                    Err(source) => {
                        return Err(Error::TokenRefresh {
                            scheme: requirement.scheme.name.to_string(),
                            source,
                        })
                    }
                }
            }
            if chosen.len() == alt.len() {
                return Ok(chosen);
            }
        }
        if security.alternatives.iter().any(|a| a.is_empty()) {
            return Ok(Vec::new());
        }
        let mut accepted: Vec<&'static str> = Vec::new();
        for r in security.alternatives.iter().flat_map(|a| a.iter()) {
            if !accepted.contains(&r.scheme.name) {
                accepted.push(r.scheme.name);
            }
        }
        Err(Error::MissingCredentials {
            operation: security.operation,
            accepted,
        })
    }

    /// After the server rejected `used` with a 401: refreshes each of them that has a source,
    /// unless another caller already replaced it. Returns whether a retry can use new tokens.
    #[doc(hidden)]
    pub async fn refresh_rejected<E>(&self, used: &[Chosen]) -> Result<bool, Error<E>> {
        let mut renewed = false;
        for c in used {
            let has_source = {
                let slot = self.slot(&c.key);
                let st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
                st.source.is_some()
            };
            if !has_source {
                continue;
            }
            match self.current(&c.key, Some(c.generation)).await {
                Ok(Some(_)) => renewed = true,
                Ok(None) => {}
                Err(source) => {
                    return Err(Error::TokenRefresh {
                        scheme: c.scheme.name.to_string(),
                        source,
                    })
                }
            }
        }
        Ok(renewed)
    }
}
