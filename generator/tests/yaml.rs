//! The streaming YAML loader (`oasgen::yaml`) against the reference it replaced:
//! `serde_yaml::from_str::<StrictValue>`. For every YAML feature a spec uses, both must give the
//! same value, or the same error message at the same line and column.

use oasgen::strict::StrictValue;
use serde_json::Value;
use std::path::Path;

/// The value, or the message and place of the error.
type Outcome = Result<Value, (String, usize, usize)>;

fn reference(text: &str) -> Outcome {
    serde_yaml::from_str::<StrictValue>(text)
        .map(|v| v.0)
        .map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            (e.to_string(), line, column)
        })
}

fn streaming(text: &str) -> Outcome {
    oasgen::yaml::parse(text).map_err(|e| (e.message, e.line, e.column))
}

/// Both loaders agree on `text`; returns the outcome for further checks.
#[track_caller]
fn same(text: &str) -> Outcome {
    let expected = reference(text);
    let actual = streaming(text);
    // `Value`'s equality would call NaN unequal; none is produced (NaN becomes null).
    assert_eq!(actual, expected, "for YAML:\n{text}");
    actual
}

#[track_caller]
fn same_value(text: &str) -> Value {
    match same(text) {
        Ok(v) => v,
        Err(e) => panic!("expected a value for:\n{text}\ngot {e:?}"),
    }
}

#[track_caller]
fn same_error(text: &str) -> String {
    match same(text) {
        Ok(v) => panic!("expected an error for:\n{text}\ngot {v}"),
        Err((message, ..)) => message,
    }
}

#[test]
fn plain_scalars_resolve_like_serde_yaml() {
    let v = same_value(
        "t: true\nT: True\nf: FALSE\nn: null\nN: Null\ntilde: ~\nempty:\nyes: yes\nno: no\non: on\n",
    );
    assert_eq!(v["t"], Value::Bool(true));
    assert_eq!(v["tilde"], Value::Null);
    assert_eq!(v["empty"], Value::Null);
    assert_eq!(v["yes"], Value::String("yes".into()));
    same_value("a: [true, false, null, ~, '', \"\", True, NULL]\n");
}

#[test]
fn integers_resolve_like_serde_yaml() {
    let v = same_value(
        "zero: 0\nneg: -5\nplus: +7\nbig: 18446744073709551615\nmin: -9223372036854775808\n\
         hex: 0x1F\noct: 0o17\nbin: 0b101\nneghex: -0x10\nlead: 007\nneglead: -012\n\
         under: 1_000\nhuge: 123456789012345678901234567890123456789012345\n",
    );
    assert_eq!(v["neg"], Value::from(-5));
    assert_eq!(v["big"], Value::from(u64::MAX));
    assert_eq!(v["hex"], Value::from(31));
    assert_eq!(v["lead"], Value::String("007".into()));
    // Past u64 and i64, serde_yaml offers a u128 or i128, which a JSON value refuses.
    same_error("a: 18446744073709551616\n");
    same_error("a:\n  - 1\n  - -9223372036854775809\n");
    same_error("? 18446744073709551616\n: a\n");
}

#[test]
fn floats_resolve_like_serde_yaml() {
    let v = same_value(
        "a: 1.5\nb: -0.25\nc: 1e3\nd: 1.\ne: .5\nf: +1.5\ng: .inf\nh: -.Inf\ni: .nan\nj: 6.02e+23\n\
         k: inf\nl: NaN\nm: 1.0e-7\nn: 00.5\n",
    );
    assert_eq!(v["a"], Value::from(1.5));
    assert_eq!(v["g"], Value::Null);
    assert_eq!(v["k"], Value::String("inf".into()));
}

#[test]
fn quoted_scalars_stay_strings() {
    let v = same_value(
        "a: \"200\"\nb: '1.0'\nc: 'true'\nd: \"~\"\ne: ''\nf: \"null\"\ng: 'it''s'\n\
         h: \"tab\\tnew\\nline \\u00e9 \\x41 \\\"q\\\"\"\ni: \"a\n  folded\n\n  line\"\n",
    );
    assert_eq!(v["a"], Value::String("200".into()));
    assert_eq!(v["b"], Value::String("1.0".into()));
    assert_eq!(v["c"], Value::String("true".into()));
}

