//! The gate: who is asking, may they, log it once per session, and what a
//! ticket lets them fetch. Every answer to a researcher goes through the
//! consent contract's own `check_access`; nothing is cached but the
//! session's receipt.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use bionft_client::chain::{account_of, Chain};
use bionft_client::deployment::Deployment;
use bionft_client::keys::{KeyInput, KeyPolicy};
use bionft_client::ops::Bionft;
use bionft_primitives::{AccessDenied, GrantId, Purpose, RecordId};
use sequencer_cli::formats::{self, Format};
use sequencer_cli::pipeline::{digest_file, Options};
use sequencer_cli::proof::{Proof, Region};
use sequencer_cli::scheme::Scheme;
use serde_json::json;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

use crate::auth::{AuthError, SignedRequest, Verifier};
use crate::config::Config;
use crate::htsget::{self, Endpoint, Error};
use crate::slice::Slicer;
use crate::visa::{Assertion, Issuer, VisaKey};
use noodles::csi::binning_index::index::reference_sequence::bin::Chunk;
use sequencer_cli::formats::Compression;

/// A file the host holds, and the record it is on chain.
#[derive(Clone, Debug)]
pub struct HostedFile {
    pub id: String,
    pub record: RecordId,
    pub path: PathBuf,
    pub format: Format,
    /// The content-digest scheme the record was registered with (its proofs use it).
    pub scheme: Scheme,
    pub reference: Option<PathBuf>,
    /// Its index, when a region can be served as a slice (BGZF BAM, VCF, BCF).
    pub slicer: Option<Arc<Slicer>>,
}

/// What a ticket's token lets its holder fetch, and for whom.
#[derive(Clone, Debug)]
struct Ticket {
    file: String,
    grantee: AccountId32,
    purpose: Purpose,
    region: Option<Region>,
    /// `class=header`: the header alone.
    header_only: bool,
    expires_ms: u64,
}

