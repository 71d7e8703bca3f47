//! The one home of naming: case conversion, keyword escaping and collision suffixes.
//!
//! Every identifier the emitters print was made here, during lowering, so the emitters never
//! have to second-guess a name.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Words that cannot be identifiers, even as raw identifiers, or that read badly as fields.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names that generated code refers to unqualified and that a schema must not take.
const RESERVED_TYPES: &[&str] = &["Self"];

/// Splits `raw` into ASCII words: every character that is not an ASCII letter or digit separates
/// words, and a non-ASCII letter is dropped (identifiers stay ASCII so every tool can type them).
fn ascii_words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

/// UpperCamelCase type or variant name for `raw`; `fallback` when nothing usable remains.
pub fn type_name(raw: &str, fallback: &str) -> String {
    let words = ascii_words(raw);
    let mut name = words.to_upper_camel_case();
    if name.is_empty() {
        name = fallback.to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// snake_case field, parameter or function name for `raw`; `fallback` when nothing usable remains.
pub fn snake_name(raw: &str, fallback: &str) -> String {
    let words = ascii_words(raw);
    let mut name = words.to_snake_case();
    if name.is_empty() {
        name = fallback.to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "x_");
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Hands out names that are unique within one scope, in the order asked.
///
/// The first claimant of a name keeps it; later ones get `2`, `3`, ... (or `_2` for snake case),
/// so the result depends only on the order of the calls.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// A scope in which `names` are already taken.
    pub fn with_reserved(names: &[&str]) -> Self {
        Self {
            taken: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Whether `name` is free.
    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(name)
    }

    /// Claims `name`, or the first free `name` + suffix.
    pub fn claim(&mut self, name: &str) -> String {
        let sep = if name.contains('_') || name.starts_with(|c: char| c.is_ascii_lowercase()) {
            "_"
        } else {
            ""
        };
        let mut candidate = name.to_string();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{name}{sep}{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// The conventional name of a status code as an UpperCamelCase variant (`404` -> `NotFound`).
pub fn status_name(code: u16) -> String {
    let reason = match code {
        100 => "Continue",
        101 => "SwitchingProtocols",
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        300 => "MultipleChoices",
        301 => "MovedPermanently",
        302 => "Found",
        303 => "SeeOther",
        304 => "NotModified",
        307 => "TemporaryRedirect",
        308 => "PermanentRedirect",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => return format!("Status{code}"),
    };
    reason.to_string()
}

/// Whether a property or parameter of this name carries a secret that must not be printed.
pub fn is_secret_name(raw: &str) -> bool {
    let snake = ascii_words(raw).to_snake_case();
    let last = snake.rsplit('_').next().unwrap_or("");
    snake.contains("password")
        || matches!(
            last,
            "token" | "secret" | "password" | "apikey" | "credentials"
        )
        || snake.ends_with("api_key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_and_escapes() {
        assert_eq!(type_name("errorDetail", "T"), "ErrorDetail");
        assert_eq!(type_name("Customer-Managed DTO", "T"), "CustomerManagedDto");
        assert_eq!(type_name("2fa", "T"), "V2fa");
        assert_eq!(type_name("", "Fallback"), "Fallback");
        assert_eq!(type_name("Self", "T"), "Self_");
        assert_eq!(snake_name("accessToken", "f"), "access_token");
        assert_eq!(snake_name("type", "f"), "type_");
        assert_eq!(snake_name("self", "f"), "self_");
        assert_eq!(snake_name("3dSecure", "f"), "x_3d_secure");
        assert_eq!(snake_name("$", "field"), "field");
        assert_eq!(snake_name("legal-entity", "f"), "legal_entity");
        assert_eq!(snake_name("ünïcode", "f"), "n_code");
    }

    #[test]
    fn scope_suffixes() {
        let mut s = Scope::new();
        assert_eq!(s.claim("access_token"), "access_token");
        assert_eq!(s.claim("access_token"), "access_token_2");
        assert_eq!(s.claim("Address"), "Address");
        assert_eq!(s.claim("Address"), "Address2");
    }

    #[test]
    fn secrets() {
        assert!(is_secret_name("access_token"));
        assert!(is_secret_name("newPassword"));
        assert!(is_secret_name("saas_token"));
        assert!(!is_secret_name("token_type"));
        assert!(!is_secret_name("refresh_token_expires_in"));
        assert!(!is_secret_name("expires_in"));
    }
}
