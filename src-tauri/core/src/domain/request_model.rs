//! The service-request model: each request type carries its own priority and fulfilment time.

use super::Priority;
use serde::{Deserialize, Serialize};

/// A typical request from the service catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "domain.ts")]
pub struct RequestType {
    /// Stable code (`more-resources`).
    pub code: String,
    /// English name.
    pub name_en: String,
    /// Russian name.
    pub name_ru: String,
    /// Priority a request of this type gets.
    pub priority: Priority,
    /// Agreed fulfilment time in hours.
    pub fulfilment_hours: u32,
}

impl RequestType {
    /// The catalogue the demo replica and a new replica start with.
    pub fn default_catalogue() -> Vec<RequestType> {
        let t = |code: &str, en: &str, ru: &str, priority, hours| RequestType { code: code.into(), name_en: en.into(), name_ru: ru.into(), priority, fulfilment_hours: hours };
        vec![
            t("consultation", "Consultation", "Консультация", Priority::Low, 24),
            t("access", "Access rights", "Права доступа", Priority::Medium, 8),
            t("more-resources", "More resources (CPU, RAM, disk)", "Дополнительные ресурсы (CPU, RAM, диск)", Priority::Medium, 8),
            t("new-vm", "New virtual machine", "Новая виртуальная машина", Priority::Medium, 16),
            t("licences", "New licences", "Новые лицензии", Priority::Low, 40),
            t("backup-restore", "Restore from backup", "Восстановление из резервной копии", Priority::High, 4),
            t("dns-change", "DNS or firewall change", "Изменение DNS или межсетевого экрана", Priority::Medium, 8),
            t("sla-change", "Change of SLA or service", "Изменение SLA или услуги", Priority::Planning, 80),
        ]
    }
}