#[test]
fn mapping_keys_become_strings() {
    let v = same_value(
        "200: ok\n'201': created\n1.5: f\ntrue: t\n~: n\n0x10: hex\n-3: neg\n\"x\": y\n",
    );
    assert_eq!(v["200"], Value::String("ok".into()));
    assert_eq!(v["1.5"], Value::String("f".into()));
    assert_eq!(v["true"], Value::String("t".into()));
    assert_eq!(v["16"], Value::String("hex".into()));
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["200", "201", "1.5", "true", "null", "16", "-3", "x"],
        "keys keep their order"
    );
    // `~` and `null` are one key.
    same_error("~: n\nnull: m\n");
}

#[test]
fn anchors_and_aliases_repeat_values() {
    let v = same_value(
        "base: &base\n  type: object\n  props: &p [a, b]\nuse: *base\nlist: [*p, *p]\n\
         scalar: &s hello\nagain: *s\nkey: &k name\n*k : aliased key\n\
         merge:\n  <<: *base\n  extra: 1\nredefined: &s other\nlatest: *s\n",
    );
    assert_eq!(v["use"], v["base"]);
    assert_eq!(v["again"], Value::String("hello".into()));
    assert_eq!(v["latest"], Value::String("other".into()));
    // serde_yaml does not merge `<<` into a JSON value: it is a key like any other.
    assert_eq!(v["merge"]["<<"], v["base"]);
    same_value("a: &x 200\n*x : b\n");
    same_error("a: *missing\n");
    // An alias inside its own anchor would repeat forever; it is placed at the alias (serde_yaml
    // places it where its replays ran out of depth).
    assert_eq!(
        streaming("a: &x [1, *x]\n"),
        Err(("recursion limit exceeded at line 1 column 11".into(), 1, 11))
    );
    assert!(reference("a: &x [1, *x]\n").is_err());
    same_error("a: &x [1]\nb: {*x : c}\n");
}

#[test]
fn block_scalars_keep_their_lines() {
    let v = same_value(
        "lit: |\n  line 1\n\n  line 3\nstrip: |-\n  x\n\nkeep: |+\n  y\n\n\nfold: >\n  a\n  b\n\n  c\n  \
         \n    indented\nfstrip: >-\n  z\nfkeep: >+\n  w\n\nind: |2\n    two\n   three\nlast: |\n  end\n",
    );
    assert_eq!(v["lit"], Value::String("line 1\n\nline 3\n".into()));
    assert_eq!(v["strip"], Value::String("x".into()));
    assert_eq!(v["keep"], Value::String("y\n\n\n".into()));
    same_value("a: |\n  at the end\n\n\n");
    // A block scalar that ends the text without a line break (libyaml-safer panicked on it).
    for text in [
        "a: |\n  x",
        "a: |+\n  x",
        "a: >-\n  x",
        "a: |\n  x\n  ",
        "a: |+\n  x\n\n  ",
    ] {
        same_value(text);
    }
    same_value("a: >+\n  kept at the end\n\n");
    same_value("description: |\n    # not a comment\n    - not a list\n    key: not a map\n");
}

#[test]
fn flow_collections_and_comments() {
    let v = same_value(
        "# a comment\na: {x: 1, y: [1, 2, {z: d}], 'q': \"r\"} # trailing\nb: [] # empty\nc: {}\n\
         d: [a, b,\n    c]\ne: [\n  # inside\n  1\n]\nf: value # not part of it\ng: a#b\n",
    );
    assert_eq!(v["a"]["y"][2]["z"], Value::String("d".into()));
    assert_eq!(v["f"], Value::String("value".into()));
    assert_eq!(v["g"], Value::String("a#b".into()));
    same_value("{a: 1, b: [x, y]}\n");
    same_value("[1, two, {three: 3}]\n");
    same_value("a: {b: , c}\n");
}

