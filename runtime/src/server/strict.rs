//! Decoding a JSON body straight into its Rust type, refusing what serde would let through but
//! the spec's checks refuse: the fast path of [`Input::typed_body`](super::Input::typed_body).
//!
//! serde alone accepts `null` for an `Option` field and a JSON array for a struct (members by
//! position), and skips unknown members without parsing them fully (so a number out of range
//! or a lone surrogate there goes unnoticed, where parsing into a `serde_json::Value` fails).
//! [`Strict`] wraps a deserializer, and everything it hands out (visitors, sequences, maps,
//! seeds), so that at any depth:
//!
//! - `null` is an error, wherever it is (nullable places included: such bodies take the slow
//!   path, whose checks know where `null` is allowed);
//! - a struct is read only from a JSON object;
//! - an unknown member is parsed as fully as `serde_json::Value` would parse it;
//! - an externally tagged enum is an error (generated types use none; if one appears, the
//!   slow path decides).
//!
//! So a successful strict decode means the body parses into a `serde_json::Value`, every value
//! has the JSON type serde expected, and no value is `null`. Whether that is all the spec's
//! checks ask is for the generator to decide, per body type.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    Unexpected, Visitor,
};
use std::fmt;

/// Decodes `bytes` as `T` under the rules of this module; `None` when any rule or serde refuses.
pub(crate) fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize(Strict(&mut de)).ok()?;
    de.end().ok()?;
    Some(value)
}

/// A deserializer, visitor, access or seed wrapped so that the rules above hold below it.
struct Strict<T>(T);

/// `null` is refused everywhere below [`Strict`].
fn null<E: de::Error>(expected: &dyn de::Expected) -> E {
    E::invalid_type(Unexpected::Unit, expected)
}

