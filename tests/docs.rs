//! The documents name real places: every path in backquotes in `docs/architecture.md`
//! exists in the tree, so the "where is X" table cannot go stale unnoticed.

use std::path::Path;

#[test]
fn every_path_the_architecture_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    // Fenced blocks are pictures, not references.
    let text: String = text.split("```").step_by(2).collect::<Vec<_>>().join("\n");
    let paths: Vec<&str> = text.split('`').skip(1).step_by(2).filter(|p| p.contains('/') && !p.contains(' ') && !p.contains('{')).collect();
    assert!(paths.len() > 20, "the architecture names its places: found only {paths:?}");
    let missing: Vec<&&str> = paths.iter().filter(|p| !root.join(p.trim_end_matches('/')).exists()).collect();
    assert!(missing.is_empty(), "docs/architecture.md names paths that do not exist: {missing:?}");
}
