//! What every failure of the core is, for the people and programs that meet it: a code from
//! a closed set (the window's `{code, message}`, the command line's exit code) and the
//! message in English and in Russian. Each module keeps its own error enum; this is the one
//! place that sorts them, so the window and the command line can never disagree.

use crate::actions::{ApplyError, DiscardError};
use crate::domain::{ActionError, ActionKind, Level, LifecycleError, MatrixError, ParseEnumError, Skill, Status};
use crate::input::InputError;
use crate::store::StoreError;
use crate::sync::credentials::CredentialError;
use crate::sync::engine::SyncError;
use crate::sync::{ConnectError, ItsmError};
use serde::Serialize;

/// What kind of failure: what the user (or a script) can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "error.ts")]
pub enum ErrorCode {
    /// A value, a file or a setting that is not valid: correct it and try again.
    InvalidInput,
    /// A ticket, client, person, operation or conflict that does not exist.
    NotFound,
    /// The desk's rules refuse it (an action, a discard, a second connection).
    Refused,
    /// The replica cannot be read or written.
    Storage,
    /// The ITSM cannot be reached; every change stays queued.
    Offline,
    /// The ITSM refused the credentials or the request, or no ITSM is connected.
    Itsm,
    /// No OS keyring to keep the secret in, or no secret in it.
    Keyring,
    /// A fault of Smena's own.
    Internal,
}

/// A failure the core reports: its code and its message in each language.
pub trait Failure: std::fmt::Display {
    /// What kind of failure.
    fn code(&self) -> ErrorCode;
    /// The message in Russian (the `Display` text is the English one).
    fn ru(&self) -> String;
}

/// Hands every failure type of the core to macro `$m` — the one list from which the window
/// and the command line make their `From` conversions, so neither can miss one.
#[macro_export]
macro_rules! with_failures {
    ($m:ident) => {
        $m!(
            $crate::store::StoreError,
            $crate::actions::ApplyError,
            $crate::actions::DiscardError,
            $crate::roster::RosterError,
            $crate::sync::engine::SyncError,
            $crate::sync::ConnectError,
            $crate::sync::credentials::CredentialError,
            $crate::input::InputError,
            $crate::sla::SlaError,
            $crate::sla::ContractError,
            $crate::clients::ClientError,
            $crate::import::ImportError,
            $crate::analytics::ReportError,
            $crate::dashboard::DashboardError,
            $crate::charts::ChartError,
            $crate::demo::DemoError,
            $crate::domain::ParseEnumError,
            $crate::domain::MatrixError
        );
    };
}

/// A failure as the window shows it: its code and its message in each language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export_to = "error.ts")]
pub struct Problem {
    /// What kind of failure.
    pub code: ErrorCode,
    /// In English.
    pub message: String,
    /// In Russian.
    pub message_ru: String,
}

impl Problem {
    /// The problem a failure is.
    pub fn of(e: &dyn Failure) -> Problem {
        Problem { code: e.code(), message: e.to_string(), message_ru: e.ru() }
    }
}

/// The Russian name of a status, as the window shows it.
pub fn status_ru(s: Status) -> &'static str {
    match s {
        Status::Registered => "Зарегистрирована",
        Status::Assigned => "Назначена",
        Status::InProgress => "В работе",
        Status::Completed => "Выполнена",
        Status::Closed => "Закрыта",
        Status::RejectedByUser => "Отклонена пользователем",
        Status::InformationNeeded => "Требуется информация",
        Status::ExternalProcessing => "Внешняя обработка",
    }
}

fn level_ru(l: Level) -> &'static str {
    match l {
        Level::VeryHigh => "очень высокая",
        Level::High => "высокая",
        Level::Medium => "средняя",
        Level::Low => "низкая",
        Level::None => "нет",
    }
}

fn skill_ru(s: Skill) -> &'static str {
    match s {
        Skill::Linux => "Linux",
        Skill::Networks => "сети",
        Skill::Virtualisation => "виртуализация",
        Skill::Hardware => "оборудование",
        Skill::Microsoft => "Microsoft",
        Skill::Databases => "базы данных",
        Skill::Storage => "СХД",
        Skill::Backup => "резервное копирование",
        Skill::Security => "безопасность",
    }
}

