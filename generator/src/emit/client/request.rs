//! The request builder of each operation (`<Op>Request<'a>`): what `Client::<op>` returns.
//!
//! It holds the positional arguments, a setter per optional parameter and for an optional
//! body, `header` for extra headers, and sends with `send` (the decoded body), `.await` (the
//! same, through `IntoFuture`) or `send_with_response` (with the status and the typed headers).
//!
//! Locals and private members of generated code end in `_` (`client_`, `request_`,
//! `exchange_`): parameter names never do unless they are escaped keywords, so the two cannot
//! collide. The builder's own public methods (`header`, `send`, `send_with_response`, `body`)
//! are names lowering keeps parameters from taking.

use super::operation::{emit_body, emit_params, optional_args, path_segments, required_args, Arg};
use super::plain_doc;
use super::response::{
    emit_match, error_ident, headers_ident, headers_init, status_matches, stream_of, success_type,
    Arms,
};
use super::security::operation_const;
use crate::emit::docs::{code_span, doc_attrs, outer_lines};
use crate::emit::types::{type_tokens, Scope};
use crate::ir::{Api, BodyStream, Operation, TypeExpr};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// `<Op>Request`.
pub fn builder_ident(op: &Operation) -> Ident {
    format_ident!("{}Request", op.type_stem)
}

/// The builder struct, its methods, `IntoFuture` and a `Debug` that redacts secrets.
pub fn emit_builder(api: &Api, op: &Operation) -> TokenStream {
    let name = builder_ident(op);
    let docs = plain_doc(&format!(
        "A `{}` request to {}, from [`Client::{}`]: set optional parameters and extra \
         headers, then `.await` it (or call [`send`]({name}::send) or \
         [`send_with_response`]({name}::send_with_response)).",
        op.method.as_str(),
        code_span(&op.path),
        op.fn_name
    ));
    let stream_docs = stream_of(op).map(|_| {
        let mut docs = plain_doc("");
        docs.extend(plain_doc(&format!(
            "Its success streams: [`send_stream`]({name}::send_stream) reads it as it arrives."
        )));
        docs
    });
    let fields = required_args(op).into_iter().map(|a| {
        let id = a.ident();
        let ty = a.ty(api, op);
        quote!(#id: #ty)
    });
    let optional = optional_args(op).into_iter().map(|a| {
        let id = a.ident();
        let ty = a.ty(api, op);
        quote!(#id: Option<#ty>)
    });
    let methods = emit_methods(api, op);
    let into_future = emit_into_future(api, op);
    let debug = emit_debug(op);
    quote! {
        #docs
        #stream_docs
        #[must_use = "a request is sent only when it is awaited or sent"]
        pub struct #name<'a> {
            client_: &'a Client,
            #(#fields,)*
            #(#optional,)*
            extra_: ::oasgen_runtime::response::ExtraHeaders,
        }

        #methods
        #into_future
        #debug
    }
}

/// A setter per optional parameter (and the optional body), with the parameter's full docs.
fn setters(api: &Api, op: &Operation) -> TokenStream {
    let setters = optional_args(op).into_iter().map(|a| {
        let id = a.ident();
        let ty = a.ty(api, op);
        let docs = doc_attrs(&a.docs(op));
        let deprecated = matches!(a, Arg::Param(p) if p.deprecated).then(|| quote!(#[deprecated]));
        quote! {
            #docs
            #deprecated
            pub fn #id(mut self, value: #ty) -> Self {
                self.#id = Some(value);
                self
            }
        }
    });
    quote!(#(#setters)*)
}

/// `impl <Op>Request`: setters, `header`, `send`, `send_with_response` and the private
/// `exchange_` (build and send) and `decode_` (type the response).
fn emit_methods(api: &Api, op: &Operation) -> TokenStream {
    let name = builder_ident(op);
    let err = error_ident(op);
    let success = success_type(api, op);
    let headers = headers_ident(op);
    let headers_init = headers_init(op);
    let setters = setters(api, op);
    let exchange = emit_exchange(api, op);
    let streaming = stream_of(op).is_some();
    let decode = emit_match(op, if streaming { Arms::Success } else { Arms::All });
    let stream = emit_stream(api, op);
    // A unit body is not bound (clippy's `let_unit_value`).
    let (decoded, body) = if success.to_string() == quote!(()).to_string() {
        (quote!(Self::decode_(response_)?;), quote!(()))
    } else {
        (
            quote!(let body_ = Self::decode_(response_)?;),
            quote!(body_),
        )
    };
    let with_response_docs = outer_lines(vec![
        " Sends the request and returns the decoded body with the status, the typed".to_string(),
        format!(" headers the spec declares ([`{headers}`]) and every header as received."),
    ]);
    quote! {
        impl<'a> #name<'a> {
            #setters

            /// Adds a header to this call only (a request id, `Accept-Language`). A name or
            /// value HTTP cannot carry fails the call with [`Error::InvalidRequest`].
            pub fn header(mut self, name: &str, value: &str) -> Self {
                self.extra_.push(name, value);
                self
            }

            /// Sends the request and returns the decoded body of the success (what `.await` on
            /// the request does).
            pub async fn send(self) -> Result<#success, Error<#err>> {
                let response_ = self.exchange_().await?;
                Self::decode_(response_)
            }

            #with_response_docs
            pub async fn send_with_response(
                self,
            ) -> Result<::oasgen_runtime::Response<#success, #headers>, Error<#err>> {
                let response_ = self.exchange_().await?;
                let status_ = response_.status;
                let raw_headers_ = response_.headers.clone();
                #decoded
                let headers_ = #headers_init;
                Ok(::oasgen_runtime::Response {
                    status: status_,
                    headers: headers_,
                    raw_headers: raw_headers_,
                    body: #body,
                })
            }

            #stream

            #exchange

            fn decode_(
                response_: ::oasgen_runtime::transport::Raw,
            ) -> Result<#success, Error<#err>> {
                #decode
            }
        }
    }
}

