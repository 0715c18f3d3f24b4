//! Every user's operations on the deployed contracts, typed with the
//! contracts' own Rust types: deploy (governance), biobank, lab, guardian,
//! grown-up subject and data host. Ids of new records, grants and receipts
//! are read from the events of the finalized block, not guessed.

use crate::bundle::Bundle;
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
    biosample_code: Bundle,
    consent_code: Bundle,
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

/// blake2-256 of a contract's code: its code hash on pallet-contracts.
pub fn code_hash(wasm: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(wasm, &mut out);
    out
}

impl Bionft {
    /// Uploads and instantiates both contracts as `admin` (a consortium
    /// member; it becomes biosample's admin) and grants `roles`.
    pub async fn deploy(
        chain: Chain,
        admin: &Keypair,
        roles: &[(AccountId32, Role)],
    ) -> Result<(Bionft, Deployment)> {
        let biosample_code = Bundle::built("biosample")?;
        let consent_code = Bundle::built("consent")?;
        let biosample = chain
            .instantiate(admin, &biosample_code, (ink_account(&account_of(admin)),))
            .await?;
        // consent checks that `biosample` runs the code it is wired to.
        let consent = chain
            .instantiate(
                admin,
                &consent_code,
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
            },
            consent: Deployed {
                address: consent.address.to_string(),
                code_hash: format!("0x{}", hex::encode(consent.code_hash)),
            },
        };
        let bionft = Bionft {
            chain,
            biosample: biosample.address,
            consent: consent.address,
            biosample_code,
            consent_code,
        };
        for (account, role) in roles {
            bionft.grant_role(admin, account, *role).await?;
        }
        Ok((bionft, deployment))
    }

    /// Opens a deployment on `chain`, refusing a file written for another
    /// chain or contract code that differs from the local build.
    pub async fn open(chain: Chain, deployment: &Deployment) -> Result<Bionft> {
        if chain.genesis_hash() != deployment.genesis_hash {
            bail!(
                "the deployment file is for chain {} but {} is chain {}; deploy again (`bionft deploy`)",
                deployment.genesis_hash,
                chain.endpoint(),
                chain.genesis_hash()
            );
        }
        let biosample_code = Bundle::built("biosample")?;
        let consent_code = Bundle::built("consent")?;
        for (bundle, deployed) in [
            (&biosample_code, &deployment.biosample),
            (&consent_code, &deployment.consent),
        ] {
            let local = format!("0x{}", hex::encode(code_hash(&bundle.wasm)));
            if local != deployed.code_hash {
                bail!(
                    "{} on chain has code {} but the local build is {local}; rebuild or redeploy",
                    bundle.name,
                    deployed.code_hash
                );
            }
        }
        Ok(Bionft {
            biosample: deployment.biosample.account()?,
            consent: deployment.consent.account()?,
            chain,
            biosample_code,
            consent_code,
        })
    }

    /// Opens a deployment without comparing its code with the local build
    /// (for an upgrade, which changes it); the chain must still match.
    pub fn open_unchecked(chain: Chain, deployment: &Deployment) -> Result<Bionft> {
        if chain.genesis_hash() != deployment.genesis_hash {
            bail!(
                "the deployment file is for chain {} but {} is chain {}",
                deployment.genesis_hash,
                chain.endpoint(),
                chain.genesis_hash()
            );
        }
        Ok(Bionft {
            biosample: deployment.biosample.account()?,
            consent: deployment.consent.account()?,
            biosample_code: Bundle::built("biosample")?,
            consent_code: Bundle::built("consent")?,
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
            .submit::<T, biosample::Error>(k, &self.biosample, &self.biosample_code, message, args)
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
            .submit::<T, consent::Error>(k, &self.consent, &self.consent_code, message, args)
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
                &self.biosample_code,
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
                &self.biosample_code,
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
                &self.consent_code,
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
                &self.biosample_code,
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
                &self.biosample_code,
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
                &self.biosample_code,
                "record_by_commitment",
                (commitment,),
            )
            .await
    }

    pub async fn get_grant(&self, id: GrantId) -> Result<Option<consent::Grant>> {
        self.chain
            .query(
                &AccountId32([0; 32]),
                &self.consent,
                &self.consent_code,
                "get_grant",
                (id,),
            )
            .await
    }
}
