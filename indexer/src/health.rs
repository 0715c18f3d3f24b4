//! What the follower knows about its block source, shared with the HTTP
//! API: whether the source answers, since when, the last error in words,
//! and the chain's finalized head when known. `/status` joins it with the
//! indexed head ([`Health::view`]); the follower ([`crate::follow`]) writes it.

use serde::Serialize;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// The follower's state, as `/status` names it.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SourceState {
    /// Not reached yet since the indexer started.
    Connecting,
    /// Reading blocks, or at the finalized head and polling for more.
    Following,
    /// The node answers but is behind the indexer (re-syncing): waiting for it.
    Waiting,
    /// The source does not answer; retrying with back-off.
    Disconnected,
    /// The source answered something inconsistent (a gap, a wrong block); retrying.
    Retrying,
    /// The node's chain has another block at the indexed head: nothing is
    /// ingested from it (the database would mix histories); rechecked with back-off.
    Refused,
    /// The follower stopped on an error it cannot retry; the API keeps serving.
    Stopped,
}

/// The source's side of `/status`.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct SourceView {
    /// Where blocks come from (`ws://…` or a recorded stream's path).
    pub endpoint: String,
    pub state: SourceState,
    /// Whether the source answered the last request.
    pub connected: bool,
    /// When `connected` last changed (ms since the Unix epoch).
    pub since: i64,
    /// What is going on, in words.
    pub message: String,
    /// The last error, in words, and when it happened (kept after recovery).
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    /// The chain's finalized head, as last seen.
    pub finalized_head: Option<u32>,
    /// Finalized blocks not indexed yet (from the first block to index on).
    pub lag: Option<u32>,
}

struct Inner {
    state: SourceState,
    connected: bool,
    since: i64,
    message: String,
    last_error: Option<(String, i64)>,
    finalized_head: Option<u32>,
}

/// The follower's shared report on its source.
pub struct Health {
    endpoint: String,
    /// The first block the indexer indexes (for the lag of an empty database).
    start: u32,
    inner: Mutex<Inner>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Health {
    /// A source at `endpoint` not reached yet; indexing starts at block `start`.
    pub fn new(endpoint: impl Into<String>, start: u32) -> Health {
        let endpoint = endpoint.into();
        Health {
            inner: Mutex::new(Inner {
                state: SourceState::Connecting,
                connected: false,
                since: now_ms(),
                message: format!("connecting to {endpoint}"),
                last_error: None,
                finalized_head: None,
            }),
            endpoint,
            start,
        }
    }

    fn set(&self, state: SourceState, connected: bool, message: String, error: bool) {
        let mut st = self.inner.lock().expect("health lock");
        let now = now_ms();
        if st.connected != connected {
            st.since = now;
        }
        if error {
            st.last_error = Some((message.clone(), now));
        }
        st.state = state;
        st.connected = connected;
        st.message = message;
    }

    /// The source reported finalized head `head` (what the follower makes
    /// of it comes next: following, waiting or refused).
    pub fn seen_head(&self, head: u32) {
        self.inner.lock().expect("health lock").finalized_head = Some(head);
    }

    /// The node holds the indexed history: reading it.
    pub fn following(&self) {
        self.set(
            SourceState::Following,
            true,
            format!("following {}", self.endpoint),
            false,
        );
    }

    /// The node answers but has not reached what the indexer needs.
    pub fn waiting(&self, why: String) {
        self.set(SourceState::Waiting, true, why, false);
    }

    /// The source failed: `connected` tells whether it answered at all.
    pub fn failed(&self, connected: bool, error: String) {
        let state = if connected {
            SourceState::Retrying
        } else {
            SourceState::Disconnected
        };
        self.set(state, connected, error, true);
    }

    /// The node's chain is not the indexed one.
    pub fn refused(&self, why: String) {
        self.set(SourceState::Refused, true, why, true);
    }

    /// The follower stopped for good.
    pub fn stopped(&self, why: String) {
        let connected = self.inner.lock().expect("health lock").connected;
        self.set(SourceState::Stopped, connected, why, true);
    }

    /// The report, with the lag behind `indexed` (the last indexed block).
    pub fn view(&self, indexed: Option<u32>) -> SourceView {
        let st = self.inner.lock().expect("health lock");
        let next = indexed.map_or(self.start, |b| b.saturating_add(1).max(self.start));
        SourceView {
            endpoint: self.endpoint.clone(),
            state: st.state,
            connected: st.connected,
            since: st.since,
            message: st.message.clone(),
            last_error: st.last_error.as_ref().map(|e| e.0.clone()),
            last_error_at: st.last_error.as_ref().map(|e| e.1),
            finalized_head: st.finalized_head,
            lag: st
                .finalized_head
                .map(|head| (head + 1).saturating_sub(next)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_keeps_the_last_error_after_recovery_and_counts_the_lag() {
        let h = Health::new("ws://node", 5);
        let v = h.view(None);
        assert_eq!(
            (v.state, v.connected, v.lag),
            (SourceState::Connecting, false, None)
        );

        h.seen_head(20);
        assert_eq!(
            h.view(None).state,
            SourceState::Connecting,
            "not judged yet"
        );
        h.following();
        assert_eq!(h.view(None).lag, Some(16), "blocks 5..=20 to go");
        assert_eq!(h.view(Some(12)).lag, Some(8));
        let up = h.view(Some(20));
        assert_eq!(
            (up.state, up.connected, up.lag),
            (SourceState::Following, true, Some(0))
        );

        h.failed(false, "connection refused".into());
        let down = h.view(Some(20));
        assert_eq!(down.state, SourceState::Disconnected);
        assert!(!down.connected && down.since >= up.since);
        assert_eq!(down.last_error.as_deref(), Some("connection refused"));
        assert_eq!(down.finalized_head, Some(20), "the last head seen stays");

        h.seen_head(25);
        h.following();
        let back = h.view(Some(20));
        assert_eq!(
            (back.state, back.connected, back.lag),
            (SourceState::Following, true, Some(5))
        );
        assert_eq!(back.last_error.as_deref(), Some("connection refused"));

        h.waiting("node re-syncing".into());
        assert_eq!(h.view(Some(20)).state, SourceState::Waiting);
        h.stopped("undecodable event".into());
        let stopped = h.view(Some(20));
        assert_eq!(
            (stopped.state, stopped.connected),
            (SourceState::Stopped, true)
        );
        assert_eq!(stopped.message, "undecodable event");
    }
}
