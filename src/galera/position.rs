//! Galera's replication position: the cluster UUID, the sequence number (seqno) and the pair of both.
//!
//! These are the values every other module compares, so they are parsed once into types that
//! compare *numerically*: a seqno of `10` is greater than `9` even though `"10" < "9"` as text.
//! Pure: no I/O.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Why a UUID, seqno or position text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PositionError {
    #[error("invalid UUID {0:?}: expected 8-4-4-4-12 hexadecimal digits")]
    BadUuid(String),
    #[error("invalid seqno {0:?}: expected an integer")]
    BadSeqno(String),
    #[error("invalid seqno {0}: must be -1 (unknown) or greater")]
    SeqnoOutOfRange(i64),
    #[error("invalid position {0:?}: expected UUID:SEQNO")]
    MissingSeparator(String),
    #[error("invalid GTID suffix {0:?}: expected DOMAIN-SERVER-SEQUENCE")]
    BadGtid(String),
}

/// Parses 8-4-4-4-12 hex into 16 bytes. Shared with gvwstate, whose member UUIDs use the same
/// text form but mean something else (one mysqld process, not a cluster history).
pub(crate) fn parse_uuid_bytes(text: &str) -> Option<[u8; 16]> {
    let groups: Vec<&str> = text.split('-').collect();
    if groups.len() != 5 {
        return None;
    }
    let lengths = [8usize, 4, 4, 4, 12];
    let mut out = [0u8; 16];
    let mut i = 0;
    for (group, len) in groups.iter().zip(lengths) {
        if group.len() != len || !group.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        for pair in group.as_bytes().chunks(2) {
            let text = std::str::from_utf8(pair).ok()?;
            *out.get_mut(i)? = u8::from_str_radix(text, 16).ok()?;
            i += 1;
        }
    }
    Some(out)
}

pub(crate) fn fmt_uuid_bytes(bytes: &[u8; 16], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            f.write_str("-")?;
        }
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

/// The identity of a Galera cluster's history (`wsrep_cluster_state_uuid`, `uuid:` in
/// grastate.dat). Stored as bytes, so upper- and lower-case spellings are the same UUID, and
/// displayed lower-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClusterUuid([u8; 16]);

impl ClusterUuid {
    /// `00000000-0000-0000-0000-000000000000`: with seqno -1 the node has never been part of a cluster
    /// (fresh datadir) or its state was reset; with a known seqno, a history Galera restarted from 0
    /// (see [`Position::is_empty`]).
    pub const NIL: ClusterUuid = ClusterUuid([0; 16]);

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        ClusterUuid(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// True for the all-zero UUID (which alone does not make a position empty: [`Position::is_empty`]).
    pub fn is_nil(&self) -> bool {
        self.0 == [0; 16]
    }
}

impl FromStr for ClusterUuid {
    type Err = PositionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_uuid_bytes(s)
            .map(ClusterUuid)
            .ok_or_else(|| PositionError::BadUuid(s.to_string()))
    }
}

impl fmt::Display for ClusterUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_uuid_bytes(&self.0, f)
    }
}

/// A Galera sequence number. `-1` means "unknown" (a running node's grastate.dat, or a crash
/// before recovery); anything below `-1` is invalid. Ordered as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seqno(i64);

impl Seqno {
    /// The "unknown" seqno, `-1`.
    pub const UNKNOWN: Seqno = Seqno(-1);

    /// Accepts `-1` and above.
    pub fn new(value: i64) -> Result<Self, PositionError> {
        if value < -1 {
            Err(PositionError::SeqnoOutOfRange(value))
        } else {
            Ok(Seqno(value))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// False for `-1`.
    pub fn is_known(self) -> bool {
        self.0 >= 0
    }
}

impl FromStr for Seqno {
    type Err = PositionError;
    /// Strict: an optional `-` and ASCII digits only (no `+`, no blanks), because a value
    /// that is not exactly a number is a corrupt file, not something to guess at.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.strip_prefix('-').unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PositionError::BadSeqno(s.to_string()));
        }
        let value: i64 = s
            .parse()
            .map_err(|_| PositionError::BadSeqno(s.to_string()))?;
        Seqno::new(value)
    }
}