/// A session: one researcher using one record for one purpose under the
/// same covering grants. A new grant (after a revocation, say) starts a new
/// session, so each receipt names the grants that were really used.
/// What an access token stands for.
#[derive(Clone, Debug)]
struct Access {
    grantee: AccountId32,
    purpose: Purpose,
    expires_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct SessionKey {
    grantee: [u8; 32],
    record: RecordId,
    purpose: String,
    grants: Vec<GrantId>,
}

#[derive(Clone, Copy, Debug)]
struct Session {
    receipt: u64,
    expires_ms: u64,
}

/// An allowed ticket request.
#[derive(Clone, Debug)]
pub struct Issued {
    pub ticket: serde_json::Value,
    pub receipt: u64,
    /// Whether this request started the session (and logged `receipt`).
    pub new_session: bool,
    pub grants: Vec<GrantId>,
}

/// What a data URL serves: the whole file, or the slice of a region.
pub struct Served {
    pub path: PathBuf,
    pub grants: Vec<GrantId>,
    pub slice: Option<(Arc<Slicer>, Vec<Chunk>)>,
}

pub struct Gate {
    bionft: Bionft,
    key: Keypair,
    files: HashMap<String, HostedFile>,
    public_url: String,
    session_ms: u64,
    ticket_ms: u64,
    verifier: Mutex<Verifier>,
    tickets: Mutex<HashMap<String, Ticket>>,
    access: Mutex<HashMap<String, Access>>,
    /// Held across `record_access`, so that concurrent first requests log one receipt.
    sessions: tokio::sync::Mutex<HashMap<SessionKey, Session>>,
    proofs: Mutex<HashMap<(String, String), Arc<String>>>,
    visa_key: Option<VisaKey>,
    visa_ms: u64,
    genesis: String,
    consent_contract: String,
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The contract's reason, by its name and in words.
pub fn reason(denied: &AccessDenied) -> String {
    let words = match denied {
        AccessDenied::UnknownRecord => "the record does not exist",
        AccessDenied::InvalidPurpose => "the purpose is not a well-formed DUO purpose",
        AccessDenied::RecordWithdrawn => "the record, or one it derives from, was withdrawn",
        AccessDenied::RecordSuperseded => "the record was superseded by a re-processed one",
        AccessDenied::NoGrant => "no grant to this researcher covers the record's sample(s)",
        AccessDenied::OutsideScope => "the grant's scope does not include the record",
        AccessDenied::GrantRevoked => "the grant was revoked",
        AccessDenied::ConsentWithdrawn => "the subject's consent was withdrawn",
        AccessDenied::IssuerNoLongerGuardian => {
            "the guardian who issued the grant is no longer a guardian"
        }
        AccessDenied::LapsedAtMajority => {
            "a guardian's grant lapsed at the subject's majority and was not confirmed"
        }
        AccessDenied::GrantExpired => "the grant has expired",
        AccessDenied::PurposeNotPermitted => "the grant's DUO purpose does not permit this use",
    };
    format!("consent::check_access refused: {denied:?} ({words})")
}

fn random_hex() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow!("OS randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::new(500, "InternalError", e.to_string())
}

impl Gate {
    /// Connects to the chain, opens the deployment and checks every file
    /// against its record (it must exist and hold a content digest).
    pub async fn open(config: &Config) -> Result<Gate> {
        let chain = Chain::connect(&config.endpoint).await?;
        // The host's key by `bionft`'s rules: an owner-only key file, or a
        // dev name (//Dave) that only a development chain accepts.
        let key = KeyPolicy::for_chain(&chain)
            .await?
            .signer(KeyInput::Arg(config.key.clone()))
            .context("the config's `key`")?;
        let deployment = Deployment::load(&config.deployment)?;
        let bionft = Bionft::open(chain, &deployment).await?;
        let visa_key = config.visa_key.as_deref().map(VisaKey::load).transpose()?;
        let mut files = HashMap::new();
        for f in &config.files {
            let (format, compression) = formats::detect(&f.path)
                .with_context(|| format!("file {}: {}", f.id, f.path.display()))?;
            if !(Endpoint::Reads.serves(format) || Endpoint::Variants.serves(format)) {
                bail!(
                    "file {}: {format} is not served by htsget (BAM, CRAM, VCF, BCF)",
                    f.id
                );
            }
            let record = bionft
                .get_record(f.record)
                .await?
                .with_context(|| format!("file {}: record {} is not on chain", f.id, f.record))?;
            let scheme = Scheme::ALL
                .into_iter()
                .find(|s| u16::from(s.digest_alg()) == record.record.digest_alg)
                .with_context(|| {
                    format!(
                        "file {}: record {} has digest_alg {}, not a content digest",
                        f.id, f.record, record.record.digest_alg
                    )
                })?;
            let slicer = if compression == Compression::Bgzf {
                match Slicer::open(&f.path, format) {
                    Ok(slicer) => Some(Arc::new(slicer)),
                    Err(e) => {
                        eprintln!(
                            "bionft-host: file {}: regions are served as the whole file ({e})",
                            f.id
                        );
                        None
                    }
                }
            } else {
                None
            };
            files.insert(
                f.id.clone(),
                HostedFile {
                    id: f.id.clone(),
                    record: f.record,
                    path: f.path.clone(),
                    format,
                    scheme,
                    reference: f.reference.clone(),
                    slicer,
                },
            );
        }
        let host = account_of(&key);
        Ok(Gate {
            bionft,
            key,
            files,
            public_url: config.public_url(),
            session_ms: config.session_secs * 1000,
            ticket_ms: config.ticket_secs * 1000,
            verifier: Mutex::new(Verifier::new(host, config.max_skew_secs * 1000)),
            tickets: Mutex::new(HashMap::new()),
            access: Mutex::new(HashMap::new()),
            sessions: tokio::sync::Mutex::new(HashMap::new()),
            proofs: Mutex::new(HashMap::new()),
            visa_key,
            visa_ms: config.visa_secs * 1000,
            genesis: deployment.genesis_hash.clone(),
            consent_contract: deployment.consent.address.clone(),
        })
    }

    /// The data host's chain account (researchers sign for it).
    pub fn account(&self) -> AccountId32 {
        account_of(&self.key)
    }

    pub fn files(&self) -> impl Iterator<Item = &HostedFile> {
        self.files.values()
    }

    async fn check(
        &self,
        grantee: &AccountId32,
        record: RecordId,
        purpose: &Purpose,
    ) -> Result<Vec<GrantId>, Error> {
        match self.bionft.check_access(grantee, record, purpose).await {
            Ok(Ok(grants)) => Ok(grants),
            Ok(Err(denied)) => Err(Error::permission_denied(reason(&denied))),
            Err(e) => Err(internal(format!("asking the chain: {e:#}"))),
        }
    }

