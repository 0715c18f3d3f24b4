//! GA4GH Data Use Ontology (DUO) purposes, stored on chain as numeric term ids
//! (`DUO:0000042` is stored as `42`).
//!
//! A [`Purpose`] is one *permission* term, a disease id when the permission is
//! disease-specific, and a set of *modifier* terms.
//!
//! Matching (`granted.permits(&requested)`), as BioNFT defines it:
//! - Permissions form the DUO hierarchy `NRES ⊇ GRU ⊇ {HMB ⊇ DS(x), POA}`:
//!   a grant permits a requested permission at or below it. A DS grant permits
//!   only DS for the same disease id (no disease ontology walk on chain).
//! - Modifiers on a grant are conditions of use (e.g. `NCU`, `IRB`, `PUB`): a
//!   request is permitted only if it declares every modifier of the grant.
//!   Extra modifiers on the request are fine.
//! - `NPOA` is such a modifier: under an NPOA grant a request must declare
//!   `NPOA` (a promise of no ancestry use), so a plain `GRU` or `NRES`
//!   request is refused; and a `POA` request that declares `NPOA` contradicts
//!   itself and is not well formed.

use alloc::vec::Vec;

/// No restriction (DUO:0000004).
pub const NRES: u32 = 4;
/// Health or medical or biomedical research (DUO:0000006).
pub const HMB: u32 = 6;
/// Disease specific research (DUO:0000007); needs a disease id.
pub const DS: u32 = 7;
/// Population origins or ancestry research only (DUO:0000011).
pub const POA: u32 = 11;
/// General research use (DUO:0000042).
pub const GRU: u32 = 42;

/// Permission terms BioNFT accepts.
pub const PERMISSIONS: [u32; 5] = [NRES, GRU, HMB, DS, POA];

/// Population origins or ancestry research prohibited (DUO:0000044).
pub const NPOA: u32 = 44;

/// Modifier terms BioNFT accepts: RS, NMDS, GSO, NPUNCU, PUB, COL, IRB, GS,
/// MOR, TS, US, PS, IS, RTN, CC, NPOA, NPU, NCU.
pub const MODIFIERS: [u32; 18] = [
    12, 15, 16, 18, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 43, NPOA, 45, 46,
];

/// Most modifiers one purpose may carry.
pub const MAX_MODIFIERS: usize = 16;

/// A DUO data-use purpose: what a grant allows, or what a request is for.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct Purpose {
    /// A permission term id from [`PERMISSIONS`].
    pub permission: u32,
    /// Disease id (e.g. the numeric part of a MONDO term); required for `DS`, absent otherwise.
    pub disease: Option<u32>,
    /// Modifier term ids from [`MODIFIERS`], strictly ascending (sorted, no repeats).
    pub modifiers: Vec<u32>,
}

/// Why a purpose is not well formed.
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum PurposeError {
    /// The permission is not one of [`PERMISSIONS`].
    UnknownPermission,
    /// `DS` without a disease id, or a disease id on another permission.
    DiseaseMismatch,
    /// A modifier is not one of [`MODIFIERS`].
    UnknownModifier,
    /// Modifiers are not strictly ascending, or there are more than [`MAX_MODIFIERS`].
    MalformedModifiers,
    /// `POA` with `NPOA`: ancestry research that forbids ancestry research.
    Contradictory,
}

impl Purpose {
    /// A purpose with a permission and no disease or modifiers.
    pub fn new(permission: u32) -> Self {
        Purpose {
            permission,
            disease: None,
            modifiers: Vec::new(),
        }
    }

    /// Disease-specific research on `disease`.
    pub fn disease_specific(disease: u32) -> Self {
        Purpose {
            permission: DS,
            disease: Some(disease),
            modifiers: Vec::new(),
        }
    }

    /// The same purpose with `modifiers` (sorted and deduplicated).
    pub fn with_modifiers(mut self, modifiers: &[u32]) -> Self {
        let mut m = modifiers.to_vec();
        m.sort_unstable();
        m.dedup();
        self.modifiers = m;
        self
    }

    /// Checks that the purpose uses known terms in canonical form.
    pub fn validate(&self) -> Result<(), PurposeError> {
        if !PERMISSIONS.contains(&self.permission) {
            return Err(PurposeError::UnknownPermission);
        }
        if (self.permission == DS) != self.disease.is_some() {
            return Err(PurposeError::DiseaseMismatch);
        }
        if self.modifiers.len() > MAX_MODIFIERS || self.modifiers.windows(2).any(|w| w[0] >= w[1]) {
            return Err(PurposeError::MalformedModifiers);
        }
        if self.modifiers.iter().any(|m| !MODIFIERS.contains(m)) {
            return Err(PurposeError::UnknownModifier);
        }
        if self.permission == POA && self.modifiers.contains(&NPOA) {
            return Err(PurposeError::Contradictory);
        }
        Ok(())
    }