fn action_ru(k: ActionKind) -> &'static str {
    match k {
        ActionKind::SetUrgency => "смена срочности",
        ActionKind::SetImpact => "смена влияния",
        ActionKind::Assign => "назначение",
        ActionKind::TakeIntoWork => "взятие в работу",
        ActionKind::Transition => "смена статуса",
        ActionKind::Escalate => "эскалация",
        ActionKind::Comment => "комментарий",
        ActionKind::Pin => "закрепление",
        ActionKind::Unpin => "открепление",
        ActionKind::MoveAbove | ActionKind::MoveBelow => "перемещение в порядке руководителя",
    }
}

fn field_ru(field: &str) -> &str {
    match field {
        "urgency" => "срочность",
        "impact" => "влияние",
        "assignee" => "исполнитель",
        "status" => "статус",
        "line" => "линия",
        "priority" => "приоритет",
        other => other,
    }
}

/// A value of `field` as Russian shows it (statuses and levels by name).
fn value_ru(field: &str, value: &str) -> String {
    match field {
        "status" => value.parse().map(|s| status_ru(s).to_string()).unwrap_or_else(|_| value.to_string()),
        "urgency" | "impact" => value.parse().map(|l| level_ru(l).to_string()).unwrap_or_else(|_| value.to_string()),
        _ => value.to_string(),
    }
}

impl Failure for LifecycleError {
    fn code(&self) -> ErrorCode {
        ErrorCode::Refused
    }
    fn ru(&self) -> String {
        match self {
            LifecycleError::ClosedIsFinal => "закрытая заявка не меняет статус; для новой работы нужна новая заявка".into(),
            LifecycleError::NotAllowed { from, to, allowed } => {
                let allowed: Vec<&str> = allowed.split(", ").filter_map(|s| s.parse().ok()).map(status_ru).collect();
                format!("заявка не может перейти из статуса «{}» в «{}» (можно: {})", status_ru(*from), status_ru(*to), allowed.join(", "))
            }
            LifecycleError::CommentRequired(s) => format!("для перехода в статус «{}» нужен комментарий: что требуется и от кого", status_ru(*s)),
            LifecycleError::ClosureCodeRequired => {
                format!("для выполнения заявки нужен код закрытия ({})", crate::domain::ClosureCode::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))
            }
            LifecycleError::WithoutWorkCodeRequired(c) => {
                format!("заявка ни разу не была в работе: выполнить её без работы можно только с кодом duplicate, incorrect-ticket или withdrawn, а не {c}")
            }
        }
    }
}

impl Failure for ActionError {
    fn code(&self) -> ErrorCode {
        match self {
            ActionError::UnknownStaff(_) | ActionError::NotWatched(_) => ErrorCode::NotFound,
            _ => ErrorCode::Refused,
        }
    }
    fn ru(&self) -> String {
        match self {
            ActionError::Lifecycle(e) => e.ru(),
            ActionError::Finished { number, status, what } => format!("заявка {number} в статусе «{}»: {} невозможна", status_ru(*status), action_ru(*what)),
            ActionError::ReasonRequired(what) => {
                let what = match *what {
                    "changing urgency" => "смены срочности",
                    "changing impact" => "смены влияния",
                    "escalation" => "эскалации",
                    "a comment" => "комментария",
                    other => other,
                };
                format!("для {what} нужен текст (причина)")
            }
            ActionError::Unchanged { number, field, value } => format!("заявка {number}: {} уже «{}»", field_ru(field), value_ru(field, value)),
            ActionError::WrongLine { name, role, line } => format!("{name} ({role}) не может взять заявку линии {}", line.number()),
            ActionError::NotUpward { number, from, to } => {
                format!(
                    "заявка {number} на линии {}: эскалация идёт на более высокую линию (или, на линии 2, коллеге с более сильным навыком), а не на линию {}",
                    from.number(),
                    to.number()
                )
            }
            ActionError::SkillRequired(line) => format!("для эскалации на линию {} нужен навык (оборудование, сети, виртуализация, …)", line.number()),
            ActionError::LacksSkill { name, skill } => format!("у сотрудника {name} нет навыка «{}»", skill_ru(*skill)),
            ActionError::UnknownStaff(name) => format!("нет сотрудника {name}"),
            ActionError::NotWatched(number) => {
                format!("заявка {number} не ждёт, чтобы её взяли в работу (ждут только эскалация на третью линию и критическая заявка, ещё не взятые в работу)")
            }
            ActionError::NoNextLevel(number) => format!("заявка {number}: резервный специалист, заместитель и руководитель уже извещены; дальше некого"),
            ActionError::SelfReference => "заявку нельзя переместить относительно самой себя".into(),
        }
    }
}

