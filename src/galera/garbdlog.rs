//! garbd's log → whether the arbitrator is a member of a Primary component (issue 17).
//!
//! garbd (galera-arbitrator-4) has no status port and no SQL: its log is the only place it says where it
//! stands. A TCP connection to a peer proves nothing (the stock `ocf:heartbeat:garbd` checks only that), so
//! the monitor follows the group-communication state machine garbd logs, seen in real garbd 26.4 runs
//! (`tests/fixtures/garbd/`):
//!
//! - `Shifting OPEN -> PRIMARY (TO: 2)`, `… -> JOINER`, `… -> JOINED`, `… -> SYNCED`, `… -> DONOR`: a member
//!   of a Primary component (garbd's "state transfer" is the trivial one, so JOINER/JOINED last
//!   milliseconds; SYNCED is the steady state);
//! - `Received NON-PRIMARY.`, `Shifting SYNCED -> OPEN`: connected, but in no Primary component, so its
//!   vote keeps nobody Primary;
//! - `New COMPONENT: primary = yes, …, memb_num = 1`: garbd alone in a Primary component. Seen in the lab
//!   when both data nodes were stopped cleanly one after the other: graceful leaves keep the rest Primary,
//!   so the last one leaves garbd as a Primary component of one that holds no data and whose vote keeps no
//!   data node Primary. A later `New COMPONENT: primary = yes` with more members (a data node back) makes
//!   it a member again, without a new `Shifting` line when it stays SYNCED;
//! - `Received SELF-LEAVE.`, `Shifting OPEN -> CLOSED`: leaving (a stop);
//! - `Read config:`: the banner of a new garbd process (the log is appended to across restarts).
//!
//! The text is folded line by line from a previous state, so the caller can read only what was appended
//! since the last monitor: [`new_lines`] says which of the bytes it read are whole lines, and
//! [`tail_digest`] lets it tell a log appended to from one rewritten under the same name. Pure: no I/O.

/// Where garbd stands, as its log last said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GarbdState {
    /// A process started and has not yet logged a state (connecting to its peers).
    Connecting,
    /// A member of a Primary component; `synced`: past the (trivial) state transfer.
    Primary { synced: bool },
    /// Connected or trying, but in no Primary component.
    NonPrimary,
    /// The only member of its Primary component (every data node left gracefully).
    Alone,
    /// Non-Primary after having been in a Primary component (this process): the data nodes are gone.
    /// Seen in the lab (garbd 26.4): after both data nodes left, garbd stayed non-Primary and silent, and
    /// refused the connection of the component the data nodes formed anew ("discarding pending addr without
    /// UUID" on their side), so it cannot be trusted to rejoin by itself.
    Lost,
    /// Closed its group connection (stopping or stopped).
    Closed,
}

impl GarbdState {
    pub fn as_str(self) -> &'static str {
        match self {
            GarbdState::Connecting => "connecting",
            GarbdState::Primary { synced: true } => "Primary, Synced",
            GarbdState::Primary { synced: false } => "Primary, joining",
            GarbdState::NonPrimary => "non-Primary",
            GarbdState::Alone => "alone in a Primary component of its own, without any data node",
            GarbdState::Lost => "non-Primary since it lost its Primary component",
            GarbdState::Closed => "closed",
        }
    }

    /// Its vote counts in a Primary component.
    pub fn in_primary(self) -> bool {
        matches!(self, GarbdState::Primary { .. })
    }
}

/// The state after `text` (complete lines of garbd's log), starting from `from`; `None` when neither
/// `from` nor any line says anything.
pub fn fold(from: Option<GarbdState>, text: &str) -> Option<GarbdState> {
    text.lines().fold(from, |st, line| {
        match (st, component(st, line).or_else(|| line_state(line))) {
            // Non-Primary after Primary (or alone): lost, until a new component or a new process says else.
            (
                Some(GarbdState::Primary { .. } | GarbdState::Alone | GarbdState::Lost),
                Some(GarbdState::NonPrimary),
            ) => Some(GarbdState::Lost),
            (_, Some(next)) => Some(next),
            (st, None) => st,
        }
    })
}

/// A `New COMPONENT: primary = yes, …, memb_num = N` line: alone (N = 1), or a member of a Primary
/// component with others, Synced if it was before (a merge logs no new `Shifting` line for a member that
/// stays SYNCED). `primary = no` is left to `Received NON-PRIMARY.`, which follows it.
fn component(st: Option<GarbdState>, line: &str) -> Option<GarbdState> {
    let rest = line.split_once("New COMPONENT: primary = yes")?.1;
    let members: u32 = rest
        .split_once("memb_num = ")?
        .1
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some(match (members, st) {
        (1, _) => GarbdState::Alone,
        (_, Some(GarbdState::Alone | GarbdState::Primary { synced: true })) => {
            GarbdState::Primary { synced: true }
        }
        _ => GarbdState::Primary { synced: false },
    })
}

