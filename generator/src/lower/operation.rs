//! Paths and operations -> [`ir::Operation`]s, and security schemes.

use super::Lowerer;
use crate::error::push_pointer;
use crate::ir::{self, BodyEncoding, ParamLocation, StatusSpec, TypeExpr};
use crate::naming;
use openapiv3::{
    Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response, SecurityScheme,
    StatusCode,
};
use std::borrow::Cow;
use std::collections::BTreeMap;

impl Lowerer<'_> {
    pub(super) fn lower_security_schemes(&mut self) -> Vec<ir::SecurityScheme> {
        let Some(components) = self.doc.components.as_ref() else {
            return Vec::new();
        };
        let mut scope = naming::Scope::new();
        let mut out = Vec::new();
        for (name, scheme) in &components.security_schemes {
            let ptr = push_pointer("#/components/securitySchemes", name);
            let scheme = match scheme {
                ReferenceOr::Item(s) => s.clone(),
                ReferenceOr::Reference { reference } => {
                    match self.resolve::<SecurityScheme>(reference) {
                        Some(Ok(s)) => s.into_owned(),
                        _ => {
                            self.problem(
                                &ptr,
                                format!("$ref `{reference}` is not a security scheme"),
                            );
                            continue;
                        }
                    }
                }
            };
            let (kind, description) = match &scheme {
                SecurityScheme::HTTP {
                    scheme,
                    description,
                    ..
                } if scheme.eq_ignore_ascii_case("basic") => (ir::SchemeKind::Basic, description),
                SecurityScheme::HTTP {
                    scheme,
                    description,
                    ..
                } => {
                    if !scheme.eq_ignore_ascii_case("bearer") {
                        self.warn(
                            &ptr,
                            format!("http scheme `{scheme}` is sent as a bearer token"),
                        );
                    }
                    (ir::SchemeKind::Bearer, description)
                }
                SecurityScheme::OAuth2 { description, .. }
                | SecurityScheme::OpenIDConnect { description, .. } => {
                    (ir::SchemeKind::Bearer, description)
                }
                SecurityScheme::APIKey {
                    location,
                    name,
                    description,
                    ..
                } => {
                    let location = match location {
                        openapiv3::APIKeyLocation::Query => ParamLocation::Query,
                        openapiv3::APIKeyLocation::Header => ParamLocation::Header,
                        openapiv3::APIKeyLocation::Cookie => ParamLocation::Cookie,
                    };
                    (
                        ir::SchemeKind::ApiKey {
                            location,
                            name: name.clone(),
                        },
                        description,
                    )
                }
            };
            let flows = match &scheme {
                SecurityScheme::OAuth2 { flows, .. } => oauth_flows(flows),
                _ => Vec::new(),
            };
            out.push(ir::SecurityScheme {
                name: name.clone(),
                ident: scope.claim(&naming::type_name(name, "Scheme")),
                kind,
                flows,
                docs: ir::Docs {
                    title: None,
                    description: description.clone(),
                },
            });
        }
        out
    }

    pub(super) fn lower_operations(
        &mut self,
        schemes: &mut Vec<ir::SecurityScheme>,
    ) -> Vec<ir::Operation> {
        let names = self.operation_names();
        let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
        let mut out = Vec::new();
        for (path, item) in self.doc.paths.paths.iter() {
            let item_ptr = push_pointer("#/paths", path);
            let item = match item {
                ReferenceOr::Item(i) => i,
                ReferenceOr::Reference { .. } => {
                    self.problem(&item_ptr, "a $ref path item is not supported; inline it");
                    continue;
                }
            };
            for (method, op) in item.iter() {
                let op_ptr = push_pointer(&item_ptr, method);
                let operation_id = match &op.operation_id {
                    Some(id) if !id.trim().is_empty() => {
                        if let Some(first) = seen_ids.get(id) {
                            self.problem(
                                &op_ptr,
                                format!("duplicate operationId `{id}` (first used at {first})"),
                            );
                        }
                        seen_ids.insert(id.clone(), op_ptr.clone());
                        id.clone()
                    }
                    _ => format!("{method} {path}"),
                };
                let (fn_name, type_stem) = names[&op_ptr].clone();
                let method = parse_method(method);
                let requirements = op.security.as_ref().or(self.doc.security.as_ref());
                let security = self.lower_security(requirements, schemes, &op_ptr);
                let sources = ParamSources {
                    item: &item.parameters,
                    op: &op.parameters,
                    item_ptr: &item_ptr,
                    op_ptr: &op_ptr,
                    authorization_by: authorization_scheme(&security, schemes),
                    first: 0,
                };
                let mut params = self.lower_params(&sources, &type_stem);
                let at = (item_ptr.as_str(), op_ptr.as_str());
                self.add_missing_path_params(path, item, &mut params, &type_stem, at);
                let path_segments = self.path_segments(path, &params, &op_ptr);
                let body = op.request_body.as_ref().and_then(|b| {
                    self.lower_body(b, &type_stem, &push_pointer(&op_ptr, "requestBody"))
                });
                let responses = self.lower_responses(
                    &op.responses,
                    &type_stem,
                    &push_pointer(&op_ptr, "responses"),
                );
                out.push(ir::Operation {
                    operation_id,
                    fn_name,
                    type_stem,
                    method,
                    path: path.clone(),
                    path_segments,
                    docs: ir::Docs {
                        title: op.summary.clone().filter(|s| !s.trim().is_empty()),
                        description: op.description.clone().filter(|s| !s.trim().is_empty()),
                    },
                    tags: op.tags.clone(),
                    deprecated: op.deprecated,
                    params,
                    body,
                    responses,
                    security,
                    pointer: op_ptr,
                    bad_request: None,
                    not_found: None,
                });
            }
        }
        self.warn_same_shaped_paths(&out);
        out
    }

    /// Each operation's method name and type stem, by its pointer. Names are claimed in the
    /// order of the operations' pointers, not of the spec, so that reordering paths or adding
    /// an operation changes no other operation's names (only one that collides with it).
    fn operation_names(&self) -> BTreeMap<String, (String, String)> {
        let mut words = BTreeMap::new();
        for (path, item) in self.doc.paths.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            let item_ptr = push_pointer("#/paths", path);
            for (method, op) in item.iter() {
                let id = match &op.operation_id {
                    Some(id) if !id.trim().is_empty() => id.clone(),
                    _ => format!("{method} {path}"),
                };
                words.insert(
                    push_pointer(&item_ptr, method),
                    operation_words(&id, method),
                );
            }
        }
        let mut fn_scope = naming::Scope::new();
        let mut type_scope = naming::Scope::new();
        words
            .into_iter()
            .map(|(ptr, words)| {
                let fn_name = fn_scope.claim(&naming::snake_name(&words, "operation"));
                let type_stem = type_scope.claim(&naming::type_name(&words, "Operation"));
                (ptr, (fn_name, type_stem))
            })
            .collect()
    }

    /// Paths that differ only in their parameters' names are the same path (OpenAPI forbids
    /// them; real specs have them): the server serves them as the first, with each operation's
    /// parameters read by position.
    fn warn_same_shaped_paths(&mut self, ops: &[ir::Operation]) {
        let mut first: BTreeMap<String, &str> = BTreeMap::new();
        let mut warned = std::collections::BTreeSet::new();
        for op in ops {
            let path = first.entry(op.path_shape()).or_insert(&op.path);
            if *path != op.path && warned.insert(op.path.clone()) {
                let message = format!(
                    "differs from `{path}` only in its parameters' names, which makes them the same path; the server serves both as `{path}`"
                );
                self.warn(&push_pointer("#/paths", &op.path), message);
            }
        }
    }

    /// What becomes of a header parameter OpenAPI says to ignore (`Accept`, `Content-Type`,
    /// `Authorization`): `Some(false)` when it is dropped, `Some(true)` when it is an
    /// `Authorization` kept as a secret parameter because no security scheme of the operation
    /// sends that header (a real-world pattern: `security: []` beside a required
    /// `Authorization` parameter, which would otherwise make the operation uncallable), `None`
    /// for any other parameter. Both outcomes are warned about at the parameter's place.
    fn header_credential(
        &mut self,
        location: ParamLocation,
        name: &str,
        sources: &ParamSources<'_>,
        ptr: &str,
    ) -> Option<bool> {
        let lower = name.to_ascii_lowercase();
        if location != ParamLocation::Header
            || !["accept", "content-type", "authorization"].contains(&lower.as_str())
        {
            return None;
        }
        if lower != "authorization" {
            self.warn(
                ptr,
                format!("header parameter `{name}` is ignored, as OpenAPI specifies"),
            );
            return Some(false);
        }
        match &sources.authorization_by {
            Some(scheme) => {
                let message = format!(
                    "header parameter `{name}` is ignored, as OpenAPI specifies: the security scheme `{scheme}` sends it"
                );
                self.warn(ptr, message);
                Some(false)
            }
            None => {
                let message = format!(
                    "header parameter `{name}` is kept as a secret parameter (OpenAPI says to ignore it): no security scheme of the operation sends it, so the client takes it as an argument and the server passes it on"
                );
                self.warn(ptr, message);
                Some(true)
            }
        }
    }

    fn resolve_param(&mut self, p: &ReferenceOr<Parameter>, ptr: &str) -> Option<Parameter> {
        match p {
            ReferenceOr::Item(p) => Some(p.clone()),
            ReferenceOr::Reference { reference } => {
                self.resolve_or_report(reference, ptr, "parameter")
            }
        }
    }

    fn lower_params(&mut self, sources: &ParamSources<'_>, stem: &str) -> Vec<ir::Parameter> {
        // Path-item parameters first; an operation parameter with the same name and location
        // replaces one (OpenAPI 3.0, Path Item Object).
        // Each with its pointer and the component it comes from, if it is a `$ref`.
        let mut merged: Vec<(Parameter, String, Option<String>)> = Vec::new();
        let lists = [
            (sources.item, sources.item_ptr),
            (sources.op, sources.op_ptr),
        ];
        for (params, base) in lists {
            for (i, p) in params.iter().enumerate() {
                let i = sources.first + i;
                let ptr = push_pointer(&push_pointer(base, "parameters"), &i.to_string());
                let reference = match p {
                    ReferenceOr::Reference { reference } => Some(reference.clone()),
                    ReferenceOr::Item(_) => None,
                };
                let Some(p) = self.resolve_param(p, &ptr) else {
                    continue;
                };
                let key = (location_of(&p), p.parameter_data_ref().name.clone());
                if let Some(slot) = merged
                    .iter_mut()
                    .find(|(q, ..)| (location_of(q), q.parameter_data_ref().name.clone()) == key)
                {
                    *slot = (p, ptr, reference);
                } else {
                    merged.push((p, ptr, reference));
                }
            }
        }
        let mut scope = naming::Scope::with_reserved(RESERVED_PARAM_NAMES);
        let mut out = Vec::new();
        for (p, ptr, reference) in merged {
            let location = location_of(&p);
            let data = p.parameter_data_ref();
            let credential = self.header_credential(location, &data.name, sources, &ptr);
            if credential == Some(false) {
                continue;
            }
            // A shared parameter is one type, named after its component.
            let (hint, schema_ptr) = match &reference {
                Some(r) => (component_hint(r), r.clone()),
                None => (vec![stem.to_string(), data.name.clone()], ptr.clone()),
            };
            let (ty, schema) = self.lower_param_schema(&data.format, &hint, &schema_ptr);
            // A `$ref`'d schema's constraints are its named type's, checked wherever it is used.
            let referenced = matches!(
                &data.format,
                ParameterSchemaOrContent::Schema(ReferenceOr::Reference { .. })
            );
            let constraints = match &schema {
                Some(schema) if !referenced => super::schema::constraints_of(schema),
                _ => ir::Constraints::default(),
            };
            let explode = match &p {
                Parameter::Query { parameter_data, .. }
                | Parameter::Cookie { parameter_data, .. } => {
                    parameter_data.explode.unwrap_or(true)
                }
                Parameter::Path { parameter_data, .. }
                | Parameter::Header { parameter_data, .. } => {
                    parameter_data.explode.unwrap_or(false)
                }
            };
            if location == ParamLocation::Path && !data.required {
                self.warn(
                    &ptr,
                    "path parameter without `required: true`; treated as required",
                );
            }
            out.push(ir::Parameter {
                name: data.name.clone(),
                ident: scope.claim(&naming::snake_name(&data.name, "param")),
                location,
                required: data.required || location == ParamLocation::Path,
                secret: credential == Some(true) || naming::is_secret_name(&data.name),
                docs: ir::Docs {
                    title: None,
                    description: data.description.clone().filter(|d| !d.trim().is_empty()),
                },
                deprecated: data.deprecated.unwrap_or(false),
                default: schema.as_ref().and_then(|s| s.schema_data.default.clone()),
                constraints,
                explode,
                ty,
            });
        }
        out
    }

    /// The type of a parameter or header, and its schema when it has one (for constraints
    /// and defaults); a `content` form takes its first media type's schema.
    fn lower_param_schema(
        &mut self,
        format: &ParameterSchemaOrContent,
        hint: &[String],
        ptr: &str,
    ) -> (TypeExpr, Option<openapiv3::Schema>) {
        match format {
            ParameterSchemaOrContent::Schema(s) => {
                let ty = self.lower_schema_ref(s, hint, &push_pointer(ptr, "schema"));
                (ty, self.schema_behind(s).map(Cow::into_owned))
            }
            ParameterSchemaOrContent::Content(content) => match content.first() {
                Some((media, m)) => {
                    let media_ptr = push_pointer(&push_pointer(ptr, "content"), media);
                    let ty = match &m.schema {
                        Some(s) => {
                            self.lower_schema_ref(s, hint, &push_pointer(&media_ptr, "schema"))
                        }
                        None => TypeExpr::String,
                    };
                    (ty, None)
                }
                None => (TypeExpr::String, None),
            },
        }
    }

    /// The documented example: `example`, else the first of `examples`, else the schema's.
    fn documented_example(
        &self,
        example: &Option<serde_json::Value>,
        examples: &indexmap::IndexMap<String, ReferenceOr<openapiv3::Example>>,
        schema: Option<&ReferenceOr<openapiv3::Schema>>,
    ) -> Option<serde_json::Value> {
        example.clone().or_else(|| {
            let first = examples.values().find_map(|e| match e {
                ReferenceOr::Item(e) => e.value.clone(),
                ReferenceOr::Reference { reference } => self
                    .resolve::<openapiv3::Example>(reference)?
                    .ok()?
                    .value
                    .clone(),
            });
            first.or_else(|| self.schema_behind(schema?)?.schema_data.example.clone())
        })
    }

    /// The headers a response declares, in spec order, `Content-Type` left out.
    fn lower_response_headers(
        &mut self,
        headers: &indexmap::IndexMap<String, ReferenceOr<openapiv3::Header>>,
        hint: &[String],
        ptr: &str,
    ) -> Vec<ir::ResponseHeader> {
        let mut scope = naming::Scope::new();
        let mut out = Vec::new();
        for (name, h) in headers {
            let hptr = push_pointer(&push_pointer(ptr, "headers"), name);
            if name.eq_ignore_ascii_case("content-type") {
                self.warn(
                    &hptr,
                    "response header `Content-Type` is ignored, as OpenAPI specifies",
                );
                continue;
            }
            let (header, hptr, hint) = match h {
                ReferenceOr::Item(h) => (h.clone(), hptr, super::schema::extend(hint, name)),
                ReferenceOr::Reference { reference } => {
                    let Some(h) =
                        self.resolve_or_report::<openapiv3::Header>(reference, &hptr, "header")
                    else {
                        continue;
                    };
                    (h, reference.clone(), component_hint(reference))
                }
            };
            let (ty, schema) = self.lower_param_schema(&header.format, &hint, &hptr);
            let schema_ref = match &header.format {
                ParameterSchemaOrContent::Schema(s) => Some(s),
                ParameterSchemaOrContent::Content(_) => None,
            };
            out.push(ir::ResponseHeader {
                name: name.clone(),
                ident: scope.claim(&naming::snake_name(name, "header")),
                ty,
                required: header.required,
                secret: naming::is_secret_name(name),
                docs: ir::Docs {
                    title: None,
                    description: header.description.clone().filter(|d| !d.trim().is_empty()),
                },
                deprecated: header.deprecated.unwrap_or(false),
                constraints: schema
                    .as_ref()
                    .map(super::schema::constraints_of)
                    .unwrap_or_default(),
                example: self.documented_example(&header.example, &header.examples, schema_ref),
                sample: None,
            });
        }
        out
    }

    /// Declares the template variables an operation forgot to declare (a real-world quirk):
    /// with the declaration a sibling operation of the same path gives, or as a string. The
    /// sibling's parameter is lowered at its own pointer, so that its schema is its own (types
    /// are keyed by pointer). `at` is the pointers of the path item and of the operation.
    fn add_missing_path_params(
        &mut self,
        path: &str,
        item: &openapiv3::PathItem,
        params: &mut Vec<ir::Parameter>,
        stem: &str,
        (item_ptr, op_ptr): (&str, &str),
    ) {
        for name in template_names(path) {
            if params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.name == name)
            {
                continue;
            }
            let sibling = item.iter().find_map(|(method, op)| {
                let found = op.parameters.iter().position(|p| match p {
                    ReferenceOr::Item(p) => {
                        location_of(p) == ParamLocation::Path && p.parameter_data_ref().name == name
                    }
                    ReferenceOr::Reference { reference } => self
                        .resolve_raw(reference)
                        .is_some_and(|raw| raw["in"] == "path" && raw["name"] == name.as_str()),
                });
                found.map(|i| (push_pointer(item_ptr, method), &op.parameters[i..=i], i))
            });
            let mut lowered = match &sibling {
                Some((ptr, p, i)) => {
                    let sources = ParamSources {
                        item: &[],
                        op: p,
                        item_ptr: ptr,
                        op_ptr: ptr,
                        authorization_by: None,
                        first: *i,
                    };
                    self.lower_params(&sources, stem)
                }
                None => Vec::new(),
            };
            let mut param = lowered.pop().unwrap_or_else(|| ir::Parameter {
                name: name.clone(),
                ident: String::new(),
                location: ParamLocation::Path,
                required: true,
                ty: TypeExpr::String,
                docs: ir::Docs::default(),
                deprecated: false,
                constraints: ir::Constraints::default(),
                explode: false,
                default: None,
                secret: false,
            });
            let taken: Vec<&str> = params
                .iter()
                .map(|p| p.ident.as_str())
                .chain(RESERVED_PARAM_NAMES.iter().copied())
                .collect();
            param.ident =
                naming::Scope::with_reserved(&taken).claim(&naming::snake_name(&name, "param"));
            let source = if sibling.is_some() {
                "as another operation of this path declares it"
            } else {
                "as a string"
            };
            self.warn(op_ptr, format!("path parameter `{name}` is used in the template but not declared; declared {source}"));
            params.push(param);
        }
    }

    fn path_segments(
        &mut self,
        path: &str,
        params: &[ir::Parameter],
        op_ptr: &str,
    ) -> Vec<ir::PathSegment> {
        let mut segments = Vec::new();
        let mut used = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                self.problem(
                    op_ptr,
                    format!("path template `{path}` has an unclosed `{{`"),
                );
                break;
            };
            if open > 0 {
                segments.push(ir::PathSegment::Literal(rest[..open].to_string()));
            }
            let name = &rest[open + 1..open + close];
            match params
                .iter()
                .position(|p| p.location == ParamLocation::Path && p.name == name)
            {
                Some(i) => {
                    segments.push(ir::PathSegment::Param(i));
                    used.push(i);
                }
                None => self.problem(
                    op_ptr,
                    format!("path template `{path}` names `{{{name}}}`, but no path parameter `{name}` is declared"),
                ),
            }
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            segments.push(ir::PathSegment::Literal(rest.to_string()));
        }
        for (i, p) in params.iter().enumerate() {
            if p.location == ParamLocation::Path && !used.contains(&i) {
                self.problem(
                    op_ptr,
                    format!(
                        "path parameter `{}` does not appear in the path template `{path}`",
                        p.name
                    ),
                );
            }
        }
        segments
    }

    fn lower_body(
        &mut self,
        body: &ReferenceOr<RequestBody>,
        stem: &str,
        ptr: &str,
    ) -> Option<ir::RequestBody> {
        let (body, ptr, hint) = match body {
            ReferenceOr::Item(b) => (
                b.clone(),
                ptr.to_string(),
                vec![stem.to_string(), "Body".to_string()],
            ),
            ReferenceOr::Reference { reference } => {
                let b = self.resolve_or_report::<RequestBody>(reference, ptr, "request body")?;
                (b, reference.clone(), component_hint(reference))
            }
        };
        let mut contents = Vec::new();
        for (media, m) in &body.content {
            let media_ptr = push_pointer(&push_pointer(&ptr, "content"), media);
            let content = match encoding_of(media) {
                encoding @ (BodyEncoding::Form | BodyEncoding::Multipart) => {
                    let ty = self.lower_form(media, encoding, m, &hint, &media_ptr);
                    let example =
                        self.documented_example(&m.example, &m.examples, m.schema.as_ref());
                    ir::BodyContent {
                        media_type: media.to_string(),
                        encoding,
                        ty,
                        example,
                        sample: None,
                        events: None,
                    }
                }
                _ => self.lower_content(media, m, &hint, &media_ptr),
            };
            contents.push(content);
        }
        if contents.is_empty() {
            self.warn(&ptr, "request body without content; ignored");
            return None;
        }
        Some(ir::RequestBody {
            required: body.required,
            docs: ir::Docs {
                title: None,
                description: body.description.clone().filter(|d| !d.trim().is_empty()),
            },
            contents,
        })
    }

    fn lower_content(
        &mut self,
        media: &str,
        content: &openapiv3::MediaType,
        hint: &[String],
        ptr: &str,
    ) -> ir::BodyContent {
        let schema = content.schema.as_ref();
        let encoding = encoding_of(media);
        let ty = match (encoding, schema) {
            (BodyEncoding::Json | BodyEncoding::Form, Some(s)) => {
                self.lower_schema_ref(s, hint, &push_pointer(ptr, "schema"))
            }
            (BodyEncoding::Json, None) => TypeExpr::Json,
            (BodyEncoding::Form, None) => TypeExpr::JsonObject,
            (BodyEncoding::Text, _) => TypeExpr::String,
            // A multipart response (rare) is read as bytes; request forms are `lower_form`'s.
            (BodyEncoding::Binary | BodyEncoding::Multipart, _) => TypeExpr::Bytes,
        };
        let example = self.documented_example(&content.example, &content.examples, schema);
        ir::BodyContent {
            media_type: media.to_string(),
            encoding,
            ty,
            example,
            sample: None,
            events: None,
        }
    }

    /// The type of each event's data of a `text/event-stream` response: the schema's (a
    /// binary or absent one gives `String`, the text).
    fn event_data(
        &mut self,
        content: &openapiv3::MediaType,
        hint: &[String],
        ptr: &str,
    ) -> TypeExpr {
        let Some(schema) = &content.schema else {
            return TypeExpr::String;
        };
        match self.lower_schema_ref(schema, hint, &push_pointer(ptr, "schema")) {
            TypeExpr::Bytes => TypeExpr::String,
            ty => ty,
        }
    }

    fn lower_responses(
        &mut self,
        responses: &openapiv3::Responses,
        stem: &str,
        ptr: &str,
    ) -> Vec<ir::Response> {
        let mut entries: Vec<(StatusSpec, &ReferenceOr<Response>, String)> = Vec::new();
        for (code, r) in &responses.responses {
            let (status, token) = match code {
                StatusCode::Code(c) => (StatusSpec::Code(*c), c.to_string()),
                StatusCode::Range(r) => (StatusSpec::Range(*r as u8), format!("{r}XX")),
            };
            entries.push((status, r, push_pointer(ptr, &token)));
        }
        if let Some(d) = &responses.default {
            entries.push((StatusSpec::Default, d, push_pointer(ptr, "default")));
        }
        let mut scope = naming::Scope::new();
        let mut first_success = true;
        let mut out = Vec::new();
        for (status, r, rptr) in entries {
            let (response, rptr, shared) = match r {
                ReferenceOr::Item(r) => (r.clone(), rptr, None),
                ReferenceOr::Reference { reference } => {
                    let Some(r) = self.resolve_or_report::<Response>(reference, &rptr, "response")
                    else {
                        continue;
                    };
                    (r, reference.clone(), Some(component_hint(reference)))
                }
            };
            let ident = scope.claim(&match status {
                StatusSpec::Code(c) => naming::status_name(c),
                StatusSpec::Range(r) => format!("Status{r}xx"),
                StatusSpec::Default => "Default".to_string(),
            });
            let word = if status.is_success() && first_success {
                first_success = false;
                "Response".to_string()
            } else {
                ident.clone()
            };
            // A shared response is one type, named after its component.
            let hint = shared.unwrap_or_else(|| vec![stem.to_string(), word]);
            // HTTP forbids a body on `204`, `205` and `304` (and on `1XX`): a real server sends
            // none, so none is read or sent whatever the spec documents.
            let bodiless = match status {
                StatusSpec::Code(code @ (204 | 205 | 304 | 100..=199)) => Some(code),
                _ => None,
            };
            if let (Some(code), false) = (bodiless, response.content.is_empty()) {
                let media: Vec<&str> = response.content.keys().map(String::as_str).collect();
                self.warn(
                    &push_pointer(&rptr, "content"),
                    format!("a `{code}` response documents a body ({}), which HTTP forbids; the generated code sends and reads none", media.join(", ")),
                );
            }
            // Prefer JSON when a response offers several media types.
            let content = response.content.iter().filter(|_| bodiless.is_none());
            let chosen = content
                .clone()
                .find(|(m, _)| encoding_of(m) == BodyEncoding::Json)
                .or_else(|| content.clone().next());
            let body = chosen.map(|(media, m)| {
                let media_ptr = push_pointer(&push_pointer(&rptr, "content"), media);
                let mut body = self.lower_content(media, m, &hint, &media_ptr);
                if is_event_stream(media) {
                    body.events = Some(self.event_data(m, &hint, &media_ptr));
                }
                body
            });
            let headers = self.lower_response_headers(&response.headers, &hint, &rptr);
            out.push(ir::Response {
                status,
                ident,
                docs: ir::Docs {
                    title: None,
                    description: Some(response.description.clone())
                        .filter(|d| !d.trim().is_empty()),
                },
                body,
                headers,
            });
        }
        out
    }

    fn lower_security(
        &mut self,
        requirements: Option<&Vec<openapiv3::SecurityRequirement>>,
        schemes: &mut Vec<ir::SecurityScheme>,
        op_ptr: &str,
    ) -> ir::Security {
        let mut alternatives = Vec::new();
        for req in requirements.into_iter().flatten() {
            let mut alt = Vec::new();
            for (name, scopes) in req {
                let i = match schemes.iter().position(|s| &s.name == name) {
                    Some(i) => i,
                    None => {
                        // Real specs name schemes they never declare; a bearer token is what
                        // such a name means in practice, so it becomes one, with a warning.
                        self.warn(
                            op_ptr,
                            format!("security requirement names `{name}`, which is not in components.securitySchemes; treated as a bearer token"),
                        );
                        let taken: Vec<&str> = schemes.iter().map(|s| s.ident.as_str()).collect();
                        let mut scope = naming::Scope::with_reserved(&taken);
                        schemes.push(ir::SecurityScheme {
                            name: name.clone(),
                            ident: scope.claim(&naming::type_name(name, "Scheme")),
                            kind: ir::SchemeKind::Bearer,
                            flows: Vec::new(),
                            docs: ir::Docs {
                                title: None,
                                description: Some(format!(
                                    "`{name}` (not declared in the spec; sent as a bearer token)."
                                )),
                            },
                        });
                        schemes.len() - 1
                    }
                };
                alt.push(ir::Requirement {
                    scheme: i,
                    scopes: scopes.clone(),
                });
            }
            alternatives.push(alt);
        }
        ir::Security { alternatives }
    }
}

