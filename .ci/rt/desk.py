#!/usr/bin/env python3
"""Writes a Smena replica's desk into a Request Tracker 5 SQLite DB with its whole life at the
times it happened (used by seed-desk, which stops and starts RT around it).

  desk.py users REPLICA OUT.pl
      RT initialdata for the desk's people: every engineer (login eng<N>, real name as in the
      replica, member of Engineers and of L1/L2/L3 by line) and every requester (an e-mail,
      the client's name as Organization). rt-setup-database inserts it: RT writes the rows.
  desk.py tickets RT_DB REPLICA TEMPLATE
      Each ticket of the replica as an RT ticket: the template ticket's rows (its role groups,
      their members and cached members, the Create transactions and the message) copied with
      new ids, the fields set from the replica (queue = line, owner, status, Urgency, Impact,
      Kind, Channel, Service, Request type, Client, Closure code), and one RT transaction per change of
      its history (Status, Set Queue, Set Owner, a Correspond at its first response, the Closure
      code at completion) dated when it happened. Transaction ids follow time across the desk,
      as in an RT that lived through it.

Only what RT itself would write: rt-validator finds nothing to fix (seed-desk checks).
"""
import datetime
import re
import sqlite3
import sys

STATUS_OF = lambda s: s.replace("-", " ")  # noqa: E731  Smena's spelling -> the RT lifecycle's
LEVEL = {"very-high": "Very high", "high": "High", "medium": "Medium", "low": "Low", "none": "None"}
IMPACT = dict(LEVEL, **{"very-high": "Major incident"})
CHANNEL = {"email": "E-mail", "phone": "Phone", "portal": "Portal", "monitoring": "Monitoring", "telegram": "Telegram"}
SYSTEM = 1  # RT_System


def when(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def requester(t):
    """The RT user a ticket's contact writes as: their e-mail, else one made of their name
    under the client's own domain (a monitoring system, a phone caller)."""
    if t["contact_email"]:
        return t["contact_email"].strip().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", t["contact_name"].lower()).strip("-") or "contact"
    return f"{slug}@client-{t['client_id']}.desk.invalid"


def replica(path):
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    src.row_factory = sqlite3.Row
    return src


def perl(s):
    return "'" + str(s).replace("\\", "\\\\").replace("'", "\\'") + "'"


def users(replica_path, out):
    src = replica(replica_path)
    lines = ["# Written by .ci/rt/desk.py: the desk's people.", "use utf8;", "our @Users = ("]
    for s in src.execute("SELECT id, name, role FROM staff ORDER BY id"):
        groups = ["Engineers"] + ([f"L{s['role'][-1]}"] if s["role"].startswith("line-") else [])
        lines.append(f"  {{ Name => 'eng{s['id']}', RealName => {perl(s['name'])}, EmailAddress => 'eng{s['id']}@smena.test',"
                     f" Privileged => 1, MemberOf => [{', '.join(map(perl, groups))}] }},")
    seen = set()
    for t in src.execute("SELECT t.contact_name, t.contact_email, t.client_id, c.name AS client FROM tickets t "
                         "JOIN clients c ON c.id = t.client_id ORDER BY t.id"):
        email = requester(t)
        if email in seen:
            continue
        seen.add(email)
        lines.append(f"  {{ Name => {perl(email)}, EmailAddress => {perl(email)}, RealName => {perl(t['contact_name'])},"
                     f" Organization => {perl(t['client'])}, Privileged => 0 }},")
    lines += [");", "1;", ""]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


class Ids:
    """The next free id of each table (RT's tables have no AUTOINCREMENT: it inserts NULL ids
    and SQLite gives max + 1, so RT's own later inserts follow on)."""

    def __init__(self, db):
        self.next = {t: (db.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] + 1)
                     for t in ("Tickets", "Principals", "GroupMembers", "CachedGroupMembers", "Transactions",
                               "Attachments", "ObjectCustomFieldValues")}

    def take(self, table):
        n = self.next[table]
        self.next[table] += 1
        return n


def rows(db, sql, *args):
    cur = db.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def insert(db, table, row):
    cols = list(row)
    db.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", [row[c] for c in cols])