/// What one log line says, if anything.
fn line_state(line: &str) -> Option<GarbdState> {
    if line.contains("INFO: Read config:") {
        return Some(GarbdState::Connecting);
    }
    if line.contains("Received NON-PRIMARY.") {
        return Some(GarbdState::NonPrimary);
    }
    if line.contains("Received SELF-LEAVE.") {
        return Some(GarbdState::Closed);
    }
    let rest = line.split_once("Shifting ")?.1;
    let (_from, to) = rest.split_once(" -> ")?;
    let to = to.split_whitespace().next()?;
    Some(match to {
        "SYNCED" => GarbdState::Primary { synced: true },
        "PRIMARY" | "JOINER" | "JOINED" | "DONOR" => GarbdState::Primary { synced: false },
        "OPEN" => GarbdState::NonPrimary,
        "CLOSED" | "DESTROYED" => GarbdState::Closed,
        _ => return None,
    })
}

/// The complete lines of `bytes` (up to and including the last newline) and their length: a line garbd is
/// still writing is left for the next read.
pub fn complete_lines(bytes: &[u8]) -> (&[u8], usize) {
    match bytes.iter().rposition(|b| *b == b'\n') {
        Some(i) => (&bytes[..=i], i + 1),
        None => (&[], 0),
    }
}

/// The lines to fold from `bytes`, read from an offset that `before` (the bytes just before it in the
/// file; empty at its start) ends at, and how many bytes of `bytes` they account for. `skipped`: the read
/// began past where the previous one ended (too much was appended in between), so it may begin inside a
/// line; that line is dropped only when it really began earlier, i.e. the byte before the read is no
/// newline. A read that resumes where the last one ended begins at a line: offsets only ever end after
/// a newline, or where a new garbd began writing.
pub fn new_lines<'a>(before: &[u8], bytes: &'a [u8], skipped: bool) -> (&'a [u8], usize) {
    let (lines, used) = complete_lines(bytes);
    if !skipped || before.last().is_none_or(|b| *b == b'\n') {
        return (lines, used);
    }
    let cut = lines.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1);
    (&lines[cut..], used)
}

/// How many bytes before the saved offset [`tail_digest`] covers: several of garbd's lines, so their
/// millisecond timestamps make what garbd wrote anew after a truncation differ from what was read.
pub const TAIL: usize = 1024;

