//! Writing many rows at once (the demo's history and comments): one statement per row costs
//! more than the row itself, so rows are gathered and inserted many per statement.

use rusqlite::types::Value;
use rusqlite::Connection;

/// Rows for one table, gathered and inserted [`Rows::PER_STATEMENT`] at a time: one
/// statement per row costs more than the row itself.
pub struct Rows {
    into: &'static str,
    width: usize,
    values: Vec<Value>,
}

impl Rows {
    /// Rows per INSERT statement.
    pub const PER_STATEMENT: usize = 100;

    /// Rows for `into`, a table and its columns (`comments (ticket_id, at, author, body)`).
    pub fn new(into: &'static str, width: usize) -> Rows {
        debug_assert!(width * Self::PER_STATEMENT <= 32_766, "{into}: more values per statement than SQLite binds");
        Rows { into, width, values: Vec::new() }
    }

    /// Adds one row: exactly as many values as columns.
    pub fn push<const N: usize>(&mut self, row: [Value; N]) {
        assert_eq!(N, self.width, "{}: {N} values for {} columns", self.into, self.width);
        self.values.extend(row);
    }

    /// Inserts every row added so far.
    pub fn flush(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let row = format!("({})", vec!["?"; self.width].join(", "));
        let many = format!("INSERT INTO {} VALUES {}", self.into, vec![row.as_str(); Self::PER_STATEMENT].join(", "));
        let mut chunks = self.values.chunks_exact(self.width * Self::PER_STATEMENT);
        for chunk in &mut chunks {
            conn.prepare_cached(&many)?.execute(rusqlite::params_from_iter(chunk))?;
        }
        let one = format!("INSERT INTO {} VALUES {row}", self.into);
        for rest in chunks.remainder().chunks_exact(self.width) {
            conn.prepare_cached(&one)?.execute(rusqlite::params_from_iter(rest))?;
        }
        self.values.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_inserted_once_in_order_whole_statements_and_the_rest() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT)").unwrap();
        let mut rows = Rows::new("t (a, b)", 2);
        let n = Rows::PER_STATEMENT * 2 + 7;
        for i in 0..n as i64 {
            rows.push([i.into(), if i % 3 == 0 { Value::Null } else { format!("row {i}").into() }]);
        }
        rows.flush(&conn).unwrap();
        rows.flush(&conn).unwrap();
        let got: Vec<(i64, Option<String>)> =
            conn.prepare("SELECT a, b FROM t ORDER BY rowid").unwrap().query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|x| x.unwrap()).collect();
        let want: Vec<(i64, Option<String>)> = (0..n as i64).map(|i| (i, (i % 3 != 0).then(|| format!("row {i}")))).collect();
        assert_eq!(got, want);
    }

    #[test]
    #[should_panic(expected = "3 values for 2 columns")]
    fn a_row_of_the_wrong_width_is_a_bug() {
        Rows::new("t (a, b)", 2).push([1.into(), 2.into(), 3.into()]);
    }
}
