//! The reference in-memory Customer Service: state, tokens, the outbox and authentication.
//!
//! All state sits behind one mutex that no `await` ever holds, so each operation is atomic:
//! concurrent requests never lose an update. Tokens are random hex strings; expiry uses a clock
//! that tests can move forward ([`ReferenceService::advance_clock`]).

mod ops;

use customer_managed::models;
use customer_managed::server::{Authenticator, SecurityScheme};
use oasgen_runtime::server::Credential;
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Lifetime of an anonymous access token (one hour).
pub const ANONYMOUS_TTL: Duration = Duration::from_secs(3599);
/// Lifetime of a customer access token (30 days).
pub const CUSTOMER_TTL: Duration = Duration::from_secs(2_591_999);
/// Lifetime of a refresh token (24 hours).
pub const REFRESH_TTL: Duration = Duration::from_secs(86_399);

/// The in-memory Customer Service. Share it in an `Arc` and serve
/// `customer_managed::server::router(service)`.
#[derive(Default)]
pub struct ReferenceService {
    store: Mutex<Store>,
}

impl fmt::Debug for ReferenceService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReferenceService").finish_non_exhaustive()
    }
}

/// Who called: resolved from a bearer token by the [`Authenticator`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An anonymous storefront session.
    Anonymous {
        /// The tenant the token was issued for (`None`: a seeded token valid for every tenant).
        tenant: Option<String>,
        /// The session the token belongs to.
        session_id: String,
    },
    /// A logged-in customer.
    Customer {
        /// The tenant the token was issued for (`None`: a seeded token valid for every tenant).
        tenant: Option<String>,
        /// The customer.
        customer_id: String,
        /// The session.
        session_id: String,
        /// When the token expires.
        expires_at: Instant,
        /// The legal entity chosen at refresh, if any.
        legal_entity_id: Option<String>,
    },
}

impl Principal {
    /// Whether the token may be used on `tenant`'s paths.
    fn serves(&self, tenant: &str) -> bool {
        let (Principal::Anonymous { tenant: t, .. } | Principal::Customer { tenant: t, .. }) = self;
        t.as_deref().is_none_or(|t| t == tenant)
    }
}

/// What a mail in the [`Outbox`](ReferenceService::outbox) is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// Double opt-in: activate the new account with the token.
    OptIn,
    /// Password reset token.
    PasswordReset,
    /// Confirm a new login email address.
    EmailChange,
    /// Confirm deleting the profile.
    ProfileDeletion,
}

/// A mail the service "sent". The token is a secret and is redacted from `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    /// Recipient.
    pub to: String,
    /// Purpose.
    pub kind: MailKind,
    /// The token the mail carries.
    pub token: String,
}

impl fmt::Debug for Mail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mail")
            .field("to", &self.to)
            .field("kind", &self.kind)
            .field("token", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone)]
enum TokenKind {
    Anonymous,
    Customer(String),
}

#[derive(Debug, Clone)]
struct TokenRecord {
    kind: TokenKind,
    tenant: String,
    session_id: String,
    expires_at: Instant,
    legal_entity_id: Option<String>,
}

#[derive(Debug, Clone)]
struct CustomerRecord {
    tenant: String,
    login_email: String,
    password: String,
    initial_password: bool,
    active: bool,
    profile: models::Customer,
    addresses: Vec<models::Address>,
}

/// What a mailed token confirms: its kind, the customer, and for email changes the new email
/// and whether the contact email follows.
type MailToken = (MailKind, String, Option<(String, bool)>);

#[derive(Default)]
struct Store {
    clock_offset: Duration,
    counter: u64,
    access: HashMap<String, TokenRecord>,
    refresh: HashMap<String, TokenRecord>,
    seed_tokens: Vec<String>,
    customers: BTreeMap<String, CustomerRecord>,
    /// `(tenant, login email)` -> customer id.
    logins: HashMap<(String, String), String>,
    /// Mail token -> what it confirms.
    mail_tokens: HashMap<String, MailToken>,
    outbox: Vec<Mail>,
}

impl Store {
    fn now(&self) -> Instant {
        Instant::now() + self.clock_offset
    }

    /// A fresh random token of `n` hex digits.
    fn token(&mut self, n: usize) -> String {
        let mut out = String::new();
        while out.len() < n {
            self.counter += 1;
            let mut h = RandomState::new().build_hasher();
            h.write_u64(self.counter);
            out.push_str(&format!("{:016x}", h.finish()));
        }
        out.truncate(n);
        out
    }

    fn session_id(&mut self) -> String {
        let t = self.token(32);
        format!(
            "{}-{}-{}-{}-{}",
            &t[..8],
            &t[8..12],
            &t[12..16],
            &t[16..20],
            &t[20..]
        )
    }

    fn next_id(&mut self) -> String {
        self.counter += 1;
        format!("{}", 13_869_000 + self.counter)
    }

    fn send(&mut self, to: &str, kind: MailKind, customer: &str, change: Option<(String, bool)>) {
        let token = self.token(64);
        self.mail_tokens
            .insert(token.clone(), (kind, customer.to_string(), change));
        self.outbox.push(Mail {
            to: to.to_string(),
            kind,
            token,
        });
    }

    /// Takes a mail token of `kind`, returning its customer and payload.
    fn take_mail_token(
        &mut self,
        token: &str,
        kind: MailKind,
    ) -> Option<(String, Option<(String, bool)>)> {
        match self.mail_tokens.get(token) {
            Some((k, _, _)) if *k == kind => {
                let (_, customer, change) = self.mail_tokens.remove(token)?;
                self.customers
                    .contains_key(&customer)
                    .then_some((customer, change))
            }
            _ => None,
        }
    }