def tickets(rt_db, replica_path, template):
    src = replica(replica_path)
    db = sqlite3.connect(rt_db)
    db.execute("PRAGMA cache_size = -262144")
    db.execute("BEGIN IMMEDIATE")
    one = lambda sql, *a: db.execute(sql, a).fetchone()[0]  # noqa: E731
    queue = {n: one("SELECT id FROM Queues WHERE Name = ?", f"Line {n}") for n in (1, 2, 3)}
    cf = {name: one("SELECT id FROM CustomFields WHERE Name = ? AND Disabled = 0", name)
          for name in ("Urgency", "Impact", "Kind", "Channel", "Service", "Request type", "Closure code", "Client")}
    user = {name.lower(): uid for uid, name in db.execute("SELECT id, Name FROM Users")}
    nobody = user["nobody"]
    staff = {s["name"]: user[f"eng{s['id']}"] for s in src.execute("SELECT id, name FROM staff")}
    staff_of_id = {s["id"]: user[f"eng{s['id']}"] for s in src.execute("SELECT id FROM staff")}

    # The template: its ticket row, role groups (with their principals), members, cached
    # members, Create transactions (of the ticket and of each role group) and their messages.
    t_ticket = rows(db, "SELECT * FROM Tickets WHERE id = ?", template)[0]
    t_groups = rows(db, "SELECT * FROM Groups WHERE Domain = 'RT::Ticket-Role' AND Instance = ? ORDER BY id", template)
    gids = [g["id"] for g in t_groups]
    marks = ",".join("?" * len(gids))
    t_principals = {p["id"]: p for p in rows(db, f"SELECT * FROM Principals WHERE id IN ({marks})", *gids)}
    t_members = rows(db, f"SELECT * FROM GroupMembers WHERE GroupId IN ({marks}) ORDER BY id", *gids)
    t_cached = rows(db, f"SELECT * FROM CachedGroupMembers WHERE GroupId IN ({marks}) ORDER BY id", *gids)
    t_creates = rows(db, f"SELECT * FROM Transactions WHERE Type = 'Create' AND ((ObjectType = 'RT::Ticket' AND ObjectId = ?) "
                         f"OR (ObjectType = 'RT::Group' AND ObjectId IN ({marks}))) ORDER BY id", template, *gids)
    t_ticket_create = next(x for x in t_creates if x["ObjectType"] == "RT::Ticket")
    t_message = rows(db, "SELECT * FROM Attachments WHERE TransactionId = ? ORDER BY id", t_ticket_create["id"])
    t_owner = t_ticket["Owner"]
    t_req = one("SELECT gm.MemberId FROM GroupMembers gm JOIN Groups g ON g.id = gm.GroupId "
                "WHERE g.Domain = 'RT::Ticket-Role' AND g.Name = 'Requestor' AND g.Instance = ?", template)

    ids = Ids(db)
    history = {}
    for h in src.execute("SELECT ticket_id, at, actor, field, old_value, new_value FROM ticket_history ORDER BY ticket_id, at, id"):
        history.setdefault(h["ticket_id"], []).append(h)
    # Transactions of the whole desk, put in time order before they get their ids:
    # (at, ticket order, step, row, attachments).
    txs = []
    ocfvs = []
    n = -1
    for n, t in enumerate(src.execute("SELECT t.*, c.name AS client FROM tickets t JOIN clients c ON c.id = t.client_id ORDER BY t.created_at, t.id")):
        tid = ids.take("Tickets")
        req = user[requester(t)]
        life = history.get(t["id"], [])
        owner = staff_of_id.get(t["assignee_id"], nobody)
        actor = lambda name: staff.get(name, req if name == t["contact_name"] else SYSTEM)  # noqa: E731
        step = 0

        def tx(at, creator, **fields):
            nonlocal step
            step += 1
            row = dict(ObjectType="RT::Ticket", ObjectId=tid, TimeTaken=0, Type=None, Field=None, OldValue=None, NewValue=None,
                       ReferenceType=None, OldReference=None, NewReference=None, Data=None, Creator=creator, Created=when(at))
            row.update(fields)
            txs.append((at, n, step, row, []))
            return txs[-1]

        # Role groups (a group is a principal with the same id), their members and cache.
        gmap = {}
        for g in t_groups:
            pid = ids.take("Principals")
            gmap[g["id"]] = pid
            insert(db, "Principals", dict(t_principals[g["id"]], id=pid))
            insert(db, "Groups", dict(g, id=pid, Instance=tid, Created=when(t["created_at"]), LastUpdated=when(t["created_at"])))
        member = lambda m: gmap.get(m, owner if m == t_owner else req if m == t_req else m)  # noqa: E731
        for m in t_members:
            insert(db, "GroupMembers", dict(m, id=ids.take("GroupMembers"), GroupId=gmap[m["GroupId"]], MemberId=member(m["MemberId"]),
                                            Created=when(t["created_at"]), LastUpdated=when(t["created_at"])))
        cmap = {c["id"]: ids.take("CachedGroupMembers") for c in t_cached}
        for c in t_cached:
            insert(db, "CachedGroupMembers", dict(c, id=cmap[c["id"]], GroupId=gmap[c["GroupId"]], MemberId=member(c["MemberId"]),
                                                  ImmediateParentId=gmap.get(c["ImmediateParentId"], c["ImmediateParentId"]),
                                                  Via=cmap.get(c["Via"], c["Via"])))
        # The Create transactions (the role groups' first, as RT writes them), the message.
        subject = t["subject"][:200]
        for c in t_creates:
            if c["ObjectType"] == "RT::Group":
                tx(t["created_at"], c["Creator"], **{k: c[k] for k in ("ObjectType", "Type", "Field", "Data")}, ObjectId=gmap[c["ObjectId"]])
        created = tx(t["created_at"], req, Type="Create")
        message_id = f"<desk-{t['number']}@smena.test>"
        for a in t_message:
            content = t["description"] or t["subject"]
            if a["ContentType"] == "text/plain":
                headers = re.sub(r"Content-Length: \d+", f"Content-Length: {len(content.encode())}", a["Headers"] or "")
                created[4].append(dict(a, Subject=subject, MessageId=message_id, Content=content, Headers=headers,
                                       Creator=req, Created=when(t["created_at"])))
            else:
                created[4].append(dict(a, Subject=subject, MessageId=message_id, Creator=req, Created=when(t["created_at"])))

        # The life, change by change; a reply at the first response.
        owner_then, line_then, updated, started = nobody, None, t["created_at"], None
        replied = t["first_response_at"] is None
        for h in life:
            if not replied and h["at"] >= t["first_response_at"]:
                tx(t["first_response_at"], owner_then if owner_then != nobody else SYSTEM, Type="Correspond", Data=f"Re: {subject}"[:255])
                replied = True
            by = actor(h["actor"])
            if h["field"] == "status" and h["old_value"] is not None:
                tx(h["at"], by, Type="Status", Field="Status", OldValue=STATUS_OF(h["old_value"]), NewValue=STATUS_OF(h["new_value"]))
                if h["new_value"] == "in-progress" and started is None:
                    started = h["at"]
                if h["new_value"] == "completed" and t["closure_code"] and h["at"] == t["completed_at"]:
                    v = ids.take("ObjectCustomFieldValues")
                    ocfvs.append(dict(id=v, CustomField=cf["Closure code"], ObjectType="RT::Ticket", ObjectId=tid, SortOrder=0,
                                      Content=t["closure_code"], Creator=by, Created=when(h["at"]), LastUpdatedBy=by,
                                      LastUpdated=when(h["at"]), Disabled=0))
                    tx(h["at"], by, Type="CustomField", Field=str(cf["Closure code"]), ReferenceType="RT::ObjectCustomFieldValue", NewReference=v)
            elif h["field"] == "line":
                tx(h["at"], by, Type="Set", Field="Queue", OldValue=str(queue[int(h["old_value"])]), NewValue=str(queue[int(h["new_value"])]))
                line_then = int(h["new_value"])
            elif h["field"] == "assignee":
                new = staff.get(h["new_value"], nobody) if h["new_value"] else nobody
                old = staff.get(h["old_value"], nobody) if h["old_value"] else nobody
                tx(h["at"], by, Type="Set", Field="Owner", OldValue=str(old), NewValue=str(new))
                tx(h["at"], by, Type="SetWatcher", Field="Owner", OldValue=str(old), NewValue=str(new))
                owner_then = new
            updated = max(updated, h["at"])
        if not replied:
            tx(t["first_response_at"], owner_then if owner_then != nobody else SYSTEM, Type="Correspond", Data=f"Re: {subject}"[:255])
            updated = max(updated, t["first_response_at"])
        assert line_then in (None, t["line"]), f"ticket {t['number']}: its line history ends on {line_then}, the ticket is on {t['line']}"

        # The ticket, where its life left it, and its fields.
        done = t["status"] in ("completed", "closed")
        insert(db, "Tickets", dict(t_ticket, id=tid, EffectiveId=tid, Queue=queue[t["line"]], Type="ticket", Owner=owner, Subject=subject,
                                   Status=STATUS_OF(t["status"]), InitialPriority=0, FinalPriority=0, Priority=0,
                                   Told=when(t["first_response_at"]) if t["first_response_at"] else t_ticket["Told"],
                                   Started=when(started) if started else t_ticket["Started"],
                                   Resolved=when(t["completed_at"]) if done and t["completed_at"] else t_ticket["Resolved"],
                                   LastUpdatedBy=req, LastUpdated=when(updated), Creator=req, Created=when(t["created_at"])))
        values = [("Urgency", LEVEL[t["urgency"]]), ("Impact", IMPACT[t["impact"]]),
                  ("Kind", "Service request" if t["kind"] == "request" else "Incident"), ("Channel", CHANNEL[t["channel"]]),
                  ("Service", t["service"] or None), ("Request type", t["request_type"]), ("Client", t["client"])]
        for name, value in values:
            if value:
                ocfvs.append(dict(id=ids.take("ObjectCustomFieldValues"), CustomField=cf[name], ObjectType="RT::Ticket", ObjectId=tid,
                                  SortOrder=0, Content=value, Creator=req, Created=when(t["created_at"]), LastUpdatedBy=req,
                                  LastUpdated=when(t["created_at"]), Disabled=0))

    txs.sort(key=lambda x: (x[0], x[1], x[2]))
    for _, _, _, row, attachments in txs:
        row["id"] = ids.take("Transactions")
        insert(db, "Transactions", row)
        amap = {a["id"]: ids.take("Attachments") for a in attachments}
        for a in attachments:
            insert(db, "Attachments", dict(a, id=amap[a["id"]], TransactionId=row["id"], Parent=amap.get(a["Parent"], a["Parent"])))
    for v in ocfvs:
        insert(db, "ObjectCustomFieldValues", v)
    db.commit()
    print(f"desk: {n + 1} tickets, {len(txs)} transactions", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "users":
        users(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "tickets":
        tickets(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("usage: desk.py users REPLICA OUT.pl | desk.py tickets RT_DB REPLICA TEMPLATE")
