//! Every user's operations on the deployed contracts, typed with the
//! contracts' own Rust types: deploy (governance), biobank, lab, guardian,
//! grown-up subject and data host. Ids of new records, grants and receipts
//! are read from the events of the finalized block, not guessed.

use crate::bundle::{Bundle, Metadata};
use crate::chain::{account_of, Chain, Finalized, Pending};
use crate::deployment::{Deployed, Deployment, FORMAT};
use crate::keys::ink_account;
use anyhow::{anyhow, bail, Result};
use bionft_primitives::claim;
use bionft_primitives::{
    AccessDenied, Commitment, GrantId, Purpose, RecordId, RecordKind, Role, YearMonth,
};
use biosample::events::BiosampleEvent;
use consent::events::ConsentEvent;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// The deployed BioNFT contracts on a connected chain.
pub struct Bionft {
    pub chain: Chain,
    pub biosample: AccountId32,
    pub consent: AccountId32,
    biosample_meta: Metadata,
    consent_meta: Metadata,
}

/// The two contracts' bundles, as `bionft deploy` uploads them.
pub struct Bundles {
    pub biosample: Bundle,
    pub consent: Bundle,
}

impl Bundles {
    /// Loads both from a directory laid out as `cargo xtask contracts` writes
    /// `target/ink`: `<dir>/biosample/biosample.contract`, `<dir>/consent/consent.contract`.
    pub fn from_dir(dir: &std::path::Path) -> Result<Bundles> {
        Ok(Bundles {
            biosample: Bundle::from_dir(dir, "biosample")?,
            consent: Bundle::from_dir(dir, "consent")?,
        })
    }
}

/// One of the two contracts (for upgrades).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    Biosample,
    Consent,
}

/// A contract event decoded with the contract's own types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Biosample(BiosampleEvent),
    Consent(ConsentEvent),
}

/// The first event `pick` recognises: how ids of new records, grants and
/// receipts are read from a finalized block.
fn first<T>(
    events: &[Event],
    message: &str,
    event: &str,
    pick: impl Fn(&Event) -> Option<T>,
) -> Result<T> {
    events
        .iter()
        .find_map(pick)
        .ok_or_else(|| anyhow!("{message}: no {event} event in the finalized block"))
}

/// The record id in a `SampleMinted` event of a finalized block.
fn minted(events: &[Event], message: &str) -> Result<RecordId> {
    first(events, message, "SampleMinted", |e| match e {
        Event::Biosample(BiosampleEvent::SampleMinted(m)) => Some(m.sample),
        _ => None,
    })
}

impl Bionft {
    /// Uploads and instantiates both contracts as `admin` (a consortium
    /// member; it becomes biosample's admin) and grants `roles`.
    pub async fn deploy(
        chain: Chain,
        admin: &Keypair,
        roles: &[(AccountId32, Role)],
        code: &Bundles,
    ) -> Result<(Bionft, Deployment)> {
        let biosample = chain
            .instantiate(admin, &code.biosample, (ink_account(&account_of(admin)),))
            .await?;
        // consent checks that `biosample` runs the code it is wired to.
        let consent = chain
            .instantiate(
                admin,
                &code.consent,
                (
                    ink_account(&biosample.address),
                    ink::primitives::Hash::from(biosample.code_hash),
                ),
            )
            .await?;
        let deployment = Deployment {
            format: FORMAT,
            endpoint: chain.endpoint().to_string(),
            genesis_hash: chain.genesis_hash(),
            // biosample comes first: neither contract has an event before its block.
            deployed_at_block: Some(biosample.block),
            biosample: Deployed {
                address: biosample.address.to_string(),
                code_hash: format!("0x{}", hex::encode(biosample.code_hash)),
                metadata: Some(code.biosample.metadata.json().clone()),
            },
            consent: Deployed {
                address: consent.address.to_string(),
                code_hash: format!("0x{}", hex::encode(consent.code_hash)),
                metadata: Some(code.consent.metadata.json().clone()),
            },
        };
        let bionft = Bionft {
            chain,
            biosample: biosample.address,
            consent: consent.address,
            biosample_meta: code.biosample.metadata.clone(),
            consent_meta: code.consent.metadata.clone(),
        };
        for (account, role) in roles {
            bionft.grant_role(admin, account, *role).await?;
        }
        Ok((bionft, deployment))
    }

