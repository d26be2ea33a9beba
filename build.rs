//! Build script: learns which OpenSIPS server the module is for, checks that
//! we support it, and generates the raw bindings from our own declarations in
//! `include/sst_abi.h`.
//!
//! Target selection, first match wins:
//! 1. `SST_OSIPS_VERSION` (e.g. `3.6.8`) with optional `SST_OSIPS_FLAGS` and
//!    `SST_OSIPS_SCM` overrides: a cross build without the server binary.
//! 2. `OPENSIPS=/path/to/opensips`: runs `opensips -V` and takes the version
//!    line, the flags line and the SCM type from it.
//! 3. Nothing: the default target, OpenSIPS 3.6.8 with default build flags.
//!
//! The loader compares version, flags and SCM type byte for byte, so a module
//! is built for exactly one server build; anything we cannot serve fails here,
//! in plain words, instead of at load time.

use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// One server release whose ABI we measured (sizes, offsets and constants
/// pinned by src/sys/layout_tests.rs).
struct Known {
    minor: &'static str,
    patch: &'static str,
    abi: u32,
    default_flags: &'static str,
}

const FLAGS_34: &str = "STATS: On, DISABLE_NAGLE, USE_MCAST, SHM_MMAP, PKG_MALLOC, Q_MALLOC, \
F_MALLOC, HP_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT";
const FLAGS_36: &str = "STATS: On, DISABLE_NAGLE, USE_MCAST, SHM_MMAP, PKG_MALLOC, Q_MALLOC, \
F_MALLOC, HP_MALLOC, F_PARALLEL_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT";

const KNOWN: &[Known] = &[
    Known { minor: "3.4", patch: "3.4.18", abi: 304, default_flags: FLAGS_34 },
    Known { minor: "3.6", patch: "3.6.8", abi: 306, default_flags: FLAGS_36 },
    Known { minor: "4.0", patch: "4.0.1", abi: 400, default_flags: FLAGS_36 },
];
const DEFAULT_VERSION: &str = "3.6.8";
const ARCH_OS: &str = "x86_64/linux";

struct Target {
    /// e.g. "3.6.8"
    release: String,
    /// exactly the core's OPENSIPS_FULL_VERSION, e.g. "opensips 3.6.8 (x86_64/linux)"
    full_version: String,
    flags: String,
    scm_type: String,
    source: String,
}

fn fail(msg: &str) -> ! {
    // cargo shows this text as the build error.
    eprintln!("\nerror: {msg}\n");
    std::process::exit(1);
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
    let mut scm_type = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("version: ") {
            full_version = Some(v.trim_end().to_string());
        } else if let Some(f) = line.strip_prefix("flags: ") {
            flags = Some(f.trim_end().to_string());
        } else if let Some((ty, _rev)) = line.split_once(" revision: ") {
            scm_type = Some(ty.trim().to_string());
        }
    }
    let (Some(full_version), Some(flags), Some(scm_type)) = (full_version, flags, scm_type) else {
        fail(&format!(
            "`{bin} -V` did not print the version, flags and revision lines an OpenSIPS server prints:\n{text}"
        ))
    };
    let release = full_version
        .strip_prefix("opensips ")
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| fail(&format!("cannot read a release number from `{full_version}`")))
        .to_string();
    Target { release, full_version, flags, scm_type, source: format!("{bin} -V") }
}

