//! Property test: valid specs, mutated (keys dropped, types swapped, refs dangled, odd names and
//! unicode injected), never make the generator panic; they are either generated or rejected
//! with located problems.
//!
//! Accepted mutants are also proven to compile, on a sample, by `cargo xtask fuzz-sample`.
//!
//! `cargo test` runs 500 cases; CI runs 10,000 (about 40 s in a debug build) with
//! `PROPTEST_CASES=10000 cargo test -p oasgen --test fuzz`. The seed is fixed (override it with
//! `PROPTEST_RNG_SEED`), so a failure in CI fails the same way locally with the same command.
//! A failure's case is saved to `fuzz.proptest-regressions` beside this file (proptest also
//! prints its `cc` line, for a failure seen only in a CI log); committed, it is replayed first
//! on every later run.

#[path = "../../xtask/src/mutate.rs"]
mod mutate;

use mutate::{apply, Mutation};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngAlgorithm, RngSeed};
use serde_json::Value;
use std::path::Path;

/// The fixture specs the mutations start from.
fn seeds() -> Vec<Value> {
    let dir = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run with cargo test"))
        .join("../tests/fixtures");
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        if p.extension().is_some_and(|e| e == "yaml") {
            out.push(serde_yaml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap());
        }
    }
    assert!(out.len() >= 3);
    out
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(|at| Mutation::Drop { at }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, with)| Mutation::Replace { at, with }),
        any::<usize>().prop_map(|at| Mutation::DangleRef { at }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, name)| Mutation::RenameKey { at, name }),
        any::<usize>().prop_map(|at| Mutation::Duplicate { at }),
    ]
}

fn opts() -> oasgen::CrateOptions {
    oasgen::CrateOptions {
        crate_name: "fuzz".into(),
        command: "fuzz".into(),
        spec_label: "fuzz.json".into(),
        runtime_dependency: "path = \"../runtime\"".into(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 500,
        // Today's default, named so that a change of default cannot change which cases the
        // seed and the saved failures stand for.
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(14),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_specs_never_panic(
        seed in 0usize..64,
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let seeds = SEEDS.with(|s| s.clone());
        let mut doc = seeds[seed % seeds.len()].clone();
        for m in &mutations {
            apply(&mut doc, m);
        }
        let text = serde_json::to_string(&doc).unwrap();
        // Ok or a located error; a panic fails the property.
        if let Err(e) = oasgen::generate("fuzz.json", &text, &opts()) {
            let msg = e.to_string();
            prop_assert!(!msg.is_empty());
        }
    }
}

thread_local! {
    static SEEDS: Vec<Value> = seeds();
}
