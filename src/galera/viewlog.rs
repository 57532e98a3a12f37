//! The server log's record of Primary views: at every configuration change mariadbd (wsrep-lib) prints
//!
//! ```text
//! View:
//!   id: 479514b2-ee17-11f1-b6f9-abc60e349e07:3
//!   status: primary
//!   ...
//!   members(2):
//!     0: 47947c96-ee17-11f1-b778-1f8148d87ff8, node1
//!     1: 48397656-ee17-11f1-9704-8fdf3151b7d6, node3
//! ```
//!
//! once the server has *processed* the change, i.e. applied every write-set ordered before it. The seqno
//! in `id:` is the change's own place in the global order, so every write a member that left before this
//! view acknowledged has a lower seqno. gvwstate.dat, in contrast, is written when the view is delivered,
//! possibly before the queued write-sets are applied (a desynced, blocked or donating member). The election
//! uses the logged seqno to check that a saved view really vouches for the writes of the nodes outside it.
//! Pure: the caller reads the log.

use std::collections::BTreeSet;

use super::gvwstate::MemberUuid;

/// The seqno of the configuration change of the newest Primary view in `log` whose members are exactly
/// `members` (`None` when the log shows no such view).
pub fn cc_seqno(log: &str, members: &BTreeSet<MemberUuid>) -> Option<i64> {
    let mut found = None;
    let mut lines = log.lines();
    while let Some(line) = lines.next() {
        if line.trim_end() != "View:" {
            continue;
        }
        if let Some((seqno, primary, listed)) = block(&mut lines) {
            if primary && listed == *members {
                found = Some(seqno);
            }
        }
    }
    found
}

/// One `View:` block: (id seqno, status is primary, member UUIDs). `None` when it is cut off or garbled.
fn block<'a>(
    lines: &mut impl Iterator<Item = &'a str>,
) -> Option<(i64, bool, BTreeSet<MemberUuid>)> {
    let mut seqno = None;
    let mut primary = false;
    loop {
        let line = lines.next()?.trim();
        if let Some(id) = line.strip_prefix("id:") {
            seqno = id.trim().rsplit_once(':')?.1.parse::<i64>().ok();
        } else if let Some(status) = line.strip_prefix("status:") {
            primary = status.trim() == "primary";
        } else if let Some(count) = line
            .strip_prefix("members(")
            .and_then(|r| r.strip_suffix("):"))
        {
            let count: usize = count.parse().ok()?;
            let mut members = BTreeSet::new();
            for _ in 0..count {
                let entry = lines.next()?.trim();
                let uuid = entry.split_once(':')?.1.trim().split(',').next()?.trim();
                members.insert(uuid.parse().ok()?);
            }
            return Some((seqno?, primary, members));
        } else if line.starts_with("=====") {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "2026-12-02  6:11:57 0 [Note] WSREP: ================================================
View:
  id: 479514b2-ee17-11f1-b6f9-abc60e349e07:2
  status: primary
  protocol_version: 4
  capabilities: MULTI-MASTER, CERTIFICATION, PARALLEL_APPLYING, REPLAY, ISOLATION, PAUSE, CAUSAL_READ, INCREMENTAL_WS, UNORDERED, PREORDERED, STREAMING, NBO
  final: no
  own_index: 0
  members(2):
\t0: 47947c96-ee17-11f1-b778-1f8148d87ff8, node1
\t1: 48397656-ee17-11f1-9704-8fdf3151b7d6, node3
=================================================
2026-12-02  6:12:30 0 [Note] WSREP: ================================================
View:
  id: 479514b2-ee17-11f1-b6f9-abc60e349e07:-1
  status: non-primary
  protocol_version: 4
  final: no
  own_index: 0
  members(1):
\t0: 47947c96-ee17-11f1-b778-1f8148d87ff8, node1
=================================================
View:
  id: 479514b2-ee17-11f1-b6f9-abc60e349e07:57
  status: primary
  own_index: 0
  members(2):
\t0: 47947c96-ee17-11f1-b778-1f8148d87ff8, node1
\t1: 48397656-ee17-11f1-9704-8fdf3151b7d6, node3
=================================================
View:
  id: 479514b2-ee17-11f1-b6f9-abc60e349e07:60
  status: primary
  members(2):
\t0: 47947c96-ee17-11f1-b778-1f8148d87ff8, node1
";

    fn m(s: &str) -> MemberUuid {
        s.parse().unwrap()
    }

    #[test]
    fn finds_the_newest_primary_view_with_these_members() {
        let both: BTreeSet<MemberUuid> = [
            m("47947c96-ee17-11f1-b778-1f8148d87ff8"),
            m("48397656-ee17-11f1-9704-8fdf3151b7d6"),
        ]
        .into();
        // 57, not 2 (older) and not 60 (cut off: the log ends inside its member list).
        assert_eq!(cc_seqno(LOG, &both), Some(57));
        let alone: BTreeSet<MemberUuid> = [m("47947c96-ee17-11f1-b778-1f8148d87ff8")].into();
        assert_eq!(
            cc_seqno(LOG, &alone),
            None,
            "the non-primary view never counts"
        );
        assert_eq!(cc_seqno("", &both), None);
        assert_eq!(cc_seqno("View:\n  id: garbage\n", &both), None);
    }
}
