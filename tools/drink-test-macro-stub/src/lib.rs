//! No-op stand-in for `drink-test-macro` (see the `[patch.crates-io]` note in
//! the workspace `Cargo.toml`). The project never uses `#[drink::test]` or
//! `contract_bundle_provider!`; these exist only so `drink` compiles.
use proc_macro::TokenStream;

/// Stand-in for `#[drink::test]`: leaves the item unchanged.
#[proc_macro_attribute]
pub fn test(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Stand-in for `drink::contract_bundle_provider!`: expands to nothing.
#[proc_macro]
pub fn contract_bundle_provider(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
