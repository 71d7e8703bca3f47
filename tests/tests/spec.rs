//! The spec is valid OpenAPI 3.0 according to a real validator (`openapi-spec-validator`, which
//! `scripts/validate-spec.sh` installs into `target/pyenv`), and its examples match their schemas.

use std::process::Command;

#[test]
fn spec_passes_openapi_spec_validator() {
    let script = oasgen_tests::package_dir().join("../scripts/validate-spec.sh");
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .expect("bash runs scripts/validate-spec.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "validate-spec.sh failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("OK"), "no validator verdict in:\n{stdout}");
}