fn select_target() -> Target {
    for var in ["SST_OSIPS_VERSION", "SST_OSIPS_FLAGS", "SST_OSIPS_SCM", "OPENSIPS"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let mut t = if let Ok(release) = env::var("SST_OSIPS_VERSION") {
        Target {
            full_version: format!("opensips {release} ({ARCH_OS})"),
            release,
            flags: String::new(),
            scm_type: "unknown".into(),
            source: "SST_OSIPS_VERSION".into(),
        }
    } else if let Ok(bin) = env::var("OPENSIPS").map(|s| s.trim().to_string()).and_then(|s| {
        if s.is_empty() { Err(env::VarError::NotPresent) } else { Ok(s) }
    }) {
        from_server(&bin)
    } else {
        Target {
            release: DEFAULT_VERSION.into(),
            full_version: format!("opensips {DEFAULT_VERSION} ({ARCH_OS})"),
            flags: String::new(),
            scm_type: "unknown".into(),
            source: "default target".into(),
        }
    };
    if let Ok(f) = env::var("SST_OSIPS_FLAGS") {
        t.flags = f;
    }
    if let Ok(s) = env::var("SST_OSIPS_SCM") {
        t.scm_type = s;
    }
    t
}

fn main() {
    println!("cargo:rerun-if-changed=include/sst_abi.h");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(osips_abi, values(\"304\", \"306\", \"400\"))");

    let mut t = select_target();
    let minor: String = t.release.split('.').take(2).collect::<Vec<_>>().join(".");
    let supported: Vec<&str> = KNOWN.iter().map(|k| k.patch).collect();
    let Some(known) = KNOWN.iter().find(|k| k.minor == minor) else {
        fail(&format!(
            "OpenSIPS {} (from {}) is not supported: sst-rs builds for OpenSIPS {} only.",
            t.release,
            t.source,
            supported.join(", ")
        ))
    };
    if t.release != known.patch {
        println!(
            "cargo:warning=building for OpenSIPS {} with the measured layout of {} (same minor release); \
             run the real-server tests against this server before production use",
            t.release, known.patch
        );
    }
    if t.flags.is_empty() {
        t.flags = known.default_flags.to_string();
    }
    // The allocator entry points take file/func/line only in DBG_MALLOC builds,
    // and the statistics struct exists only with STATISTICS: both are ABI.
    for needed in ["DBG_MALLOC", "STATS: On"] {
        if !t.flags.split(", ").any(|f| f == needed) {
            fail(&format!(
                "the target server was built without `{needed}` (flags: `{}`); sst-rs supports \
                 OpenSIPS built with the default flags, which include it",
                t.flags
            ));
        }
    }
    if !t.full_version.ends_with(&format!("({ARCH_OS})")) {
        fail(&format!("`{}`: sst-rs supports x86_64/linux servers only", t.full_version));
    }

    println!("cargo:rustc-cfg=osips_abi=\"{}\"", known.abi);
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());

    let mut target_rs = String::new();
    let lit = |s: &str| format!("{s:?}").replace("\\'", "'");
    writeln!(target_rs, "/// `opensips -V` version line of the target server.").unwrap();
    writeln!(target_rs, "pub const VERSION: &core::ffi::CStr = c{};", lit(&t.full_version)).unwrap();
    writeln!(target_rs, "pub const COMPILE_FLAGS: &core::ffi::CStr = c{};", lit(&t.flags)).unwrap();
    writeln!(target_rs, "pub const SCM_TYPE: &core::ffi::CStr = c{};", lit(&t.scm_type)).unwrap();
    writeln!(target_rs, "pub const RELEASE: &str = {};", lit(&t.release)).unwrap();
    writeln!(target_rs, "pub const ABI: u32 = {};", known.abi).unwrap();
    std::fs::write(out.join("target.rs"), target_rs).unwrap();
    println!("cargo:warning=sst-rs target: {} [{}] from {}", t.full_version, t.scm_type, t.source);

    let bindings = bindgen::Builder::default()
        .header("include/sst_abi.h")
        .clang_arg(format!("-DOSIPS_VER={}", known.abi))
        .allowlist_file(".*sst_abi\\.h")
        .derive_default(true)
        .layout_tests(false) // our own tests check the measured facts instead
        .generate_comments(false)
        .generate()
        .unwrap_or_else(|e| {
            fail(&format!(
                "bindgen could not read include/sst_abi.h ({e}); it needs libclang: \
                 `apt-get install libclang-dev` (the README's build command does this)"
            ))
        });
    bindings.write_to_file(out.join("bindings.rs")).unwrap();
}
