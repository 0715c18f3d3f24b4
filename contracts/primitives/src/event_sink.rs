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
        self.0.push((E::SIGNATURE_TOPIC, scale::Encode::encode(&event)));
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