    /// Opens a deployment on `chain` with the contracts' metadata from the
    /// deployment file, refusing a file written for another chain, or
    /// contracts whose code on chain is not the code the file describes (an
    /// upgrade the file missed).
    pub async fn open(chain: Chain, deployment: &Deployment) -> Result<Bionft> {
        let b = Self::open_unchecked(chain, deployment)?;
        for (address, meta) in [
            (&b.biosample, &b.biosample_meta),
            (&b.consent, &b.consent_meta),
        ] {
            match b.chain.contract_code_hash(address).await? {
                None => bail!(
                    "{} is not a contract on {} (the deployment file is stale?)",
                    address,
                    b.chain.endpoint()
                ),
                Some(on_chain) if on_chain != meta.code_hash => bail!(
                    "{} on chain runs code 0x{} but the deployment file describes {}; was it upgraded without this file (`bionft governance upgrade` updates it)?",
                    meta.name,
                    hex::encode(on_chain),
                    meta.code_hash_hex()
                ),
                Some(_) => {}
            }
        }
        Ok(b)
    }

    /// Opens a deployment without comparing the file's code hashes with the
    /// chain (for an upgrade, which changes them); the chain must still match.
    pub fn open_unchecked(chain: Chain, deployment: &Deployment) -> Result<Bionft> {
        if chain.genesis_hash() != deployment.genesis_hash {
            bail!(
                "the deployment file is for chain {} but {} is chain {}; deploy again (`bionft deploy`)",
                deployment.genesis_hash,
                chain.endpoint(),
                chain.genesis_hash()
            );
        }
        Ok(Bionft {
            biosample: deployment.biosample.account()?,
            consent: deployment.consent.account()?,
            biosample_meta: deployment.biosample.metadata()?,
            consent_meta: deployment.consent.metadata()?,
            chain,
        })
    }

    async fn bio<T: scale::Decode>(
        &self,
        k: &Keypair,
        message: &str,
        args: impl scale::Encode,
    ) -> Result<(T, Vec<Event>)> {
        let (v, fin) = self
            .chain
            .submit::<T, biosample::Error>(k, &self.biosample, &self.biosample_meta, message, args)
            .await?;
        Ok((v, self.decode(fin)?))
    }

    async fn unit_bio(&self, k: &Keypair, message: &str, args: impl scale::Encode) -> Result<()> {
        self.bio::<()>(k, message, args).await.map(|_| ())
    }

    async fn consent<T: scale::Decode>(
        &self,
        k: &Keypair,
        message: &str,
        args: impl scale::Encode,
    ) -> Result<(T, Vec<Event>)> {
        let (v, fin) = self
            .chain
            .submit::<T, consent::Error>(k, &self.consent, &self.consent_meta, message, args)
            .await?;
        Ok((v, self.decode(fin)?))
    }

