//! Our declarations (include/sst_abi.h, as bindgen laid them out) against the
//! real headers of the target release: every size, offset and constant
//! abi/probe.c prints, compared name by name.
//!
//! - Always: against the release's fact file (abi/facts/), which the probe
//!   printed from that release tag's own headers.
//! - In `make test`, for each server built from source: against a fresh
//!   probe of that server's tree (`SST_ABI_PROBE=<its output>`, the ignored
//!   test below), which also proves the fact file is the tree's.
//!
//! A wrong declaration fails here naming the field and both numbers, not in
//! production.

use super::*;

mod ours {
    use super::*;
    include!(concat!(env!("OUT_DIR"), "/abi_layout.rs"));
}

const RELEASE_FACTS: &str = include_str!(concat!(env!("OUT_DIR"), "/abi_facts.txt"));

/// `key value` lines of a probe's output or a fact file (comments skipped).
fn facts(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(' '))
        .filter(|(k, _)| *k != "releases")
        .collect()
}

/// Every disagreement between what the headers say (`probed`, from `whose`)
/// and what bindgen made of our header.
fn mismatches(probed: &str, whose: &str) -> Vec<String> {
    let probed = facts(probed);
    let mut out = Vec::new();
    for (key, value) in &probed {
        let numeric = key.starts_with("size.") || key.starts_with("offset.") || key.starts_with("const.");
        if !numeric {
            continue;
        }
        let want = if *value == "absent" { None } else { value.parse::<i64>().ok() };
        match ours::OURS.iter().find(|(k, _)| k == key) {
            None => out.push(format!("{key}: {whose} says {value}; our facts have no such entry")),
            Some((_, have)) if *have != want => out.push(format!(
                "{key}: {whose} says {value}, include/sst_abi.h gives {}",
                have.map_or("nothing (not declared)".into(), |n| n.to_string())
            )),
            _ => {}
        }
    }
    for (key, _) in ours::OURS {
        if !probed.iter().any(|(k, _)| k == key) {
            out.push(format!("{key}: in our facts, but {whose} does not print it"));
        }
    }
    out
}

#[test]
fn our_header_has_the_layout_of_the_target_release() {
    let whose = format!("abi/facts/{} (OpenSIPS {})", target::FACTS_FILE, target::RELEASE);
    let bad = mismatches(RELEASE_FACTS, &whose);
    assert!(bad.is_empty(), "include/sst_abi.h differs from the release's headers:\n  {}", bad.join("\n  "));
    // the list compared is not empty: sizes, offsets and constants of every part
    for part in ["size.sip_msg", "offset.dlg_cell.tl", "offset.dlg_cb_params.param", "const.DLGCB_CREATED"] {
        assert!(ours::OURS.iter().any(|(k, _)| *k == part), "{part} is not compared");
    }
}

/// Run by `make test` for each server it builds from source:
/// `SST_ABI_PROBE=probe-output cargo test --lib -- --ignored header_probe`.
#[test]
#[ignore = "needs SST_ABI_PROBE, the output of abi/probe.py for a source tree of the target release"]
fn header_probe_of_the_real_tree_agrees() {
    let path = std::env::var("SST_ABI_PROBE").expect("SST_ABI_PROBE names the probe's output");
    let probed = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let whose = format!("the probe of the real headers ({path})");
    let mut bad = mismatches(&probed, &whose);
    // ... and the fact file the build chose is exactly what the tree says,
    // symbols and the default flags string included
    let (fresh, recorded) = (facts(&probed), facts(RELEASE_FACTS));
    for (key, value) in &fresh {
        match recorded.iter().find(|(k, _)| k == key) {
            Some((_, v)) if v == value => {}
            other => bad.push(format!(
                "{key}: {whose} says {value}, abi/facts/{} says {}",
                target::FACTS_FILE,
                other.map_or("nothing", |(_, v)| v)
            )),
        }
    }
    for (key, _) in recorded.iter().filter(|(k, _)| !fresh.iter().any(|(f, _)| f == k)) {
        bad.push(format!("{key}: in abi/facts/{}, not printed by {whose}", target::FACTS_FILE));
    }
    assert!(bad.is_empty(), "OpenSIPS {} layout disagrees:\n  {}", target::RELEASE, bad.join("\n  "));
}

#[test]
fn the_comparison_names_a_wrong_field_and_both_numbers() {
    // the offset bindgen gives dlg_cell.tl, presented as if the headers said otherwise
    let (key, have) = ours::OURS.iter().find(|(k, _)| *k == "offset.dlg_cell.tl").unwrap();
    let wrong = format!("{key} {}\n", have.unwrap() + 8);
    let bad = mismatches(&wrong, "a probe");
    assert!(bad[0].starts_with(&format!("offset.dlg_cell.tl: a probe says {}, include/sst_abi.h gives {}",
        have.unwrap() + 8, have.unwrap())), "{bad:?}");
}

#[test]
fn target_strings_are_what_a_server_prints() {
    let flags = target::COMPILE_FLAGS.to_str().unwrap();
    assert!(flags.contains("DBG_MALLOC"));
    assert!(target::VERSION.to_str().unwrap().starts_with(&format!("opensips {} ", target::RELEASE)));
    assert!(target::VERSION.to_str().unwrap().ends_with(" (x86_64/linux)"));
    assert!(!target::SCM_REV.to_bytes().is_empty(), "an empty revision is refused before 3.4.16 / 3.6.3");
}