    /// Whether a grant for `self` permits use for `requested` (see the module docs).
    pub fn permits(&self, requested: &Purpose) -> bool {
        permission_covers(
            self.permission,
            self.disease,
            requested.permission,
            requested.disease,
        ) && self
            .modifiers
            .iter()
            .all(|m| requested.modifiers.contains(m))
            && !(requested.permission == POA && self.modifiers.contains(&NPOA))
    }
}

/// DUO abbreviations and labels (after the ontology's) of the terms BioNFT
/// accepts, for text forms of purposes.
const NAMES: [(&str, u32, &str); 23] = [
    ("NRES", NRES, "no restriction"),
    ("GRU", GRU, "general research use"),
    ("HMB", HMB, "health, medical or biomedical research"),
    ("DS", DS, "disease-specific research"),
    ("POA", POA, "population origins or ancestry research only"),
    ("RS", 12, "research-specific restrictions"),
    ("NMDS", 15, "no general methods research"),
    ("GSO", 16, "genetic studies only"),
    ("NPUNCU", 18, "not-for-profit, non-commercial use only"),
    ("PUB", 19, "publication required"),
    ("COL", 20, "collaboration required"),
    ("IRB", 21, "ethics approval required"),
    ("GS", 22, "geographical restriction"),
    ("MOR", 24, "publication moratorium"),
    ("TS", 25, "time limit on use"),
    ("US", 26, "user-specific restriction"),
    ("PS", 27, "project-specific restriction"),
    ("IS", 28, "institution-specific restriction"),
    ("RTN", 29, "return to database or resource"),
    ("CC", 43, "clinical care use"),
    ("NPOA", NPOA, "no population origins or ancestry research"),
    ("NPU", 45, "not-for-profit use only"),
    ("NCU", 46, "non-commercial use only"),
];

fn name_of(id: u32) -> Option<&'static str> {
    NAMES.iter().find(|(_, i, _)| *i == id).map(|(n, _, _)| *n)
}

fn id_of(name: &str) -> Option<u32> {
    NAMES
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, i, _)| *i)
}

/// The label of DUO term `id` (e.g. 6: "health, medical or biomedical research").
pub fn label_of(id: u32) -> Option<&'static str> {
    NAMES.iter().find(|(_, i, _)| *i == id).map(|(_, _, l)| *l)
}

#[cfg(feature = "std")]
impl Purpose {
    /// For people: each term with its label, e.g. "HMB – health, medical or
    /// biomedical research; IRB – ethics approval required".
    pub fn describe(&self) -> String {
        let term = |id: u32| {
            let code = name_of(id).map_or_else(|| format!("DUO:{id:07}"), String::from);
            match label_of(id) {
                Some(label) => format!("{code} – {label}"),
                None => code,
            }
        };
        let mut parts = vec![match self.disease {
            Some(d) => format!("DS:{d} – disease-specific research (disease {d})"),
            None => term(self.permission),
        }];
        parts.extend(self.modifiers.iter().map(|m| term(*m)));
        parts.join("; ")
    }
}

/// Text form: the permission, `:disease` for DS, then `+modifier` for each
/// modifier, e.g. `GRU`, `DS:4989+IRB+NCU`. Parsing accepts any case and
/// modifiers in any order, and validates the result.
impl core::str::FromStr for Purpose {
    type Err = PurposeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.trim().split('+');
        let head = parts.next().unwrap_or_default();
        let (permission, disease) = match head.split_once(':') {
            Some((p, d)) => (
                p,
                Some(
                    d.trim()
                        .parse::<u32>()
                        .map_err(|_| PurposeError::DiseaseMismatch)?,
                ),
            ),
            None => (head, None),
        };
        let permission = id_of(permission.trim())
            .filter(|p| PERMISSIONS.contains(p))
            .ok_or(PurposeError::UnknownPermission)?;
        let mut modifiers = Vec::new();
        for m in parts {
            let id = id_of(m.trim())
                .filter(|m| MODIFIERS.contains(m))
                .ok_or(PurposeError::UnknownModifier)?;
            modifiers.push(id);
        }
        let purpose = Purpose {
            permission,
            disease,
            modifiers: Vec::new(),
        }
        .with_modifiers(&modifiers);
        purpose.validate()?;
        Ok(purpose)
    }
}

impl core::fmt::Display for Purpose {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match name_of(self.permission) {
            Some(n) => f.write_str(n)?,
            None => write!(f, "DUO:{:07}", self.permission)?,
        }
        if let Some(d) = self.disease {
            write!(f, ":{d}")?;
        }
        for m in &self.modifiers {
            match name_of(*m) {
                Some(n) => write!(f, "+{n}")?,
                None => write!(f, "+DUO:{m:07}")?,
            }
        }
        Ok(())
    }
}