#[test]
fn plain_multiline_unicode_and_line_endings() {
    same_value("a: one\n  two\n\n  three\nb: x\n");
    same_value(
        "名前: 値\nemoji: \"😀\"\nkey with spaces: 'value: with colon'\nurl: http://x/y?z=1#f\n",
    );
    same_value("a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  l1\r\n  l2\r\n");
    same_value("\u{feff}a: bom\n");
    same_value("list:\n- a\n- b:\n    c: d\n-   - nested\n");
}

#[test]
fn documents_and_directives() {
    same_value("---\na: 1\n");
    same_value("---\na: 1\n...\n");
    same_value("%YAML 1.1\n---\na: 1\n");
    same_value("%TAG !e! tag:example.com,2000:\n---\na: 1\n");
    same_value("--- {a: 1}\n");
    same_value("");
    same_value("# only a comment\n");
    same_value("---\n");
    same_value("&anchor\n");
    same_value("just text\n");
    same_error("a: 1\n---\nb: 2\n");
    same_error("---\na: 1\n---\n");
    same_error("a: 1\n...\n]\n");
}

#[test]
fn tags_resolve_like_serde_yaml() {
    let v = same_value(
        "a: !!str 123\nb: !!int \"42\"\nc: !!float 1\nd: !!bool true\ne: !!null ~\n\
         f: !!map {x: 1}\ng: !!seq [1]\nh: !!binary aGk=\ni: !!str\nj: !<tag:yaml.org,2002:int> 7\n",
    );
    assert_eq!(v["a"], Value::String("123".into()));
    assert_eq!(v["b"], Value::from(42));
    same_error("a: !!int x\n");
    same_error("a: !!bool yes\n");
    same_error("a: !!float abc\n");
    same_error("a: !!null 0\n");
    same_error("a: !custom x\n");
    same_error("a: !custom {b: 1}\n");
    same_error("a:\n  - !custom [1]\n");
    same_error("a: ! x\n");
}

#[test]
fn duplicate_keys_are_refused_at_their_mapping() {
    let e = same_error("openapi: 3.0.3\ninfo:\n  title: a\n  title: b\n");
    assert!(e.contains("duplicate key `title`"), "{e}");
    same_error("a: 1\na: 2\n");
    same_error("paths:\n  /a:\n    get:\n      responses:\n        200: {}\n        '200': {}\n");
    same_error("a:\n  - x: 1\n  - {y: 1, y: 2}\n");
    same_error("~: 1\nnull: 2\n");
    same_error("a: &x 1\n? *x\n: 2\nb: {1: a, 1: b}\n");
    same_error("x: {a: {b: 1, b: 2}, a: 3}\n");
}

#[test]
fn unsupported_keys_and_limits() {
    same_error("? [a, b]\n: c\n");
    same_error("a:\n  {[x]: y}\n");
    same_error("a: &s [1]\nb:\n  *s : c\n");
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    same_value(&deep(128));
    same_error(&deep(129));
    same_value(&format!("a: &x {}\nb: *x\n", deep(127)));
    // Too deep through an alias: placed at the alias, as above.
    let text = format!("a: &x {}\nb: [*x]\n", deep(127));
    assert_eq!(
        streaming(&text),
        Err(("recursion limit exceeded at line 2 column 5".into(), 2, 5))
    );
    assert!(reference(&text).is_err());
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
         c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
         e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    let e = same_error(laughs);
    assert_eq!(e, "repetition limit exceeded");
}

#[test]
fn syntax_errors_read_and_place_like_serde_yaml() {
    for text in [
        "openapi: 3.0.3\ninfo: [unclosed\n",
        "a: b: c\n",
        "a:\n  b: 1\n c: 2\n",
        "a:\n\tb: 1\n",
        "a: 'unterminated\n",
        "a: \"bad \\q escape\"\n",
        "- a\nb: c\n",
        "a: [1, 2\nb: 3\n",
        "a: {b: 1\n",
        "a: }\n",
        "a: |\n  x\n y\n",
        "a: 1\n  b: 2\n",
        "key: value\n@bad: x\n",
        "a: `tick\n",
        "%YAML 2.0\n---\na: 1\n",
        "%FOO bar\n---\na: 1\n",
        "!<bad tag> a\n",
        "a: !e!x 1\n",
        "[a, b]]\n",
    ] {
        let actual = same(text);
        assert!(actual.is_err(), "{text:?} parsed: {actual:?}");
    }
}

