//! `client.rs`: the async client (feature `client`).

use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::quote;

/// The client module.
pub fn emit_client(api: &Api) -> TokenStream {
    let _ = api;
    quote! {}
}
