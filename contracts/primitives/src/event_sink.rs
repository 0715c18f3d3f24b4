//! Where the contracts' pure logic sends the events it causes.
//!
//! The logic is written against [`EventSink`]; the contract shell passes
//! [`ChainEvents`] (the real `emit_event`), native tests pass [`Recorded`].

/// Receives each event a state change causes, in order.
pub trait EventSink {
    fn emit<E: ink::env::Event>(&mut self, event: E);
}

/// Emits events on chain through the contract environment.
pub struct ChainEvents;

impl EventSink for ChainEvents {
    fn emit<E: ink::env::Event>(&mut self, event: E) {
        ink::env::emit_event::<ink::env::DefaultEnvironment, E>(event)
    }
}

/// Keeps events as (signature topic, SCALE bytes), as a chain would carry them.
#[cfg(feature = "std")]
#[derive(Default, Debug)]
pub struct Recorded(pub Vec<(Option<[u8; 32]>, Vec<u8>)>);

#[cfg(feature = "std")]
impl EventSink for Recorded {
    fn emit<E: ink::env::Event>(&mut self, event: E) {
        self.0
            .push((E::SIGNATURE_TOPIC, scale::Encode::encode(&event)));
    }
}

#[cfg(feature = "std")]
impl Recorded {
    /// The recorded events of type `E`, decoded, in emission order.
    pub fn of<E: ink::env::Event + scale::Decode>(&self) -> Vec<E> {
        self.0
            .iter()
            .filter(|(topic, _)| *topic == E::SIGNATURE_TOPIC)
            .map(|(_, bytes)| E::decode(&mut &bytes[..]).expect("event decodes as its own type"))
            .collect()
    }

    /// Forgets what was recorded so far.
    pub fn clear(&mut self) {
        self.0.clear()
    }
}

/// Declares `pub enum $name` over a contract's event types with a `decode`
/// that picks the variant by the event's signature topic (the first topic of
/// a `ContractEmitted` record) and SCALE-decodes the data with the contract's
/// own type. Off-chain only: the indexer and tests decode with it.
#[macro_export]
macro_rules! decodable_events {
    ($(#[$meta:meta])* $name:ident { $($event:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $($event($event),)+
        }

        impl $name {
            /// Decodes an event from its topics and data; `Ok(None)` when the
            /// signature topic is not one of this contract's events.
            pub fn decode(topics: &[[u8; 32]], data: &[u8]) -> Result<Option<Self>, scale::Error> {
                let Some(signature) = topics.first() else { return Ok(None) };
                $(
                    if Some(*signature) == <$event as ink::env::Event>::SIGNATURE_TOPIC {
                        let mut input = data;
                        let event = <$event as scale::Decode>::decode(&mut input)?;
                        if !input.is_empty() {
                            return Err("trailing bytes after event".into());
                        }
                        return Ok(Some($name::$event(event)));
                    }
                )+
                Ok(None)
            }
        }
    };
}
