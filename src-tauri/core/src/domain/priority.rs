//! Priority of incidents: computed from urgency × impact by a configurable matrix.

use super::text_enum::text_enum;
use super::Level;
use serde::{Deserialize, Serialize};

text_enum! {
    /// How important a ticket is; decides the required time and the processing order.
    Priority, "priority" {
        /// P1: act at once.
        Critical = "critical",
        /// P2.
        High = "high",
        /// P3.
        Medium = "medium",
        /// P4.
        Low = "low",
        /// P5: plan it in.
        Planning = "planning",
    }
}

impl Priority {
    /// 1 (critical) to 5 (planning): the sort key of the queue.
    pub fn rank(self) -> u8 {
        self as u8 + 1
    }

    /// The priority with the given rank 1–5.
    pub fn from_rank(rank: u8) -> Option<Priority> {
        Priority::ALL.get(usize::from(rank).checked_sub(1)?).copied()
    }

    /// Reads a priority as a name (`high`), a rank (`2`) or `p2`.
    pub fn parse_loose(s: &str) -> Result<Priority, super::ParseEnumError> {
        let t = s.trim().to_ascii_lowercase();
        let digits = t.strip_prefix('p').unwrap_or(&t);
        if let Ok(n) = digits.parse::<u8>() {
            if let Some(p) = Priority::from_rank(n) {
                return Ok(p);
            }
        }
        t.parse()
    }
}

/// A matrix that cannot be used, with what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixError {
    /// Not five rows of five.
    #[error("the priority matrix must have 5 rows (urgency very-high … none) of 5 values (impact very-high … none); got {0}")]
    Shape(String),
    /// A cell is not a rank 1–5.
    #[error("row {row}, column {col}: '{value}' is not a priority 1–5")]
    Value {
        /// 1-based row (urgency).
        row: usize,
        /// 1-based column (impact).
        col: usize,
        /// What was there.
        value: String,
    },
    /// Raising urgency or impact would lower the priority.
    #[error("row {row}, column {col}: priority {value} is lower than a cell with less urgency or impact ({other}); raising urgency or impact must never lower the priority")]
    NotMonotonic {
        /// 1-based row (urgency).
        row: usize,
        /// 1-based column (impact).
        col: usize,
        /// Rank in this cell.
        value: u8,
        /// Rank of the neighbour it contradicts.
        other: u8,
    },
}

/// Urgency (rows, very high first) × impact (columns, very high first) → priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "Vec<Vec<u8>>", into = "Vec<Vec<u8>>")]
#[ts(as = "Vec<Vec<u8>>", export_to = "domain.ts")]
pub struct PriorityMatrix([[Priority; 5]; 5]);

impl Default for PriorityMatrix {
    /// The default matrix, documented in docs/rules.md: very high × very high is critical,
    /// none × none is planning, and each step down either axis lowers the priority by
    /// about half a level.
    fn default() -> Self {
        PriorityMatrix::from_ranks(&[vec![1, 1, 2, 2, 3], vec![1, 2, 2, 3, 4], vec![2, 2, 3, 3, 4], vec![2, 3, 3, 4, 5], vec![3, 4, 4, 5, 5]]).expect("the default matrix is valid")
    }
}

impl PriorityMatrix {
    /// The priority of an incident with this urgency and impact.
    pub fn priority(&self, urgency: Level, impact: Level) -> Priority {
        self.0[urgency.index()][impact.index()]
    }

    /// Builds a matrix from ranks, checking shape, values and that raising urgency or
    /// impact never lowers the priority.
    pub fn from_ranks(rows: &[Vec<u8>]) -> Result<PriorityMatrix, MatrixError> {
        if rows.len() != 5 || rows.iter().any(|r| r.len() != 5) {
            let shape: Vec<String> = rows.iter().map(|r| r.len().to_string()).collect();
            return Err(MatrixError::Shape(format!("{} rows of [{}] values", rows.len(), shape.join(", "))));
        }
        let mut m = [[Priority::Planning; 5]; 5];
        for (r, row) in rows.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                m[r][c] = Priority::from_rank(v).ok_or(MatrixError::Value { row: r + 1, col: c + 1, value: v.to_string() })?;
            }
        }
        for r in 0..5 {
            for c in 0..5 {
                let here = m[r][c].rank();
                // A cell must be at least as urgent (rank ≤) as the cell below and to its right.
                for (nr, nc) in [(r + 1, c), (r, c + 1)] {
                    if nr < 5 && nc < 5 && m[nr][nc].rank() < here {
                        return Err(MatrixError::NotMonotonic { row: r + 1, col: c + 1, value: here, other: m[nr][nc].rank() });
                    }
                }
            }
        }
        Ok(PriorityMatrix(m))
    }

    /// Reads the compact text form `1,1,2,2,3/1,2,2,3,4/…` (rows separated by `/` or `;`).
    pub fn parse(text: &str) -> Result<PriorityMatrix, MatrixError> {
        let mut rows = Vec::new();
        for (r, row) in text.split(['/', ';']).enumerate() {
            let mut values = Vec::new();
            for (c, cell) in row.split(',').enumerate() {
                let cell = cell.trim();
                let v = cell.parse::<u8>().map_err(|_| MatrixError::Value { row: r + 1, col: c + 1, value: cell.to_string() })?;
                values.push(v);
            }
            rows.push(values);
        }
        PriorityMatrix::from_ranks(&rows)
    }

    /// The ranks, row by row.
    pub fn ranks(&self) -> Vec<Vec<u8>> {
        self.0.iter().map(|row| row.iter().map(|p| p.rank()).collect()).collect()
    }
}

