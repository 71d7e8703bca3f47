//! `server.rs`: the server trait and axum router (feature `server`).

use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::quote;

/// The server module.
pub fn emit_server(api: &Api) -> TokenStream {
    let _ = api;
    quote! {}
}
