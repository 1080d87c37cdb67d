//! The workspace's layout rules, checked over `cargo metadata` by this crate's tests:
//! dependencies point one way, the card stands alone, and no library imports a binary.
//! Inside each crate, `modules` checks the modules: no import circles, no oversized module.

#[cfg(test)]
mod modules;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    /// Each workspace package: its normal (non-dev) dependencies on other workspace packages,
    /// all its normal dependencies by name, and whether it has a library target.
    struct Package {
        workspace_deps: Vec<String>,
        deps: Vec<String>,
        dev_workspace_deps: Vec<String>,
        has_lib: bool,
        /// The package's directory.
        dir: std::path::PathBuf,
    }

    fn packages() -> BTreeMap<String, Package> {
        let out = std::process::Command::new(env!("CARGO"))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(crate::root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
        let packages = meta["packages"].as_array().unwrap();
        let names: Vec<String> = packages
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        packages
            .iter()
            .map(|p| {
                let mut package = Package {
                    workspace_deps: Vec::new(),
                    deps: Vec::new(),
                    dev_workspace_deps: Vec::new(),
                    has_lib: p["targets"].as_array().unwrap().iter().any(|t| {
                        t["kind"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|k| k == "lib" || k == "rlib" || k == "proc-macro")
                    }),
                    dir: std::path::Path::new(p["manifest_path"].as_str().unwrap())
                        .parent()
                        .unwrap()
                        .to_path_buf(),
                };
                for d in p["dependencies"].as_array().unwrap() {
                    let name = d["name"].as_str().unwrap().to_owned();
                    let ours = names.contains(&name);
                    match d["kind"].as_str() {
                        Some("dev") => {
                            if ours {
                                package.dev_workspace_deps.push(name);
                            }
                        }
                        _ => {
                            if ours {
                                package.workspace_deps.push(name.clone());
                            }
                            package.deps.push(name);
                        }
                    }
                }
                (p["name"].as_str().unwrap().to_owned(), package)
            })
            .collect()
    }

    #[test]
    fn apdu_knows_no_jpki() {
        let all = packages();
        assert!(
            all["apdu"].workspace_deps.is_empty(),
            "{:?}",
            all["apdu"].workspace_deps
        );
    }

    #[test]
    fn the_card_never_imports_the_client_an_issuer_or_a_cli() {
        let all = packages();
        let card = &all["card-sim"];
        for forbidden in ["jpki-applet", "jpki-tool", "issuer", "jpki-sim"] {
            assert!(
                !card.deps.contains(&forbidden.to_owned()),
                "card-sim depends on {forbidden}"
            );
        }
        for cli in ["clap", "anyhow", "rpassword"] {
            assert!(
                !card.deps.contains(&cli.to_owned()),
                "card-sim's library depends on {cli}"
            );
        }
    }

    #[test]
    fn the_card_stands_alone() {
        // the card knows APDUs, PINs, durable files and which text is unsafe: not the
        // certificate profile (it stores certificates as bytes) nor any other crate of ours
        let all = packages();
        let allowed = ["apdu", "pin-policy", "durable", "safe-text"];
        for dep in &all["card-sim"].workspace_deps {
            assert!(
                allowed.contains(&dep.as_str()),
                "card-sim depends on {dep}; it may depend only on {allowed:?}"
            );
        }
        for leaf in ["apdu", "safe-text"] {
            assert!(
                all[leaf].workspace_deps.is_empty(),
                "{leaf} depends on {:?}",
                all[leaf].workspace_deps
            );
        }
    }

    #[test]
    fn the_client_and_the_issuer_are_independent_readings_of_the_card() {
        let all = packages();
        // the client reads the spec, not the card's tables: the card only in its tests
        assert!(!all["jpki-applet"].deps.contains(&"card-sim".to_owned()));
        assert!(!all["jpki-applet"].deps.contains(&"issuer".to_owned()));
        // the city-hall terminal is a reading of its own, not the client's
        assert!(!all["issuer"].deps.contains(&"jpki-applet".to_owned()));
    }

    #[test]
    fn no_library_imports_a_binary() {
        let all = packages();
        for (name, package) in &all {
            for dep in package
                .workspace_deps
                .iter()
                .chain(&package.dev_workspace_deps)
            {
                assert!(
                    all[dep].has_lib,
                    "{name} depends on {dep}, which is only a binary"
                );
            }
        }
    }

    #[test]
    fn dependencies_point_one_way() {
        // a cycle through normal dependencies is refused by cargo already; a dev-dependency
        // back up the graph would link two copies of a crate into one test
        let all = packages();
        fn reaches(all: &BTreeMap<String, Package>, from: &str, to: &str) -> bool {
            all[from]
                .workspace_deps
                .iter()
                .any(|d| d == to || reaches(all, d, to))
        }
        for (name, package) in &all {
            for dev in &package.dev_workspace_deps {
                if dev == TEST_SUPPORT {
                    // the one allowed way back up: see `test_support_serves_only_integration_tests`
                    continue;
                }
                assert!(
                    !reaches(&all, dev, name),
                    "{name} dev-depends on {dev}, which depends on {name}"
                );
            }
        }
    }

    const TEST_SUPPORT: &str = "test-support";

    #[test]
    fn test_support_is_only_a_dev_dependency() {
        let all = packages();
        assert!(all.contains_key(TEST_SUPPORT), "no {TEST_SUPPORT} package");
        for (name, package) in &all {
            assert!(
                !package.workspace_deps.iter().any(|d| d == TEST_SUPPORT),
                "{name} has {TEST_SUPPORT} as a normal or build dependency"
            );
        }
    }

    /// Every `.rs` file under `dir`, recursively.
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn test_support_serves_only_integration_tests() {
        // A crate that test-support depends on (cert, card-sim…) may dev-depend on it: its
        // integration tests, benches and examples link the crate's one rlib, shared with
        // test-support. Its unit tests (`src/`) are a second copy of the crate, whose types
        // test-support's do not match: they must not use it.
        let all = packages();
        fn reaches(all: &BTreeMap<String, Package>, from: &str, to: &str) -> bool {
            all[from]
                .workspace_deps
                .iter()
                .any(|d| d == to || reaches(all, d, to))
        }
        let mut below = 0;
        for (name, package) in &all {
            if !reaches(&all, TEST_SUPPORT, name) {
                continue;
            }
            below += 1;
            let mut files = Vec::new();
            rust_files(&package.dir.join("src"), &mut files);
            for file in files {
                let text = std::fs::read_to_string(&file).unwrap();
                assert!(
                    !text.contains("test_support"),
                    "{} (in {name}, which test-support depends on) uses test_support",
                    file.display()
                );
            }
        }
        assert!(below >= 2, "test-support depends on cert and card-sim");
    }

    /// `jpki-tool --no-default-features` is a pure PC/SC client: its normal dependency tree
    /// (every platform, every depth) has no simulator card, no issuer and no OpenSSL.
    #[test]
    fn the_pc_sc_client_builds_without_the_simulator() {
        let out = std::process::Command::new(env!("CARGO"))
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .args([
                "tree",
                "-p",
                "jpki-tool",
                "--no-default-features",
                "-e",
                "normal",
                "--target",
                "all",
                "--prefix",
                "none",
                "--format",
                "{p}",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tree = String::from_utf8(out.stdout).unwrap();
        let names: Vec<&str> = tree
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert!(names.contains(&"jpki-applet"), "{tree}");
        for unwanted in ["card-sim", "issuer", "rcgen", "openssl", "openssl-sys"] {
            assert!(
                !names.contains(&unwanted),
                "jpki-tool --no-default-features depends on {unwanted}:\n{tree}"
            );
        }
    }
}
