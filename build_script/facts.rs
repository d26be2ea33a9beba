//! The layout facts of OpenSIPS releases (`abi/facts/*.txt`, written by
//! `abi/regen.py` from each release tag's own headers): which file covers a
//! release, and what the build makes of it — the defines that give
//! `include/sst_abi.h` that release's layout, the symbols it declares, and
//! the Rust list the layout test compares with a probe of the real headers.

use std::fs;
use std::path::{Path, PathBuf};

pub const FOLDER: &str = "abi/facts";

/// One fact: `size.<type>`, `offset.<type>.<path>`, `const.<NAME>`,
/// `symbol.<name>` or `compile_flags`.
pub struct Fact {
    pub key: String,
    /// The number, "declared", a flags string, or "absent".
    pub value: String,
}

pub struct Facts {
    pub file: PathBuf,
    pub releases: Vec<String>,
    pub facts: Vec<Fact>,
}

impl Facts {
    fn read(file: &Path) -> Result<Facts, String> {
        let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut releases = Vec::new();
        let mut facts = Vec::new();
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let (key, value) = line
                .split_once(' ')
                .ok_or_else(|| format!("{}: not a `key value` line: {line}", file.display()))?;
            if key == "releases" {
                releases = value.split_whitespace().map(String::from).collect();
            } else {
                facts.push(Fact { key: key.into(), value: value.into() });
            }
        }
        if releases.is_empty() {
            return Err(format!("{}: no `releases` line", file.display()));
        }
        Ok(Facts { file: file.into(), releases, facts })
    }

    /// Every fact file, oldest release first.
    pub fn all() -> Result<Vec<Facts>, String> {
        let mut all = Vec::new();
        let dir = fs::read_dir(FOLDER).map_err(|e| format!("{FOLDER}: {e}"))?;
        for entry in dir {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|e| e == "txt") {
                all.push(Facts::read(&path)?);
            }
        }
        all.sort_by_key(|f| release_key(&f.releases[0]));
        Ok(all)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.facts.iter().find(|f| f.key == key).map(|f| f.value.as_str())
    }

    fn numbers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.facts.iter().filter(|f| f.value != "absent").map(|f| (f.key.as_str(), f.value.as_str()))
    }

    /// The C defines that give include/sst_abi.h this range's layout:
    /// `ABI_SIZE_<type>`, `ABI_OFFSET_<type>_<path>` and, for every
    /// function or global the release declares, `ABI_SYMBOL_<name>`.
    pub fn defines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (key, value) in self.numbers() {
            let (kind, name) = key.split_once('.').unwrap_or((key, ""));
            let name = name.replace('.', "_");
            match kind {
                "size" => out.push(format!("-DABI_SIZE_{name}={value}")),
                "offset" => out.push(format!("-DABI_OFFSET_{name}={value}")),
                "symbol" => out.push(format!("-DABI_SYMBOL_{name}=1")),
                _ => {}
            }
        }
        out
    }

    /// The functions and globals this range declares (cfg `osips_sym`).
    pub fn symbols(&self) -> impl Iterator<Item = &str> {
        self.numbers().filter_map(|(k, _)| k.strip_prefix("symbol."))
    }

    /// Rust source: `OURS`, every size, offset and constant of these facts as
    /// bindgen laid out our header (None where the release has no such
    /// thing), for the layout test to compare with the probe's numbers.
    pub fn layout_list(&self) -> String {
        let mut rs = String::from(
            "/// What bindgen made of include/sst_abi.h, keyed as abi/probe.c prints it.\n\
             pub const OURS: &[(&str, Option<i64>)] = &[\n",
        );
        for f in &self.facts {
            if f.value == "absent" {
                rs.push_str(&format!("    ({:?}, None),\n", f.key));
            } else if let Some(expr) = rust_expr(&f.key) {
                rs.push_str(&format!("    ({:?}, Some(({expr}) as i64)),\n", f.key));
            }
        }
        rs.push_str("];\n");
        rs
    }
}

/// The Rust expression for a fact's number, with bindgen's names
/// (`str` is `str_`, a field named like a Rust keyword gets a `_`).
fn rust_expr(key: &str) -> Option<String> {
    let ident = |s: &str| match s {
        "str" | "type" | "ref" | "fn" | "mod" | "match" | "impl" | "use" => format!("{s}_"),
        _ => s.to_string(),
    };
    let mut parts = key.split('.');
    match (parts.next()?, parts.next()?) {
        ("size", ty) => Some(format!("core::mem::size_of::<{}>()", ident(ty))),
        ("offset", ty) => {
            let path: Vec<String> = parts.map(ident).collect();
            Some(format!("core::mem::offset_of!({}, {})", ident(ty), path.join(".")))
        }
        ("const", name) => Some(name.to_string()),
        _ => None,
    }
}

pub fn release_key(release: &str) -> Vec<u32> {
    release.split('.').map(|p| p.parse().unwrap_or(u32::MAX)).collect()
}

/// "3.4.0–3.4.18, 3.6.0–3.6.8 and 4.0.0–4.0.1": what the fact files cover, by series.
pub fn coverage(all: &[Facts]) -> String {
    let mut series: Vec<(String, String, String)> = Vec::new();
    for f in all {
        let (first, last) = (&f.releases[0], &f.releases[f.releases.len() - 1]);
        let minor = first.rsplit_once('.').map_or(first.as_str(), |(m, _)| m).to_string();
        match series.last_mut() {
            Some((m, _, end)) if *m == minor => *end = last.clone(),
            _ => series.push((minor, first.clone(), last.clone())),
        }
    }
    let ranges: Vec<String> = series.iter().map(|(_, a, b)| format!("{a}–{b}")).collect();
    match ranges.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => ranges.join(""),
    }
}