    /// Who signed the request and for which purpose: the signed headers, or
    /// an access token that such a signed request obtained (`GET /token`).
    fn authenticate<'a>(
        &self,
        method: &str,
        target: &str,
        header: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<(AccountId32, Purpose), Error> {
        if let Some(token) = header("authorization").and_then(|v| v.strip_prefix("Bearer ")) {
            let access = self
                .access
                .lock()
                .expect("access lock")
                .get(token)
                .cloned()
                .filter(|a| a.expires_ms > now_ms())
                .ok_or_else(|| Error::invalid_authentication("unknown or expired access token"))?;
            return Ok((access.grantee, access.purpose));
        }
        let request = SignedRequest::from_headers(method, target, header)
            .map_err(|e| Error::invalid_authentication(e.to_string()))?;
        let grantee = self
            .verifier
            .lock()
            .expect("verifier lock")
            .accept(&request, now_ms())
            .map_err(|e: AuthError| Error::invalid_authentication(e.to_string()))?;
        let purpose: Purpose = request.purpose.parse().map_err(|e| {
            Error::invalid_input(format!(
                "purpose {:?}: {e:?} (e.g. GRU, HMB+IRB, DS:4989)",
                request.purpose
            ))
        })?;
        Ok((grantee, purpose))
    }

    /// `GET /token`, signed: an access token standing for the signer and the
    /// stated purpose for `ticket_secs`, for htsget clients that can send a
    /// bearer token but cannot sign. Consent is still checked per ticket.
    pub fn access_token<'a>(
        &self,
        method: &str,
        target: &str,
        header: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<serde_json::Value, Error> {
        if header("authorization").is_some() {
            return Err(Error::invalid_authentication(
                "an access token is obtained with a signed request, not another token",
            ));
        }
        let (grantee, purpose) = self.authenticate(method, target, header)?;
        let token = random_hex().map_err(internal)?;
        let expires_ms = now_ms() + self.ticket_ms;
        let mut access = self.access.lock().expect("access lock");
        access.retain(|_, a| a.expires_ms > now_ms());
        access.insert(
            token.clone(),
            Access {
                grantee,
                purpose: purpose.clone(),
                expires_ms,
            },
        );
        Ok(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_ms": expires_ms,
            "purpose": purpose.to_string(),
        }))
    }

    /// The key that signs this host's visas, if it issues any.
    fn visa_key(&self) -> Result<&VisaKey, Error> {
        self.visa_key.as_ref().ok_or_else(|| {
            Error::not_found("this host issues no visas (its config has no `visa_key`)")
        })
    }

    /// The JWKS that verifies this host's visas.
    pub fn jwks(&self) -> Result<serde_json::Value, Error> {
        self.visa_key().map(VisaKey::jwks)
    }

    /// `GET /visas/{account}`, signed by that account: a GA4GH Passport
    /// `ControlledAccessGrants` visa for each hosted file and DUO purpose the
    /// account may use it for now, as `{"ga4gh_passport_v1": [jwt, …]}`.
    /// The candidate purposes are those of the account's unrevoked grants
    /// from the file's samples; each is put to `check_access`, which alone
    /// decides. (The purpose the request states is signed, not used.)
    pub async fn visas<'a>(
        &self,
        account: &str,
        method: &str,
        target: &str,
        header: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<serde_json::Value, Error> {
        let key = self.visa_key()?;
        let account = bionft_client::keys::account(account)
            .map_err(|e| Error::invalid_input(format!("account: {e:#}")))?;
        let (signer, _) = self.authenticate(method, target, header)?;
        if signer != account {
            return Err(Error::permission_denied(
                "visas are given to their own account only: sign the request with its key",
            ));
        }
        let chain = |e: anyhow::Error| internal(format!("asking the chain: {e:#}"));
        let subject = account.to_string();
        let now = now_ms();
        let issuer = Issuer {
            url: &self.public_url,
            genesis: &self.genesis,
            consent_contract: &self.consent_contract,
            now_ms: now,
            visa_ms: self.visa_ms,
        };
        let mut files: Vec<&HostedFile> = self.files.values().collect();
        files.sort_by(|a, b| a.id.cmp(&b.id));
        let mut visas = Vec::new();
        for file in files {
            let Some(record) = self.bionft.get_record(file.record).await.map_err(chain)? else {
                continue;
            };
            let mut grants = BTreeMap::new();
            for sample in &record.record.samples {
                for id in self
                    .bionft
                    .grants_for(*sample, &account)
                    .await
                    .map_err(chain)?
                {
                    if let Some(grant) = self.bionft.get_grant(id).await.map_err(chain)? {
                        grants.insert(id, grant);
                    }
                }
            }
            let purposes: std::collections::BTreeSet<String> =
                grants.values().map(|g| g.purpose.to_string()).collect();
            for text in purposes {
                let purpose: Purpose = text.parse().map_err(|e| internal(format!("{e:?}")))?;
                let Ok(used) = self
                    .bionft
                    .check_access(&account, file.record, &purpose)
                    .await
                    .map_err(chain)?
                else {
                    continue;
                };
                let of_used = || used.iter().filter_map(|g| grants.get(g));
                let resource = format!(
                    "{}/{}/{}",
                    self.public_url,
                    if Endpoint::Reads.serves(file.format) {
                        "reads"
                    } else {
                        "variants"
                    },
                    file.id
                );
                let assertion = Assertion {
                    subject: &subject,
                    resource: &resource,
                    record: file.record,
                    purpose: &text,
                    grants: &used,
                    asserted_ms: of_used().map(|g| g.issued_at).max().unwrap_or(now),
                    grants_expire_ms: of_used().map(|g| g.expires_at).min().unwrap_or(now),
                };
                let jti = random_hex().map_err(internal)?;
                visas.push(key.visa(&issuer, &assertion, &jti).map_err(internal)?);
            }
        }
        Ok(json!({ "ga4gh_passport_v1": visas }))
    }

