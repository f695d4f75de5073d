// Generates Tauri's context; the window may call only the commands of `commands/list.rs`,
// and only as far as src-tauri/capabilities/ grants them.
include!("commands/list.rs");

/// The commands' names.
macro_rules! names {
    ($($module:ident :: $command:ident),+ $(,)?) => {
        &[$(stringify!($command)),+]
    };
}

fn main() {
    let commands: &[&str] = with_commands!(names);
    let manifest = tauri_build::AppManifest::new().commands(commands);
    let attributes = tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/*.json").app_manifest(manifest);
    println!("cargo:rerun-if-changed=src-tauri/commands/list.rs");
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
