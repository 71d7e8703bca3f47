//! Every JSON sample of the seed documents, and every example in the spec, deserializes into
//! its generated model and serializes back to equal JSON.

use customer_managed::models;
use serde_json::Value;

/// Round-trips `value` through the model called `schema` (a `Vec` of it for arrays).
fn round_trip(schema: &str, value: &Value) -> Result<Value, String> {
    macro_rules! dispatch {
        ($($name:ident),* $(,)?) => {
            match schema {
                $(stringify!($name) => {
                    if value.is_array() {
                        let typed: Vec<models::$name> = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
                        serde_json::to_value(typed).map_err(|e| e.to_string())
                    } else {
                        let typed: models::$name = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
                        serde_json::to_value(typed).map_err(|e| e.to_string())
                    }
                })*
                other => Err(format!("no model named {other}")),
            }
        };
    }
    dispatch!(
        Address,
        AnonymousToken,
        B2bProperties,
        ChangeEmailRequestDto,
        Customer,
        CustomerAccount,
        CustomerLoginResponse,
        CustomerSignup,
        CustomerToken,
        CustomerUpdateDto,
        DefaultDtoMetadata,
        ErrorDetail,
        ErrorMessage,
        Fault,
        FaultDetail,
        IdResponse,
        LegalEntity,
        PasswordAuthentication,
        PasswordChangeDto,
        PasswordResetRequestDto,
        PasswordUpdate,
        ResendActivationRequest,
        SocialLoginRequest,
        SocialLoginResponse,
        TokenValidationResponse,
        Unauthorized,
        UpdateEmail,
    )
}

#[test]
fn seed_samples_round_trip() {
    let dir = oasgen_tests::package_dir().join("fixtures/seed-samples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let schema = name.split("--").next().unwrap();
        let value: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        match round_trip(schema, &value) {
            Ok(back) if back == value => {}
            Ok(back) => failures.push(format!("{name}: round trip changed it to {back}")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        files.len() >= 40,
        "seed samples went missing: {}",
        files.len()
    );
    println!("{} seed samples round-tripped", files.len());
}

/// Every `examples` entry of a media type whose schema is a component `$ref` (or an array of
/// one) round-trips through that component's model.
#[test]
fn spec_examples_round_trip() {
    let spec = oasgen_tests::package_dir().join("../specs/customer-managed.yaml");
    let doc: Value = serde_yaml::from_str(&std::fs::read_to_string(spec).unwrap()).unwrap();
    let mut media_types = Vec::new();
    collect_media_types(&doc, &mut media_types);
    let mut checked = 0;
    let mut failures = Vec::new();
    for media in media_types {
        let Some(schema) = component_of(&doc, &media["schema"]) else {
            continue;
        };
        let Some(examples) = media.get("examples").and_then(Value::as_object) else {
            continue;
        };
        for (name, example) in examples {
            let value = &example["value"];
            checked += 1;
            match round_trip(&schema, value) {
                Ok(back) if &back == value => {}
                Ok(back) => failures.push(format!("{schema}/{name}: became {back}")),
                Err(e) => failures.push(format!("{schema}/{name}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 30, "only {checked} examples found");
    println!("{checked} spec examples round-tripped");
}

fn collect_media_types(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(map) => {
            if map.contains_key("schema") && map.contains_key("examples") {
                out.push(v.clone());
            }
            map.values().for_each(|c| collect_media_types(c, out));
        }
        Value::Array(items) => items.iter().for_each(|c| collect_media_types(c, out)),
        _ => {}
    }
}

/// The component name behind a schema (`$ref`, or array of `$ref`).
fn component_of(doc: &Value, schema: &Value) -> Option<String> {
    let reference = schema
        .get("$ref")
        .or_else(|| schema.get("items").and_then(|i| i.get("$ref")))?
        .as_str()?;
    let _ = doc;
    reference
        .strip_prefix("#/components/schemas/")
        .map(str::to_string)
}
