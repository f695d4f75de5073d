//! Plays one demo ticket through the lifecycle up to the demo's "now": triage, work,
//! escalation, waiting for the client or a vendor, completion, confirmation or rejection,
//! and the automatic close three days after completion.

use super::catalog::{self, DemoStaff, Topic};
use super::{minute, Arrival, Rng};
use crate::domain::PriorityMatrix;
use crate::domain::{lifecycle as rules, ClosureCode, Kind, Level, Line, RequestType, Role, Skill, Status, Transition};
use crate::store::tickets::{CommentEntry, HistoryEntry, NewTicket};
use chrono::{DateTime, Duration, Utc};

/// The demo's people, by where they work.
#[derive(Default)]
pub(crate) struct Desk {
    line1: Vec<(i64, &'static str)>,
    line2: Vec<(i64, &'static str, &'static [Skill])>,
    line3: Vec<(i64, &'static str, &'static [Skill])>,
}

impl Desk {
    pub fn add(&mut self, id: i64, s: &'static DemoStaff) {
        match s.role {
            Role::Line1 => self.line1.push((id, s.name)),
            Role::Line2 => self.line2.push((id, s.name, s.skills)),
            Role::Line3 => self.line3.push((id, s.name, s.skills)),
            Role::Lead | Role::Deputy => {}
        }
    }

    fn name(&self, id: i64) -> &'static str {
        self.line1.iter().find(|s| s.0 == id).map(|s| s.1).or_else(|| self.line2.iter().chain(&self.line3).find(|s| s.0 == id).map(|s| s.1)).unwrap_or("?")
    }

    /// A second-line engineer, preferring one strong in `skill`.
    fn second_line(&self, rng: &mut Rng, skill: Skill) -> i64 {
        let strong: Vec<_> = self.line2.iter().filter(|s| s.2.contains(&skill)).collect();
        if !strong.is_empty() && rng.chance(0.7) {
            rng.pick(&strong).0
        } else {
            rng.pick(&self.line2).0
        }
    }

    /// A third-line specialist with `skill` (any specialist if nobody has it).
    fn specialist(&self, rng: &mut Rng, skill: Skill) -> i64 {
        let with: Vec<_> = self.line3.iter().filter(|s| s.2.contains(&skill)).collect();
        if with.is_empty() {
            rng.pick(&self.line3).0
        } else {
            rng.pick(&with).0
        }
    }
}

/// A played-through ticket: its final state, history and comments.
pub(crate) struct Sim {
    pub ticket: NewTicket,
    pub history: Vec<HistoryEntry>,
    pub comments: Vec<CommentEntry>,
    /// The priority it gets.
    pub priority: crate::domain::Priority,
    /// The fulfilment hours of its request type (requests).
    pub model_hours: Option<u32>,
}

struct Play<'a> {
    now: DateTime<Utc>,
    t: DateTime<Utc>,
    ru: bool,
    desk: &'a Desk,
    sim: Sim,
    done: bool,
}

impl Play<'_> {
    /// Moves the clock on; once past "now" nothing more happens to the ticket.
    fn wait(&mut self, d: Duration) -> bool {
        if self.done {
            return false;
        }
        let next = minute(self.t + d.max(Duration::minutes(1)));
        if next > self.now {
            self.done = true;
            return false;
        }
        self.t = next;
        true
    }

    fn record(&mut self, actor: &str, field: &str, old: Option<String>, new: Option<String>, reason: Option<&str>) {
        self.sim.history.push(HistoryEntry { at: self.t, actor: actor.into(), field: field.into(), old_value: old, new_value: new, reason: reason.map(str::to_string) });
        self.sim.ticket.updated_at = self.t;
    }

    fn status(&mut self, actor: &str, to: Status, comment: Option<&str>, code: Option<ClosureCode>) {
        let tk = &self.sim.ticket;
        let work_started = self.sim.history.iter().any(|h| h.field == "status" && h.new_value.as_deref() == Some(Status::InProgress.as_str()));
        let check = rules::check(tk.status, to, &Transition { comment, closure_code: code, work_started });
        debug_assert!(check.is_ok(), "demo breaks the lifecycle: {} -> {to}: {check:?}", tk.status);
        let from = tk.status;
        self.sim.ticket.status = to;
        self.record(actor, "status", Some(from.to_string()), Some(to.to_string()), comment);
        if let Some(text) = comment {
            self.comment(actor, text);
        }
    }

    fn comment(&mut self, author: &str, body: &str) {
        self.sim.comments.push(CommentEntry { at: self.t, author: author.into(), body: body.into() });
        self.sim.ticket.updated_at = self.t;
    }

    fn assign(&mut self, id: i64, reason: Option<&str>) {
        let old = self.sim.ticket.assignee_id.map(|i| self.desk.name(i).to_string());
        self.sim.ticket.assignee_id = Some(id);
        let by = old.clone().unwrap_or_else(|| "system".into());
        self.record(&by, "assignee", old, Some(self.desk.name(id).into()), reason);
    }

    fn assignee(&self) -> &'static str {
        self.sim.ticket.assignee_id.map_or("system", |i| self.desk.name(i))
    }

    fn say(&self, text: (&str, &str)) -> String {
        if self.ru {
            text.0.into()
        } else {
            text.1.into()
        }
    }
}