/// For an operation whose one success streams: `send_stream`, and `refuse_`, the error
/// arms `decode_` and `send_stream` share.
fn emit_stream(api: &Api, op: &Operation) -> Option<TokenStream> {
    let (success, stream) = stream_of(op)?;
    let err = error_ident(op);
    let security = operation_const(op);
    let streams = status_matches(success);
    let refuse = emit_match(op, Arms::Errors);
    let (ty, open, docs) = match stream {
        BodyStream::Events(data) => {
            let data_ty = type_tokens(api, data, Scope::Crate);
            let open = match data {
                TypeExpr::String => quote!(open_.text_events()),
                _ => quote!(open_.json_events()),
            };
            let ty = quote!(::oasgen_runtime::stream::EventStream<#data_ty, #err>);
            let docs = quote! {
                /// Sends the request and returns the success's server-sent events as they
                /// arrive, each one's data decoded, without holding the whole body (`send`
                /// returns it whole, as text). An error status is read and typed as `send`
                /// types it.
            };
            (ty, open, docs)
        }
        BodyStream::Bytes => {
            let ty = quote!(::oasgen_runtime::stream::ByteStream<#err>);
            let docs = quote! {
                /// Sends the request and returns the success's body as it arrives, chunk by
                /// chunk, without holding it whole (`send` returns it whole); its length is
                /// not bounded by `Config::max_response_body`. An error status is read and
                /// typed as `send` types it.
            };
            (ty, quote!(open_.bytes()), docs)
        }
    };
    Some(quote! {
        #docs
        pub async fn send_stream(self) -> Result<#ty, Error<#err>> {
            let (client_, request_) = self.prepare_()?;
            let streams_ = |status_: u16| #streams;
            let response_ = client_.core.send_stream(request_, &security::#security, streams_);
            match response_.await? {
                ::oasgen_runtime::transport::Streamed::Open(open_) => Ok(#open),
                ::oasgen_runtime::transport::Streamed::Read(response_) => Self::refuse_(response_),
            }
        }

        /// The error of a response that is not the success.
        fn refuse_<S>(response_: ::oasgen_runtime::transport::Raw) -> Result<S, Error<#err>> {
            #refuse
        }
    })
}

/// `exchange_`: the request built from the builder's fields and sent. For an operation that
/// streams, building is `prepare_`, which `send_stream` calls too.
fn emit_exchange(api: &Api, op: &Operation) -> TokenStream {
    let err = error_ident(op);
    let fields = required_args(op)
        .into_iter()
        .chain(optional_args(op))
        .map(|a| a.ident());
    let segments = path_segments(op);
    let params = emit_params(op);
    let body = emit_body(api, op);
    let method = format_ident!("{}", op.method.as_str().to_ascii_lowercase());
    let template = &op.path;
    let security = operation_const(op);
    let build = quote! {
        let Self { client_, #(#fields,)* extra_ } = self;
        let mut request_ = client_.core.#method::<#err>(#template, &[#(#segments),*])?;
        #params
        #body
        request_.extra(extra_)?;
    };
    if stream_of(op).is_none() {
        return quote! {
            async fn exchange_(
                self,
            ) -> Result<::oasgen_runtime::transport::Raw, Error<#err>> {
                #build
                client_.core.send(request_, &security::#security).await
            }
        };
    }
    quote! {
        async fn exchange_(
            self,
        ) -> Result<::oasgen_runtime::transport::Raw, Error<#err>> {
            let (client_, request_) = self.prepare_()?;
            client_.core.send(request_, &security::#security).await
        }

        fn prepare_(
            self,
        ) -> Result<(&'a Client, ::oasgen_runtime::transport::Prepared<#err>), Error<#err>> {
            #build
            Ok((client_, request_))
        }
    }
}

/// `IntoFuture`, so that `client.op(..).await` sends the request.
fn emit_into_future(api: &Api, op: &Operation) -> TokenStream {
    let name = builder_ident(op);
    let err = error_ident(op);
    let success = success_type(api, op);
    quote! {
        impl<'a> ::std::future::IntoFuture for #name<'a> {
            type Output = Result<#success, Error<#err>>;
            type IntoFuture = ::oasgen_runtime::response::BoxFuture<'a, Self::Output>;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    }
}

/// `Debug`, with secret parameters shown as `<redacted>`.
fn emit_debug(op: &Operation) -> TokenStream {
    let name = builder_ident(op);
    let text = name.to_string();
    let fields = required_args(op)
        .into_iter()
        .chain(optional_args(op))
        .map(|a| {
            let id = a.ident();
            let label = id.to_string();
            let label = label.trim_start_matches("r#");
            match a {
                Arg::Param(p) if p.secret => quote!(.field(#label, &"<redacted>")),
                _ => quote!(.field(#label, &self.#id)),
            }
        });
    quote! {
        impl ::std::fmt::Debug for #name<'_> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#text)
                    #(#fields)*
                    .field("extra_headers", &self.extra_)
                    .finish_non_exhaustive()
            }
        }
    }
}
