//! Which server the module is built for, first match wins:
//! 1. `SST_OSIPS_VERSION` (e.g. `3.6.8`) with optional `SST_OSIPS_FLAGS`,
//!    `SST_OSIPS_SCM` and `SST_OSIPS_REV` overrides: a cross build without
//!    the server binary.
//! 2. `OPENSIPS=/path/to/opensips`: runs `opensips -V` and takes the version
//!    line, the flags line and the SCM type and revision from it.
//! 3. Nothing: the default target, OpenSIPS 3.6.8 with default build flags.
//!
//! Without a server to ask, the SCM strings are those of a server built from
//! a release archive (`unknown revision: unknown`), and the flags those its
//! release prints when built with default flags (from its fact file).

use std::env;
use std::process::Command;

use crate::fail;

pub const DEFAULT_VERSION: &str = "3.6.8";
pub const ARCH_OS: &str = "x86_64/linux";

pub struct Target {
    /// e.g. "3.6.8"
    pub release: String,
    /// exactly the core's OPENSIPS_FULL_VERSION, e.g. "opensips 3.6.8 (x86_64/linux)"
    pub full_version: String,
    /// the `flags:` line; empty until known (the release's default flags)
    pub flags: String,
    pub scm_type: String,
    /// The loader compares it with the core's: byte for byte before 3.4.16
    /// and 3.6.3, on the common prefix after; the exact string passes both.
    pub scm_rev: String,
    pub source: String,
}

fn from_server(bin: &str) -> Target {
    // A server rebuilt in place (other flags, other release) must re-stamp
    // the module: the binary itself is an input of this build.
    println!("cargo:rerun-if-changed={bin}");
    let out = Command::new(bin).arg("-V").output().unwrap_or_else(|e| {
        fail(&format!("cannot run `{bin} -V` to learn the target server: {e}"))
    });
    let text = String::from_utf8_lossy(&out.stdout).into_owned()
        + &String::from_utf8_lossy(&out.stderr);
    let mut full_version = None;
    let mut flags = None;
    let mut scm = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("version: ") {
            full_version = Some(v.trim_end().to_string());
        } else if let Some(f) = line.strip_prefix("flags: ") {
            flags = Some(f.trim_end().to_string());
        } else if let Some((ty, rev)) = line.split_once(" revision: ") {
            scm = Some((ty.trim().to_string(), rev.trim_end().to_string()));
        }
    }
    let (Some(full_version), Some(flags), Some((scm_type, scm_rev))) = (full_version, flags, scm)
    else {
        fail(&format!(
            "`{bin} -V` did not print the version, flags and revision lines an OpenSIPS server prints:\n{text}"
        ))
    };
    let release = full_version
        .strip_prefix("opensips ")
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| fail(&format!("cannot read a release number from `{full_version}`")))
        .to_string();
    Target { release, full_version, flags, scm_type, scm_rev, source: format!("{bin} -V") }
}

fn without_server(release: String, source: &str) -> Target {
    Target {
        full_version: format!("opensips {release} ({ARCH_OS})"),
        release,
        flags: String::new(),
        scm_type: "unknown".into(),
        scm_rev: "unknown".into(),
        source: source.into(),
    }
}

pub fn select() -> Target {
    for var in ["SST_OSIPS_VERSION", "SST_OSIPS_FLAGS", "SST_OSIPS_SCM", "SST_OSIPS_REV", "OPENSIPS"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let server = env::var("OPENSIPS").map(|s| s.trim().to_string()).unwrap_or_default();
    let mut t = if let Ok(release) = env::var("SST_OSIPS_VERSION") {
        without_server(release, "SST_OSIPS_VERSION")
    } else if !server.is_empty() {
        from_server(&server)
    } else {
        without_server(DEFAULT_VERSION.into(), "default target")
    };
    if let Ok(f) = env::var("SST_OSIPS_FLAGS") {
        t.flags = f;
    }
    if let Ok(s) = env::var("SST_OSIPS_SCM") {
        t.scm_type = s;
    }
    if let Ok(r) = env::var("SST_OSIPS_REV") {
        t.scm_rev = r;
    }
    t
}