macro_rules! forward {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(Strict(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Strict(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Strict(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Strict(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Strict(visitor))
    }

    /// A struct only from an object: asked for a map, serde_json refuses an array.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Strict(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Strict(visitor))
    }

    /// An unknown member: parsed fully (numbers in range, strings valid, depth limited), as
    /// parsing into a `serde_json::Value` would, whatever it holds (`null` included).
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Skip)?;
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! visit {
    ($($method:ident: $ty:ty,)*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Strict<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    visit! {
        visit_bool: bool, visit_i8: i8, visit_i16: i16, visit_i32: i32, visit_i64: i64,
        visit_i128: i128, visit_u8: u8, visit_u16: u16, visit_u32: u32, visit_u64: u64,
        visit_u128: u128, visit_f32: f32, visit_f64: f64, visit_char: char,
        visit_str: &str, visit_borrowed_str: &'de str, visit_string: String,
        visit_bytes: &[u8], visit_borrowed_bytes: &'de [u8], visit_byte_buf: Vec<u8>,
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        Err(null(&self))
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        Err(null(&self))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Strict(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Strict(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Strict(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Strict(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, _: A) -> Result<V::Value, A::Error> {
        Err(de::Error::custom("an enum is left to the checks"))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Strict<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Strict(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Strict<A> {
    type Error = A::Error;

    /// Keys are JSON strings, never `null`: read as they are.
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(seed)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Strict(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for Strict<T> {
    type Value = T::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T::Value, D::Error> {
        self.0.deserialize(Strict(d))
    }
}

/// Reads any value through `deserialize_any`, to its end, and keeps nothing: the parse
/// `serde_json::Value` would make, without building one.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The fast path against the slow path, on a type shaped like a generated model and its
    //! generated check, over valid bodies and many broken ones: both must give the same answer.

    use super::super::{
        members, object, BodyRules, Config, Encoding, FieldError, Input, Rejection, {self as rt},
    };
    use axum::body::Body;
    use axum::extract::Request;
    use serde::Deserialize;
    use serde_json::{Map, Value};
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Item {
        name: String,
        #[serde(default)]
        tags: Option<Vec<String>>,
        #[serde(default)]
        meta: Option<Meta>,
        #[serde(default)]
        n: Option<i32>,
        #[serde(default)]
        big: Option<i64>,
        #[serde(default)]
        x: Option<f64>,
        #[serde(default)]
        flag: Option<bool>,
        #[serde(default)]
        any: Option<Value>,
        #[serde(default)]
        obj: Option<Map<String, Value>>,
        #[serde(default)]
        map: Option<BTreeMap<String, String>>,
        #[serde(default)]
        boxed: Option<Box<Meta>>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Meta {
        #[serde(default)]
        version: Option<i32>,
        #[serde(default)]
        labels: Option<Vec<Vec<String>>>,
    }

    /// What the generator emits for `Item` (required `name`, nothing nullable).
    fn check_item(v: &Value, at: &rt::At<'_>, errors: &mut Vec<FieldError>) {
        let Some(o) = object(v, at, &["name"], errors) else {
            return;
        };
        members(
            o,
            at,
            errors,
            &[
                ("name", false, rt::check_string),
                ("tags", false, |v, at, errors| {
                    rt::items(v, at, errors, rt::check_string);
                }),
                ("meta", false, check_meta),
                ("n", false, rt::check_i32),
                ("big", false, rt::check_i64),
                ("x", false, rt::number),
                ("flag", false, rt::boolean),
                ("any", false, rt::any),
                ("obj", false, |v, at, errors| {
                    object(v, at, &[], errors);
                }),
                ("map", false, |v, at, errors| {
                    rt::values(v, at, errors, rt::check_string);
                }),
                ("boxed", false, check_meta),
            ],
        );
    }

    fn check_meta(v: &Value, at: &rt::At<'_>, errors: &mut Vec<FieldError>) {
        let Some(o) = object(v, at, &[], errors) else {
            return;
        };
        members(
            o,
            at,
            errors,
            &[
                ("version", false, rt::check_i32),
                ("labels", false, |v, at, errors| {
                    rt::items(v, at, errors, |v, at, errors| {
                        rt::items(v, at, errors, rt::check_string);
                    });
                }),
            ],
        );
    }

    fn fast(input: &mut Input) -> Option<Item> {
        input.typed_body(check_item)
    }

    fn slow(input: &mut Input) -> Option<Item> {
        input.body(check_item)
    }

    fn fast_after_a_bad_parameter(input: &mut Input) -> Option<Item> {
        input
            .errors
            .push(FieldError::new("p", "invalid_value", "bad"));
        input.typed_body(check_item)
    }

    fn slow_after_a_bad_parameter(input: &mut Input) -> Option<Item> {
        input
            .errors
            .push(FieldError::new("p", "invalid_value", "bad"));
        input.body(check_item)
    }

    fn answer(body: &[u8], build: fn(&mut Input) -> Option<Item>) -> Result<Item, Rejection> {
        let request = Request::builder().body(Body::from(body.to_vec())).unwrap();
        let (mut parts, body) = request.into_parts();
        let json = axum::http::HeaderValue::from_static("application/json");
        parts.headers.insert(axum::http::header::CONTENT_TYPE, json);
        let rules = BodyRules {
            accepted: &[("application/json", Encoding::Json)],
            required: true,
        };
        let mut input = Input::new(parts, Ok(Vec::new()));
        let config = Config::default();
        let read = input.read_body(body, &rules, &config);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let std::task::Poll::Ready(read) = std::future::Future::poll(std::pin::pin!(read), &mut cx)
        else {
            panic!("reading a body in memory waited");
        };
        read?;
        input.finish(build).map_err(|(rejection, _)| rejection)
    }

    /// Values to put in each place: every JSON type, edge numbers, strings serde_json refuses,
    /// `null` inside containers, deep nesting.
    fn values() -> Vec<String> {
        let mut values: Vec<String> = [
            "null",
            "0",
            "1",
            "-1",
            "-0",
            "1.5",
            "1e2",
            "1e400",
            "-1e400",
            "2147483647",
            "2147483648",
            "-2147483649",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551616",
            r#""s""#,
            r#""""#,
            r#""\ud800""#,
            r#""\u00e9\n""#,
            "true",
            "false",
            "[]",
            "[null]",
            r#"["a"]"#,
            r#"["a",1]"#,
            "[1]",
            "[[]]",
            r#"[["a"]]"#,
            "[[null]]",
            "{}",
            r#"{"a":null}"#,
            r#"{"a":"b"}"#,
            r#"{"a":1}"#,
            r#"{"version":1}"#,
            r#"{"version":null}"#,
            r#"{"version":"1"}"#,
            r#"{"version":1.0}"#,
            r#"{"labels":[["x"]]}"#,
            r#"{"labels":[[1]]}"#,
            r#"{"labels":[null]}"#,
            r#"{"version":1,"version":2}"#,
            r#"{"version":"x","version":2}"#,
            "[1,2]",
        ]
        .map(String::from)
        .to_vec();
        values.push(format!("{}{}", "[".repeat(130), "]".repeat(130)));
        values.push(format!("{}1{}", r#"{"a":"#.repeat(100), "}".repeat(100)));
        values
    }

    /// Bodies: a valid item with each member (and an unknown one) set to each value, dropped,
    /// or repeated, and whole bodies that are not an item at all.
    fn bodies() -> Vec<Vec<u8>> {
        let members = [
            "name", "tags", "meta", "n", "big", "x", "flag", "any", "obj", "map", "boxed", "extra",
        ];
        let valid = r#""name":"a","tags":["t"],"meta":{"version":2,"labels":[["l"]]},"n":3,"big":4,"x":1.5,"flag":true,"any":[1,{"k":"v"}],"obj":{"o":1},"map":{"m":"v"},"boxed":{}"#;
        let without = |skip: &str| -> String {
            let pairs: Vec<&str> = split_members(valid);
            let kept: Vec<&str> = pairs
                .into_iter()
                .filter(|p| !p.starts_with(&format!("\"{skip}\":")))
                .collect();
            kept.join(",")
        };
        let mut bodies: Vec<String> = vec![
            format!("{{{valid}}}"),
            format!(" \n{{{valid}}}\t "),
            r#"{"name":"a"}"#.into(),
            "{}".into(),
            "null".into(),
            "[]".into(),
            r#"["a"]"#.into(),
            r#""a""#.into(),
            "1".into(),
            "true".into(),
            "{".into(),
            format!("{{{valid}}}x"),
            format!("{{{valid}}}{{}}"),
            format!("{{{valid},}}"),
            r#"{"name":"a",}"#.into(),
            r#"{"name":'a'}"#.into(),
            r#"{name:"a"}"#.into(),
            r#"{"name":"a","name":"b"}"#.into(),
            r#"{"name":"a","name":null}"#.into(),
            r#"{"name":"a\u0000"}"#.into(),
        ];
        for member in members {
            let rest = without(member);
            let sep = if rest.is_empty() { "" } else { "," };
            bodies.push(format!("{{{rest}}}"));
            for value in values() {
                bodies.push(format!("{{{rest}{sep}\"{member}\":{value}}}"));
                bodies.push(format!("{{\"{member}\":{value}{sep}{rest}}}"));
            }
        }
        let mut bodies: Vec<Vec<u8>> = bodies.into_iter().map(String::into_bytes).collect();
        // Not UTF-8, in a known member and in an unknown one.
        bodies.push(b"{\"name\":\"\xff\"}".to_vec());
        bodies.push(b"{\"name\":\"a\",\"extra\":\"\xc3\x28\"}".to_vec());
        bodies.push(b"\xef\xbb\xbf{\"name\":\"a\"}".to_vec());
        bodies
    }

    /// The top-level members of the object text `s` (no braces), split at depth 0.
    fn split_members(s: &str) -> Vec<&str> {
        let (mut depth, mut start, mut in_string, mut escaped) = (0, 0, false, false);
        let mut out = Vec::new();
        for (i, c) in s.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '[' | '{' if !in_string => depth += 1,
                ']' | '}' if !in_string => depth -= 1,
                ',' if !in_string && depth == 0 => {
                    out.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(&s[start..]);
        out
    }

    #[test]
    fn fast_and_slow_paths_agree() {
        let bodies = bodies();
        assert!(bodies.len() > 1000, "{} bodies", bodies.len());
        let (mut accepted, mut fast_accepted) = (0, 0);
        for body in &bodies {
            let text = String::from_utf8_lossy(body);
            let slow_answer = answer(body, slow);
            assert_eq!(answer(body, fast), slow_answer, "body: {text}");
            let with_error = answer(body, slow_after_a_bad_parameter);
            assert_eq!(
                answer(body, fast_after_a_bad_parameter),
                with_error,
                "body: {text}"
            );
            accepted += usize::from(slow_answer.is_ok());
            fast_accepted += usize::from(super::from_slice::<Item>(body).is_some());
        }
        // Both outcomes are well represented, and the fast path takes most valid bodies.
        assert!(accepted > 300, "{accepted} accepted");
        assert!(bodies.len() - accepted > 300, "{accepted} accepted");
        assert!(
            fast_accepted > accepted / 2,
            "{fast_accepted} of {accepted}"
        );
    }

    #[test]
    fn strict_decoding_refuses_what_serde_lets_through() {
        let decode = |s: &str| super::from_slice::<Item>(s.as_bytes());
        assert!(decode(r#"{"name":"a","tags":["b"]}"#).is_some());
        // `null` for an optional member, or anywhere below one.
        assert!(serde_json::from_str::<Item>(r#"{"name":"a","tags":null}"#).is_ok());
        assert!(decode(r#"{"name":"a","tags":null}"#).is_none());
        assert!(decode(r#"{"name":"a","any":[null]}"#).is_none());
        // A struct from an array.
        assert!(serde_json::from_str::<Meta>("[]").is_ok());
        assert!(super::from_slice::<Meta>(b"[]").is_none());
        // Unknown members are parsed as a `serde_json::Value` would be.
        assert!(serde_json::from_str::<Item>(r#"{"name":"a","u":1e400}"#).is_ok());
        assert!(decode(r#"{"name":"a","u":1e400}"#).is_none());
        assert!(decode(r#"{"name":"a","u":"\ud800"}"#).is_none());
        assert!(decode(r#"{"name":"a","u":{"v":null}}"#).is_some());
        // Trailing text.
        assert!(decode(r#"{"name":"a"} 1"#).is_none());
    }

    #[test]
    fn a_malformed_body_refuses_the_request_whatever_else_is_wrong() {
        for build in [fast, slow, fast_after_a_bad_parameter] {
            let rejection = answer(b"{\"name\":", build).unwrap_err();
            assert_eq!(rejection.kind, "malformed_request");
            assert_eq!(rejection.details.len(), 1);
            assert_eq!(rejection.details[0].kind, "malformed_json");
        }
        fn ignores_the_body(_: &mut Input) -> Option<Item> {
            None
        }
        let rejection = answer(b"{\"name\":", ignores_the_body).unwrap_err();
        assert_eq!(rejection.kind, "malformed_request");
    }
}
