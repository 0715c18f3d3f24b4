//! GA4GH Passport visas (v1.2) for BioNFT consent: a `ControlledAccessGrants`
//! visa per file and purpose an account may use now, signed ES256 (P-256)
//! as a Visa Document Token whose `jku` is this host's JWKS. Pure: the
//! chain's answers come in, a JWT goes out.
//!
//! A visa says what `check_access` said when it was issued; it lasts until
//! the earliest expiry of the grants it rests on, and never longer than the
//! host's `visa_secs`, because a revocation or a withdrawal on chain cannot
//! recall a visa already handed out. The `bionft` claim names the record,
//! the purpose and the grants, so a relying party can ask the chain again.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};

/// The host's visa-signing key (ES256) and its public JWK.
pub struct VisaKey {
    pair: EcdsaKeyPair,
    jwk: Value,
    kid: String,
}

/// What one visa asserts.
pub struct Assertion<'a> {
    /// The researcher's account (SS58), the visa's `sub`.
    pub subject: &'a str,
    /// The htsget URL of the file the grants cover: the visa's `value`.
    pub resource: &'a str,
    pub record: u128,
    /// The DUO purpose, as `check_access` was asked.
    pub purpose: &'a str,
    pub grants: &'a [u128],
    /// When the newest of those grants was issued (ms since the epoch).
    pub asserted_ms: u64,
    /// When the first of those grants expires (ms since the epoch).
    pub grants_expire_ms: u64,
}

/// Where visas come from and how long they last.
pub struct Issuer<'a> {
    /// The host's public URL: `iss` and `source`; its JWKS is at `/.well-known/jwks.json`.
    pub url: &'a str,
    /// The chain and contract whose `check_access` the visa repeats.
    pub genesis: &'a str,
    pub consent_contract: &'a str,
    pub now_ms: u64,
    pub visa_ms: u64,
}

