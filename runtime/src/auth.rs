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
}

/// What an operation accepts: any one of the alternatives, each a set of schemes used together.
/// An empty alternative means the operation may be called without credentials.
#[derive(Debug, Clone, Copy)]
pub struct Security {
    /// The operation's name, for messages.
    pub operation: &'static str,
    /// The alternatives in spec order; the first one whose tokens are all held is used.
    pub alternatives: &'static [&'static [Scheme]],
}

#[derive(Default)]
struct State {
    token: Option<Token>,
    /// Bumped whenever the token changes, so a caller can tell whether the token it used is
    /// still the current one.
    generation: u64,
    source: Option<Arc<dyn TokenSource>>,
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
    }

    /// Forgets the token and source of a scheme (after a logout, for example).
    pub fn clear(&self, scheme: &str) {
        let slot = self.slot(scheme);
        let mut st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.token = None;
        st.source = None;
        st.generation += 1;
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

    /// The current token, refreshing when it is missing, expired, or (with `stale`) still the
    /// generation the server rejected. Concurrent callers wait for one refresh.
    async fn current(
        &self,
        scheme: &str,
        stale: Option<u64>,
    ) -> Result<Option<(Token, u64)>, BoxError> {
        let slot = self.slot(scheme);
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
            if !alt.iter().all(|s| self.has(s.name)) {
                continue;
            }
            let mut chosen = Vec::with_capacity(alt.len());
            for scheme in alt.iter() {
                match self.current(scheme.name, None).await {
                    Ok(Some((token, generation))) => chosen.push(Chosen {
                        scheme: *scheme,
                        token,
                        generation,
                    }),
                    Ok(None) => break,
                    Err(source) => {
                        return Err(Error::TokenRefresh {
                            scheme: scheme.name.to_string(),
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
        for s in security.alternatives.iter().flat_map(|a| a.iter()) {
            if !accepted.contains(&s.name) {
                accepted.push(s.name);
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
                let slot = self.slot(c.scheme.name);
                let st = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
                st.source.is_some()
            };
            if !has_source {
                continue;
            }
            match self.current(c.scheme.name, Some(c.generation)).await {
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
