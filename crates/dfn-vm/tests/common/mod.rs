//! Finding the Ethereum `GeneralStateTests` vectors, shared by the state
//! test runner and the signed-transaction test.

use std::path::{Path, PathBuf};

/// `../shared/vectors/ethereum-tests/GeneralStateTests`; fails loudly,
/// naming the path, when it is missing.
pub fn vectors_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/ethereum-tests/GeneralStateTests");
    assert!(
        dir.is_dir(),
        "state test vectors not found at {} (expected ../shared/vectors next to the repository)",
        dir.display()
    );
    dir
}

/// Every `.json` file below `dir`, in sorted order.
pub fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}
