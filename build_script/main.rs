//! Build script: learns which OpenSIPS server the module is for (target.rs),
//! finds that release's layout facts (facts.rs), refuses what we cannot
//! serve, and generates the raw bindings from our own declarations in
//! `include/sst_abi.h` laid out as that release lays them out.
//!
//! The loader compares version, flags and SCM strings with the core's, so a
//! module is built for exactly one server build; anything we cannot serve
//! fails here, in plain words, instead of at load time.
//!
//! Written to OUT_DIR: `bindings.rs`; `target.rs` (the strings the module
//! exports); `abi_layout.rs` (the layout test's list); `abi_facts.txt` (the
//! fact file used); `abi_cflags` (the defines bindgen was given, for C code
//! that includes our header too, such as the host harness).

mod facts;
mod target;

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use facts::Facts;

/// The release series sst-rs has code for, and the number `OSIPS_VER` /
/// `cfg(osips_abi)` gives each (behaviour that differs by series, such as
/// the dialog module's value locking in 3.4, is chosen by it).
const SERIES: &[(&str, u32)] = &[("3.4", 304), ("3.6", 306), ("4.0", 400)];

pub fn fail(msg: &str) -> ! {
    // cargo shows this text as the build error.
    eprintln!("\nerror: {msg}\n");
    std::process::exit(1);
}

fn main() {
    println!("cargo:rerun-if-changed=include/sst_abi.h");
    println!("cargo:rerun-if-changed=build_script");
    println!("cargo:rerun-if-changed={}", facts::FOLDER);
    println!("cargo::rustc-check-cfg=cfg(osips_abi, values(\"304\", \"306\", \"400\"))");

    let mut t = target::select();
    let all = Facts::all().unwrap_or_else(|e| fail(&format!("cannot read the layout facts: {e}")));
    let minor = t.release.rsplit_once('.').map_or(t.release.as_str(), |(m, _)| m);
    let series = SERIES.iter().find(|(m, _)| *m == minor).map(|(_, abi)| *abi);
    let (Some(abi), Some(facts)) = (series, all.iter().find(|f| f.releases.contains(&t.release)))
    else {
        fail(&format!(
            "OpenSIPS {} (from {}) is not supported: sst-rs builds for OpenSIPS {}; \
             to add a release, probe its tag with `abi/regen.py /path/to/opensips.git` (abi/README.md).",
            t.release,
            t.source,
            facts::coverage(&all)
        ))
    };
    if t.flags.is_empty() {
        t.flags = facts.get("compile_flags").unwrap_or_default().to_string();
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
    if !t.full_version.ends_with(&format!("({})", target::ARCH_OS)) {
        fail(&format!("`{}`: sst-rs supports x86_64/linux servers only", t.full_version));
    }

    println!("cargo:rustc-cfg=osips_abi=\"{abi}\"");
    let mut symbols: Vec<&str> = all.iter().flat_map(|f| f.symbols()).collect();
    symbols.sort_unstable();
    symbols.dedup();
    println!("cargo::rustc-check-cfg=cfg(osips_sym, values(\"{}\"))", symbols.join("\", \""));
    for sym in facts.symbols() {
        println!("cargo:rustc-cfg=osips_sym=\"{sym}\"");
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let facts_name = facts.file.file_name().unwrap().to_string_lossy().into_owned();

    let mut target_rs = String::new();
    let lit = |s: &str| format!("{s:?}").replace("\\'", "'");
    writeln!(target_rs, "/// `opensips -V` version line of the target server.").unwrap();
    writeln!(target_rs, "pub const VERSION: &core::ffi::CStr = c{};", lit(&t.full_version)).unwrap();
    writeln!(target_rs, "pub const COMPILE_FLAGS: &core::ffi::CStr = c{};", lit(&t.flags)).unwrap();
    writeln!(target_rs, "pub const SCM_TYPE: &core::ffi::CStr = c{};", lit(&t.scm_type)).unwrap();
    writeln!(target_rs, "pub const SCM_REV: &core::ffi::CStr = c{};", lit(&t.scm_rev)).unwrap();
    writeln!(target_rs, "pub const RELEASE: &str = {};", lit(&t.release)).unwrap();
    writeln!(target_rs, "pub const ABI: u32 = {abi};").unwrap();
    writeln!(target_rs, "/// The fact file (abi/facts/) whose layout this build has.").unwrap();
    writeln!(target_rs, "pub const FACTS_FILE: &str = {};", lit(&facts_name)).unwrap();
    fs::write(out.join("target.rs"), target_rs).unwrap();
    fs::write(out.join("abi_layout.rs"), facts.layout_list()).unwrap();
    fs::copy(&facts.file, out.join("abi_facts.txt")).unwrap();
    println!(
        "cargo:warning=sst-rs target: {} [{} revision {}] from {}; layout of {}",
        t.full_version, t.scm_type, t.scm_rev, t.source, facts_name
    );

    let mut defines = vec![format!("-DOSIPS_VER={abi}")];
    defines.extend(facts.defines());
    fs::write(out.join("abi_cflags"), defines.join(" ") + "\n").unwrap();
    let bindings = bindgen::Builder::default()
        .header("include/sst_abi.h")
        .clang_args(&defines)
        .allowlist_file(".*sst_abi\\.h")
        .prepend_enum_name(false)
        .derive_default(true)
        .layout_tests(false) // src/sys/layout_tests.rs checks the probe's facts instead
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