impl fmt::Display for Seqno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A point in a cluster's history: `UUID:SEQNO`.
///
/// Only positions of the *same* cluster UUID are comparable, so `PartialOrd` returns `None`
/// for different UUIDs instead of inventing an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    pub uuid: ClusterUuid,
    pub seqno: Seqno,
}

impl Position {
    pub fn new(uuid: ClusterUuid, seqno: Seqno) -> Self {
        Position { uuid, seqno }
    }

    /// The position of a node that never joined a cluster: nil UUID, seqno -1.
    pub const EMPTY: Position = Position {
        uuid: ClusterUuid::NIL,
        seqno: Seqno::UNKNOWN,
    };

    /// True for a node that holds no cluster data: nil UUID *and* no known seqno (what `--wsrep-recover`
    /// prints for a datadir that never joined a cluster).
    ///
    /// A nil UUID with a known seqno is history, not emptiness: when every member of the last Primary
    /// view is started without its position (grastate.dat says -1 after a crash and nobody passed
    /// `--wsrep_start_position`), Galera's `pc.recovery` re-forms the component as a new history with a
    /// nil state UUID whose seqnos count from 0 ("Bootstrapped primary 00000000-…" in the error log), and
    /// every write acknowledged after that is committed as `00000000-…:N`. Counting such a node as
    /// empty made a later election cold-start the lowest node name over nodes holding those writes.
    pub fn is_empty(&self) -> bool {
        self.uuid.is_nil() && !self.seqno.is_known()
    }

    /// Parses `UUID:SEQNO` with an optional `,DOMAIN-SERVER-SEQ` GTID suffix (as printed by
    /// MariaDB's `--wsrep-recover` when binary logging is on) and returns the GTID text too.
    pub fn parse_with_gtid(text: &str) -> Result<(Position, Option<&str>), PositionError> {
        let text = text.trim();
        let (pos, gtid) = match text.split_once(',') {
            Some((pos, gtid)) => {
                if !is_gtid(gtid) {
                    return Err(PositionError::BadGtid(gtid.to_string()));
                }
                (pos, Some(gtid))
            }
            None => (text, None),
        };
        // The UUID contains no ':', so the first ':' separates it from the seqno.
        let (uuid, seqno) = pos
            .split_once(':')
            .ok_or_else(|| PositionError::MissingSeparator(text.to_string()))?;
        Ok((Position::new(uuid.parse()?, seqno.parse()?), gtid))
    }
}

/// MariaDB GTIDs are `domain-server-sequence`, three unsigned integers.
fn is_gtid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 20 && p.bytes().all(|b| b.is_ascii_digit()))
}

impl FromStr for Position {
    type Err = PositionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Position::parse_with_gtid(s).map(|(p, _)| p)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.uuid, self.seqno)
    }
}

impl PartialOrd for Position {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if self.uuid == other.uuid {
            Some(self.seqno.cmp(&other.seqno))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const U: &str = "8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a";

    #[test]
    fn uuid_is_lower_cased_and_round_trips() {
        let upper: ClusterUuid = U.to_uppercase().parse().unwrap();
        let lower: ClusterUuid = U.parse().unwrap();
        assert_eq!(upper, lower);
        assert_eq!(upper.to_string(), U);
    }

    #[test]
    fn nil_uuid_means_never_in_a_cluster() {
        let nil: ClusterUuid = "00000000-0000-0000-0000-000000000000".parse().unwrap();
        assert!(nil.is_nil());
        assert_eq!(nil, ClusterUuid::NIL);
        assert!(!U.parse::<ClusterUuid>().unwrap().is_nil());
    }

