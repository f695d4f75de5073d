//! A replica in a temporary home, driven through the `smena` command line as a lead would:
//! what the sync tests against Request Tracker and SimpleOne share.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// A fresh replica file in its own home directory.
pub struct Replica {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Replica {
    /// An empty replica (it is created on first use).
    pub fn new() -> Replica {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("replica.db");
        Replica { dir, db }
    }

    /// The home its data, config and cache directories live in.
    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// `args` with `--db` for this replica.
    pub fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut v = args.to_vec();
        v.extend(["--db", self.db.to_str().unwrap()]);
        v
    }

    /// Runs `smena ARGS` with `stdin` piped in (a secret, say).
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write;
        let mut child = super::smena(self.home()).args(self.args(args)).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs `smena ARGS`, insisting on success; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        super::ok(self.home(), &self.args(args))
    }

    /// `smena sync --json`, which must exit with `code`; its report.
    pub fn sync(&self, code: i32) -> Value {
        let out = super::run(self.home(), &self.args(&["sync", "--json"]));
        assert_eq!(out.status.code(), Some(code), "sync: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    /// A ticket with its history, as `smena ticket N --json` shows it.
    pub fn ticket(&self, number: &str) -> Value {
        super::json(self.home(), &self.args(&["ticket", number, "--json"]))
    }

    /// The operations waiting in the outbox.
    pub fn outbox(&self) -> Vec<Value> {
        super::json(self.home(), &self.args(&["outbox", "--json"]))["operations"].as_array().unwrap().clone()
    }

    /// Conflicts and refused operations.
    pub fn conflicts(&self) -> Value {
        super::json(self.home(), &self.args(&["conflicts", "--json"]))
    }

    /// Imports the lead and two engineers; `logins` ties Anna Petrova and Viktor Sokolov to
    /// their ITSM logins after a first sync.
    pub fn staff(&self, logins: [&str; 2]) {
        let people = self.home().join("people.csv");
        std::fs::write(&people, "name,role,time_zone\nMaria Lead,lead,Europe/Moscow\nAnna Petrova,1,Europe/Moscow\nViktor Sokolov,2,Europe/Moscow\n").unwrap();
        self.ok(&["roster", "import", "--people", people.to_str().unwrap()]);
        self.sync(0);
        self.ok(&["staff", "login", "Anna Petrova", logins[0]]);
        self.ok(&["staff", "login", "Viktor Sokolov", logins[1]]);
    }

    /// Syncs twice, then checks that ticket `number` holds `theirs` (a comment written in the
    /// ITSM) once, by `author`, and `ours` (written here) once, not pulled back.
    pub fn assert_comments_pulled_once(&self, number: &str, theirs: &str, ours: &str, author: &str) {
        self.sync(0);
        self.sync(0);
        let comments = self.ticket(number)["comments"].as_array().unwrap().clone();
        let count = |body: &str| comments.iter().filter(|c| c["body"] == body).count();
        assert_eq!(count(theirs), 1, "{comments:?}");
        assert_eq!(count(ours), 1, "ours once, not pulled back: {comments:?}");
        let pulled = comments.iter().find(|c| c["body"] == theirs).unwrap();
        assert_eq!(pulled["author"], author);
    }

    /// Syncs, then checks that `secret` is in neither the sync's output nor any file the app
    /// wrote under its home (the replica and its WAL included); then disconnects and checks
    /// that a sync says nothing is connected (the keyring no longer has it).
    pub fn assert_secret_kept_out(&self, secret: &str) {
        let out = super::run(self.home(), &self.args(&["sync"]));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let secret = secret.as_bytes();
        let contains = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret);
        assert!(!contains(&out.stdout) && !contains(&out.stderr), "not in the output");
        let mut files = vec![];
        let mut stack = vec![self.home().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path())
                } else {
                    files.push(e.path())
                }
            }
        }
        assert!(files.iter().any(|f| f.file_name().unwrap() == "replica.db"));
        for f in &files {
            assert!(!contains(&std::fs::read(f).unwrap()), "the secret is in {}", f.display());
        }
        self.ok(&["disconnect"]);
        let out = super::run(self.home(), &self.args(&["sync"]));
        assert_eq!(out.status.code(), Some(8), "no ITSM connected: exit code 8");
        assert!(String::from_utf8_lossy(&out.stderr).contains("no ITSM is connected"), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