    /// A ticket request (`GET /reads/{id}` or `/variants/{id}`): `target` is
    /// the path and query as sent, `header` looks up a request header.
    pub async fn ticket<'a>(
        &self,
        endpoint: Endpoint,
        id: &str,
        method: &str,
        target: &str,
        header: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Issued, Error> {
        let (grantee, purpose) = self.authenticate(method, target, header)?;
        let file = self
            .files
            .get(id)
            .filter(|f| endpoint.serves(f.format))
            .ok_or_else(|| Error::not_found(format!("no {endpoint:?} with id {id}")))?;
        let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
        let query = htsget::parse_query(endpoint, file.format, query)?;
        if query.header_only && file.slicer.is_none() {
            return Err(Error::invalid_input(format!(
                "class=header: {id} is served whole (the header alone needs a BGZF file with an index)"
            )));
        }

        let grants = self.check(&grantee, file.record, &purpose).await?;
        let (receipt, new_session) = self
            .session(&grantee, file.record, &purpose, &grants)
            .await?;

        let token = random_hex().map_err(internal)?;
        let expires_ms = now_ms() + self.ticket_ms;
        self.tickets.lock().expect("tickets lock").insert(
            token.clone(),
            Ticket {
                file: file.id.clone(),
                grantee,
                purpose: purpose.clone(),
                region: query.region.clone(),
                header_only: query.header_only,
                expires_ms,
            },
        );
        let headers = BTreeMap::from([("Authorization".to_string(), format!("Bearer {token}"))]);
        let proof = query.region.as_ref().map(|region| {
            json!({
                "url": format!("{}/proofs/{}", self.public_url, file.id),
                "headers": headers,
                "region": region.to_string(),
                "scheme": file.scheme.name(),
            })
        });
        let ticket = htsget::ticket(
            &query.format,
            &format!("{}/data/{}", self.public_url, file.id),
            &headers,
            query.header_only,
            json!({
                "record": file.record as u64,
                "purpose": purpose.to_string(),
                "receipt": receipt,
                "grants": grants.iter().map(|g| *g as u64).collect::<Vec<_>>(),
                "expires_ms": expires_ms,
                "served": match (&query.region, &file.slicer) {
                    _ if query.header_only => "the header",
                    (Some(_), Some(_)) => "the region's index slice",
                    _ => "the whole file",
                },
                "proof": proof,
            }),
        );
        Ok(Issued {
            ticket,
            receipt,
            new_session,
            grants,
        })
    }

