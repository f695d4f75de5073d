//! The people, clients and ticket texts of the built-in demo desk.

use crate::domain::{Role, Skill};

/// A demo client: name, contract, zone, share of the volume, whether it runs updates at
/// night, whether it writes in Russian, mail domain.
pub struct DemoClient {
    pub name: &'static str,
    pub contract: &'static str,
    pub tz: &'static str,
    pub weight: f64,
    pub night_updates: bool,
    pub russian: bool,
    pub domain: &'static str,
    pub contacts: [&'static str; 3],
}

pub const CLIENTS: &[DemoClient] = &[
    DemoClient {
        name: "ООО «Вектор-Логистик»",
        contract: "SLA-2021-014",
        tz: "Europe/Moscow",
        weight: 1.6,
        night_updates: false,
        russian: true,
        domain: "vector-log.ru",
        contacts: ["Анна Петрова", "Игорь Смирнов", "Ольга Кузнецова"],
    },
    DemoClient {
        name: "АО «Транзит Телеком»",
        contract: "SLA-2019-003",
        tz: "Europe/Moscow",
        weight: 1.4,
        night_updates: true,
        russian: true,
        domain: "tranzit-tel.ru",
        contacts: ["Дмитрий Волков", "Елена Соколова", "Павел Лебедев"],
    },
    DemoClient {
        name: "Гранит Банк",
        contract: "SLA-2020-027",
        tz: "Europe/Moscow",
        weight: 1.3,
        night_updates: true,
        russian: true,
        domain: "granitbank.ru",
        contacts: ["Сергей Новиков", "Марина Морозова", "Алексей Попов"],
    },
    DemoClient {
        name: "Медиаплатформа «Лента»",
        contract: "SLA-2022-041",
        tz: "Europe/Moscow",
        weight: 1.0,
        night_updates: false,
        russian: true,
        domain: "lenta-media.ru",
        contacts: ["Татьяна Васильева", "Никита Павлов", "Юлия Семёнова"],
    },
    DemoClient {
        name: "Ритейл Групп «Звезда»",
        contract: "SLA-2023-008",
        tz: "Europe/Moscow",
        weight: 1.1,
        night_updates: false,
        russian: true,
        domain: "zvezda-retail.ru",
        contacts: ["Виктор Голубев", "Наталья Виноградова", "Роман Богданов"],
    },
    DemoClient {
        name: "Фармацевт Онлайн",
        contract: "SLA-2024-012",
        tz: "Europe/Moscow",
        weight: 0.8,
        night_updates: false,
        russian: true,
        domain: "pharm-online.ru",
        contacts: ["Ксения Воробьёва", "Артём Фёдоров", "Светлана Михайлова"],
    },
    DemoClient {
        name: "Almaty Agro Holding",
        contract: "SLA-2022-050",
        tz: "Asia/Almaty",
        weight: 0.7,
        night_updates: false,
        russian: true,
        domain: "almaty-agro.kz",
        contacts: ["Айгерим Нурланова", "Ерлан Сапаров", "Дина Ахметова"],
    },
    DemoClient {
        name: "Steppe Payments",
        contract: "SLA-2023-019",
        tz: "Asia/Almaty",
        weight: 0.5,
        night_updates: true,
        russian: true,
        domain: "steppepay.kz",
        contacts: ["Арман Жумабаев", "Асель Касымова", "Тимур Омаров"],
    },
    DemoClient {
        name: "Hudson Analytics Inc.",
        contract: "SLA-2021-033",
        tz: "America/New_York",
        weight: 0.7,
        night_updates: false,
        russian: false,
        domain: "hudson-analytics.com",
        contacts: ["Emily Carter", "Michael Brooks", "Sarah Nguyen"],
    },
    DemoClient {
        name: "Brooklyn Games LLC",
        contract: "SLA-2024-002",
        tz: "America/New_York",
        weight: 0.5,
        night_updates: true,
        russian: false,
        domain: "brooklyngames.io",
        contacts: ["Jason Rivera", "Olivia Chen", "David Kim"],
    },
    DemoClient {
        name: "Maple Cloud Retail Ltd.",
        contract: "SLA-2022-061",
        tz: "America/Toronto",
        weight: 0.6,
        night_updates: false,
        russian: false,
        domain: "maplecloud.ca",
        contacts: ["Liam Tremblay", "Chloé Gagnon", "Noah Roy"],
    },
    DemoClient {
        name: "Lakeshore Health Inc.",
        contract: "SLA-2023-047",
        tz: "America/Toronto",
        weight: 0.4,
        night_updates: false,
        russian: false,
        domain: "lakeshorehealth.ca",
        contacts: ["Emma Wilson", "Lucas Martin", "Ava Thompson"],
    },
];

/// A demo staff member: name, role, skills, office, zone, languages.
pub struct DemoStaff {
    pub name: &'static str,
    pub role: Role,
    pub skills: &'static [Skill],
    pub office: &'static str,
    pub tz: &'static str,
}

use Skill::*;

pub const STAFF: &[DemoStaff] = &[
    DemoStaff { name: "Мария Орлова", role: Role::Lead, skills: &[Linux, Networks], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Андрей Зайцев", role: Role::Deputy, skills: &[Virtualisation, Linux], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Кирилл Белов", role: Role::Line1, skills: &[Linux], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Дарья Комарова", role: Role::Line1, skills: &[Microsoft], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Илья Киселев", role: Role::Line1, skills: &[Networks], office: "Санкт-Петербург", tz: "Europe/Moscow" },
    DemoStaff { name: "Полина Ершова", role: Role::Line1, skills: &[Virtualisation], office: "Санкт-Петербург", tz: "Europe/Moscow" },
    DemoStaff { name: "Максим Шубин", role: Role::Line1, skills: &[Linux], office: "Новосибирск", tz: "Asia/Novosibirsk" },
    DemoStaff { name: "Алина Тарасова", role: Role::Line1, skills: &[Microsoft, Networks], office: "Новосибирск", tz: "Asia/Novosibirsk" },
    DemoStaff { name: "Егор Сорокин", role: Role::Line2, skills: &[Linux, Databases], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Вера Ильина", role: Role::Line2, skills: &[Virtualisation, Storage], office: "Санкт-Петербург", tz: "Europe/Moscow" },
    DemoStaff { name: "Олег Никитин", role: Role::Line2, skills: &[Networks, Security], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Григорий Фомин", role: Role::Line3, skills: &[Hardware], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Станислав Жуков", role: Role::Line3, skills: &[Hardware, Storage], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Людмила Гусева", role: Role::Line3, skills: &[Networks], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Вадим Титов", role: Role::Line3, skills: &[Networks, Security], office: "Санкт-Петербург", tz: "Europe/Moscow" },
    DemoStaff { name: "Константин Кудрявцев", role: Role::Line3, skills: &[Networks], office: "Новосибирск", tz: "Asia/Novosibirsk" },
    DemoStaff { name: "Евгения Баранова", role: Role::Line3, skills: &[Virtualisation], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Руслан Куликов", role: Role::Line3, skills: &[Virtualisation, Storage], office: "Санкт-Петербург", tz: "Europe/Moscow" },
    DemoStaff { name: "Ярослав Алексеев", role: Role::Line3, skills: &[Virtualisation, Linux], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Галина Степанова", role: Role::Line3, skills: &[Linux], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Фёдор Яковлев", role: Role::Line3, skills: &[Linux, Security], office: "Алматы", tz: "Asia/Almaty" },
    DemoStaff { name: "Лариса Сергеева", role: Role::Line3, skills: &[Databases], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Борис Романов", role: Role::Line3, skills: &[Databases, Linux], office: "Новосибирск", tz: "Asia/Novosibirsk" },
    DemoStaff { name: "Инна Захарова", role: Role::Line3, skills: &[Microsoft], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Тимофей Борисов", role: Role::Line3, skills: &[Microsoft, Security], office: "Санкт-Петербург", tz: "Europe/Moscow" },
    DemoStaff { name: "Валерия Королёва", role: Role::Line3, skills: &[Storage], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Денис Герасимов", role: Role::Line3, skills: &[Backup, Storage], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Эдуард Пономарев", role: Role::Line3, skills: &[Backup], office: "Алматы", tz: "Asia/Almaty" },
    DemoStaff { name: "Нина Григорьева", role: Role::Line3, skills: &[Security, Networks], office: "Москва", tz: "Europe/Moscow" },
    DemoStaff { name: "Arthur Bennett", role: Role::Line3, skills: &[Networks, Hardware], office: "Toronto", tz: "America/Toronto" },
    DemoStaff { name: "Rachel Morgan", role: Role::Line3, skills: &[Virtualisation, Microsoft], office: "Toronto", tz: "America/Toronto" },
];

/// What a ticket is about: the service, the skill that solves it, and subject templates
/// in Russian and English (`{vm}`, `{net}`, `{ip}`, `{host}` are filled in).
pub struct Topic {
    pub service: &'static str,
    pub skill: Skill,
    pub ru: &'static str,
    pub en: &'static str,
    pub weight: f64,
}

pub const INCIDENTS: &[Topic] = &[
    Topic {
        service: "Virtual machines", skill: Virtualisation, ru: "Виртуальная машина {vm} не отвечает", en: "VM {vm} is not responding", weight: 3.0
    },
    Topic { service: "Virtual machines", skill: Virtualisation, ru: "Высокая загрузка CPU на {vm}", en: "High CPU load on {vm}", weight: 1.5 },
    Topic {
        service: "Virtual machines", skill: Linux, ru: "Не загружается ОС на {vm} после обновления", en: "{vm} does not boot after an update", weight: 1.0
    },
    Topic { service: "Network", skill: Networks, ru: "Нет доступа в интернет из сети {net}", en: "No internet access from network {net}", weight: 2.5 },
    Topic { service: "Network", skill: Networks, ru: "Потеря пакетов до {ip}", en: "Packet loss to {ip}", weight: 1.2 },
    Topic { service: "Network", skill: Networks, ru: "Не поднимается VPN-туннель до офиса", en: "Site-to-site VPN tunnel is down", weight: 1.0 },
    Topic { service: "Storage", skill: Storage, ru: "Диск на {vm} заполнен на 95%", en: "Disk on {vm} is 95% full", weight: 1.2 },
    Topic { service: "Storage", skill: Storage, ru: "Медленный отклик дисков на {vm}", en: "Slow disk I/O on {vm}", weight: 0.8 },
    Topic { service: "Backup", skill: Backup, ru: "Ошибка задания резервного копирования {vm}", en: "Backup job failed for {vm}", weight: 1.2 },
    Topic { service: "Databases", skill: Databases, ru: "Сбой репликации базы данных на {vm}", en: "Database replication broken on {vm}", weight: 0.7 },
    Topic { service: "Microsoft", skill: Microsoft, ru: "Не работает вход в домен на {host}", en: "Domain logon fails on {host}", weight: 0.8 },
    Topic {
        service: "Control panel", skill: Linux, ru: "Не открывается панель управления облаком", en: "Cloud control panel does not load", weight: 0.8
    },
    Topic { service: "Hardware", skill: Hardware, ru: "Выделенный сервер {host} недоступен", en: "Dedicated server {host} is unreachable", weight: 0.6 },
    Topic { service: "Security", skill: Security, ru: "Подозрительный трафик с {ip}", en: "Suspicious traffic from {ip}", weight: 0.4 },
];

pub const ALERTS: &[Topic] = &[
    Topic { service: "Virtual machines", skill: Virtualisation, ru: "[Zabbix] {vm}: ping loss 100%", en: "[Zabbix] {vm}: ping loss 100%", weight: 2.0 },
    Topic { service: "Storage", skill: Storage, ru: "[Prometheus] {vm}: /var заполнен более чем на 90%", en: "[Prometheus] {vm}: /var above 90%", weight: 1.5 },
    Topic {
        service: "Virtual machines", skill: Linux, ru: "[Zabbix] {vm}: CPU load > 95% в течение 15 мин", en: "[Zabbix] {vm}: CPU load > 95% for 15 min", weight: 1.5
    },
    Topic { service: "Network", skill: Networks, ru: "[Zabbix] {host}: интерфейс uplink down", en: "[Zabbix] {host}: uplink interface down", weight: 1.0 },
    Topic {
        service: "Backup", skill: Backup, ru: "[Veeam] {vm}: задание завершилось с ошибкой", en: "[Veeam] {vm}: job finished with errors", weight: 1.0
    },
    Topic { service: "Hardware", skill: Hardware, ru: "[iDRAC] {host}: отказ блока питания PSU2", en: "[iDRAC] {host}: PSU2 failure", weight: 0.4 },
];

/// Request subjects keyed by request type code.
pub const REQUESTS: &[(&str, &str, &str, f64)] = &[
    ("consultation", "Консультация по настройке балансировщика нагрузки", "Question about load balancer setup", 2.0),
    ("access", "Выдать доступ к панели управления для нового сотрудника", "Grant control panel access to a new colleague", 1.5),
    ("more-resources", "Добавить 4 vCPU и 8 ГБ RAM на {vm}", "Add 4 vCPU and 8 GB RAM to {vm}", 2.0),
    ("new-vm", "Создать ВМ для тестовой среды", "New VM for the staging environment", 1.2),
    ("licences", "Лицензии Windows Server: ещё 5 шт.", "5 more Windows Server licences", 0.8),
    ("backup-restore", "Восстановить {vm} из копии за прошлую ночь", "Restore {vm} from last night's backup", 0.6),
    ("dns-change", "Открыть порт 443 на межсетевом экране для {ip}", "Open port 443 on the firewall for {ip}", 1.2),
    ("sla-change", "Перевести договор на круглосуточную поддержку 24/7", "Move our contract to 24/7 support", 0.2),
];

/// What an engineer writes when asking the client for information.
pub const INFO_NEEDED: (&str, &str) = (
    "Запросили у клиента имя ВМ, время начала проблемы и логи; до ответа работа приостановлена.",
    "Asked the client for the VM name, when the problem started and the logs; waiting for the answer.",
);

/// What an engineer writes when handing work to a third party.
pub const EXTERNAL: (&str, &str) = ("Передано поставщику оборудования, заявка {case}. Ждём ответа.", "Handed to the hardware vendor, case {case}. Waiting for them.");

/// Work notes.
pub const WORK_NOTES: &[(&str, &str)] = &[
    ("Проверили мониторинг, проблема подтверждается.", "Checked monitoring; the problem is confirmed."),
    ("Перезапустили службу, наблюдаем.", "Restarted the service; watching it."),
    ("Применили инструкцию из базы знаний.", "Applied the runbook from the knowledge base."),
    ("Связались с контактным лицом по телефону, уточнили детали.", "Called the contact person to clarify the details."),
];

/// What the contact says on confirming or rejecting the result.
pub const CONFIRM: (&str, &str) = ("Спасибо, всё работает.", "Thanks, everything works now.");
pub const REJECT: (&str, &str) = ("Проблема повторилась, прошу проверить ещё раз.", "The problem is back, please have another look.");