impl VisaKey {
    /// A new key, as PKCS#8.
    fn generate() -> Result<Vec<u8>> {
        let doc =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|_| anyhow!("generating a P-256 key failed"))?;
        Ok(doc.as_ref().to_vec())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<VisaKey> {
        let pair = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8,
            &SystemRandom::new(),
        )
        .map_err(|e| anyhow!("not a P-256 PKCS#8 key ({e})"))?;
        // An uncompressed point: 0x04 ‖ x ‖ y.
        let point = pair.public_key().as_ref();
        if point.len() != 65 || point[0] != 4 {
            bail!("unexpected P-256 public key encoding");
        }
        let (x, y) = (B64.encode(&point[1..33]), B64.encode(&point[33..]));
        // RFC 7638 thumbprint: the required members in lexicographic order, no spaces.
        let thumbprint = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = B64.encode(ring::digest::digest(
            &ring::digest::SHA256,
            thumbprint.as_bytes(),
        ));
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "x": x, "y": y,
            "use": "sig", "alg": "ES256", "kid": kid,
        });
        Ok(VisaKey { pair, jwk, kid })
    }

    /// Makes a new key and writes it to `path` as PKCS#8, readable by its
    /// owner alone; an existing file is never overwritten.
    pub fn create(path: &Path) -> Result<VisaKey> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let pkcs8 = VisaKey::generate()?;
        let key = VisaKey::from_pkcs8(&pkcs8)?;
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .with_context(|| {
                format!(
                    "creating {} (an existing key is never overwritten)",
                    path.display()
                )
            })?;
        out.write_all(&pkcs8)?;
        out.sync_all()?;
        Ok(key)
    }

    /// The key's id: its JWK's RFC 7638 thumbprint.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Reads a PKCS#8 key file, refusing one that others can read.
    pub fn load(path: &Path) -> Result<VisaKey> {
        let bytes = bionft_client::keys::read_owner_only(path)?;
        VisaKey::from_pkcs8(&bytes).with_context(|| format!("visa key {}", path.display()))
    }

    /// The JWKS document (`GET /.well-known/jwks.json`).
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk] })
    }

    /// A compact JWS over `claims`, with the header a Visa Document Token has.
    fn sign(&self, claims: &Value, jku: &str) -> Result<String> {
        let header = json!({ "typ": "JWT", "alg": "ES256", "kid": self.kid, "jku": jku });
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let signature = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .map_err(|_| anyhow!("signing a visa failed"))?;
        Ok(format!("{input}.{}", B64.encode(signature.as_ref())))
    }

    /// The visa for `assertion`: a `ControlledAccessGrants` Visa Document Token.
    pub fn visa(&self, issuer: &Issuer, assertion: &Assertion, jti: &str) -> Result<String> {
        let exp_ms = assertion
            .grants_expire_ms
            .min(issuer.now_ms + issuer.visa_ms);
        let claims = json!({
            "iss": issuer.url,
            "sub": assertion.subject,
            "iat": issuer.now_ms / 1000,
            "exp": exp_ms / 1000,
            "jti": jti,
            "ga4gh_visa_v1": {
                "type": "ControlledAccessGrants",
                "asserted": assertion.asserted_ms / 1000,
                "value": assertion.resource,
                "source": issuer.url,
                "by": "system",
            },
            "bionft": {
                "genesis": issuer.genesis,
                "consent": issuer.consent_contract,
                "record": assertion.record as u64,
                "purpose": assertion.purpose,
                "grants": assertion.grants.iter().map(|g| *g as u64).collect::<Vec<_>>(),
            },
        });
        self.sign(&claims, &format!("{}/.well-known/jwks.json", issuer.url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    fn decode(part: &str) -> Value {
        serde_json::from_slice(&B64.decode(part).unwrap()).unwrap()
    }

    fn assertion() -> Assertion<'static> {
        Assertion {
            subject: "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
            resource: "http://127.0.0.1:8090/reads/nb-bam",
            record: 5,
            purpose: "HMB",
            grants: &[1, 4],
            asserted_ms: 1_760_000_000_500,
            grants_expire_ms: 1_800_000_000_000,
        }
    }

    fn issuer(now_ms: u64) -> Issuer<'static> {
        Issuer {
            url: "http://127.0.0.1:8090",
            genesis: "0xab",
            consent_contract: "5Cons",
            now_ms,
            visa_ms: 3_600_000,
        }
    }

    #[test]
    fn a_visa_is_an_es256_jws_that_its_jwk_verifies() {
        let key = VisaKey::from_pkcs8(&VisaKey::generate().unwrap()).unwrap();
        let jwt = key
            .visa(&issuer(1_790_000_000_000), &assertion(), "j1")
            .unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode(parts[0]);
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], key.jwks()["keys"][0]["kid"]);
        assert_eq!(header["jku"], "http://127.0.0.1:8090/.well-known/jwks.json");

        // Verified with the public key rebuilt from the JWK alone.
        let jwk = &key.jwks()["keys"][0];
        let mut point = vec![4u8];
        point.extend(B64.decode(jwk["x"].as_str().unwrap()).unwrap());
        point.extend(B64.decode(jwk["y"].as_str().unwrap()).unwrap());
        let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point);
        let signed = format!("{}.{}", parts[0], parts[1]);
        let signature = B64.decode(parts[2]).unwrap();
        public.verify(signed.as_bytes(), &signature).unwrap();
        let mut forged = signed.clone().into_bytes();
        *forged.last_mut().unwrap() ^= 1;
        assert!(public.verify(&forged, &signature).is_err());

        let claims = decode(parts[1]);
        let visa = &claims["ga4gh_visa_v1"];
        assert_eq!(visa["type"], "ControlledAccessGrants");
        assert_eq!(visa["value"], "http://127.0.0.1:8090/reads/nb-bam");
        assert_eq!(visa["asserted"], 1_760_000_000);
        assert_eq!(visa["by"], "system");
        assert_eq!(claims["bionft"]["grants"], json!([1, 4]));
        assert_eq!(claims["iat"], 1_790_000_000);
    }

    #[test]
    fn a_visa_lasts_until_its_first_grant_expires_or_visa_secs_whichever_is_sooner() {
        let key = VisaKey::from_pkcs8(&VisaKey::generate().unwrap()).unwrap();
        let exp = |now_ms| {
            let jwt = key.visa(&issuer(now_ms), &assertion(), "j").unwrap();
            decode(jwt.split('.').nth(1).unwrap())["exp"]
                .as_u64()
                .unwrap()
        };
        assert_eq!(exp(1_790_000_000_000), 1_790_003_600);
        assert_eq!(exp(1_799_999_000_000), 1_800_000_000);
    }

    #[test]
    fn garbage_is_not_a_key() {
        assert!(VisaKey::from_pkcs8(b"not a key").is_err());
    }

    #[test]
    fn a_created_key_is_owner_only_never_overwritten_and_loads_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("visa.p8");
        let made = VisaKey::create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(VisaKey::load(&path).unwrap().kid(), made.kid());
        let again = VisaKey::create(&path).err().unwrap().to_string();
        assert!(again.contains("never overwritten"), "{again}");
        assert_eq!(VisaKey::load(&path).unwrap().kid(), made.kid());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let shared = VisaKey::load(&path).err().unwrap().to_string();
        assert!(shared.contains("chmod 600"), "{shared}");
    }
}
