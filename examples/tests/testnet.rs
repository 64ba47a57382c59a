//! The testnet binary end to end at a small size: it finalizes the heights
//! asked for, every live process agrees, MetaCoin's supply is conserved,
//! the governance proposal is adopted through following and its new
//! transfer limit shapes the later blocks, and the JSON report and the SVG
//! plot say so.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::process::Command;

#[test]
fn a_small_testnet_finalizes_and_conserves_the_coin() {
    let json = std::env::temp_dir().join(format!("dfn-testnet-{}.json", std::process::id()));
    let svg = json.with_extension("svg");
    let out = Command::new(env!("CARGO_BIN_EXE_testnet"))
        .args([
            "--processes",
            "60",
            "--groups",
            "4",
            "--group-size",
            "15",
            "--heights",
            "8",
        ])
        .args(["--faulty", "10", "--txs", "5", "--json"])
        .arg(&json)
        .arg("--svg")
        .arg(&svg)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("MetaCoin supply            10000 of 10000"),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    std::fs::remove_file(&json).ok();
    assert!(report["finalized_heights"].as_u64().unwrap() >= 8);
    assert_eq!(report["metacoin_supply"].as_u64(), Some(10_000));
    assert!(report["transactions"].as_u64().unwrap() >= 8 * 5 - 5);

    // Leader 0 proposed 5 → 7 at height 2, leader 1 seconded at height 4;
    // the followers' ballots adopted it, and later blocks carry 7.
    let g = &report["governance"];
    assert_eq!(g["status"], "Executed", "{g}");
    assert_eq!((g["from"].as_u64(), g["to"].as_u64()), (Some(5), Some(7)));
    assert_eq!(g["ballots_direct"].as_u64(), Some(2));
    let (cast, all) = (
        g["ballots_cast"].as_u64().unwrap(),
        g["ballots"].as_u64().unwrap(),
    );
    assert!(cast > all / 2 && cast < all, "{cast} of {all}");
    assert!(g["yes_bp"].as_u64().unwrap() > 5_000);
    assert_eq!(g["transfers_per_block_before"], serde_json::json!([5]));
    assert_eq!(g["transfers_per_block_after"], serde_json::json!([7]));

    let plot = std::fs::read_to_string(&svg).unwrap();
    std::fs::remove_file(&svg).ok();
    assert!(plot.starts_with("<svg") && plot.contains("<polyline"));
}

#[test]
fn bad_flags_are_refused_and_help_is_printed() {
    let bin = env!("CARGO_BIN_EXE_testnet");
    let help = Command::new(bin).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--processes"));
    let bad = Command::new(bin).args(["--heights", "x"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