/// A digest of the last [`TAIL`] bytes of `bytes` (FNV-1a, 64 bit): the state file keeps it for the bytes
/// just before its offset, so a log rewritten under the same name (`copytruncate`, then more than the
/// offset written before the next monitor) is told from one appended to. FNV rather than std's hasher,
/// whose output may change between Rust releases: an agent upgrade must not see every log as rewritten.
pub fn tail_digest(bytes: &[u8]) -> u64 {
    let tail = &bytes[bytes.len().saturating_sub(TAIL)..];
    tail.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYNCED: &str = fixture!("garbd/synced.log");
    const PEER_KILLED: &str = fixture!("garbd/joined-then-peer-killed.log");
    const NO_PEER_EXITS: &str = fixture!("garbd/no-peer-exits.log");
    const NO_PEER_WAITS: &str = fixture!("garbd/no-peer-wait-prim-no.log");

    #[test]
    fn real_join_ends_synced() {
        assert_eq!(
            fold(None, SYNCED),
            Some(GarbdState::Primary { synced: true })
        );
        assert!(fold(None, SYNCED).is_some_and(GarbdState::in_primary));
    }

    #[test]
    fn real_peer_loss_then_stop() {
        // The only data node was killed: garbd went non-Primary, then SIGTERM closed it.
        let upto_sigterm: String = PEER_KILLED
            .lines()
            .take_while(|l| !l.contains("Received signal 15"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(fold(None, &upto_sigterm), Some(GarbdState::Lost));
        assert_eq!(fold(None, PEER_KILLED), Some(GarbdState::Closed));
    }

    #[test]
    fn real_start_without_any_peer() {
        // Stock options: garbd gives up after pc.wait_prim_timeout and exits (CLOSED -> DESTROYED).
        assert_eq!(fold(None, NO_PEER_EXITS), Some(GarbdState::Closed));
        // pc.wait_prim=no (what the agent adds): it stays up, non-Primary, until a data node forms one.
        assert_eq!(fold(None, NO_PEER_WAITS), Some(GarbdState::NonPrimary));
        let banner_only: String = NO_PEER_WAITS
            .lines()
            .take(3)
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(fold(None, &banner_only), Some(GarbdState::Connecting));
    }

    #[test]
    fn folding_in_pieces_equals_folding_at_once() {
        let lines: Vec<&str> = PEER_KILLED.lines().collect();
        for cut in 0..lines.len() {
            let (a, b) = lines.split_at(cut);
            let first = fold(None, &a.join("\n"));
            assert_eq!(
                fold(first, &b.join("\n")),
                fold(None, PEER_KILLED),
                "cut {cut}"
            );
        }
    }

    #[test]
    fn a_restart_banner_forgets_the_old_process() {
        let text = format!(
            "{SYNCED}{}",
            "2026-12-03 11:03:45.938  INFO: Read config: \n"
        );
        assert_eq!(fold(None, &text), Some(GarbdState::Connecting));
    }

    #[test]
    fn unrelated_lines_change_nothing() {
        let st = Some(GarbdState::Primary { synced: true });
        assert_eq!(
            fold(st, "2026-12-03 11:03:55.452  INFO: Failed to establish connection: Connection refused\n"),
            st
        );
        assert_eq!(fold(None, "Shifting nowhere\n"), None);
        assert_eq!(fold(None, ""), None);
    }

    #[test]
    fn alone_after_the_data_nodes_left_and_a_member_again_when_one_returns() {
        // From the lab (arbitrator-garbd-faults): node1 then node2 stopped cleanly, later node2 bootstrapped.
        let left = "2026-12-07 00:57:52.750  INFO: New COMPONENT: primary = yes, bootstrap = no, my_idx = 1, memb_num = 2\n\
            2026-12-07 00:57:52.761  INFO: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 1\n\
            2026-12-07 00:57:52.761  INFO: Flow-control interval: [9999999, 9999999]\n";
        let synced = Some(GarbdState::Primary { synced: true });
        assert_eq!(fold(synced, left), Some(GarbdState::Alone));
        assert!(!GarbdState::Alone.in_primary());
        let back = "2026-12-07 00:58:54.100  INFO: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 2\n";
        assert_eq!(fold(Some(GarbdState::Alone), back), synced);
        // The data nodes left at once instead (lab: a stop of the whole clone): lost, not waiting.
        let gone = "2026-12-07 01:05:25.051  INFO: New COMPONENT: primary = no, bootstrap = no, my_idx = 0, memb_num = 1\n\
            2026-12-07 01:05:25.051  INFO: Shifting SYNCED -> OPEN (TO: 290)\n";
        assert_eq!(fold(synced, gone), Some(GarbdState::Lost));
        assert_eq!(fold(Some(GarbdState::Alone), gone), Some(GarbdState::Lost));
        // A new process forgets it; a fresh garbd that never was Primary is only waiting.
        assert_eq!(
            fold(
                Some(GarbdState::Lost),
                "2026-12-07 01:06:00.000  INFO: Read config: \n"
            ),
            Some(GarbdState::Connecting)
        );
        assert_eq!(
            fold(Some(GarbdState::Connecting), gone),
            Some(GarbdState::NonPrimary)
        );
        // Joining a component for the first time: not Synced until garbd says so.
        assert_eq!(
            fold(Some(GarbdState::NonPrimary), back),
            Some(GarbdState::Primary { synced: false })
        );
        assert_eq!(fold(None, SYNCED), synced);
    }

    #[test]
    fn only_complete_lines_are_taken() {
        assert_eq!(complete_lines(b"a\nb\npart"), (&b"a\nb\n"[..], 4));
        assert_eq!(complete_lines(b"part"), (&b""[..], 0));
        assert_eq!(complete_lines(b""), (&b""[..], 0));
    }

    #[test]
    fn a_skip_ahead_drops_the_first_line_only_when_it_began_before_the_read() {
        let whole = &b"Shifting JOINED -> SYNCED (TO: 2)\nnext\n"[..];
        let read = [whole, b"part"].concat();
        let n = whole.len();
        // The byte before the read is a newline: the first line is whole.
        assert_eq!(new_lines(b"x\n", &read, true), (whole, n));
        // It is not: the read began inside a line, whose end alone would be misread.
        assert_eq!(new_lines(b"x", &read, true), (&b"next\n"[..], n));
        // Resuming where the last read ended, or from the start of the file: nothing is dropped.
        assert_eq!(new_lines(b"x", &read, false), (whole, n));
        assert_eq!(new_lines(b"", &read, true), (whole, n));
        assert_eq!(new_lines(b"x", b"no newline", true), (&b""[..], 0));
    }

    #[test]
    fn the_tail_digest_covers_only_the_last_bytes_and_is_stable() {
        // FNV-1a's published test values: the state file's digests stay valid across agent versions.
        assert_eq!(tail_digest(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(tail_digest(b"a"), 0xaf63_dc4c_8601_ec8c);
        let long = [vec![b'x'; 10], vec![b'y'; TAIL]].concat();
        assert_eq!(tail_digest(&long), tail_digest(&vec![b'y'; TAIL]));
        assert_ne!(tail_digest(&long[..TAIL]), tail_digest(&long[1..]));
    }
}