/// A character YAML refuses: serde_yaml names only its byte offset (and places it at 1:1); the
/// streaming loader names its line and column.
#[test]
fn control_characters_are_placed() {
    for (text, line, column) in [("a: x\u{1}y\n", 1, 5), ("a: 1\nb: 'é\u{7}'\n", 2, 6)] {
        let (message, ..) = reference(text).unwrap_err();
        assert!(message.starts_with("control characters are not allowed at position"));
        assert_eq!(
            streaming(text),
            Err((
                format!("control characters are not allowed at line {line} column {column}"),
                line,
                column
            ))
        );
    }
}

/// Every YAML spec in the repository loads to the same value both ways.
#[test]
fn repository_specs_load_the_same() {
    let root =
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run with cargo test")).join("..");
    let mut files = vec![root.join("specs/customer-managed.yaml")];
    for dir in ["tests/fixtures", "tests/fixtures/apidiff"] {
        let mut stack = vec![root.join(dir)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files.dedup();
    assert!(files.len() > 10, "found only {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            streaming(&text),
            reference(&text),
            "{} loads differently",
            file.display()
        );
    }
}

/// `text` cut into pieces of about `target` bytes: the reference's value, or not cut (`None`:
/// the loader parses it whole). Returns how many pieces it was cut into.
#[track_caller]
fn pieces_agree(text: &str, target: usize) -> Option<usize> {
    let (value, pieces) = oasgen::yaml::parse_in_pieces(text, target)?;
    assert_eq!(Ok(value), reference(text), "cut at {target} bytes:\n{text}");
    Some(pieces)
}

/// The repository's specs, cut at every level their mappings nest, give the same value as read
/// whole; so does the large document, which `parse` itself cuts.
#[test]
fn specs_cut_into_pieces_load_the_same() {
    let root =
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run with cargo test")).join("..");
    for file in [
        "specs/customer-managed.yaml",
        "tests/fixtures/quirks.yaml",
        "tests/fixtures/naming.yaml",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for target in [1, 100, 1000, text.len() / 3] {
            let pieces = pieces_agree(&text, target);
            assert!(
                pieces.is_some_and(|n| n >= 2),
                "{file} at {target}: {pieces:?}"
            );
        }
    }
    // Entries cut out of `paths`, a schema and its properties: each piece is an indented document.
    let pieces = pieces_agree(
        &std::fs::read_to_string(root.join("specs/customer-managed.yaml")).unwrap(),
        1,
    );
    assert!(pieces.is_some_and(|n| n > 200), "{pieces:?}");
    // `parse` cuts a large document itself (its aliases would keep it whole).
    let large = large(1200, "").replace("    alias: *base\n", "");
    assert!(pieces_agree(&large, 64 * 1024).is_some_and(|n| n > 10));
    same_value(&large);
    assert!(oasgen::yaml::parse_in_pieces(&self::large(1200, ""), 64 * 1024).is_none());
}

/// Where a cut would change what the text means, the pieces do not parse or do not fit
/// together, and the text is parsed whole: the value or the error is the one-thread one.
#[test]
fn cuts_that_would_change_the_meaning_are_not_taken() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    for text in [
        // A quoted scalar, a flow collection and a plain scalar that go on at column 0.
        "a: \"x\nb: y\"\nc: 1\n".to_string(),
        "a: 'x\nb: y'\nc: 1\n".into(),
        "a: [1,\nb, 2]\nc: 1\n".into(),
        "a: {x: 1,\nb: 2}\nc: 1\n".into(),
        "a: x\nb\nc: 1\n".into(),
        // A duplicate key, at the root and inside a mapping cut into pieces.
        "a: 1\nb: 2\na: 3\n".into(),
        "p:\n  /a: 1\n  /b: 2\np:\n  /c: 3\n".into(),
        "p:\n  /a: 1\n  /b: 2\n  /a: 3\n".into(),
        "p: {}\nq: 1\np:\n  /a: 1\n  /b: 2\n".into(),
        // An alias to an anchor of an earlier piece, and one defined after its use.
        "a: &x 1\nb: *x\n".into(),
        "a: &x 1\nb:\n  c: *x\n  d: &x 2\n".into(),
        // A second document, a directive, a tag on the root.
        "a: 1\n---\nb: 2\n".into(),
        "a: 1\n...\nb: 2\n".into(),
        "%YAML 1.1\n---\na: 1\nb: 2\n".into(),
        "--- !x\na: 1\nb: 2\n".into(),
        // Nesting that reaches the limit only with the keys that lead to a piece.
        format!("a:\n  b:\n    c: {}\n    d: 1\n  e: 2\nf: 3\n", deep(126)),
        format!("a:\n  b:\n    c: {}\n    d: 1\n  e: 2\nf: 3\n", deep(125)),
        // Children less indented than the first, and a sequence among a mapping's entries.
        "p:\n    /a: 1\n  /b: 2\nq: 3\n".into(),
        "p:\n  /a: 1\n  - x\nq: 3\n".into(),
        // Block scalars that keep their trailing lines, ending where a piece ends.
        "a: |+\n  x\n\n\nb: >+\n  y\n\n# c\n\nc: |-\n  z\n".into(),
        "\u{feff}# c\na: 1\nb: 2\n".into(),
        "a: 1\r\nb:\r\n  c: 2\r\n  d: 3\r\n".into(),
    ] {
        let whole = same(&text);
        for target in [1, 4, 16] {
            if let Some((value, _)) = oasgen::yaml::parse_in_pieces(&text, target) {
                assert_eq!(Ok(value), whole, "cut at {target} bytes:\n{text}");
            }
        }
    }
    // These must fall back: cut, they would read as something else or not fail.
    for text in [
        "a: 1\nb: 2\na: 3\n",
        "p:\n  /a: 1\n  /b: 2\np:\n  /c: 3\n",
        "p: {}\nq: 1\np:\n  /a: 1\n  /b: 2\n",
        "a: 1\n...\nb: 2\n",
        "a: &x 1\nb: *x\n",
    ] {
        assert!(oasgen::yaml::parse_in_pieces(text, 1).is_none(), "{text}");
    }
    let limit = format!("a:\n  b:\n    c: {}\n    d: 1\n  e: 2\nf: 3\n", deep(126));
    assert!(oasgen::yaml::parse_in_pieces(&limit, 1).is_none());
    // Block mappings nested far past the limit are not cut level by level (on a test thread's
    // small stack), and the error is the whole parse's.
    let mut nested = String::new();
    for level in 0..600 {
        nested.push_str(&format!(
            "{}k{level}:\n{}x: 1\n",
            " ".repeat(level),
            " ".repeat(level + 1)
        ));
    }
    let whole = reference(&nested);
    assert!(whole.is_err());
    assert!(oasgen::yaml::parse_in_pieces(&nested, 1).is_none());
}

