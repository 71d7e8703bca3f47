//! What the generated router checks of a request beyond types and required members, through
//! the mock of `fixtures/validation.yaml`: closed objects (`additionalProperties: false`),
//! constraints on array items, string formats, and a path parameter borrowed from a sibling
//! operation, read with its own type; where `null` is taken; the constraints of aliases, map
//! values and named arrays, and `required` names no property declares. And the mock's one
//! memory: what it deleted.

use fixture_validation::{mock::Mock, server::router};
use serde_json::{json, Value};

/// Sends `method path` with an optional JSON body to a fresh mock; returns the status and the
/// JSON body (`Null` if none).
async fn send(method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(std::sync::Arc::new(Mock::new()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut request = reqwest::Client::new().request(method, format!("{base}{path}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, body)
}

/// The `(field, type)` of each problem a `400` lists.
fn problems(body: &Value) -> Vec<(String, String)> {
    body["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details: {body}"))
        .iter()
        .map(|d| {
            let field = d["field"].as_str().unwrap().to_string();
            (field, d["type"].as_str().unwrap().to_string())
        })
        .collect()
}

async fn create(thing: Value) -> (u16, Value) {
    send(reqwest::Method::POST, "/shops/acme/things", Some(thing)).await
}

#[tokio::test]
async fn a_conforming_body_is_accepted() {
    let thing = json!({
        "name": "lamp",
        "tags": ["light", "home"],
        "links": ["https://example.com/lamp", "urn:isbn:0451450523"],
        "createdAt": "2024-02-29T12:00:00.5+01:00",
        "owner": "ann@example.com",
        "window": {"from": "2024-01-31"}
    });
    assert_eq!(create(thing).await.0, 204);
}

#[tokio::test]
async fn members_a_closed_object_does_not_declare_are_refused() {
    let (status, body) = create(json!({"name": "lamp", "size": 3})).await;
    assert_eq!(status, 400);
    assert_eq!(
        problems(&body),
        [("size".into(), "unexpected_member".into())]
    );
    let nested = json!({"name": "lamp", "window": {"from": "2024-01-01", "to": "x"}});
    let (status, body) = create(nested).await;
    assert_eq!(status, 400);
    assert_eq!(
        problems(&body),
        [("window.to".into(), "unexpected_member".into())]
    );
}

#[tokio::test]
async fn constraints_on_array_items_are_checked() {
    let (status, body) = create(json!({"name": "lamp", "tags": ["ok", "Not OK"]})).await;
    assert_eq!(status, 400);
    assert_eq!(
        problems(&body),
        [("tags[1]".into(), "pattern_mismatch".into())]
    );
    let (status, body) = create(json!({"name": "lamp", "links": ["example.com"]})).await;
    assert_eq!(status, 400);
    assert_eq!(
        problems(&body),
        [("links[0]".into(), "invalid_format".into())]
    );
    assert_eq!(body["details"][0]["message"], "must be a valid uri");
    let four = json!({"name": "lamp", "tags": ["a", "b", "c", "d"]});
    assert_eq!(
        problems(&create(four).await.1),
        [("tags".into(), "too_many_items".into())]
    );
}

#[tokio::test]
async fn string_formats_are_checked_in_bodies_and_parameters() {
    let bad = json!({
        "name": "lamp",
        "createdAt": "2024-02-30T12:00:00Z",
        "owner": "ann",
        "window": {"from": "2024-1-1"}
    });
    let (status, body) = create(bad).await;
    assert_eq!(status, 400);
    let expected = [
        ("createdAt", "invalid_format"),
        ("owner", "invalid_format"),
        ("window.from", "invalid_format"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    assert_eq!(problems(&body), expected);
    let thing = "/shops/acme/things/3fa85f64-5717-4562-b3fc-2c963f66afa6";
    let (status, _) = send(
        reqwest::Method::DELETE,
        &format!("{thing}?since=2024-01-01"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    // The operation documents `404` and no `400`: a path parameter that breaks its schema
    // names no resource.
    let (status, body) = send(reqwest::Method::DELETE, "/shops/acme/things/42", None).await;
    assert_eq!(status, 404);
    assert_eq!(
        body["message"],
        "No resource matches the request path (thingId: must be a valid uuid)."
    );
    let (status, body) = send(
        reqwest::Method::DELETE,
        &format!("{thing}?since=today"),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(problems(&body), [("since".into(), "invalid_format".into())]);
}

#[tokio::test]
async fn a_borrowed_path_parameter_keeps_its_own_type() {
    // `getThing` forgets `thingId`; it is declared as `deleteThing` declares it (a uuid string),
    // not with the type of `getThing`'s own first parameter (`verbose`, a boolean).
    let path = "/shops/acme/things/3fa85f64-5717-4562-b3fc-2c963f66afa6?verbose=true";
    let (status, body) = send(reqwest::Method::GET, path, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "string");
    let (status, body) = send(reqwest::Method::GET, "/shops/acme/things/42", None).await;
    assert_eq!(status, 404);
    assert_eq!(
        body["message"],
        "No resource matches the request path (thingId: must be a valid uuid)."
    );
}

#[tokio::test]
async fn null_is_taken_where_the_schema_allows_it() {
    let thing = json!({
        "name": "lamp",
        "note": null,
        "shade": null,
        "groups": ["a", 1, null, {"x": 1}]
    });
    assert_eq!(create(thing).await.0, 204);
    // `colour` is nullable, but its enum does not list `null`.
    let (status, body) = create(json!({"name": "lamp", "colour": null})).await;
    assert_eq!(status, 400);
    assert_eq!(problems(&body), [("colour".into(), "invalid_type".into())]);
    assert_eq!(
        create(json!({"name": "lamp", "colour": "red"})).await.0,
        204
    );
}

#[tokio::test]
async fn an_alias_keeps_the_constraints_of_its_schema() {
    // `Code` is `{type: string, pattern: ^[A-Z]{3}$}`: `code` names it by `$ref`, `currency`
    // through `allOf`.
    let good = json!({"name": "lamp", "code": "EUR", "currency": "USD"});
    assert_eq!(create(good).await.0, 204);
    let (status, body) = create(json!({"name": "lamp", "code": "eur", "currency": "EURO"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        problems(&body),
        [
            ("code".into(), "pattern_mismatch".into()),
            ("currency".into(), "pattern_mismatch".into())
        ]
    );
    // The mock's sample meets them: "ABC", not "string".
    let path = "/shops/acme/things/3fa85f64-5717-4562-b3fc-2c963f66afa6";
    let (status, body) = send(reqwest::Method::GET, path, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (&body["code"], &body["currency"]),
        (&json!("ABC"), &json!("ABC"))
    );
}

#[tokio::test]
async fn map_values_and_named_arrays_keep_their_constraints() {
    let (status, body) = create(json!({"name": "lamp", "labels": {"a": "ok", "b": "long"}})).await;
    assert_eq!(status, 400);
    assert_eq!(problems(&body), [("labels.b".into(), "too_long".into())]);
    // `Sizes`: `maxItems: 2`, `uniqueItems: true` (`1` and `1.0` are one number, as JSON Schema
    // says, but these are strings).
    assert_eq!(
        create(json!({"name": "lamp", "sizes": ["S", "M"]})).await.0,
        204
    );
    let (_, body) = create(json!({"name": "lamp", "sizes": ["S", "M", "L"]})).await;
    assert_eq!(problems(&body), [("sizes".into(), "too_many_items".into())]);
    let (_, body) = create(json!({"name": "lamp", "sizes": ["S", "S"]})).await;
    assert_eq!(
        problems(&body),
        [("sizes".into(), "duplicate_items".into())]
    );
}

#[tokio::test]
async fn a_required_name_no_property_declares_is_still_required() {
    // `contact` requires `email` but declares only `emails`.
    let (status, body) = create(json!({"name": "lamp", "contact": {"emails": ["a@b.c"]}})).await;
    assert_eq!(status, 400);
    assert_eq!(
        problems(&body),
        [("contact.email".into(), "missing_value".into())]
    );
    let contact = json!({"emails": [], "email": "a@b.c"});
    assert_eq!(
        create(json!({"name": "lamp", "contact": contact})).await.0,
        204
    );
    // The model has a field for it, so what the mock answers (through the typed response)
    // carries the member too.
    let contact = fixture_validation::models::ThingContact {
        emails: None,
        email: json!("a@b.c"),
    };
    assert_eq!(serde_json::to_value(&contact).unwrap()["email"], "a@b.c");
    let path = "/shops/acme/things/3fa85f64-5717-4562-b3fc-2c963f66afa6";
    let (status, body) = send(reqwest::Method::GET, path, None).await;
    assert_eq!(status, 200);
    assert!(body["contact"].get("email").is_some(), "{body}");
}

#[tokio::test]
async fn untyped_schemas_take_what_json_schema_gives_them() {
    // Items `{type: string, allOf: [{}]}` are strings; `meta` has `properties` but no `type`,
    // so `null` is one of its values.
    let thing = json!({"name": "lamp", "groupIds": ["a", "b"], "meta": null});
    assert_eq!(create(thing).await.0, 204);
    let (status, body) = create(json!({"name": "lamp", "groupIds": [{}]})).await;
    assert_eq!(status, 400);
    assert_eq!(
        problems(&body),
        [("groupIds[0]".into(), "invalid_type".into())]
    );
}

#[tokio::test]
async fn the_mock_answers_404_for_what_it_deleted_until_a_creation_there() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(std::sync::Arc::new(Mock::new()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    let one = format!("{base}/shops/acme/things/3fa85f64-5717-4562-b3fc-2c963f66afa6");
    let other = format!("{base}/shops/acme/things/00000000-0000-0000-0000-000000000000");
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(http.get(&one).send().await.unwrap()), 200);
    assert_eq!(status(http.delete(&one).send().await.unwrap()), 204);
    let gone = http.get(&one).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(
        gone.json::<Value>().await.unwrap(),
        json!({"message": "no such thing"})
    );
    assert_eq!(status(http.delete(&one).send().await.unwrap()), 404);
    // Only that path: the query does not matter, another thing is still there.
    assert_eq!(
        status(
            http.get(format!("{one}?verbose=true"))
                .send()
                .await
                .unwrap()
        ),
        404
    );
    assert_eq!(status(http.get(&other).send().await.unwrap()), 200);
    let create = |shop: &str| {
        http.post(format!("{base}/shops/{shop}/things"))
            .json(&json!({"name": "lamp"}))
            .send()
    };
    // A creation in another shop's collection brings nothing back here...
    assert_eq!(status(create("other").await.unwrap()), 204);
    assert_eq!(status(http.get(&one).send().await.unwrap()), 404);
    // ...nor can one be made under the deleted thing (`addNote` documents `404`)...
    let note = || http.post(format!("{one}/notes")).send();
    assert_eq!(status(note().await.unwrap()), 404);
    // ...one in this collection may have made the thing again.
    assert_eq!(status(create("acme").await.unwrap()), 204);
    assert_eq!(status(http.get(&one).send().await.unwrap()), 200);
    assert_eq!(status(note().await.unwrap()), 201);
}

#[tokio::test]
async fn a_property_two_all_of_members_declare_must_fit_both() {
    // `LineFee.price` is `Price` (net and gross required) in one member and an object adding
    // `currency` in the other.
    let fee = json!({"price": {"net": 1.0, "currency": "EUR"}});
    let (status, body) = create(json!({"name": "lamp", "fee": fee})).await;
    assert_eq!(status, 400);
    assert_eq!(
        problems(&body),
        [("fee.price.gross".into(), "missing_value".into())]
    );
    let fee = json!({"price": {"net": 1.0, "gross": 1.19, "currency": "EUR"}});
    assert_eq!(create(json!({"name": "lamp", "fee": fee})).await.0, 204);
    // The model has every member of both.
    let price = fixture_validation::models::LineFeePrice {
        net: 1.0,
        gross: 1.19,
        currency: Some("EUR".into()),
    };
    assert_eq!(serde_json::to_value(&price).unwrap()["gross"], 1.19);
    // `notes` is an array in one member and an object in the other: no value fits both, so
    // the mock leaves it out; the router takes the array the model reads.
    let path = "/shops/acme/things/3fa85f64-5717-4562-b3fc-2c963f66afa6";
    let (status, body) = send(reqwest::Method::GET, path, None).await;
    assert_eq!(status, 200);
    assert!(body["fee"]["price"].is_object(), "{body}");
    assert!(body["fee"].get("notes").is_none(), "{body}");
    assert!(body["fee"].get("extra").is_none(), "{body}");
    let fee = json!({"notes": ["late"]});
    assert_eq!(create(json!({"name": "lamp", "fee": fee})).await.0, 204);
    // `tax` takes `null` in its untyped declaration only: not in both, so refused.
    let (status, body) = create(json!({"name": "lamp", "fee": {"tax": null}})).await;
    assert_eq!(status, 400);
    assert_eq!(problems(&body), [("fee.tax".into(), "invalid_type".into())]);
    let fee = json!({"tax": {"net": 1.0, "gross": 1.19, "rate": 0.19}});
    assert_eq!(create(json!({"name": "lamp", "fee": fee})).await.0, 204);
}
