//! Shared helpers for the integration tests: locating the shared vectors.

#![allow(dead_code, clippy::panic)]

use std::path::PathBuf;

/// `../shared/vectors` from the workspace root; panics naming the path if
/// it is missing, so a test never passes without its data.
pub fn vectors_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors");
    assert!(
        dir.is_dir(),
        "test vectors not found at {} (expected ../shared/vectors next to the workspace)",
        dir.display()
    );
    dir
}

/// Reads and parses one JSON vector file, naming it on failure.
pub fn read_json(relative: &str) -> serde_json::Value {
    let path = vectors_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read test vectors {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("cannot parse test vectors {}: {e}", path.display()))
}

/// Bytes of a hex string, with or without `0x`, any case.
pub fn unhex(s: &str) -> Vec<u8> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}