fn fill(template: &str, rng: &mut Rng) -> String {
    template
        .replace("{vm}", &format!("vm-{}-{:02}", rng.pick(&["web", "db", "app", "k8s", "mail", "erp", "1c"]), rng.between(1, 40)))
        .replace("{net}", &format!("10.{}.{}.0/24", rng.between(1, 250), rng.between(0, 250)))
        .replace("{ip}", &format!("185.{}.{}.{}", rng.between(10, 250), rng.between(0, 250), rng.between(2, 250)))
        .replace("{host}", &format!("srv-{:03}", rng.between(1, 300)))
        .replace("{case}", &format!("{}", rng.between(10_000, 99_999)))
}

fn pick_topic<'a>(rng: &mut Rng, topics: &'a [Topic]) -> &'a Topic {
    let w: Vec<f64> = topics.iter().map(|t| t.weight).collect();
    &topics[rng.weighted(&w)]
}

/// Plays one arrival through the lifecycle until `now`.
pub(crate) fn simulate(rng: &mut Rng, desk: &Desk, matrix: &PriorityMatrix, catalogue: &[RequestType], a: &Arrival, ru: bool, now: DateTime<Utc>) -> Sim {
    let client = &catalog::CLIENTS[a.client];
    let at = minute(a.at);
    let (service, skill, subject, request_type, hours) = match a.kind {
        Kind::Incident => {
            let topic = pick_topic(rng, if a.channel == crate::domain::Channel::Monitoring { catalog::ALERTS } else { catalog::INCIDENTS });
            (topic.service, topic.skill, fill(if ru { topic.ru } else { topic.en }, rng), None, None)
        }
        Kind::Request => {
            let w: Vec<f64> = catalog::REQUESTS.iter().map(|r| r.3).collect();
            let (code, sru, sen, _) = catalog::REQUESTS[rng.weighted(&w)];
            let rt = catalogue.iter().find(|t| t.code == code).expect("demo request types are in the catalogue");
            (rt.name_en.as_str(), Skill::Linux, fill(if ru { sru } else { sen }, rng), Some(code.to_string()), Some(i64::from(rt.fulfilment_hours)))
        }
    };
    let impact = if a.channel == crate::domain::Channel::Monitoring {
        Level::ALL[rng.weighted(&[0.05, 0.15, 0.35, 0.40, 0.05])]
    } else {
        Level::ALL[rng.weighted(&[0.03, 0.12, 0.30, 0.45, 0.10])]
    };
    let (contact_name, contact_email) = match a.channel {
        crate::domain::Channel::Monitoring => (subject.split(']').next().unwrap_or("[Zabbix").trim_start_matches('[').to_string(), None),
        channel => {
            let i = rng.between(0, 2) as usize;
            let name = client.contacts[i].to_string();
            let email = format!("{}@{}", ["support", "it", "ops"][i], client.domain);
            // A few e-mails come from an address the client never authorised.
            let email = if channel == crate::domain::Channel::Email && rng.chance(0.03) { format!("{}.private@gmail.com", ["boss", "cto", "intern"][i]) } else { email };
            (name, matches!(channel, crate::domain::Channel::Email | crate::domain::Channel::Portal).then_some(email))
        }
    };
    let priority = match a.kind {
        Kind::Incident => matrix.priority(a.urgency, impact),
        Kind::Request => catalogue.iter().find(|t| Some(&t.code) == request_type.as_ref()).map(|t| t.priority).expect("known type"),
    };
    // How fast the desk works it: as the default contract expects.
    let target_hours = hours.unwrap_or_else(|| i64::from(crate::sla::Contract::default().resolution_hours[usize::from(priority.rank()) - 1])) as f64;
    let description = if ru {
        format!("{subject}\n\nКлиент: {}\nКонтакт: {contact_name}", client.name)
    } else {
        format!("{subject}\n\nClient: {}\nContact: {contact_name}", client.name)
    };
    let ticket = NewTicket {
        number: String::new(),
        kind: a.kind,
        client_id: 0,
        contact_name: contact_name.clone(),
        contact_email,
        channel: a.channel,
        service: service.to_string(),
        request_type,
        subject,
        description,
        urgency: a.urgency,
        impact,
        status: Status::Registered,
        line: Line::FIRST,
        assignee_id: None,
        created_at: at,
        updated_at: at,
        first_response_at: None,
        completed_at: None,
        closed_at: None,
        closure_code: None,
        imported: None,
        deadline: None,
    };
    let mut p = Play { now, t: at, ru, desk, sim: Sim { ticket, history: Vec::new(), comments: Vec::new(), priority, model_hours: hours.map(|h| h as u32) }, done: false };
    p.record(&contact_name, "status", None, Some(Status::Registered.to_string()), None);

    // Triage by the first line: minutes, faster for urgent tickets and phone calls.
    // Now and then (the longest draws) the first line is swamped and the reaction is late.
    let triage = if priority.rank() <= 2 {
        match rng.between(1, 8) {
            8 => 25,
            m => m,
        }
    } else {
        match rng.between(3, 40) {
            m if m >= 39 => m * 3,
            m => m,
        }
    };
    if !p.wait(Duration::minutes(triage)) {
        return p.sim;
    }
    let l1 = rng.pick(&desk.line1).0;
    p.sim.ticket.first_response_at = Some(p.t);
    // Some tickets are incorrect or duplicates: completed without work.
    if rng.chance(0.04) {
        let code = *rng.pick(&[ClosureCode::Duplicate, ClosureCode::IncorrectTicket, ClosureCode::Withdrawn]);
        p.assign(l1, None);
        p.status(desk.name(l1), Status::Assigned, None, None);
        if !p.wait(Duration::minutes(rng.between(2, 30))) {
            return p.sim;
        }
        p.sim.ticket.closure_code = Some(code);
        p.sim.ticket.completed_at = Some(p.t);
        p.status(desk.name(l1), Status::Completed, None, Some(code));
        finish(rng, &mut p);
        return p.sim;
    }
    p.assign(l1, None);
    p.status(desk.name(l1), Status::Assigned, None, None);
    if !p.wait(Duration::minutes(rng.between(1, 25))) {
        return p.sim;
    }
    p.status(desk.name(l1), Status::InProgress, None, None);
    work(rng, &mut p, a, skill, target_hours);
    finish(rng, &mut p);
    p.sim
}

