//! Cross-component flows over real JSON-RPC: [`devnet`] starts the local
//! chain (chopsticks serving the committed dev spec), [`story`] runs the
//! BioNFT story against it with the real contracts and real sequencing
//! files, and [`indexer`] runs the real `bionft-indexer` following it,
//! read back through [`http`]. The `bionft-story` binary is the README's main job; the tests in
//! `tests/` run the same story and check what the indexer answers.

pub mod devnet;
pub mod http;
pub mod indexer;
pub mod story;
