//! The priority matrix as the replica holds it, and resolution times by priority.

use crate::domain::{Level, Priority};
use crate::store::{Replica, StoreError};
use serde::{Deserialize, Serialize};

/// Tickets in one urgency × impact cell with one priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixCell {
    /// Urgency.
    pub urgency: Level,
    /// Impact.
    pub impact: Level,
    /// The priority they carry.
    pub priority: Priority,
    /// How many tickets.
    pub count: u64,
}

/// Tickets per urgency × impact cell and the priority they got, cells in scale order.
pub fn matrix_cells(r: &Replica) -> Result<Vec<MatrixCell>, StoreError> {
    let mut stmt = r.conn().prepare_cached("SELECT urgency, impact, priority, count(*) FROM tickets WHERE kind = 'incident' GROUP BY urgency, impact, priority")?;
    let mut cells = stmt
        .query_map([], |x| {
            let rank: u8 = x.get(2)?;
            Ok(MatrixCell { urgency: x.get(0)?, impact: x.get(1)?, priority: Priority::from_rank(rank).unwrap_or(Priority::Planning), count: x.get(3)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    cells.sort_by_key(|c| (c.urgency, c.impact, c.priority));
    Ok(cells)
}

/// Time from opening to resolution for one priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolutionStats {
    /// The priority.
    pub priority: Priority,
    /// Resolved tickets counted.
    pub count: u64,
    /// Median hours from opening to resolution.
    pub median_hours: f64,
    /// 90th percentile hours.
    pub p90_hours: f64,
}

/// The value below which a share `q` of the sorted values fall (nearest rank).
pub fn percentile(sorted: &[i64], q: f64) -> i64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Median and 90th-percentile resolution hours per priority, over resolved tickets.
pub fn resolution_by_priority(r: &Replica) -> Result<Vec<ResolutionStats>, StoreError> {
    let mut stmt =
        r.conn().prepare_cached("SELECT priority, completed_at - created_at FROM tickets WHERE completed_at IS NOT NULL AND completed_at >= created_at ORDER BY priority, 2")?;
    let rows = stmt.query_map([], |x| Ok((x.get::<_, u8>(0)?, x.get::<_, i64>(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for &p in Priority::ALL {
        let secs: Vec<i64> = rows.iter().filter(|(rank, _)| *rank == p.rank()).map(|(_, s)| *s).collect();
        if secs.is_empty() {
            continue;
        }
        let hours = |s: i64| (s as f64 / 3600.0 * 100.0).round() / 100.0;
        out.push(ResolutionStats { priority: p, count: secs.len() as u64, median_hours: hours(percentile(&secs, 0.5)), p90_hours: hours(percentile(&secs, 0.9)) });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 0.5), 5);
        assert_eq!(percentile(&v, 0.9), 9);
        assert_eq!(percentile(&[7], 0.9), 7);
    }
}