/// Parameter names the client's request builders claim as method names (`body` is also the
/// argument of a request body).
const RESERVED_PARAM_NAMES: &[&str] = &[
    "body",
    "header",
    "send",
    "send_stream",
    "send_with_response",
];

/// Where an operation's parameters come from, and what lowering them needs to know.
struct ParamSources<'a> {
    /// The path item's parameters.
    item: &'a [ReferenceOr<Parameter>],
    /// The operation's own parameters.
    op: &'a [ReferenceOr<Parameter>],
    item_ptr: &'a str,
    op_ptr: &'a str,
    /// A security scheme of the operation that sends `Authorization`, if any.
    authorization_by: Option<String>,
    /// The index of `op`'s first parameter in its list (a parameter borrowed alone from a
    /// sibling operation keeps its pointer).
    first: usize,
}

/// The first scheme of `security` that sends the `Authorization` header, by name.
fn authorization_scheme(security: &ir::Security, schemes: &[ir::SecurityScheme]) -> Option<String> {
    security.alternatives.iter().flatten().find_map(|r| {
        let scheme = &schemes[r.scheme];
        let sends = match &scheme.kind {
            ir::SchemeKind::Bearer | ir::SchemeKind::Basic => true,
            ir::SchemeKind::ApiKey { location, name } => {
                *location == ParamLocation::Header && name.eq_ignore_ascii_case("authorization")
            }
        };
        sends.then(|| scheme.name.clone())
    })
}