/// From In progress to Completed: escalations, waiting, work notes.
fn work(rng: &mut Rng, p: &mut Play<'_>, a: &Arrival, skill: Skill, target_hours: f64) {
    let duration = Duration::minutes((rng.lognormal(0.45, 0.75) * target_hours * 60.0) as i64 + 10);
    let mut left = duration;
    if rng.chance(0.35) {
        let note = *rng.pick(catalog::WORK_NOTES);
        if !p.wait(left / 5) {
            return;
        }
        left -= left / 5;
        let who = p.assignee();
        p.comment(who, &p.say(note));
    }
    // Escalation: a third of tickets go to the second line, some of those on to the third.
    if rng.chance(if a.kind == Kind::Incident { 0.35 } else { 0.2 }) {
        if !p.wait(left / 4) {
            return;
        }
        left -= left / 4;
        let l2 = p.desk.second_line(rng, skill);
        let reason = p.say(("Нет инструкции, нужна диагностика второй линии", "No runbook; needs second-line diagnosis"));
        p.sim.ticket.line = Line::SECOND;
        let who = p.assignee();
        p.record(who, "line", Some("1".into()), Some("2".into()), Some(&reason));
        p.assign(l2, Some(&reason));
        if rng.chance(0.25) {
            if !p.wait(left / 3) {
                return;
            }
            left -= left / 3;
            let l3 = p.desk.specialist(rng, skill);
            let reason = p.say(("Требуется узкий специалист", "Needs a specialist")) + &format!(" ({skill})");
            p.sim.ticket.line = Line::THIRD;
            let who = p.assignee();
            p.record(who, "line", Some("2".into()), Some("3".into()), Some(&reason));
            p.assign(l3, Some(&reason));
        }
    }
    // Waiting for the client, or for a third party.
    let pause = if rng.chance(0.12) {
        Some((Status::InformationNeeded, p.say(catalog::INFO_NEEDED), rng.between(30, 60 * 30)))
    } else if rng.chance(0.05) {
        Some((Status::ExternalProcessing, fill(&p.say(catalog::EXTERNAL), rng), rng.between(120, 60 * 72)))
    } else {
        None
    };
    if let Some((status, text, minutes)) = pause {
        if !p.wait(left / 3) {
            return;
        }
        left -= left / 3;
        let who = p.assignee();
        p.status(who, status, Some(&text), None);
        if !p.wait(Duration::minutes(minutes)) {
            return;
        }
        let who = p.assignee();
        p.status(who, Status::InProgress, None, None);
    }
    if !p.wait(left) {
        return;
    }
    let code = if rng.chance(0.88) { ClosureCode::Resolved } else { ClosureCode::Workaround };
    p.sim.ticket.closure_code = Some(code);
    p.sim.ticket.completed_at = Some(p.t);
    let who = p.assignee();
    p.status(who, Status::Completed, None, Some(code));
}

