//! The string `format`s JSON Schema validators check, read as they read them: RFC 3339 dates
//! and times, e-mail addresses, RFC 3986 URIs, UUIDs, IP addresses and host names. One
//! implementation for the router, which refuses a request value in the wrong format, and for
//! the generator, which picks the mock's bodies (a documented example in the wrong format is
//! not served). Formats not listed here (`byte`, `password`, vendor formats) are annotations
//! and accept any string.

/// Whether [`conforms`] checks `format` (other formats accept any string).
pub fn is_checked(format: &str) -> bool {
    matches!(
        format,
        "date" | "time" | "date-time" | "email" | "uri" | "uuid" | "ipv4" | "ipv6" | "hostname"
    )
}

/// Whether `s` is a valid value of `format`; `true` for a format that is not checked.
pub fn conforms(format: &str, s: &str) -> bool {
    match format {
        "date" => date(s),
        "time" => time(s),
        "date-time" => s
            .split_once(['T', 't'])
            .is_some_and(|(d, t)| date(d) && time(t)),
        "email" => email(s),
        "uri" => uri(s),
        "uuid" => uuid(s),
        "ipv4" => s.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => s.parse::<std::net::Ipv6Addr>().is_ok(),
        "hostname" => hostname(s),
        _ => true,
    }
}

/// `n` ASCII digits, read as a number.
fn number(t: &str, n: usize) -> Option<u32> {
    (t.len() == n && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}

/// RFC 3339 `full-date`: `yyyy-mm-dd`, a day the month has.
fn date(s: &str) -> bool {
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Some(y), Some(m), Some(d)) = (number(y, 4), number(m, 2), number(d, 2)) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 `full-time`: `hh:mm:ss`, an optional fraction, then `Z` or `+hh:mm` / `-hh:mm`.
fn time(s: &str) -> bool {
    let Some(i) = s.find(['Z', 'z', '+', '-']) else {
        return false;
    };
    let (clock, offset) = s.split_at(i);
    let offset_ok = matches!(offset, "Z" | "z")
        || (offset.len() == 6
            && offset.as_bytes()[3] == b':'
            && number(&offset[1..3], 2).is_some_and(|h| h < 24)
            && number(&offset[4..], 2).is_some_and(|m| m < 60));
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let mut fields = clock.split(':');
    let (Some(h), Some(m), Some(sec), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return false;
    };
    offset_ok
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && number(h, 2).is_some_and(|h| h < 24)
        && number(m, 2).is_some_and(|m| m < 60)
        && number(sec, 2).is_some_and(|s| s <= 60)
}

/// `local@domain`: a local part without spaces or control characters, and a host name or an
/// address literal (`[...]`).
fn email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.chars().any(|c| c.is_whitespace() || c.is_control());
    let domain_ok = hostname(domain)
        || (domain.starts_with('[')
            && domain.ends_with(']')
            && domain.len() > 2
            && !domain.chars().any(|c| c.is_whitespace() || c.is_control()));
    local_ok && domain_ok
}

/// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, each at most
/// 63 characters, 253 in all.
fn hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// RFC 3986 `URI`: a scheme (a letter, then letters, digits, `+`, `-`, `.`), `:`, then only
/// the characters a URI may hold, with well-formed percent escapes.
fn uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut scheme = scheme.bytes();
    let scheme_ok = scheme.next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b);
        if !allowed {
            return false;
        }
        i += 1;
    }
    scheme_ok && rest.matches('#').count() <= 1
}

/// `8-4-4-4-12` hexadecimal digits.
fn uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::conforms;

    #[test]
    fn formats_are_checked_as_validators_read_them() {
        let valid = [
            ("date", "2024-02-29"),
            ("time", "23:59:60.123-01:30"),
            ("date-time", "2024-01-01T00:00:00.5+02:00"),
            ("date-time", "2022-01-05t12:44:51Z"),
            ("email", "user@example.com"),
            ("email", "user@localhost"),
            ("uri", "https://example.com/a%20b?q=1#top"),
            ("uri", "urn:isbn:0451450523"),
            ("uuid", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
            ("ipv4", "192.168.0.1"),
            ("ipv6", "::1"),
            ("hostname", "api.example.com"),
            ("byte", "anything"),
        ];
        for (f, s) in valid {
            assert!(conforms(f, s), "{f} {s}");
        }
        let invalid = [
            ("date", "2023-02-29"),
            ("date", "2024-13-01"),
            ("time", "00:00:00"),
            ("time", "24:00:00Z"),
            ("date-time", "2022-01-05 12:44:51.456Z"),
            ("date-time", ""),
            ("email", "string"),
            ("email", "a b@example.com"),
            ("email", "@example.com"),
            ("uri", "example.com/path"),
            ("uri", "http://exa mple.com"),
            ("uri", "http://example.com/%zz"),
            ("uri", "1http://example.com"),
            ("uuid", "3fa85f64-5717-4562-b3fc-2c963f66afa"),
            ("uuid", "3fa85f64x5717-4562-b3fc-2c963f66afa6"),
            ("ipv4", "256.0.0.1"),
            ("ipv6", "1::2::3"),
            ("hostname", "-bad.example"),
            ("hostname", "a..b"),
        ];
        for (f, s) in invalid {
            assert!(!conforms(f, s), "{f} {s}");
        }
    }
}
