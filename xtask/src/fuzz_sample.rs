//! `cargo xtask fuzz-sample [--count N]`: mutates the fixture specs the way the property test
//! does (deterministically, from a fixed seed), keeps the first N mutants the generator accepts,
//! and proves they compile by running the corpus check over them.

use crate::mutate::{apply, Mutation};
use anyhow::{Context, Result};
use serde_json::Value;
use std::path::Path;

/// A small deterministic generator (xorshift), so runs are repeatable without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn mutation(&mut self) -> Mutation {
        let at = self.next() as usize;
        let small = self.next() as u8;
        match self.next() % 5 {
            0 => Mutation::Drop { at },
            1 => Mutation::Replace { at, with: small },
            2 => Mutation::DangleRef { at },
            3 => Mutation::RenameKey { at, name: small },
            _ => Mutation::Duplicate { at },
        }
    }
}

/// Runs the sample.
pub fn run(root: &Path, count: usize) -> Result<()> {
    let fixtures = crate::corpus::specs_in(&root.join("tests/fixtures"))?;
    let seeds: Vec<Value> = fixtures
        .iter()
        .map(|p| -> Result<Value> {
            let text = std::fs::read_to_string(p)?;
            serde_yaml::from_str(&text).with_context(|| format!("{}", p.display()))
        })
        .collect::<Result<_>>()?;
    let dir = root.join("target/fuzz-sample/specs");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let opts = oasgen::CrateOptions {
        crate_name: "mutant".into(),
        command: "cargo xtask fuzz-sample".into(),
        spec_label: "mutant.json".into(),
        runtime_dependency: "path = \"../runtime\"".into(),
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut tried, mut kept) = (0usize, 0usize);
    while kept < count && tried < count * 100 {
        tried += 1;
        let mut doc = seeds[rng.next() as usize % seeds.len()].clone();
        for _ in 0..1 + rng.next() % 3 {
            apply(&mut doc, &rng.mutation());
        }
        let text = serde_json::to_string_pretty(&doc)?;
        if oasgen::generate("mutant.json", &text, &opts).is_ok() {
            kept += 1;
            std::fs::write(dir.join(format!("mutant-{kept:03}.json")), text)?;
        }
    }
    println!("fuzz-sample: {tried} mutants generated, {kept} accepted and kept for cargo check");
    crate::corpus::run(root, &dir)
}
