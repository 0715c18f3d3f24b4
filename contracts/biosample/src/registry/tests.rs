//! Native tests of the registry's rules (no chain; ink!'s off-chain storage).

use super::*;
use bionft_primitives::claim::keys::{commitment_for_secret, sign_claim};
use bionft_primitives::Recorded;

pub(crate) fn acct(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

const ADMIN: u8 = 1;
const BIOBANK: u8 = 2;
const SEQUENCER: u8 = 3;
const HOST: u8 = 4;
const G1: u8 = 5;
const G2: u8 = 6;
const CHILD: u8 = 7;
const STRANGER: u8 = 8;
const BIOBANK2: u8 = 9;
const SECRET: &[u8] = b"handed to the guardians at birth";

struct World {
    reg: Registry,
    ev: Recorded,
    now: Timestamp,
}

impl World {
    fn new() -> Self {
        // The off-chain storage engine keys storage by the executing contract.
        ink::env::test::set_callee::<ink::env::DefaultEnvironment>(acct(0xc0));
        let mut w = World {
            reg: Registry::new(acct(ADMIN)),
            ev: Recorded::default(),
            now: 1_700_000_000_000,
        };
        for (who, role) in [
            (BIOBANK, Role::Biobank),
            (SEQUENCER, Role::Sequencer),
            (HOST, Role::DataHost),
            (BIOBANK2, Role::Biobank),
        ] {
            let env = w.env(ADMIN);
            w.reg.grant_role(&env, acct(who), role, &mut w.ev).unwrap();
        }
        w.ev.clear();
        w
    }

    fn env(&self, caller: u8) -> Env {
        Env {
            caller: acct(caller),
            now: self.now,
            block: 7,
        }
    }

    /// `who` claims sample `s` with a signature made by `signer_secret`'s key for `signed_for`.
    fn claim(&mut self, who: u8, s: RecordId, signer_secret: &[u8], signed_for: u8) -> Result<()> {
        let signature = sign_claim(signer_secret, &acct(0xc0), s, &acct(signed_for)).unwrap();
        let env = self.env(who);
        self.reg
            .claim_majority(&env, &acct(0xc0), s, &signature, &mut self.ev)
    }

    fn mint(&mut self, commitment: u8, majority: Option<YearMonth>) -> Result<RecordId> {
        let env = self.env(BIOBANK);
        self.reg.mint_sample(
            &env,
            [commitment; 32],
            vec![acct(G1)],
            commitment_for_secret(SECRET).unwrap(),
            majority,
            &mut self.ev,
        )
    }

    fn register(
        &mut self,
        caller: u8,
        kind: RecordKind,
        parents: &[RecordId],
        commitment: u8,
    ) -> Result<RecordId> {
        let env = self.env(caller);
        self.reg.register_artifact(
            &env,
            kind,
            parents.to_vec(),
            [commitment; 32],
            digest_alg::BIONFT_CONTENT_V1,
            &mut self.ev,
        )
    }

    fn status(&self, id: RecordId) -> RecordStatus {
        self.reg.get_record(id).unwrap().status
    }
}

#[test]
fn roles_are_granted_and_revoked_by_the_admin_only() {
    let mut w = World::new();
    let env = w.env(STRANGER);
    assert_eq!(
        w.reg
            .grant_role(&env, acct(STRANGER), Role::Biobank, &mut w.ev),
        Err(Error::NotAdmin)
    );
    assert_eq!(
        w.reg
            .revoke_role(&env, acct(BIOBANK), Role::Biobank, &mut w.ev),
        Err(Error::NotAdmin)
    );
    assert_eq!(
        w.reg.transfer_admin(&env, acct(STRANGER), &mut w.ev),
        Err(Error::NotAdmin)
    );
    let env = w.env(ADMIN);
    assert_eq!(
        w.reg
            .grant_role(&env, acct(BIOBANK), Role::Biobank, &mut w.ev),
        Err(Error::RoleAlreadyHeld)
    );
    w.reg
        .grant_role(&env, acct(BIOBANK), Role::Sequencer, &mut w.ev)
        .unwrap();
    w.reg
        .revoke_role(&env, acct(BIOBANK), Role::Biobank, &mut w.ev)
        .unwrap();
    assert!(!w.reg.has_role(acct(BIOBANK), Role::Biobank));
    assert!(w.reg.has_role(acct(BIOBANK), Role::Sequencer));
    assert_eq!(
        w.reg
            .revoke_role(&env, acct(BIOBANK), Role::Biobank, &mut w.ev),
        Err(Error::RoleNotHeld)
    );
    assert_eq!(w.ev.of::<RoleGranted>().len(), 1);
    assert_eq!(w.ev.of::<RoleRevoked>().len(), 1);
    assert!(w.ev.of::<AdminTransferred>().is_empty());
    w.reg.transfer_admin(&env, acct(G2), &mut w.ev).unwrap();
    assert_eq!(w.reg.admin(), acct(G2));
    assert_eq!(
        w.reg.grant_role(&env, acct(G1), Role::Biobank, &mut w.ev),
        Err(Error::NotAdmin)
    );
}

#[test]
fn mint_checks_role_guardians_date_and_commitment_uniqueness() {
    let mut w = World::new();
    let env = w.env(SEQUENCER);
    assert_eq!(
        w.reg
            .mint_sample(&env, [1; 32], vec![acct(G1)], [0; 32], None, &mut w.ev),
        Err(Error::NotBiobank)
    );
    let env = w.env(BIOBANK);
    assert_eq!(
        w.reg
            .mint_sample(&env, [1; 32], vec![], [0; 32], None, &mut w.ev),
        Err(Error::NoGuardians)
    );
    assert_eq!(
        w.reg.mint_sample(
            &env,
            [1; 32],
            vec![acct(G1), acct(G1)],
            [0; 32],
            None,
            &mut w.ev
        ),
        Err(Error::AlreadyGuardian)
    );
    assert_eq!(
        w.reg.mint_sample(
            &env,
            [1; 32],
            (10..19).map(acct).collect(),
            [0; 32],
            None,
            &mut w.ev
        ),
        Err(Error::TooManyGuardians)
    );
    let bad_month = Some(YearMonth {
        year: 2044,
        month: 13,
    });
    assert_eq!(w.mint(1, bad_month), Err(Error::InvalidMajorityDate));
    assert!(w.ev.0.is_empty(), "refused calls emit nothing");

    let id = w.mint(1, None).unwrap();
    assert_eq!(id, 1);
    assert_eq!(w.mint(1, None), Err(Error::DuplicateCommitment));
    let minted = w.ev.of::<SampleMinted>();
    assert_eq!(minted.len(), 1);
    assert_eq!(minted[0].sample, 1);
    assert_eq!(minted[0].guardians, vec![acct(G1)]);
    assert_eq!(w.reg.total_supply(), 1);
    let owner = w.reg.owner_of(&Id::U128(1)).unwrap();
    assert_eq!(owner, subject_placeholder_account(1));
    assert_eq!(w.reg.balance_of(owner), 1);
    assert_eq!(w.ev.of::<Transfer>()[0].to, Some(owner));
}

#[test]
fn artifacts_form_a_lineage_with_kind_and_sample_rules() {
    let mut w = World::new();
    let s1 = w.mint(1, None).unwrap();
    let s2 = w.mint(2, None).unwrap();
    let aliquot = w.register(BIOBANK, RecordKind::Aliquot, &[s1], 10).unwrap();
    let run = w
        .register(SEQUENCER, RecordKind::SequencingRun, &[aliquot], 11)
        .unwrap();
    let bam = w
        .register(SEQUENCER, RecordKind::Alignment, &[run], 12)
        .unwrap();
    let bam2 = w
        .register(SEQUENCER, RecordKind::Alignment, &[run], 13)
        .unwrap();
    let vcf = w
        .register(SEQUENCER, RecordKind::Variants, &[bam, bam2], 14)
        .unwrap();
    assert_eq!(
        w.reg.access_context(vcf).unwrap().lineage,
        vec![vcf, bam, bam2, run, aliquot, s1]
    );
    assert_eq!(w.reg.get_record(vcf).unwrap().record.sample, s1);
    assert_eq!(w.reg.record_by_commitment([14; 32]), Some(vcf));

    assert_eq!(
        w.register(STRANGER, RecordKind::Aliquot, &[s1], 20),
        Err(Error::NotRegistrar)
    );
    assert_eq!(
        w.register(HOST, RecordKind::Aliquot, &[s1], 20),
        Err(Error::NotRegistrar)
    );
    assert_eq!(
        w.register(BIOBANK2, RecordKind::Aliquot, &[s1], 20),
        Err(Error::NotCustodian)
    );
    assert_eq!(
        w.register(BIOBANK, RecordKind::Sample, &[s1], 20),
        Err(Error::SampleIsNotAnArtifact)
    );
    assert_eq!(
        w.register(BIOBANK, RecordKind::Aliquot, &[], 20),
        Err(Error::NoParents)
    );
    assert_eq!(
        w.register(BIOBANK, RecordKind::Aliquot, &[s1, s1], 20),
        Err(Error::DuplicateParent)
    );
    assert_eq!(
        w.register(BIOBANK, RecordKind::Aliquot, &[99], 20),
        Err(Error::UnknownRecord)
    );
    assert_eq!(
        w.register(
            BIOBANK,
            RecordKind::Aliquot,
            &[1, 2, 3, 4, 5, 6, 7, 8, 9],
            20
        ),
        Err(Error::TooManyParents)
    );
    assert_eq!(
        w.register(SEQUENCER, RecordKind::Reads, &[bam], 20),
        Err(Error::KindCannotDeriveFromParent)
    );
    assert_eq!(
        w.register(SEQUENCER, RecordKind::Library, &[s1, s2], 20),
        Err(Error::ParentsFromDifferentSamples)
    );
    assert_eq!(
        w.register(SEQUENCER, RecordKind::Variants, &[bam], 14),
        Err(Error::DuplicateCommitment)
    );
    assert_eq!(
        w.register(SEQUENCER, RecordKind::Variants, &[bam], 1),
        Err(Error::DuplicateCommitment)
    );
    assert_eq!(w.ev.of::<ArtifactRegistered>().len(), 5);
}

#[test]
fn lineage_size_is_bounded() {
    let mut w = World::new();
    let mut parent = w.mint(1, None).unwrap();
    for i in 1..MAX_LINEAGE {
        parent = w
            .register(BIOBANK, RecordKind::Aliquot, &[parent], i as u8 + 1)
            .unwrap();
    }
    assert_eq!(
        w.reg.access_context(parent).unwrap().lineage.len(),
        MAX_LINEAGE
    );
    assert_eq!(
        w.register(BIOBANK, RecordKind::Aliquot, &[parent], 200),
        Err(Error::LineageTooLarge)
    );
}

#[test]
fn supersede_keeps_lineage_and_is_limited_to_registrar_or_custodian() {
    let mut w = World::new();
    let s = w.mint(1, None).unwrap();
    let bam = w
        .register(SEQUENCER, RecordKind::Alignment, &[s], 10)
        .unwrap();
    let vcf = w
        .register(SEQUENCER, RecordKind::Variants, &[bam], 11)
        .unwrap();
    let env = w.env(STRANGER);
    assert_eq!(
        w.reg.supersede(&env, bam, [12; 32], 1, &mut w.ev),
        Err(Error::NotRegistrarOfRecord)
    );
    let env = w.env(BIOBANK2);
    assert_eq!(
        w.reg.supersede(&env, bam, [12; 32], 1, &mut w.ev),
        Err(Error::NotRegistrarOfRecord)
    );
    let env = w.env(BIOBANK);
    assert_eq!(
        w.reg.supersede(&env, s, [12; 32], 1, &mut w.ev),
        Err(Error::SampleIsNotAnArtifact)
    );
    assert_eq!(
        w.reg.supersede(&env, bam, [11; 32], 1, &mut w.ev),
        Err(Error::DuplicateCommitment)
    );
    let env = w.env(SEQUENCER);
    let bam_v2 = w.reg.supersede(&env, bam, [12; 32], 1, &mut w.ev).unwrap();
    assert_eq!(w.status(bam), RecordStatus::Superseded(bam_v2));
    assert_eq!(w.reg.get_record(bam_v2).unwrap().record.parents, vec![s]);
    assert_eq!(
        w.reg.get_record(vcf).unwrap().record.parents,
        vec![bam],
        "descendants keep their lineage"
    );
    assert_eq!(
        w.reg.supersede(&env, bam, [13; 32], 1, &mut w.ev),
        Err(Error::AlreadySuperseded)
    );
    let env = w.env(BIOBANK);
    w.reg
        .supersede(&env, bam_v2, [13; 32], 1, &mut w.ev)
        .unwrap();
    assert_eq!(w.ev.of::<RecordSuperseded>().len(), 2);
}

#[test]
fn custody_moves_between_biobanks_only() {
    let mut w = World::new();
    let s = w.mint(1, None).unwrap();
    let env = w.env(BIOBANK2);
    assert_eq!(
        w.reg.transfer_custody(&env, s, acct(BIOBANK2), &mut w.ev),
        Err(Error::NotCustodian)
    );
    let env = w.env(BIOBANK);
    assert_eq!(
        w.reg.transfer_custody(&env, s, acct(SEQUENCER), &mut w.ev),
        Err(Error::RecipientNotBiobank)
    );
    assert_eq!(
        w.reg.transfer_custody(&env, s, acct(BIOBANK), &mut w.ev),
        Err(Error::AlreadyCustodian)
    );
    assert_eq!(
        w.reg.transfer_custody(&env, 42, acct(BIOBANK2), &mut w.ev),
        Err(Error::UnknownRecord)
    );
    w.reg
        .transfer_custody(&env, s, acct(BIOBANK2), &mut w.ev)
        .unwrap();
    assert_eq!(w.reg.get_sample(s).unwrap().custodian, acct(BIOBANK2));
    assert_eq!(
        w.register(BIOBANK, RecordKind::Aliquot, &[s], 10),
        Err(Error::NotCustodian)
    );
    assert!(w.register(BIOBANK2, RecordKind::Aliquot, &[s], 10).is_ok());
    let aliquot = 2;
    let env = w.env(BIOBANK);
    assert_eq!(
        w.reg
            .transfer_custody(&env, aliquot, acct(BIOBANK), &mut w.ev),
        Err(Error::NotASample)
    );
}

#[test]
fn guardians_manage_guardians_until_majority() {
    let mut w = World::new();
    let s = w
        .mint(
            1,
            Some(YearMonth {
                year: 2044,
                month: 6,
            }),
        )
        .unwrap();
    let env = w.env(STRANGER);
    assert_eq!(
        w.reg.add_guardian(&env, s, acct(STRANGER), &mut w.ev),
        Err(Error::NotGuardian)
    );
    let env = w.env(G1);
    assert_eq!(
        w.reg.remove_guardian(&env, s, acct(G1), &mut w.ev),
        Err(Error::LastGuardian)
    );
    assert_eq!(
        w.reg.add_guardian(&env, s, acct(G1), &mut w.ev),
        Err(Error::AlreadyGuardian)
    );
    w.reg.add_guardian(&env, s, acct(G2), &mut w.ev).unwrap();
    assert_eq!(w.reg.authority(s, acct(G2)), Some(Authority::Guardian));
    assert_eq!(
        w.reg.remove_guardian(&env, s, acct(STRANGER), &mut w.ev),
        Err(Error::NotGuardian)
    );
    let env = w.env(G2);
    w.reg.remove_guardian(&env, s, acct(G1), &mut w.ev).unwrap();
    assert_eq!(w.reg.authority(s, acct(G1)), None);
    assert_eq!(w.ev.of::<GuardianAdded>().len(), 1);
    assert_eq!(w.ev.of::<GuardianRemoved>().len(), 1);
}

#[test]
fn majority_claim_needs_the_secret_and_the_month_and_ends_guardianship() {
    let mut w = World::new();
    let majority = YearMonth {
        year: 2044,
        month: 6,
    };
    let s = w.mint(1, Some(majority)).unwrap();
    assert_eq!(
        w.claim(CHILD, s, SECRET, CHILD),
        Err(Error::MajorityNotReached)
    );
    w.now = majority.start_millis();
    assert_eq!(
        w.claim(CHILD, s, b"guess", CHILD),
        Err(Error::ClaimMismatch)
    );
    // The child's signature, seen in the transaction pool, is useless to anyone else.
    assert_eq!(
        w.claim(STRANGER, s, SECRET, CHILD),
        Err(Error::ClaimMismatch)
    );
    assert_eq!(w.reg.authority(s, acct(G1)), Some(Authority::Guardian));
    w.claim(CHILD, s, SECRET, CHILD).unwrap();
    assert_eq!(
        w.claim(CHILD, s, SECRET, CHILD),
        Err(Error::MajorityClaimed)
    );
    assert_eq!(w.reg.authority(s, acct(CHILD)), Some(Authority::Subject));
    assert_eq!(w.reg.authority(s, acct(G1)), None);
    assert_eq!(w.reg.owner_of(&Id::U128(s)), Some(acct(CHILD)));
    assert_eq!(w.reg.balance_of(acct(CHILD)), 1);
    assert_eq!(w.reg.balance_of(subject_placeholder_account(s)), 0);
    let env = w.env(G1);
    assert_eq!(
        w.reg.add_guardian(&env, s, acct(G2), &mut w.ev),
        Err(Error::MajorityClaimed)
    );
    assert_eq!(
        w.reg.withdraw(&env, s, &mut w.ev),
        Err(Error::NotSubjectOrGuardian)
    );
    assert_eq!(w.ev.of::<MajorityClaimed>()[0].subject, acct(CHILD));
    assert_eq!(
        w.reg.get_attribute(&Id::U128(s), b"majority_claimed"),
        Some(b"true".to_vec())
    );
}

#[test]
fn withdrawal_covers_descendants_and_blocks_new_children() {
    let mut w = World::new();
    let s = w.mint(1, None).unwrap();
    let aliquot = w.register(BIOBANK, RecordKind::Aliquot, &[s], 10).unwrap();
    let bam = w
        .register(SEQUENCER, RecordKind::Alignment, &[aliquot], 11)
        .unwrap();
    let other = w.register(BIOBANK, RecordKind::Aliquot, &[s], 12).unwrap();
    let env = w.env(STRANGER);
    assert_eq!(
        w.reg.withdraw(&env, aliquot, &mut w.ev),
        Err(Error::NotSubjectOrGuardian)
    );
    let env = w.env(BIOBANK);
    assert_eq!(
        w.reg.withdraw(&env, aliquot, &mut w.ev),
        Err(Error::NotSubjectOrGuardian)
    );
    let env = w.env(G1);
    w.reg.withdraw(&env, aliquot, &mut w.ev).unwrap();
    assert_eq!(w.status(aliquot), RecordStatus::Withdrawn);
    assert_eq!(w.status(bam), RecordStatus::Withdrawn);
    assert_eq!(w.status(other), RecordStatus::Active);
    assert_eq!(w.status(s), RecordStatus::Active);
    assert!(w.reg.access_context(bam).unwrap().withdrawn);
    assert_eq!(
        w.reg.withdraw(&env, bam, &mut w.ev),
        Err(Error::AlreadyWithdrawn)
    );
    assert_eq!(
        w.register(SEQUENCER, RecordKind::Variants, &[bam], 13),
        Err(Error::RecordWithdrawn)
    );
    let env = w.env(SEQUENCER);
    assert_eq!(
        w.reg.supersede(&env, bam, [14; 32], 1, &mut w.ev),
        Err(Error::RecordWithdrawn)
    );
    assert_eq!(
        w.ev.of::<RecordWithdrawn>()[0].authority,
        Authority::Guardian
    );
}

#[test]
fn token_reads_follow_psp34() {
    let mut w = World::new();
    let s = w.mint(0xab, None).unwrap();
    assert_eq!(
        w.reg.get_attribute(&Id::U8(1), b"kind"),
        Some(b"sample".to_vec())
    );
    assert_eq!(
        w.reg.get_attribute(&Id::U128(s), b"commitment"),
        Some(vec![0xab; 32])
    );
    assert_eq!(
        w.reg.get_attribute(&Id::U128(s), b"status"),
        Some(b"active".to_vec())
    );
    assert_eq!(w.reg.get_attribute(&Id::U128(s), b"name"), None);
    assert_eq!(w.reg.get_attribute(&Id::U128(9), b"kind"), None);
    assert_eq!(w.reg.owner_of(&Id::Bytes(vec![1])), None);
    let aliquot = w.register(BIOBANK, RecordKind::Aliquot, &[s], 10).unwrap();
    assert_eq!(
        w.reg.owner_of(&Id::U128(aliquot)),
        None,
        "only samples are tokens"
    );
    assert_eq!(w.reg.total_supply(), 1);
}