impl Failure for StoreError {
    fn code(&self) -> ErrorCode {
        match self {
            StoreError::TicketNotFound(_) => ErrorCode::NotFound,
            StoreError::Conflict(_) => ErrorCode::Refused,
            _ => ErrorCode::Storage,
        }
    }
    fn ru(&self) -> String {
        match self {
            StoreError::Corrupt { path, reason } => {
                format!("{}: это не читаемая реплика Smena ({reason}); файл не тронут — переместите его или восстановите из копии", path.display())
            }
            StoreError::TooNew { path, found, known } => {
                format!("{}: у реплики версия схемы {found}, новее известной этой версии Smena ({known}); файл не тронут — обновите Smena", path.display())
            }
            StoreError::Directory { path, source } => format!("{}: не удалось создать папку реплики: {source}", path.display()),
            StoreError::Migration { path, reason } => format!("{}: не удалось обновить схему реплики: {reason}; ничего не изменено", path.display()),
            StoreError::InvalidValue(m) => format!("в реплике недопустимое значение: {m}"),
            StoreError::TicketNotFound(n) => format!("в реплике нет заявки {n}"),
            StoreError::Conflict(m) => format!("отказано: {m}"),
            StoreError::Sqlite(e) => format!("реплика: {e}"),
        }
    }
}

impl Failure for ApplyError {
    fn code(&self) -> ErrorCode {
        match self {
            ApplyError::Refused(e) => e.code(),
            ApplyError::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        match self {
            ApplyError::Refused(e) => e.ru(),
            ApplyError::Store(e) => e.ru(),
        }
    }
}

impl Failure for DiscardError {
    fn code(&self) -> ErrorCode {
        match self {
            DiscardError::NotFound(_) => ErrorCode::NotFound,
            DiscardError::LaterOperations { .. } | DiscardError::Sending(_) => ErrorCode::Refused,
            DiscardError::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        match self {
            DiscardError::NotFound(op) => format!("в очереди нет операции {op}"),
            DiscardError::LaterOperations { op, ticket, later } => format!("операцию {op} нельзя отменить раньше более поздних операций по заявке {ticket}: {later}"),
            DiscardError::Sending(op) => format!("операция {op} прямо сейчас отправляется в ITSM; отмените её после синхронизации"),
            DiscardError::Store(e) => e.ru(),
        }
    }
}

impl Failure for InputError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidInput
    }
    fn ru(&self) -> String {
        match self {
            InputError::Instant(s) => format!("время «{s}» — не RFC 3339 (2026-11-28T09:00:00Z) и не дата (2026-11-28)"),
            InputError::Day(s) => format!("день «{s}» не в виде ГГГГ-ММ-ДД (например, 2026-12-01)"),
            InputError::Month(s) => format!("месяц «{s}» не в виде ГГГГ-ММ (например, 2026-12)"),
            InputError::Week(s) => format!("неделя «{s}» не в виде ГГГГ-Wнн (например, 2026-W49)"),
            InputError::OutOfRange(s) => format!("«{s}» — вне 1970–9999 годов"),
            InputError::TimeZone(s) => format!("часовой пояс «{s}» — не название IANA (например, Europe/Moscow, Asia/Almaty)"),
        }
    }
}

impl Failure for ParseEnumError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidInput
    }
    fn ru(&self) -> String {
        format!("неизвестное значение «{}» ({}); допустимы: {}", self.value, self.what, self.expected)
    }
}

impl Failure for MatrixError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidInput
    }
    fn ru(&self) -> String {
        match self {
            MatrixError::Shape(got) => {
                format!("в матрице приоритетов должно быть 5 строк (срочность очень высокая … нет) по 5 значений (влияние очень высокое … нет); получено {got}")
            }
            MatrixError::Value { row, col, value } => format!("строка {row}, столбец {col}: «{value}» — не приоритет 1–5"),
            MatrixError::NotMonotonic { row, col, value, other } => {
                format!("строка {row}, столбец {col}: приоритет {value} ниже, чем у ячейки с меньшей срочностью или влиянием ({other}); рост срочности или влияния не может понижать приоритет")
            }
        }
    }
}

