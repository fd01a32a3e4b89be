//! The one HTTP stack every network call uses (registry pulls through
//! oci-client, blob pulls, DB downloads, GitHub's API): reqwest over rustls,
//! with ring as rustls's crypto provider. reqwest is built without a
//! provider of its own (its default, aws-lc-rs, is a C library that took a
//! minute and a half of every release build), so the provider is installed
//! here, once per process, before any client is built.

use std::sync::Once;

/// A reqwest client builder, with the crypto provider installed.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}

/// Makes ring the process's rustls provider unless one is installed: what
/// reqwest and oci-client build their TLS configurations from.
pub(crate) fn install_crypto_provider() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // An `Err` only says that another thread installed one first,
            // which serves as well.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_builds_with_tls() {
        assert!(client_builder().build().is_ok());
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