fn permission_covers(
    granted: u32,
    g_disease: Option<u32>,
    requested: u32,
    r_disease: Option<u32>,
) -> bool {
    match granted {
        NRES => true,
        GRU => matches!(requested, GRU | HMB | DS | POA),
        HMB => matches!(requested, HMB | DS),
        DS => requested == DS && g_disease.is_some() && g_disease == r_disease,
        POA => requested == POA,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy_follows_duo() {
        let gru = Purpose::new(GRU);
        let hmb = Purpose::new(HMB);
        let poa = Purpose::new(POA);
        let ds_x = Purpose::disease_specific(1234);
        let ds_y = Purpose::disease_specific(5678);
        assert!(gru.permits(&hmb));
        assert!(gru.permits(&poa));
        assert!(gru.permits(&ds_x));
        assert!(hmb.permits(&ds_x));
        assert!(!hmb.permits(&poa));
        assert!(!hmb.permits(&gru));
        assert!(ds_x.permits(&ds_x));
        assert!(!ds_x.permits(&ds_y));
        assert!(!ds_x.permits(&hmb));
        assert!(!poa.permits(&hmb));
        assert!(Purpose::new(NRES).permits(&gru));
        assert!(!gru.permits(&Purpose::new(NRES)));
    }

    #[test]
    fn grant_modifiers_are_conditions_the_request_must_declare() {
        let ncu_grant = Purpose::new(GRU).with_modifiers(&[46]);
        assert!(!ncu_grant.permits(&Purpose::new(HMB)));
        assert!(ncu_grant.permits(&Purpose::new(HMB).with_modifiers(&[21, 46])));
        let npoa = Purpose::new(GRU).with_modifiers(&[NPOA]);
        assert!(!npoa.permits(&Purpose::new(POA).with_modifiers(&[NPOA])));
        assert!(npoa.permits(&Purpose::new(HMB).with_modifiers(&[NPOA])));
        let unrestricted_npoa = Purpose::new(NRES).with_modifiers(&[NPOA]);
        for broad in [GRU, NRES] {
            assert!(
                !unrestricted_npoa.permits(&Purpose::new(broad)),
                "a {broad} request that does not promise NPOA"
            );
            assert!(unrestricted_npoa.permits(&Purpose::new(broad).with_modifiers(&[NPOA])));
        }
    }

    #[test]
    fn text_forms_round_trip_and_bad_text_is_named() {
        let p: Purpose = "ds:4989+ncu+IRB".parse().unwrap();
        assert_eq!(p, Purpose::disease_specific(4989).with_modifiers(&[21, 46]));
        assert_eq!(alloc::format!("{p}"), "DS:4989+IRB+NCU");
        assert_eq!("GRU".parse::<Purpose>(), Ok(Purpose::new(GRU)));
        assert_eq!(
            "XYZ".parse::<Purpose>(),
            Err(PurposeError::UnknownPermission)
        );
        assert_eq!(
            "NCU".parse::<Purpose>(),
            Err(PurposeError::UnknownPermission)
        );
        assert_eq!(
            "HMB+GRU".parse::<Purpose>(),
            Err(PurposeError::UnknownModifier)
        );
        assert_eq!("DS".parse::<Purpose>(), Err(PurposeError::DiseaseMismatch));
        assert_eq!(
            "DS:x".parse::<Purpose>(),
            Err(PurposeError::DiseaseMismatch)
        );
        assert_eq!(
            "HMB:12".parse::<Purpose>(),
            Err(PurposeError::DiseaseMismatch)
        );
    }

    #[test]
    fn descriptions_give_every_term_its_label() {
        let p: Purpose = "DS:4989+NCU+IRB".parse().unwrap();
        assert_eq!(
            p.describe(),
            "DS:4989 – disease-specific research (disease 4989); IRB – ethics approval required; NCU – non-commercial use only"
        );
        assert_eq!(
            Purpose::new(HMB).describe(),
            "HMB – health, medical or biomedical research"
        );
        assert!(PERMISSIONS
            .iter()
            .chain(MODIFIERS.iter())
            .all(|t| label_of(*t).is_some()));
    }

    #[test]
    fn validation_names_the_broken_rule() {
        assert_eq!(Purpose::new(GRU).validate(), Ok(()));
        assert_eq!(
            Purpose::new(POA).with_modifiers(&[NPOA]).validate(),
            Err(PurposeError::Contradictory)
        );
        assert_eq!(
            Purpose::new(99).validate(),
            Err(PurposeError::UnknownPermission)
        );
        assert_eq!(
            Purpose::new(DS).validate(),
            Err(PurposeError::DiseaseMismatch)
        );
        let mut hmb_with_disease = Purpose::new(HMB);
        hmb_with_disease.disease = Some(1);
        assert_eq!(
            hmb_with_disease.validate(),
            Err(PurposeError::DiseaseMismatch)
        );
        let unsorted = Purpose {
            permission: GRU,
            disease: None,
            modifiers: alloc::vec![46, 21],
        };
        assert_eq!(unsorted.validate(), Err(PurposeError::MalformedModifiers));
        assert_eq!(
            Purpose::new(GRU).with_modifiers(&[13]).validate(),
            Err(PurposeError::UnknownModifier)
        );
    }
}