/// Mutated YAML (bytes dropped, YAML's indicators and anchors inserted) never makes the loader
/// panic, and both loaders agree on it: the same value, or the same error at the same place.
mod mutated {
    use super::*;
    use proptest::prelude::*;

    /// What mutations insert: indicators, anchors, aliases, tags, quotes, block scalar headers.
    const PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        ": ",
        "- ",
        "? ",
        " ",
        "  ",
        "\n",
        "\n  ",
        "#",
        "'",
        "\"",
        "|",
        "|-",
        ">+",
        "&a ",
        "*a",
        "&b ",
        "*b ",
        "!!int ",
        "!!str ",
        "!x ",
        "~",
        "200",
        "true",
        "1.5",
        "0x1f",
        "---\n",
        "...\n",
        "\t",
        "\\",
        "é",
        "%YAML 1.1\n",
    ];

    fn seeds() -> Vec<String> {
        let root = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run with cargo test"))
            .join("..");
        let mut out = vec![
            "a: &x {b: [1, 2, *y], c: 'q'}\n".to_string(),
            "list:\n  - &y one\n  - two: |\n      text\n    three: >-\n      more\n  - *y\n".into(),
            "k: v\n'200': {description: ok}\nn: ~\nf: 1.5e3\nt: !!str 12\n".into(),
        ];
        for file in ["specs/customer-managed.yaml", "tests/fixtures/quirks.yaml"] {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            // A slice keeps each case fast; cut at a line end.
            let lines = text.match_indices('\n').map(|(i, _)| i + 1);
            let end = lines.take_while(|&i| i <= 3000).last();
            out.push(text[..end.unwrap_or(text.len())].to_string());
        }
        out
    }

    #[derive(Debug, Clone)]
    enum Edit {
        Drop { at: usize, len: usize },
        Insert { at: usize, piece: usize },
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (any::<usize>(), 1usize..8).prop_map(|(at, len)| Edit::Drop { at, len }),
            (any::<usize>(), any::<usize>()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
        ]
    }

    fn apply(text: &mut String, edit: &Edit) {
        let boundary = |at: usize, text: &str| {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match *edit {
            Edit::Drop { at, len } => {
                let start = boundary(at, text);
                let end = boundary((start + len).min(text.len()), text);
                text.replace_range(start..end, "");
            }
            Edit::Insert { at, piece } => {
                let at = boundary(at, text);
                text.insert_str(at, PIECES[piece % PIECES.len()]);
            }
        }
    }

    thread_local! {
        static SEEDS: Vec<String> = seeds();
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 3_000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn mutated_yaml_loads_the_same(seed in any::<usize>(), edits in proptest::collection::vec(edit(), 1..5), target in 1usize..600) {
            let mut text = SEEDS.with(|s| s[seed % s.len()].clone());
            for e in &edits {
                apply(&mut text, e);
            }
            if let Some((value, _)) = oasgen::yaml::parse_in_pieces(&text, target) {
                prop_assert_eq!(Ok(value), reference(&text), "cut at {} bytes:\n{}", target, text);
            }
            let (actual, expected) = (streaming(&text), reference(&text));
            // The one place the loaders differ on purpose: an alias nested too deep.
            let too_deep = |o: &Outcome| matches!(o, Err((m, ..)) if m.starts_with("recursion limit exceeded"));
            if !(too_deep(&actual) && too_deep(&expected)) {
                prop_assert_eq!(actual, expected, "for YAML:\n{}", text);
            }
        }
    }
}

