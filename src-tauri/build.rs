// Generates Tauri's context; the window may call only the commands listed here, and only
// as far as src-tauri/capabilities/ grants them.
fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "queue_page",
        "queue_counts",
        "ticket_detail",
        "replica_info",
        "facets",
        "apply_action",
        "apply_bulk",
        "outbox_list",
        "discard_operation",
        "candidates",
        "staff",
        "dashboard",
        "at_risk",
        "sla_month",
        "export_chart",
        "export_sla_month",
        "notification_settings",
        "set_notification_settings",
        "import_upload",
        "import_run",
        "roster_month",
        "roster_generate",
        "roster_publish",
        "roster_assign",
        "roster_swap",
        "roster_absence",
        "roster_remove_absence",
        "roster_suggestions",
        "roster_now",
        "roster_export",
    ]);
    let attributes = tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/*.json").app_manifest(manifest);
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
