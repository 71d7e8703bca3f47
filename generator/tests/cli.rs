//! The `oasgen` command line: its help explains every option, its errors say what to do, and
//! a regeneration prints what it changes in the crate's API.

use std::path::PathBuf;
use std::process::{Command, Output};

fn oasgen(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oasgen"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oasgen-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SPEC: &str = "openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: The pet.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string}
";

#[test]
fn help_explains_every_option_and_has_examples() {
    let out = oasgen(&["--help".as_ref()]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    let lines: Vec<&str> = help.lines().collect();
    let mut options = 0;
    for (i, line) in lines.iter().enumerate() {
        let item = line.trim_start();
        let indented = line.len() > item.len();
        if indented && (item.starts_with('-') || item.starts_with('<')) {
            options += 1;
            // Long help puts the explanation on the next line.
            let explanation = lines.get(i + 1).map_or("", |l| l.trim());
            assert!(
                explanation.len() > 10,
                "option `{item}` is not explained in --help:\n{help}"
            );
        }
    }
    // SPEC, --out, --check, --crate-name, --runtime-path, --command-label, --quiet, --help,
    // --version.
    assert!(options >= 9, "options went missing from --help:\n{help}");
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("Exit status"), "{help}");
}

#[test]
fn a_missing_spec_names_the_path_and_what_is_expected() {
    let dir = scratch("missing");
    let spec = dir.join("nope.yaml");
    let out = oasgen(&[
        spec.as_os_str(),
        "--out".as_ref(),
        dir.join("out").as_os_str(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nope.yaml"), "{stderr}");
    assert!(stderr.contains("OpenAPI 3.0 document"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_out_that_is_a_file_is_refused() {
    let dir = scratch("outfile");
    let spec = dir.join("pets.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    let file = dir.join("file");
    std::fs::write(&file, "mine").unwrap();
    let out = oasgen(&[spec.as_os_str(), "--out".as_ref(), file.as_os_str()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is a file"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_foreign_out_directory_is_refused_with_advice() {
    let dir = scratch("foreign");
    let spec = dir.join("pets.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("notes.txt"), "mine").unwrap();
    let out = oasgen(&[
        spec.as_os_str(),
        "--out".as_ref(),
        out_dir.as_os_str(),
        "--runtime-path".as_ref(),
        "../runtime".as_ref(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("notes.txt"), "{stderr}");
    assert!(
        stderr.contains("choose an empty or generated directory"),
        "{stderr}"
    );
    assert!(
        !text(&out.stdout).contains("API change"),
        "{}",
        text(&out.stdout)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn regeneration_and_check_print_the_api_change() {
    let dir = scratch("apidiff");
    let spec = dir.join("pets.yaml");
    let out_dir = dir.join("out");
    let args = [
        spec.as_os_str(),
        "--out".as_ref(),
        out_dir.as_os_str(),
        "--runtime-path".as_ref(),
        "../runtime".as_ref(),
    ];
    let check = [args.as_slice(), &["--check".as_ref()]].concat();
    std::fs::write(&spec, SPEC).unwrap();
    assert!(oasgen(&args).status.success());

    // A new required property: breaking.
    let changed = SPEC.replace(
        "      properties:\n",
        "      required: [tag]\n      properties:\n        tag: {type: string}\n",
    );
    std::fs::write(&spec, changed).unwrap();
    let out = oasgen(&check);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("API change: breaking"), "{stderr}");
    assert!(
        stderr.contains("type `Pet`: required field `tag` added"),
        "{stderr}"
    );
    assert!(stderr.contains("without --check"), "{stderr}");

    let out = oasgen(&args);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("required field `tag` added"), "{stdout}");
    assert!(oasgen(&check).status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A scratch cargo workspace whose member `rt` is a stand-in `oasgen-runtime`.
fn workspace_with_runtime(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"rt\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("rt/src")).unwrap();
    std::fs::write(
        dir.join("rt/Cargo.toml"),
        "[package]\nname = \"oasgen-runtime\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("rt/src/lib.rs"), "").unwrap();
    std::fs::write(dir.join("pets.yaml"), SPEC).unwrap();
    dir
}

#[test]
fn the_default_runtime_path_is_the_workspace_runtime() {
    let dir = workspace_with_runtime("runtime-default");
    let out_dir = dir.join("crates/pets");
    let args = [
        dir.join("pets.yaml").into_os_string(),
        "--out".into(),
        out_dir.clone().into_os_string(),
    ];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    // Twice: the second time DIR is a crate that is not a workspace member.
    for _ in 0..2 {
        let out = oasgen(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let manifest = std::fs::read_to_string(out_dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("oasgen-runtime = { path = \"../../rt\" }"),
            "{manifest}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn outside_a_workspace_with_the_runtime_the_runtime_path_is_asked_for() {
    let dir = workspace_with_runtime("runtime-missing");
    std::fs::remove_dir_all(dir.join("rt")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nresolver = \"2\"\n").unwrap();
    let nowhere = scratch("runtime-nowhere");
    for out_dir in [dir.join("api"), nowhere.join("api")] {
        let out = oasgen(&[
            dir.join("pets.yaml").as_os_str(),
            "--out".as_ref(),
            out_dir.as_os_str(),
        ]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("pass --runtime-path PATH"), "{stderr}");
        assert!(!out_dir.exists(), "nothing is written");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&nowhere).unwrap();
}
