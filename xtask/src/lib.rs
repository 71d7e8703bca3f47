//! Project automation behind `cargo xtask`; the library half exists so tests can drive the
//! same code paths (e.g. `codegen --check`) that users and CI run.

pub mod bench;
pub mod codegen;
pub mod conformance;
pub mod corpus;
pub mod fuzz_sample;
pub mod mock;
pub mod mutate;
pub mod root;
pub mod serve;