impl Failure for ItsmError {
    fn code(&self) -> ErrorCode {
        match self {
            ItsmError::Unreachable(_) => ErrorCode::Offline,
            ItsmError::Unauthorized(_) | ItsmError::Refused(_) => ErrorCode::Itsm,
        }
    }
    fn ru(&self) -> String {
        // The ITSM's own words stay as it said them.
        match self {
            ItsmError::Unreachable(why) => format!("ITSM недоступна: {why}"),
            ItsmError::Unauthorized(why) => format!("ITSM не приняла учётные данные: {why}"),
            ItsmError::Refused(why) => format!("ITSM отказала: {why}"),
        }
    }
}

impl Failure for CredentialError {
    fn code(&self) -> ErrorCode {
        match self {
            CredentialError::NoKeyring(_) | CredentialError::Missing(_) => ErrorCode::Keyring,
            CredentialError::NotConnected => ErrorCode::Itsm,
            CredentialError::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        match self {
            CredentialError::NoKeyring(why) => format!("связка ключей ОС недоступна ({why}); секрет не сохранён — Smena хранит его только там, никогда открытым текстом"),
            CredentialError::Missing(what) => format!("в связке ключей нет секрета для {what}; подключитесь снова (smena connect)"),
            CredentialError::NotConnected => "ITSM не подключена; сначала подключитесь (smena connect rt|simpleone --url URL)".into(),
            CredentialError::Store(e) => e.ru(),
        }
    }
}

impl Failure for ConnectError {
    fn code(&self) -> ErrorCode {
        match self {
            ConnectError::NotAUrl { .. }
            | ConnectError::PlainHttp(_)
            | ConnectError::Scheme { .. }
            | ConnectError::NoUser
            | ConnectError::CredentialsInUrl
            | ConnectError::Fields { .. } => ErrorCode::InvalidInput,
            ConnectError::OtherItsm { .. } => ErrorCode::Refused,
            ConnectError::Check { source, .. } => source.code(),
            ConnectError::Credentials(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        match self {
            ConnectError::NotAUrl { url, reason } => format!("«{url}» — не URL: {reason}"),
            ConnectError::PlainHttp(url) => format!("«{url}» — обычный HTTP: секрет ушёл бы по сети незашифрованным; используйте https://"),
            ConnectError::Scheme { url, scheme } => format!("«{url}»: ITSM доступна по https, а не по {scheme}"),
            ConnectError::NoUser => "SimpleOne входит по имени пользователя: укажите --user ИМЯ".into(),
            ConnectError::Fields { path, reason } => format!("{path}: не соответствие полей: {reason}"),
            ConnectError::CredentialsInUrl => "в URL есть имя пользователя или пароль; укажите URL без них (секрет вводится отдельно и хранится в связке ключей ОС)".into(),
            ConnectError::OtherItsm { kind, url, tickets } => format!(
                "в этой реплике {tickets} заявок из {kind} по адресу {url}; подключение к другой ITSM смешало бы два деска — возьмите другую реплику (--db) или сначала забудьте заявки старой ITSM (smena disconnect --forget)"
            ),
            ConnectError::Check { url, source } => format!("{url}: {}; ничего не сохранено", source.ru()),
            ConnectError::Credentials(e) => e.ru(),
        }
    }
}

impl Failure for SyncError {
    fn code(&self) -> ErrorCode {
        match self {
            SyncError::Itsm(e) => e.code(),
            SyncError::Busy => ErrorCode::Refused,
            SyncError::NoConflict(_) | SyncError::NoFailedOperation(_) => ErrorCode::NotFound,
            SyncError::EmptyLogin => ErrorCode::InvalidInput,
            SyncError::Connect(e) => e.code(),
            SyncError::Credentials(e) => e.code(),
            SyncError::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        match self {
            SyncError::Itsm(e) => e.ru(),
            SyncError::Busy => "идёт другая синхронизация этой реплики (окна или другой команды); повторите, когда она закончится".into(),
            SyncError::NoConflict(id) => format!("нет конфликта {id}"),
            SyncError::NoFailedOperation(op) => format!("нет отклонённой операции {op}"),
            SyncError::EmptyLogin => "пустой логин ITSM".into(),
            SyncError::Connect(e) => e.ru(),
            SyncError::Credentials(e) => e.ru(),
            SyncError::Store(e) => e.ru(),
        }
    }
}

impl Failure for crate::roster::RosterError {
    fn code(&self) -> ErrorCode {
        match self {
            crate::roster::RosterError::Invalid(_) | crate::roster::RosterError::Input(_) => ErrorCode::InvalidInput,
            crate::roster::RosterError::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        match self {
            crate::roster::RosterError::Invalid(m) => format!("неверные данные графика: {m}"),
            crate::roster::RosterError::Input(e) => e.ru(),
            crate::roster::RosterError::Store(e) => e.ru(),
        }
    }
}

impl Failure for crate::sla::SlaError {
    fn code(&self) -> ErrorCode {
        use crate::sla::SlaError as E;
        match self {
            E::EmptyPeriod { .. } => ErrorCode::InvalidInput,
            E::UnknownClient(_) => ErrorCode::NotFound,
            E::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        use crate::sla::SlaError as E;
        match self {
            E::EmptyPeriod { from, to } => format!("начало периода {from} позже его конца {to}"),
            E::UnknownClient(c) => format!("нет клиента {c}"),
            E::Store(e) => e.ru(),
        }
    }
}

impl Failure for crate::sla::ContractError {
    fn code(&self) -> ErrorCode {
        use crate::sla::ContractError as E;
        match self {
            E::Invalid(_) | E::Unusable(_) => ErrorCode::InvalidInput,
            E::UnknownClient(_) => ErrorCode::NotFound,
            E::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        use crate::sla::ContractError as E;
        match self {
            E::Invalid(m) => format!("неверный договор SLA: {m}"),
            E::Unusable(p) => format!("договор SLA нельзя принять: {}", p.ru),
            E::UnknownClient(c) => format!("нет клиента {c}"),
            E::Store(e) => e.ru(),
        }
    }
}

impl Failure for crate::clients::ClientError {
    fn code(&self) -> ErrorCode {
        use crate::clients::ClientError as E;
        match self {
            E::UnknownClient(_) => ErrorCode::NotFound,
            E::Zone(_) | E::Email(_) | E::NoName(_) | E::Csv { .. } => ErrorCode::InvalidInput,
            E::Duplicate { .. } | E::NotAContact { .. } => ErrorCode::Refused,
            E::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        use crate::clients::ClientError as E;
        match self {
            E::UnknownClient(c) => format!("нет клиента {c}"),
            E::Zone(z) => format!("«{z}» — не часовой пояс (имя IANA, например Europe/Moscow)"),
            E::Email(e) => format!("«{e}» — не адрес электронной почты"),
            E::NoName(e) => format!("у контакта {e} нет имени"),
            E::Duplicate { email, client } => format!("{email} уже контакт клиента {client}"),
            E::NotAContact { email, client } => format!("{email} — не контакт клиента {client}"),
            E::Csv { path, line, reason } => format!("{path}, строка {line}: {reason}; ничего не импортировано"),
            E::Store(e) => e.ru(),
        }
    }
}

impl Failure for crate::import::ImportError {
    fn code(&self) -> ErrorCode {
        use crate::import::ImportError as E;
        match self {
            E::File { .. } | E::Format { .. } | E::Mapping { .. } => ErrorCode::InvalidInput,
            E::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        use crate::import::ImportError as E;
        match self {
            E::File { path, reason } => format!("{path}: {reason}"),
            E::Format { path, reason } => format!("{path}: это не выгрузка инцидентов ServiceNow: {reason}"),
            E::Mapping { path, reason } => format!("сопоставление полей {path}: {reason}"),
            E::Store(e) => e.ru(),
        }
    }
}

impl Failure for crate::analytics::ReportError {
    fn code(&self) -> ErrorCode {
        use crate::analytics::ReportError as E;
        match self {
            E::EmptyPeriod { .. } | E::DaysNeedPeriod => ErrorCode::InvalidInput,
            E::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        use crate::analytics::ReportError as E;
        match self {
            E::EmptyPeriod { from, to } => format!("начало периода {from} позже его конца {to}"),
            E::DaysNeedPeriod => "для тренда по дням нужны --from и --to".into(),
            E::Store(e) => e.ru(),
        }
    }
}

impl Failure for crate::charts::ChartError {
    fn code(&self) -> ErrorCode {
        ErrorCode::Internal
    }
    fn ru(&self) -> String {
        use crate::charts::ChartError as E;
        match self {
            E::Draw(why) => format!("не удалось нарисовать график: {why}"),
            E::NotHourOfWeek => "для тепловой карты нужны заявки по часам недели".into(),
        }
    }
}

impl Failure for crate::dashboard::DashboardError {
    fn code(&self) -> ErrorCode {
        use crate::dashboard::DashboardError as E;
        match self {
            E::Zone(_) | E::Format(_) => ErrorCode::InvalidInput,
            E::Load(e) => e.code(),
            E::Sla(e) => e.code(),
            E::Chart(e) => e.code(),
            E::Write { .. } => ErrorCode::Storage,
        }
    }
    fn ru(&self) -> String {
        use crate::dashboard::DashboardError as E;
        match self {
            E::Zone(z) => format!("«{z}» — не название часового пояса IANA (например, Europe/Moscow)"),
            E::Format(path) => format!("{path}: график записывается в файл .svg или .png"),
            E::Load(e) => e.ru(),
            E::Sla(e) => e.ru(),
            E::Chart(e) => e.ru(),
            E::Write { path, source } => format!("не удалось записать {path}: {source}"),
        }
    }
}

impl Failure for crate::demo::DemoError {
    fn code(&self) -> ErrorCode {
        use crate::demo::DemoError as E;
        match self {
            E::NotEmpty(..) | E::Connected(_) => ErrorCode::Refused,
            E::Days(_) => ErrorCode::InvalidInput,
            E::Store(e) => e.code(),
        }
    }
    fn ru(&self) -> String {
        use crate::demo::DemoError as E;
        match self {
            E::NotEmpty(path, n) => format!("в {path} уже есть заявки ({n}); демо записывается только в пустую реплику (выберите другую --db)"),
            E::Connected(itsm) => format!("эта реплика была подключена к {itsm}: демо записывается только в реплику, никогда не подключавшуюся к ITSM (выберите другую --db)"),
            E::Days(n) => format!("--days должно быть от 1 до {}, а не {n}", crate::demo::MAX_DAYS),
            E::Store(e) => e.ru(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_told_in_russian_with_its_values_named_in_russian() {
        let e = ActionError::LacksSkill { name: "Анна".into(), skill: Skill::Networks };
        assert_eq!(e.code(), ErrorCode::Refused);
        assert_eq!(e.ru(), "у сотрудника Анна нет навыка «сети»");
        let e = ActionError::Lifecycle(LifecycleError::NotAllowed { from: Status::Registered, to: Status::Closed, allowed: "assigned, in-progress".into() });
        assert_eq!(e.ru(), "заявка не может перейти из статуса «Зарегистрирована» в «Закрыта» (можно: Назначена, В работе)");
        assert_eq!(ActionError::Unchanged { number: "INC1".into(), field: "urgency", value: "high".into() }.ru(), "заявка INC1: срочность уже «высокая»");
    }

    #[test]
    fn every_failure_has_the_code_its_front_ends_act_on() {
        assert_eq!(StoreError::TicketNotFound("INC1".into()).code(), ErrorCode::NotFound);
        assert_eq!(StoreError::Sqlite(rusqlite::Error::InvalidQuery).code(), ErrorCode::Storage);
        assert_eq!(SyncError::NoConflict(7).code(), ErrorCode::NotFound);
        assert_eq!(SyncError::Itsm(ItsmError::Unreachable("timeout".into())).code(), ErrorCode::Offline);
        assert_eq!(CredentialError::NoKeyring("no Secret Service".into()).code(), ErrorCode::Keyring);
        assert_eq!(SyncError::Credentials(CredentialError::NotConnected).code(), ErrorCode::Itsm);
        assert_eq!(ConnectError::PlainHttp("http://x".into()).code(), ErrorCode::InvalidInput);
        assert_eq!(DiscardError::Sending("op".into()).code(), ErrorCode::Refused);
        assert_eq!(InputError::Month("2026-13".into()).code(), ErrorCode::InvalidInput);
    }
}
