//! The words charts print, in English and Russian.

use serde::{Deserialize, Serialize};

/// The language of a chart's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "charts.ts")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Russian.
    Ru,
}

/// A label.
#[derive(Debug, Clone, Copy)]
pub(crate) enum L {
    LoadByHour,
    LoadByWeekday,
    LoadByHourOfWeek,
    LoadByDay,
    Heatmap,
    Tickets,
    ClientsOwnTime,
    HourOfDay,
    SlaCompliance,
    Reaction,
    Resolution,
    Met,
    Breached,
    StaffingVsLoad,
    Line,
    Engineers,
    Expected,
    Needed,
    Scheduled,
    Planned,
    Shortfall,
}

impl Lang {
    pub(crate) fn t(self, l: L) -> &'static str {
        use L::*;
        match (self, l) {
            (Lang::En, LoadByHour) => "Tickets by hour",
            (Lang::Ru, LoadByHour) => "Нагрузка по часам",
            (Lang::En, LoadByWeekday) => "Tickets by weekday",
            (Lang::Ru, LoadByWeekday) => "Нагрузка по дням недели",
            (Lang::En, LoadByHourOfWeek) => "Tickets by hour of week",
            (Lang::Ru, LoadByHourOfWeek) => "Нагрузка по часам недели",
            (Lang::En, LoadByDay) => "Tickets per day",
            (Lang::Ru, LoadByDay) => "Обращения по дням",
            (Lang::En, Heatmap) => "Tickets by weekday and hour",
            (Lang::Ru, Heatmap) => "Обращения по дням недели и часам",
            (Lang::En, Tickets) => "tickets",
            (Lang::Ru, Tickets) => "обращений",
            (Lang::En, ClientsOwnTime) => "clients' own time",
            (Lang::Ru, ClientsOwnTime) => "местное время клиентов",
            (Lang::En, HourOfDay) => "hour of day",
            (Lang::Ru, HourOfDay) => "час суток",
            (Lang::En, SlaCompliance) => "SLA compliance",
            (Lang::Ru, SlaCompliance) => "Соблюдение SLA",
            (Lang::En, Reaction) => "Reaction",
            (Lang::Ru, Reaction) => "Реакция",
            (Lang::En, Resolution) => "Resolution",
            (Lang::Ru, Resolution) => "Решение",
            (Lang::En, Met) => "met",
            (Lang::Ru, Met) => "в срок",
            (Lang::En, Breached) => "breached",
            (Lang::Ru, Breached) => "нарушено",
            (Lang::En, StaffingVsLoad) => "Staffing against load",
            (Lang::Ru, StaffingVsLoad) => "Персонал и нагрузка",
            (Lang::En, Line) => "Line",
            (Lang::Ru, Line) => "Линия",
            (Lang::En, Engineers) => "engineers",
            (Lang::Ru, Engineers) => "инженеров",
            (Lang::En, Expected) => "expected tickets",
            (Lang::Ru, Expected) => "ожидается обращений",
            (Lang::En, Needed) => "needed (Erlang C, with shrinkage)",
            (Lang::Ru, Needed) => "нужно (Эрланг C, с учётом потерь)",
            (Lang::En, Scheduled) => "to schedule",
            (Lang::Ru, Scheduled) => "в график",
            (Lang::En, Planned) => "planned on shift",
            (Lang::Ru, Planned) => "по норме смены",
            (Lang::En, Shortfall) => "short by",
            (Lang::Ru, Shortfall) => "не хватает",
        }
    }

    pub(crate) fn weekday(self, key: &str) -> &'static str {
        let i = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().position(|k| *k == key).unwrap_or(0);
        match self {
            Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
            Lang::Ru => ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"][i],
        }
    }

    /// A series value as the user reads it: channels, kinds and lines translated; zones and
    /// anything else as given.
    pub(crate) fn series(self, name: &str) -> String {
        let ru = self == Lang::Ru;
        let known = match name {
            "email" => Some(if ru { "Эл. почта" } else { "E-mail" }),
            "portal" => Some(if ru { "Портал" } else { "Portal" }),
            "phone" => Some(if ru { "Телефон" } else { "Phone" }),
            "monitoring" => Some(if ru { "Мониторинг" } else { "Monitoring" }),
            "telegram" => Some("Telegram"),
            "incident" => Some(if ru { "Инциденты" } else { "Incidents" }),
            "request" => Some(if ru { "Запросы" } else { "Requests" }),
            _ => None,
        };
        match (known, name.parse::<u8>()) {
            (Some(k), _) => k.to_string(),
            (None, Ok(line)) => format!("{} {line}", self.t(L::Line)),
            (None, Err(_)) => name.to_string(),
        }
    }
}