    /// Decodes the events of our two contracts in a finalized block.
    fn decode(&self, fin: Finalized) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for e in fin.events {
            let event = if e.contract == self.biosample.0 {
                BiosampleEvent::decode(&e.topics, &e.data)?.map(Event::Biosample)
            } else if e.contract == self.consent.0 {
                ConsentEvent::decode(&e.topics, &e.data)?.map(Event::Consent)
            } else {
                None
            };
            out.extend(event);
        }
        Ok(out)
    }

    // ------------------------------------------------------------ governance

    pub async fn grant_role(
        &self,
        admin: &Keypair,
        account: &AccountId32,
        role: Role,
    ) -> Result<()> {
        self.bio::<()>(admin, "grant_role", (ink_account(account), role))
            .await
            .map(|_| ())
    }

    // --------------------------------------------------------------- biobank

    /// Mints a newborn's sample: `guardians` are the guardians' per-sample
    /// accounts, `claim` the commitment of the claim key the guardians
    /// generated, `majority` the month their authority ends. Returns its record id.
    pub async fn mint_sample(
        &self,
        k: &Keypair,
        commitment: Commitment,
        guardians: &[AccountId32],
        claim: Commitment,
        majority: YearMonth,
    ) -> Result<RecordId> {
        let guardians: Vec<_> = guardians.iter().map(ink_account).collect();
        let (_, events) = self
            .bio::<RecordId>(k, "mint_sample", (commitment, guardians, claim, majority))
            .await?;
        minted(&events, "mint_sample")
    }

    /// Mints a self-consenting adult's own sample (e.g. a trio parent) with
    /// its subject's per-sample account. Returns its record id.
    pub async fn mint_self_consenting(
        &self,
        k: &Keypair,
        commitment: Commitment,
        subject: &AccountId32,
    ) -> Result<RecordId> {
        let (_, events) = self
            .bio::<RecordId>(
                k,
                "mint_self_consenting",
                (commitment, ink_account(subject)),
            )
            .await?;
        minted(&events, "mint_self_consenting")
    }

    /// Transfers `amount` plancks from `k` to each of `accounts` (e.g. the
    /// biobank funding the per-sample accounts it minted with, for their fees).
    pub async fn fund(&self, k: &Keypair, accounts: &[AccountId32], amount: u128) -> Result<()> {
        for a in accounts {
            self.chain.transfer(k, a, amount).await?;
        }
        Ok(())
    }

    /// Registers a derived artifact (aliquot … variants); returns its record id.
    pub async fn register_artifact(
        &self,
        k: &Keypair,
        kind: RecordKind,
        parents: &[RecordId],
        commitment: Commitment,
        digest_alg: u16,
    ) -> Result<RecordId> {
        let finalized = self
            .send_register_artifact(k, kind, parents, commitment, digest_alg, None)
            .await?
            .finalized()
            .await?;
        let events = self.decode(finalized)?;
        first(
            &events,
            "register_artifact",
            "ArtifactRegistered",
            |e| match e {
                Event::Biosample(BiosampleEvent::ArtifactRegistered(a)) => Some(a.record),
                _ => None,
            },
        )
    }

    /// [`Bionft::register_artifact`] without the wait for finality (after
    /// the dry run): the transaction in the pool, so that one signer may
    /// send many at once (`nonce`: see [`Chain::send`]).
    pub async fn send_register_artifact(
        &self,
        k: &Keypair,
        kind: RecordKind,
        parents: &[RecordId],
        commitment: Commitment,
        digest_alg: u16,
        nonce: Option<u64>,
    ) -> Result<Pending> {
        let (_, pending) = self
            .chain
            .send::<RecordId, biosample::Error>(
                k,
                &self.biosample,
                &self.biosample_meta,
                "register_artifact",
                (kind, parents.to_vec(), commitment, digest_alg),
                nonce,
            )
            .await?;
        Ok(pending)
    }

    pub async fn transfer_custody(
        &self,
        k: &Keypair,
        sample: RecordId,
        to: &AccountId32,
    ) -> Result<()> {
        self.bio::<()>(k, "transfer_custody", (sample, ink_account(to)))
            .await
            .map(|_| ())
    }

    /// Whoever may register `old`'s kind: a re-processed replacement; returns the new record id.
    pub async fn supersede(
        &self,
        k: &Keypair,
        old: RecordId,
        commitment: Commitment,
        digest_alg: u16,
    ) -> Result<RecordId> {
        let (_, events) = self
            .bio::<RecordId>(k, "supersede", (old, commitment, digest_alg))
            .await?;
        first(&events, "supersede", "RecordSuperseded", |e| match e {
            Event::Biosample(BiosampleEvent::RecordSuperseded(r)) => Some(r.new),
            _ => None,
        })
    }

    /// Custodian: lets `sequencer` register libraries … variants under `sample`.
    pub async fn assign_sequencer(
        &self,
        k: &Keypair,
        sample: RecordId,
        sequencer: &AccountId32,
    ) -> Result<()> {
        self.unit_bio(k, "assign_sequencer", (sample, ink_account(sequencer)))
            .await
    }

    pub async fn unassign_sequencer(
        &self,
        k: &Keypair,
        sample: RecordId,
        sequencer: &AccountId32,
    ) -> Result<()> {
        self.unit_bio(k, "unassign_sequencer", (sample, ink_account(sequencer)))
            .await
    }

    /// Custodian: makes the guardians' nominee a guardian; `reason` hashes the evidence checked.
    pub async fn approve_guardian(
        &self,
        k: &Keypair,
        sample: RecordId,
        nominee: &AccountId32,
        reason: [u8; 32],
    ) -> Result<()> {
        self.unit_bio(
            k,
            "approve_guardian",
            (sample, ink_account(nominee), reason),
        )
        .await
    }

    /// Custodian: removes a guardian (never the last); `reason` hashes e.g. a court order.
    pub async fn remove_guardian(
        &self,
        k: &Keypair,
        sample: RecordId,
        guardian: &AccountId32,
        reason: [u8; 32],
    ) -> Result<()> {
        self.unit_bio(
            k,
            "remove_guardian",
            (sample, ink_account(guardian), reason),
        )
        .await
    }

    /// Custodian, from the majority month on: attests `claimant` as the grown-up subject.
    pub async fn attest_claimant(
        &self,
        k: &Keypair,
        sample: RecordId,
        claimant: &AccountId32,
    ) -> Result<()> {
        self.unit_bio(k, "attest_claimant", (sample, ink_account(claimant)))
            .await
    }

    // ------------------------------------------------------------ governance

    /// Admin: moves an (orphaned) sample to biobank `to`.
    pub async fn reassign_custody(
        &self,
        admin: &Keypair,
        sample: RecordId,
        to: &AccountId32,
    ) -> Result<()> {
        self.unit_bio(admin, "reassign_custody", (sample, ink_account(to)))
            .await
    }

    pub async fn revoke_role(
        &self,
        admin: &Keypair,
        account: &AccountId32,
        role: Role,
    ) -> Result<()> {
        self.unit_bio(admin, "revoke_role", (ink_account(account), role))
            .await
    }

    pub async fn transfer_admin(&self, admin: &Keypair, to: &AccountId32) -> Result<()> {
        self.unit_bio(admin, "transfer_admin", (ink_account(to),))
            .await
    }

    /// Admin: pauses (`true`) or resumes every write of both contracts.
    pub async fn set_paused(&self, admin: &Keypair, paused: bool) -> Result<()> {
        self.unit_bio(admin, "set_paused", (paused,)).await
    }

    /// Whether governance paused the contracts.
    pub async fn paused(&self) -> Result<bool> {
        self.chain
            .query(
                &AccountId32([0; 32]),
                &self.biosample,
                &self.biosample_meta,
                "Lineage::paused",
                (),
            )
            .await
    }

    /// Admin: uploads `code` (unless the chain has it) and switches `which`
    /// contract to it with `set_code_hash`, keeping storage and address.
    /// Returns the new code hash.
    pub async fn upgrade(
        &self,
        admin: &Keypair,
        which: Contract,
        code: &Bundle,
    ) -> Result<[u8; 32]> {
        let hash = self.chain.upload_code(admin, code).await?;
        let h = ink::primitives::Hash::from(hash);
        match which {
            Contract::Biosample => self.unit_bio(admin, "set_code_hash", (h,)).await?,
            Contract::Consent => {
                self.consent::<()>(admin, "set_code_hash", (h,)).await?;
            }
        }
        Ok(hash)
    }

    /// Governance: points consent at `biosample`, which must run `code_hash`.
    pub async fn rewire(
        &self,
        admin: &Keypair,
        biosample: &AccountId32,
        code_hash: [u8; 32],
    ) -> Result<()> {
        self.consent::<()>(
            admin,
            "rewire",
            (
                ink_account(biosample),
                ink::primitives::Hash::from(code_hash),
            ),
        )
        .await
        .map(|_| ())
    }

    // ------------------------------------------------- guardians and subject

    /// Grants `grantee` use of `scope` and its descendants; returns the grant id.
    pub async fn grant(
        &self,
        k: &Keypair,
        sample: RecordId,
        grantee: &AccountId32,
        scope: RecordId,
        purpose: Purpose,
        expires_at: u64,
    ) -> Result<GrantId> {
        let (_, events) = self
            .consent::<GrantId>(
                k,
                "grant",
                (sample, ink_account(grantee), scope, purpose, expires_at),
            )
            .await?;
        first(&events, "grant", "GrantIssued", |e| match e {
            Event::Consent(ConsentEvent::GrantIssued(g)) => Some(g.grant),
            _ => None,
        })
    }

    pub async fn revoke(&self, k: &Keypair, grant: GrantId) -> Result<()> {
        self.consent::<()>(k, "revoke", (grant,)).await.map(|_| ())
    }

    pub async fn withdraw_all(&self, k: &Keypair, sample: RecordId) -> Result<()> {
        self.consent::<()>(k, "withdraw_all", (sample,))
            .await
            .map(|_| ())
    }

    pub async fn confirm(&self, k: &Keypair, grant: GrantId) -> Result<()> {
        self.consent::<()>(k, "confirm", (grant,)).await.map(|_| ())
    }

    pub async fn withdraw(&self, k: &Keypair, record: RecordId) -> Result<()> {
        self.bio::<()>(k, "withdraw", (record,)).await.map(|_| ())
    }

    /// Guardian: proposes `nominee` (their per-sample account) as another guardian.
    pub async fn nominate_guardian(
        &self,
        k: &Keypair,
        sample: RecordId,
        nominee: &AccountId32,
    ) -> Result<()> {
        self.unit_bio(k, "nominate_guardian", (sample, ink_account(nominee)))
            .await
    }

    /// Guardian: steps down (never as the last one).
    pub async fn resign_guardian(&self, k: &Keypair, sample: RecordId) -> Result<()> {
        self.unit_bio(k, "resign_guardian", (sample,)).await
    }

    /// Signs the claim with `secret`'s claim key for `k`'s own account (so that nobody who
    /// sees the transaction can reuse it) and presents it.
    pub async fn claim_majority(&self, k: &Keypair, sample: RecordId, secret: &[u8]) -> Result<()> {
        let signature = claim::keys::sign_claim(
            secret,
            &ink_account(&self.biosample),
            sample,
            &ink_account(&account_of(k)),
        )
        .map_err(|e| anyhow!("deriving the claim key: {e}"))?;
        self.bio::<()>(k, "claim_majority", (sample, signature.to_vec()))
            .await
            .map(|_| ())
    }

    // ------------------------------------------------------------- data host

    /// May `grantee` use `record` for `purpose` now? The covering grants, one
    /// per sample the record derives from (ascending sample id), or the
    /// reason for a denial. (A read: no transaction.)
    pub async fn check_access(
        &self,
        grantee: &AccountId32,
        record: RecordId,
        purpose: &Purpose,
    ) -> Result<Result<Vec<GrantId>, AccessDenied>> {
        self.chain
            .query(
                &AccountId32([0; 32]),
                &self.consent,
                &self.consent_meta,
                "check_access",
                (ink_account(grantee), record, purpose.clone()),
            )
            .await
    }

    /// Data host: records a receipt for serving `record` to `grantee` for
    /// `purpose` (the contract logs every grant used); returns the receipt number.
    pub async fn record_access(
        &self,
        k: &Keypair,
        grantee: &AccountId32,
        record: RecordId,
        purpose: Purpose,
    ) -> Result<u64> {
        let (_, events) = self
            .consent::<u64>(k, "record_access", (ink_account(grantee), record, purpose))
            .await?;
        first(&events, "record_access", "AccessRecorded", |e| match e {
            Event::Consent(ConsentEvent::AccessRecorded(r)) => Some(r.receipt),
            _ => None,
        })
    }

    // ----------------------------------------------------------------- reads

    pub async fn get_record(&self, id: RecordId) -> Result<Option<biosample::RecordView>> {
        self.chain
            .query(
                &AccountId32([0; 32]),
                &self.biosample,
                &self.biosample_meta,
                "get_record",
                (id,),
            )
            .await
    }

    /// Custody, guardianship and the majority handover of a sample.
    pub async fn get_sample(&self, id: RecordId) -> Result<Option<biosample::Sample>> {
        self.chain
            .query(
                &AccountId32([0; 32]),
                &self.biosample,
                &self.biosample_meta,
                "get_sample",
                (id,),
            )
            .await
    }

    /// The record carrying `commitment`, if any.
    pub async fn record_by_commitment(&self, commitment: Commitment) -> Result<Option<RecordId>> {
        self.chain
            .query(
                &AccountId32([0; 32]),
                &self.biosample,
                &self.biosample_meta,
                "record_by_commitment",
                (commitment,),
            )
            .await
    }

    /// The unrevoked grants `grantee` holds from the subject of `sample`
    /// (expired and lapsed ones included: `check_access` says which count).
    pub async fn grants_for(
        &self,
        sample: RecordId,
        grantee: &AccountId32,
    ) -> Result<Vec<GrantId>> {
        self.chain
            .query(
                &AccountId32([0; 32]),
                &self.consent,
                &self.consent_meta,
                "grants_for",
                (sample, ink_account(grantee)),
            )
            .await
    }

    pub async fn get_grant(&self, id: GrantId) -> Result<Option<consent::Grant>> {
        self.chain
            .query(
                &AccountId32([0; 32]),
                &self.consent,
                &self.consent_meta,
                "get_grant",
                (id,),
            )
            .await
    }
}