/// After Completed: the contact confirms, rejects (back to work), or stays silent and
/// the ticket closes by itself after three days.
fn finish(rng: &mut Rng, p: &mut Play<'_>) {
    for round in 0..2 {
        if p.done || p.sim.ticket.status != Status::Completed {
            return;
        }
        let contact = p.sim.ticket.contact_name.clone();
        let roll = rng.unit();
        if roll < 0.55 {
            if !p.wait(Duration::minutes(rng.between(20, 60 * 30))) {
                return;
            }
            p.comment(&contact, &p.say(catalog::CONFIRM));
            p.sim.ticket.closed_at = Some(p.t);
            p.status(&contact, Status::Closed, None, None);
            return;
        }
        if roll < 0.60 && round == 0 {
            if !p.wait(Duration::minutes(rng.between(60, 60 * 48))) {
                return;
            }
            let text = p.say(catalog::REJECT);
            p.status(&contact, Status::RejectedByUser, Some(&text), None);
            p.sim.ticket.completed_at = None;
            p.sim.ticket.closure_code = None;
            // A rejected ticket waits for its engineer's next shift at the latest.
            if !p.wait(Duration::minutes(rng.between(30, 60 * 24))) {
                return;
            }
            let who = p.assignee();
            p.status(who, Status::InProgress, None, None);
            if !p.wait(Duration::minutes(rng.between(60, 60 * 24))) {
                return;
            }
            p.sim.ticket.completed_at = Some(p.t);
            let who = p.assignee();
            p.status(who, Status::Completed, None, Some(ClosureCode::Resolved));
            p.sim.ticket.closure_code = Some(ClosureCode::Resolved);
            continue;
        }
        let completed = p.sim.ticket.completed_at.expect("completed tickets have a time");
        let close_at = rules::auto_close_at(completed);
        if close_at > p.now {
            p.done = true;
            return;
        }
        p.t = close_at;
        p.sim.ticket.closed_at = Some(close_at);
        p.status(
            "system",
            Status::Closed,
            Some(&p.say(("Закрыто автоматически: нет ответа 3 дня после выполнения", "Closed automatically: no reaction within 3 days of completion"))),
            None,
        );
        return;
    }
}