/// The flows of an OAuth2 scheme, in the order OpenAPI lists them.
fn oauth_flows(flows: &openapiv3::OAuth2Flows) -> Vec<ir::OAuthFlow> {
    let scopes = |s: &indexmap::IndexMap<String, String>| {
        s.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    let mut out = Vec::new();
    if let Some(f) = &flows.implicit {
        out.push(ir::OAuthFlow {
            kind: ir::FlowKind::Implicit,
            authorization_url: Some(f.authorization_url.clone()),
            token_url: None,
            refresh_url: f.refresh_url.clone(),
            scopes: scopes(&f.scopes),
        });
    }
    if let Some(f) = &flows.password {
        out.push(ir::OAuthFlow {
            kind: ir::FlowKind::Password,
            authorization_url: None,
            token_url: Some(f.token_url.clone()),
            refresh_url: f.refresh_url.clone(),
            scopes: scopes(&f.scopes),
        });
    }
    if let Some(f) = &flows.client_credentials {
        out.push(ir::OAuthFlow {
            kind: ir::FlowKind::ClientCredentials,
            authorization_url: None,
            token_url: Some(f.token_url.clone()),
            refresh_url: f.refresh_url.clone(),
            scopes: scopes(&f.scopes),
        });
    }
    if let Some(f) = &flows.authorization_code {
        out.push(ir::OAuthFlow {
            kind: ir::FlowKind::AuthorizationCode,
            authorization_url: Some(f.authorization_url.clone()),
            token_url: Some(f.token_url.clone()),
            refresh_url: f.refresh_url.clone(),
            scopes: scopes(&f.scopes),
        });
    }
    out
}

/// The words of an operation's name: the `operationId` without a leading HTTP method word
/// written as a separate token (`GET-customer-me` -> `customer-me`), unless nothing would be left.
/// The name hint of what a `$ref` to a component (or into the middle of the document) stands
/// for: the component's name, or the last two words of the pointer.
fn component_hint(reference: &str) -> Vec<String> {
    let tokens: Vec<String> = reference
        .trim_start_matches("#/")
        .split('/')
        .map(crate::error::unescape_token)
        .collect();
    match tokens.as_slice() {
        [components, _, name] if components == "components" => vec![name.clone()],
        _ => tokens[tokens.len().saturating_sub(2)..].to_vec(),
    }
}

fn operation_words(operation_id: &str, method: &str) -> String {
    let trimmed = operation_id.trim();
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with(method) {
        let rest = &trimmed[method.len()..];
        let separated = rest.starts_with(|c: char| !c.is_ascii_alphanumeric());
        let shouting = trimmed[..method.len()]
            .chars()
            .all(|c| c.is_ascii_uppercase());
        let rest = rest.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
        if (separated || shouting) && !rest.is_empty() && trimmed.contains(['-', '_', ' ', '/']) {
            // Keep the method as a word so `GET-customer` and `POST-customer` stay distinct
            // and read as verbs.
            return format!("{method} {rest}");
        }
    }
    trimmed.to_string()
}

fn parse_method(m: &str) -> ir::Method {
    match m {
        "get" => ir::Method::Get,
        "put" => ir::Method::Put,
        "post" => ir::Method::Post,
        "delete" => ir::Method::Delete,
        "options" => ir::Method::Options,
        "head" => ir::Method::Head,
        "patch" => ir::Method::Patch,
        _ => ir::Method::Trace,
    }
}

fn location_of(p: &Parameter) -> ParamLocation {
    match p {
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

/// The variable names of a path template, in order.
fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push(rest[open + 1..open + close].to_string());
        rest = &rest[open + close + 1..];
    }
    out
}

/// Whether a media type is `text/event-stream` (server-sent events).
fn is_event_stream(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/event-stream")
}

/// How a media type is encoded.
pub(crate) fn encoding_of(media: &str) -> BodyEncoding {
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") || essence == "*/*" {
        BodyEncoding::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyEncoding::Form
    } else if essence == "multipart/form-data" {
        BodyEncoding::Multipart
    } else if essence.starts_with("text/") {
        BodyEncoding::Text
    } else {
        BodyEncoding::Binary
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::{ResponseHeader, TypeExpr};

    fn headers(spec: &str) -> Vec<ResponseHeader> {
        let loaded = crate::load::load("t.yaml", spec).expect("loads");
        let api = crate::lower::lower("t.yaml", &loaded).expect("lowers");
        api.operations[0].responses[0].headers.clone()
    }

    /// An `Authorization` header parameter is kept (secret, with a warning at its place) only
    /// when no security scheme of the operation sends that header.
    #[test]
    fn an_authorization_parameter_is_kept_when_no_scheme_sends_it() {
        let spec = |security: &str| {
            format!(
                r##"
openapi: 3.0.3
info: {{title: t, version: "1"}}
paths:
  /uploads:
    post:
      security: {security}
      parameters:
        - {{name: Authorization, in: header, required: true, schema: {{type: string}}}}
      responses:
        "204": {{description: ok}}
components:
  securitySchemes:
    Bearer: {{type: http, scheme: bearer}}
    Key: {{type: apiKey, in: header, name: X-Key}}
"##
            )
        };
        let lowered = |security: &str| {
            let text = spec(security);
            let loaded = crate::load::load("t.yaml", &text).expect("loads");
            crate::lower::lower("t.yaml", &loaded).expect("lowers")
        };
        for security in ["[]", "[{Key: []}]"] {
            let api = lowered(security);
            let params = &api.operations[0].params;
            assert_eq!(params.len(), 1, "{security}");
            assert!(params[0].secret && params[0].required, "{security}");
            let warning = api.warnings.iter().find(|w| w.contains("Authorization"));
            let warning = warning.expect("a warning");
            assert!(
                warning.starts_with("#/paths/~1uploads/post/parameters/0 (line ")
                    && warning.contains("kept as a secret parameter"),
                "{warning}"
            );
        }
        let api = lowered("[{Bearer: []}]");
        assert!(api.operations[0].params.is_empty());
        assert!(
            api.warnings.iter().any(|w| w
                .contains("ignored, as OpenAPI specifies: the security scheme `Bearer` sends it")),
            "{:?}",
            api.warnings
        );
    }

    #[test]
    fn response_headers_are_typed_in_order_and_content_type_is_left_out() {
        let spec = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items:
    get:
      responses:
        "200":
          description: ok
          headers:
            X-Total-Count:
              description: How many there are.
              required: true
              schema: {type: integer, format: int64, minimum: 0}
              example: 42
            Content-Type: {schema: {type: string}}
            Location: {$ref: "#/components/headers/Location"}
components:
  headers:
    Location:
      schema: {type: string, example: /items/1}
"##;
        let h = headers(spec);
        let names: Vec<_> = h
            .iter()
            .map(|h| (h.name.as_str(), h.ident.as_str()))
            .collect();
        assert_eq!(
            names,
            [("X-Total-Count", "x_total_count"), ("Location", "location")]
        );
        assert_eq!(h[0].ty, TypeExpr::I64);
        assert!(h[0].required && !h[1].required);
        assert_eq!(h[0].constraints.minimum, Some((0.0, false)));
        assert_eq!(h[0].example, Some(serde_json::json!(42)));
        assert_eq!(h[1].example, Some(serde_json::json!("/items/1")));
        assert_eq!(
            h[0].docs.description.as_deref(),
            Some("How many there are.")
        );
    }
}
