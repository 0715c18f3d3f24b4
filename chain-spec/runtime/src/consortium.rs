//! Consortium membership: the accounts that may upload and instantiate
//! contract code on the permissioned chain.
//!
//! Membership is a set of accounts in storage, seeded at genesis and changed
//! only by the governance origin. [`EnsureMember`] is the origin check that
//! `pallet_contracts` uses for `UploadOrigin` and `InstantiateOrigin`: a signed
//! origin whose signer is a member passes and yields the signer's account;
//! anything else fails with `BadOrigin`.

pub use pallet::*;

use core::marker::PhantomData;
use frame_support::traits::EnsureOrigin;
use frame_system::RawOrigin;

#[frame_support::pallet]
pub mod pallet {
    use alloc::vec::Vec;
    use frame_support::pallet_prelude::*;
    use frame_system::pallet_prelude::*;

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: frame_system::Config {
        /// Who may add and remove members (the consortium's governance).
        type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
    }

    /// The consortium's members. Iterable: keys are stored with `Blake2_128Concat`.
    #[pallet::storage]
    pub type Members<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, (), OptionQuery>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// `who` joined the consortium.
        MemberAdded { who: T::AccountId },
        /// `who` left the consortium.
        MemberRemoved { who: T::AccountId },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The account is already a member.
        AlreadyMember,
        /// The account is not a member.
        NotMember,
    }

    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// The founding members.
        pub members: Vec<T::AccountId>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for who in &self.members {
                assert!(
                    !Members::<T>::contains_key(who),
                    "consortium genesis lists a member twice"
                );
                Members::<T>::insert(who, ());
            }
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Admits `who` to the consortium. Governance only.
        #[pallet::call_index(0)]
        #[pallet::weight(T::DbWeight::get().reads_writes(1, 1))]
        pub fn add_member(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
            T::GovernanceOrigin::ensure_origin(origin)?;
            ensure!(!Members::<T>::contains_key(&who), Error::<T>::AlreadyMember);
            Members::<T>::insert(&who, ());
            Self::deposit_event(Event::MemberAdded { who });
            Ok(())
        }

        /// Removes `who` from the consortium. Governance only. Code the member
        /// uploaded and contracts it instantiated stay; only new uploads and
        /// instantiations are refused.
        #[pallet::call_index(1)]
        #[pallet::weight(T::DbWeight::get().reads_writes(1, 1))]
        pub fn remove_member(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
            T::GovernanceOrigin::ensure_origin(origin)?;
            ensure!(Members::<T>::contains_key(&who), Error::<T>::NotMember);
            Members::<T>::remove(&who);
            Self::deposit_event(Event::MemberRemoved { who });
            Ok(())
        }
    }
}

/// Passes a signed origin whose signer is a consortium member; yields the signer.
pub struct EnsureMember<T>(PhantomData<T>);

impl<T: Config> EnsureOrigin<T::RuntimeOrigin> for EnsureMember<T> {
    type Success = T::AccountId;

    fn try_origin(o: T::RuntimeOrigin) -> Result<Self::Success, T::RuntimeOrigin> {
        o.into().and_then(|raw| match raw {
            RawOrigin::Signed(who) if Members::<T>::contains_key(&who) => Ok(who),
            other => Err(other.into()),
        })
    }
}