    /// Issues an access and refresh token pair; returns `(access, refresh)`.
    fn issue(&mut self, kind: TokenKind, tenant: &str, session_id: &str) -> (String, String) {
        let ttl = match kind {
            TokenKind::Anonymous => ANONYMOUS_TTL,
            TokenKind::Customer(_) => CUSTOMER_TTL,
        };
        let now = self.now();
        let record = TokenRecord {
            kind,
            tenant: tenant.to_string(),
            session_id: session_id.to_string(),
            expires_at: now + ttl,
            legal_entity_id: None,
        };
        let access = self.token(28);
        let refresh = self.token(32);
        let refresh_record = TokenRecord {
            expires_at: now + REFRESH_TTL,
            ..record.clone()
        };
        self.access.insert(access.clone(), record);
        self.refresh.insert(refresh.clone(), refresh_record);
        (access, refresh)
    }

    fn principal(&self, scheme: SecurityScheme, token: &str) -> Option<Principal> {
        if self.seed_tokens.iter().any(|t| t == token) {
            return Some(match scheme {
                SecurityScheme::AnonymousAccessToken => Principal::Anonymous {
                    tenant: None,
                    session_id: SEED_SESSION.to_string(),
                },
                SecurityScheme::CustomerAccessToken => Principal::Customer {
                    tenant: None,
                    customer_id: SEED_CUSTOMER.to_string(),
                    session_id: SEED_SESSION.to_string(),
                    expires_at: self.now() + CUSTOMER_TTL,
                    legal_entity_id: None,
                },
            });
        }
        let record = self
            .access
            .get(token)
            .filter(|r| r.expires_at > self.now())?;
        match (scheme, &record.kind) {
            (SecurityScheme::AnonymousAccessToken, TokenKind::Anonymous) => {
                Some(Principal::Anonymous {
                    tenant: Some(record.tenant.clone()),
                    session_id: record.session_id.clone(),
                })
            }
            (SecurityScheme::CustomerAccessToken, TokenKind::Customer(id))
                if self.customers.contains_key(id) =>
            {
                Some(Principal::Customer {
                    tenant: Some(record.tenant.clone()),
                    customer_id: id.clone(),
                    session_id: record.session_id.clone(),
                    expires_at: record.expires_at,
                    legal_entity_id: record.legal_entity_id.clone(),
                })
            }
            _ => None,
        }
    }
}

const SEED_CUSTOMER: &str = "seed";
const SEED_SESSION: &str = "00000000-0000-4000-8000-000000000000";

impl ReferenceService {
    /// An empty service.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also accepts `token` as an anonymous token and as the customer token of a seeded,
    /// active customer (`seed@example.com`), on every tenant and without expiry. For tools
    /// such as Schemathesis that need one fixed credential.
    pub fn with_seed_token(self, token: &str) -> Self {
        {
            let mut s = self.lock();
            s.seed_tokens.push(token.to_string());
            let profile = models::Customer {
                id: Some(SEED_CUSTOMER.to_string()),
                customer_number: Some(SEED_CUSTOMER.to_string()),
                contact_email: Some("seed@example.com".to_string()),
                accounts: Some(vec![models::CustomerAccount {
                    id: Some("seed@example.com".to_string()),
                }]),
                ..Default::default()
            };
            let record = CustomerRecord {
                tenant: String::new(),
                login_email: "seed@example.com".to_string(),
                password: s.token(32),
                initial_password: false,
                active: true,
                profile,
                addresses: Vec::new(),
            };
            s.customers.insert(SEED_CUSTOMER.to_string(), record);
        }
        self
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters to a test double, so a poisoned lock is still usable.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every mail sent so far, oldest first.
    pub fn outbox(&self) -> Vec<Mail> {
        self.lock().outbox.clone()
    }

    /// The newest mail of `kind` to `to`.
    pub fn last_mail(&self, to: &str, kind: MailKind) -> Option<Mail> {
        let s = self.lock();
        s.outbox
            .iter()
            .rev()
            .find(|m| m.kind == kind && m.to.eq_ignore_ascii_case(to))
            .cloned()
    }

    /// Moves the service's clock forward, so tokens expire without waiting.
    pub fn advance_clock(&self, by: Duration) {
        self.lock().clock_offset += by;
    }

    /// Activates an account, as an employee would with the tenant-managed API.
    pub fn activate(&self, tenant: &str, email: &str) -> bool {
        let mut s = self.lock();
        let key = (tenant.to_string(), email.to_ascii_lowercase());
        let Some(id) = s.logins.get(&key).cloned() else {
            return false;
        };
        s.customers.get_mut(&id).map(|c| c.active = true).is_some()
    }

    /// The number of customers.
    pub fn customer_count(&self) -> usize {
        self.lock().customers.len()
    }
}

impl Authenticator for ReferenceService {
    type Principal = Principal;

    async fn authenticate(
        &self,
        scheme: SecurityScheme,
        credential: &Credential,
    ) -> Option<Principal> {
        self.lock().principal(scheme, credential.expose())
    }
}

/// An `ErrorMessage` body.
fn error(status: i64, kind: &str, message: &str) -> models::ErrorMessage {
    models::ErrorMessage {
        status: Some(status),
        type_: Some(kind.to_string()),
        message: Some(message.to_string()),
        more_info: None,
        details: Some(Vec::new()),
    }
}

/// An `Unauthorized` (gateway fault) body.
fn fault(message: &str) -> models::Unauthorized {
    models::Unauthorized {
        fault: Some(models::Fault {
            faultstring: Some(message.to_string()),
            detail: Some(models::FaultDetail {
                errorcode: Some("oauth.v2.InvalidAccessToken".to_string()),
            }),
        }),
    }
}

fn wrong_tenant() -> models::Unauthorized {
    fault("The access token was not issued for this tenant")
}

fn is_email(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}