    /// The session's receipt, logging one with `record_access` when this is
    /// the session's first access.
    async fn session(
        &self,
        grantee: &AccountId32,
        record: RecordId,
        purpose: &Purpose,
        grants: &[GrantId],
    ) -> Result<(u64, bool), Error> {
        let key = SessionKey {
            grantee: grantee.0,
            record,
            purpose: purpose.to_string(),
            grants: grants.to_vec(),
        };
        let mut sessions = self.sessions.lock().await;
        let now = now_ms();
        sessions.retain(|_, s| s.expires_ms > now);
        if let Some(s) = sessions.get(&key) {
            return Ok((s.receipt, false));
        }
        let receipt = self
            .bionft
            .record_access(&self.key, grantee, record, purpose.clone())
            .await
            .map_err(|e| {
                // The contract re-checks access itself; a refusal here is a
                // change between the check and the transaction.
                match e.downcast_ref::<bionft_client::chain::ContractRefused>() {
                    Some(refused) => Error::permission_denied(refused.to_string()),
                    None => internal(format!("logging the access: {e:#}")),
                }
            })?;
        sessions.insert(
            key,
            Session {
                receipt,
                expires_ms: now + self.session_ms,
            },
        );
        Ok((receipt, true))
    }

    /// The ticket a bearer token names, if it is for `id` and still valid;
    /// access is checked again on chain, so a revocation since the ticket
    /// applies to its URLs too.
    async fn redeem(&self, id: &str, token: Option<&str>) -> Result<(Ticket, Vec<GrantId>), Error> {
        let token = token.ok_or_else(|| {
            Error::invalid_authentication("no bearer token: fetch a ticket first")
        })?;
        let ticket = self
            .tickets
            .lock()
            .expect("tickets lock")
            .get(token)
            .cloned()
            .filter(|t| t.file == id)
            .ok_or_else(|| Error::invalid_authentication("unknown bearer token"))?;
        if ticket.expires_ms <= now_ms() {
            self.tickets.lock().expect("tickets lock").remove(token);
            return Err(Error::invalid_authentication(
                "the ticket has expired: fetch a new one",
            ));
        }
        let record = self.files[id].record;
        let grants = self.check(&ticket.grantee, record, &ticket.purpose).await?;
        Ok((ticket, grants))
    }

    /// A data URL (`GET /data/{id}` with the ticket's bearer token): the
    /// slice of the ticket's region when the file has an index, else the file;
    /// the header alone for `class=header` (a slice of no chunk).
    pub async fn data(&self, id: &str, token: Option<&str>) -> Result<Served, Error> {
        let (ticket, grants) = self.redeem(id, token).await?;
        let file = &self.files[id];
        let slice = match (&ticket.region, &file.slicer) {
            (_, Some(slicer)) if ticket.header_only => Some((slicer.clone(), Vec::new())),
            (Some(region), Some(slicer)) => {
                let chunks = slicer
                    .chunks(region)
                    .map_err(|e| internal(format!("{id}: the index: {e}")))?;
                Some((slicer.clone(), chunks))
            }
            _ => None,
        };
        Ok(Served {
            path: file.path.clone(),
            grants,
            slice,
        })
    }

    /// A proof URL (`GET /proofs/{id}` with the ticket's bearer token): the
    /// `bionft-seq` inclusion proof of the ticket's region, as JSON.
    pub async fn proof(&self, id: &str, token: Option<&str>) -> Result<Arc<String>, Error> {
        let (ticket, _) = self.redeem(id, token).await?;
        let region = ticket
            .region
            .ok_or_else(|| Error::invalid_input("the ticket names no region to prove"))?;
        let key = (id.to_string(), region.to_string());
        if let Some(p) = self.proofs.lock().expect("proofs lock").get(&key) {
            return Ok(p.clone());
        }
        let file = self.files[id].clone();
        let built = tokio::task::spawn_blocking(move || prove(&file, &region))
            .await
            .map_err(internal)??;
        let built = Arc::new(built);
        self.proofs
            .lock()
            .expect("proofs lock")
            .insert(key, built.clone());
        Ok(built)
    }
}

/// Digests `file` keeping `region`'s records, and builds their proof (JSON).
pub fn prove(file: &HostedFile, region: &Region) -> Result<String, Error> {
    let mut options = Options {
        scheme: file.scheme,
        region: Some(region.clone()),
        ..Options::default()
    };
    options.open.reference = file.reference.clone();
    let report =
        digest_file(&file.path, &options).map_err(|e| internal(format!("{}: {e}", file.id)))?;
    let proof = Proof::build(&report, region)
        .ok_or_else(|| Error::not_found(format!("no records of {} overlap {region}", file.id)))?;
    serde_json::to_string(&proof).map_err(internal)
}