impl TryFrom<Vec<Vec<u8>>> for PriorityMatrix {
    type Error = MatrixError;
    fn try_from(rows: Vec<Vec<u8>>) -> Result<Self, Self::Error> {
        PriorityMatrix::from_ranks(&rows)
    }
}

impl From<PriorityMatrix> for Vec<Vec<u8>> {
    fn from(m: PriorityMatrix) -> Self {
        m.ranks()
    }
}

impl std::fmt::Display for PriorityMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: Vec<String> = self.ranks().iter().map(|r| r.iter().map(u8::to_string).collect::<Vec<_>>().join(",")).collect();
        f.write_str(&rows.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn very_high_urgency_and_major_impact_is_critical() {
        let m = PriorityMatrix::default();
        assert_eq!(m.priority(Level::VeryHigh, Level::VeryHigh), Priority::Critical);
        assert_eq!(m.priority(Level::None, Level::None), Priority::Planning);
        assert_eq!(m.priority(Level::Medium, Level::Medium), Priority::Medium);
    }

    #[test]
    fn raising_urgency_never_lowers_priority_in_the_default_matrix() {
        let m = PriorityMatrix::default();
        for u in 1..5 {
            for i in 0..5 {
                let (hi, lo) = (m.priority(Level::ALL[u - 1], Level::ALL[i]), m.priority(Level::ALL[u], Level::ALL[i]));
                assert!(hi.rank() <= lo.rank());
            }
        }
    }

    #[test]
    fn a_custom_matrix_changes_the_computed_priority() {
        let m = PriorityMatrix::parse("1,1,1,1,1/1,1,1,1,1/1,1,1,1,1/1,1,1,1,1/1,1,1,1,2").unwrap();
        assert_eq!(m.priority(Level::Low, Level::Low), Priority::Critical);
        assert_eq!(m.priority(Level::None, Level::None), Priority::High);
        assert_eq!(m.to_string(), "1,1,1,1,1/1,1,1,1,1/1,1,1,1,1/1,1,1,1,1/1,1,1,1,2");
    }

    #[test]
    fn a_matrix_of_the_wrong_shape_is_refused() {
        assert!(matches!(PriorityMatrix::parse("1,2,3/1,2,3"), Err(MatrixError::Shape(_))));
    }

    #[test]
    fn a_matrix_with_a_bad_cell_names_the_cell() {
        let err = PriorityMatrix::parse("1,1,2,2,3/1,2,9,3,4/2,2,3,3,4/2,3,3,4,5/3,4,4,5,5").unwrap_err();
        assert_eq!(err, MatrixError::Value { row: 2, col: 3, value: "9".into() });
    }

    #[test]
    fn a_matrix_where_more_impact_lowers_priority_is_refused() {
        let err = PriorityMatrix::parse("1,1,2,2,3/1,2,2,3,4/2,2,3,3,4/2,3,3,4,5/3,4,4,5,1").unwrap_err();
        assert!(matches!(err, MatrixError::NotMonotonic { .. }), "{err}");
    }

    #[test]
    fn priority_reads_names_ranks_and_p_numbers() {
        assert_eq!(Priority::parse_loose("high").unwrap(), Priority::High);
        assert_eq!(Priority::parse_loose("1").unwrap(), Priority::Critical);
        assert_eq!(Priority::parse_loose("P5").unwrap(), Priority::Planning);
        assert!(Priority::parse_loose("urgent").is_err());
    }

    #[test]
    fn the_matrix_round_trips_through_json() {
        let m = PriorityMatrix::default();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<PriorityMatrix>(&json).unwrap(), m);
        assert!(serde_json::from_str::<PriorityMatrix>("[[1,2]]").is_err());
    }
}