    #[test]
    fn uuid_rejects_wrong_shapes() {
        for bad in [
            "",
            "8bb6d5e5",
            "8bb6d5e52b3811ee9e5e8f5f5b6f0e1a",
            "8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1",
            "8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1aa",
            "8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1g",
            "8bb6d5e5-2b38-11ee-9e5e8-f5f5b6f0e1a",
            " 8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a",
            "8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a-",
            "+bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a",
        ] {
            assert_eq!(
                bad.parse::<ClusterUuid>(),
                Err(PositionError::BadUuid(bad.to_string())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn seqno_accepts_minus_one_and_rejects_below() {
        assert_eq!("-1".parse::<Seqno>(), Ok(Seqno::UNKNOWN));
        assert!(!Seqno::UNKNOWN.is_known());
        assert!("0".parse::<Seqno>().unwrap().is_known());
        assert_eq!(
            "-2".parse::<Seqno>(),
            Err(PositionError::SeqnoOutOfRange(-2))
        );
        for bad in [
            "",
            "-",
            "+5",
            " 5",
            "5 ",
            "1e3",
            "0x10",
            "abc",
            "99999999999999999999",
        ] {
            assert!(
                matches!(bad.parse::<Seqno>(), Err(PositionError::BadSeqno(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn seqno_compares_numerically_not_as_text() {
        let nine: Seqno = "9".parse().unwrap();
        let ten: Seqno = "10".parse().unwrap();
        assert!(ten > nine);
        assert!(nine > Seqno::UNKNOWN);
    }

    #[test]
    fn position_with_gtid_suffix() {
        let text = format!("Recovered position: {U}:1234,0-1-1234");
        let tail = text.rsplit(' ').next().unwrap();
        let (pos, gtid) = Position::parse_with_gtid(tail).unwrap();
        assert_eq!(pos.uuid.to_string(), U);
        assert_eq!(pos.seqno.get(), 1234);
        assert_eq!(gtid, Some("0-1-1234"));
        assert_eq!(tail.parse::<Position>().unwrap(), pos);
        assert_eq!(pos.to_string(), format!("{U}:1234"));
    }

    #[test]
    fn position_rejects_bad_parts() {
        assert!(matches!(
            U.parse::<Position>(),
            Err(PositionError::MissingSeparator(_))
        ));
        assert!(matches!(
            format!("{U}:x").parse::<Position>(),
            Err(PositionError::BadSeqno(_))
        ));
        assert!(matches!(
            format!("{U}:5,garbage").parse::<Position>(),
            Err(PositionError::BadGtid(_))
        ));
        assert!(matches!(
            format!("{U}:5,").parse::<Position>(),
            Err(PositionError::BadGtid(_))
        ));
        assert!(matches!(
            "nope:5".parse::<Position>(),
            Err(PositionError::BadUuid(_))
        ));
    }

    #[test]
    fn positions_of_different_clusters_do_not_compare() {
        let a: Position = format!("{U}:5").parse().unwrap();
        let b: Position = "00000000-0000-0000-0000-000000000001:9".parse().unwrap();
        assert_eq!(a.partial_cmp(&b), None);
        assert!(a.partial_cmp(&b).is_none() && b.partial_cmp(&a).is_none());
        let c: Position = format!("{U}:10").parse().unwrap();
        assert!(c > a);
    }

    proptest! {
        #[test]
        fn seqno_order_matches_integer_order(a in -1i64..i64::MAX, b in -1i64..i64::MAX) {
            let sa: Seqno = a.to_string().parse().unwrap();
            let sb: Seqno = b.to_string().parse().unwrap();
            prop_assert_eq!(sa.cmp(&sb), a.cmp(&b));
        }

        #[test]
        fn position_round_trips(bytes in any::<[u8; 16]>(), seqno in -1i64..i64::MAX) {
            let pos = Position::new(ClusterUuid::from_bytes(bytes), Seqno::new(seqno).unwrap());
            prop_assert_eq!(pos.to_string().parse::<Position>().unwrap(), pos);
        }
    }
}