/// A document of about `kib` KiB: many mappings with every kind of scalar, anchors and aliases,
/// and a block scalar, ending with `tail`.
fn large(kib: usize, tail: &str) -> String {
    let mut text = String::from("base: &base\n  kind: shared\n  flags: [a, b]\nitems:\n");
    let mut i = 0;
    while text.len() < kib * 1024 {
        text.push_str(&format!(
            "  item{i}:\n    n: {i}\n    f: {i}.5\n    t: true\n    s: \"quoted {i}\"\n    '200': x\n    alias: *base\n    text: |\n      line {i}\n      more\n"
        ));
        i += 1;
    }
    text.push_str(tail);
    text
}

#[test]
fn large_documents_load_the_same() {
    // Far larger than libyaml's input buffer and than any spec in the repository.
    for kib in [300, 1200] {
        let v = same_value(&large(kib, ""));
        assert!(v["items"].as_object().unwrap().len() > 1000);
    }
    // Errors far into the text: syntax, duplicate key, a second document.
    let messages = [
        same_error(&large(600, "  bad: [unclosed\n")),
        same_error(&large(600, "  item0:\n    n: 1\n")),
        same_error(&large(600, "---\nsecond: 1\n")),
    ];
    assert!(messages[0].contains("line"), "{}", messages[0]);
    assert!(messages[1].contains("duplicate"), "{}", messages[1]);
    assert!(
        messages[2].contains("more than one document"),
        "{}",
        messages[2]
    );
}
