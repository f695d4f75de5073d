// Every command the window may call, once: `with_commands!(m)` hands the list to macro `m`.
// The build script turns it into the app manifest (`build.rs`), the app into its invoke
// handler (`app.rs`); a test checks that the capability file grants exactly these and that
// `ui/src/lib/api.ts` invokes nothing else. Included by both, so it holds only the macro.
macro_rules! with_commands {
    ($m:ident) => {
        $m! {
            queue::queue_page,
            queue::queue_counts,
            queue::ticket_detail,
            queue::replica_info,
            queue::facets,
            actions::apply_action,
            actions::apply_bulk,
            actions::outbox_list,
            actions::discard_operation,
            actions::candidates,
            actions::staff,
            clients::clients,
            clients::client_set_zone,
            clients::client_set_contract,
            clients::client_add_contact,
            clients::client_remove_contact,
            dashboards::dashboard,
            dashboards::at_risk,
            dashboards::sla_month,
            dashboards::export_chart,
            dashboards::export_sla_month,
            dashboards::notification_settings,
            dashboards::set_notification_settings,
            import::import_begin,
            import::import_chunk,
            import::import_run,
            roster::roster_month,
            roster::roster_generate,
            roster::roster_publish,
            roster::roster_assign,
            roster::roster_swap,
            roster::roster_absence,
            roster::roster_remove_absence,
            roster::roster_suggestions,
            roster::roster_now,
            roster::roster_export,
            sync::sync_status,
            sync::sync_now,
            sync::sync_connect,
            sync::sync_set_interval,
            sync::sync_disconnect,
            sync::sync_conflicts,
            sync::sync_resolve,
            sync::sync_retry,
        }
    };
}
