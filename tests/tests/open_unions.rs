//! Unions are open: a value that no alternative of a `oneOf`/`anyOf` takes, or whose
//! discriminator this version of the spec does not know, decodes into `Other` with the value as
//! received, and serializes back unchanged (the types of `fixtures/composition.yaml`).

use fixture_composition::models::{Cat, CatOrDog, IdOrCount, Pet};
use serde_json::{json, Value};

/// Decodes `value` as `T`, and checks that it serializes back to the same JSON.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: &Value) -> T {
    let decoded: T = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(&serde_json::to_value(&decoded).unwrap(), value);
    decoded
}

#[test]
fn an_unknown_discriminator_value_is_kept() {
    let bird = json!({"petType": "bird", "wings": 2, "song": {"notes": ["a", "c"]}});
    assert_eq!(round_trip::<Pet>(&bird), Pet::Other(bird.clone()));
    // Without the discriminator, too.
    let stray = json!({"lives": 9});
    assert_eq!(round_trip::<Pet>(&stray), Pet::Other(stray.clone()));
    // A known one still selects its alternative, and a malformed known one is an error.
    let cat = json!({"petType": "cat", "lives": 7});
    let expected = Cat {
        pet_type: "cat".into(),
        lives: Some(7),
    };
    assert_eq!(round_trip::<Pet>(&cat), Pet::Cat(expected));
    let bad = json!({"petType": "cat", "lives": "seven"});
    assert!(serde_json::from_value::<Pet>(bad).is_err());
}

#[test]
fn a_value_matching_no_alternative_is_kept() {
    let neither = json!({"name": "Rex"});
    assert_eq!(
        round_trip::<CatOrDog>(&neither),
        CatOrDog::Other(neither.clone())
    );
    assert_eq!(
        round_trip::<IdOrCount>(&json!(true)),
        IdOrCount::Other(json!(true))
    );
    let list = json!([1, "two", null]);
    assert_eq!(
        round_trip::<IdOrCount>(&list),
        IdOrCount::Other(list.clone())
    );
    // What an alternative takes still goes to it.
    assert_eq!(
        round_trip::<IdOrCount>(&json!("a-1")),
        IdOrCount::String("a-1".into())
    );
    assert_eq!(round_trip::<IdOrCount>(&json!(42)), IdOrCount::Integer(42));
    assert!(matches!(
        round_trip::<CatOrDog>(&json!({"petType": "cat", "lives": 1})),
        CatOrDog::Cat(c) if c.lives == Some(1)
    ));
}

#[test]
fn an_unknown_value_inside_a_list_keeps_its_neighbours_typed() {
    let pets = json!([{"petType": "dog", "barks": false}, {"petType": "axolotl"}]);
    let decoded = round_trip::<Vec<Pet>>(&pets);
    assert!(matches!(&decoded[0], Pet::Dog(d) if d.barks == Some(false)));
    assert_eq!(decoded[1], Pet::Other(json!({"petType": "axolotl"})));
}

/// The router's status for `POST /pets` with `body`, served by the mock.
async fn add_pet(body: Value) -> u16 {
    use fixture_composition::{mock::Mock, server::router};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(std::sync::Arc::new(Mock::new()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let response = reqwest::Client::new()
        .post(format!("{base}/pets"))
        .json(&body)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn the_server_still_refuses_a_request_body_it_does_not_know() {
    assert_eq!(add_pet(json!({"petType": "cat", "lives": 9})).await, 204);
    assert_eq!(add_pet(json!({"petType": "bird"})).await, 400);
    assert_eq!(add_pet(json!({"lives": 9})).await, 400);
    assert_eq!(add_pet(json!("cat")).await, 400);
}
