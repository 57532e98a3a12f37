//! grastate.dat: Galera's saved state (cluster UUID, last committed seqno, safe_to_bootstrap).
//!
//! The agent reads it to publish this node's position and rewrites exactly one line of it
//! (`safe_to_bootstrap`) before bootstrapping. Pure: the caller reads and writes the file; this
//! module only turns text into a [`GraState`] and text into new text.
//!
//! Format (Galera 3.19+/4):
//! ```text
//! # GALERA saved state
//! version: 2.1
//! uuid:    8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a
//! seqno:   1234
//! safe_to_bootstrap: 0
//! ```
//! Galera pads the file with a trailing line of blanks; older files lack `safe_to_bootstrap`
//! and may carry `cert_index:`. Unknown `key: value` lines are ignored like Galera does.

use super::position::{ClusterUuid, PositionError, Seqno};

/// The parsed content of grastate.dat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraState {
    /// `version:` as written (e.g. "2.1"); not interpreted.
    pub version: Option<String>,
    pub uuid: ClusterUuid,
    pub seqno: Seqno,
    /// `None` when the line is absent (pre-3.19 files). Galera itself then treats the node as
    /// safe, but the agent should not claim it: callers usually map `None` to `false`.
    pub safe_to_bootstrap: Option<bool>,
}

/// Why grastate.dat text could not be used. Each variant names the problem for an exit reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrastateError {
    #[error("grastate.dat is empty")]
    Empty,
    #[error("grastate.dat is not a Galera saved state (unexpected content on line {line})")]
    Garbage { line: usize },
    #[error("grastate.dat is truncated: no {missing} line")]
    Truncated { missing: &'static str },
    #[error("grastate.dat has {key} twice")]
    Duplicate { key: &'static str },
    #[error("grastate.dat has an invalid uuid: {0}")]
    BadUuid(PositionError),
    #[error("grastate.dat has an invalid seqno: {0}")]
    BadSeqno(PositionError),
    #[error("grastate.dat has an invalid safe_to_bootstrap value {0:?} (expected 0 or 1)")]
    BadSafeToBootstrap(String),
}

const HEADER: &str = "# GALERA saved state";

/// One meaningful `key: value` line.
struct Entry<'a> {
    key: &'a str,
    value: &'a str,
}

/// Splits text into `key: value` entries; comments and blank lines are skipped.
fn entries(text: &str) -> Result<Vec<Entry<'_>>, GrastateError> {
    if text.trim().is_empty() {
        return Err(GrastateError::Empty);
    }
    let lines: Vec<&str> = text.lines().collect();
    let ends_with_newline = text.ends_with('\n');
    let mut out = Vec::new();
    let mut saw_header = false;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') {
            saw_header |= line == HEADER;
            continue;
        }
        match line.split_once(':') {
            Some((key, value)) if is_key(key.trim()) => out.push(Entry {
                key: key.trim(),
                value: value.trim(),
            }),
            _ => {
                // A last line without newline that is not `key: value` is where a write was
                // cut off: a truncated file, not foreign content (if the rest looked right).
                let last = i + 1 == lines.len() && !ends_with_newline;
                if last && saw_header {
                    return Err(GrastateError::Truncated {
                        missing: missing_required(&out),
                    });
                }
                return Err(GrastateError::Garbage { line: i + 1 });
            }
        }
    }
    if !saw_header && !out.iter().any(|e| e.key == "uuid" || e.key == "seqno") {
        return Err(GrastateError::Garbage { line: 1 });
    }
    Ok(out)
}

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn missing_required(found: &[Entry<'_>]) -> &'static str {
    if !found.iter().any(|e| e.key == "uuid") {
        "uuid"
    } else {
        "seqno"
    }
}

/// Parses grastate.dat text.
pub fn parse(text: &str) -> Result<GraState, GrastateError> {
    let entries = entries(text)?;
    let mut version = None;
    let mut uuid = None;
    let mut seqno = None;
    let mut stb = None;
    for e in &entries {
        match e.key {
            "version" => set_once(&mut version, "version", e.value.to_string())?,
            "uuid" => set_once(
                &mut uuid,
                "uuid",
                e.value.parse().map_err(GrastateError::BadUuid)?,
            )?,
            "seqno" => set_once(
                &mut seqno,
                "seqno",
                e.value.parse().map_err(GrastateError::BadSeqno)?,
            )?,
            "safe_to_bootstrap" => {
                let v = match e.value {
                    "0" => false,
                    "1" => true,
                    other => return Err(GrastateError::BadSafeToBootstrap(other.to_string())),
                };
                set_once(&mut stb, "safe_to_bootstrap", v)?
            }
            _ => {} // cert_index and future keys: Galera ignores them too.
        }
    }
    Ok(GraState {
        version,
        uuid: uuid.ok_or(GrastateError::Truncated { missing: "uuid" })?,
        seqno: seqno.ok_or(GrastateError::Truncated { missing: "seqno" })?,
        safe_to_bootstrap: stb,
    })
}

fn set_once<T>(slot: &mut Option<T>, key: &'static str, value: T) -> Result<(), GrastateError> {
    if slot.is_some() {
        return Err(GrastateError::Duplicate { key });
    }
    *slot = Some(value);
    Ok(())
}

/// Returns `text` with `safe_to_bootstrap` set to `value`: that one line is replaced (or, when
/// absent, added after the last meaningful line); every other byte is kept, including Galera's
/// padding. The text must parse first: rewriting a file we do not understand could bootstrap
/// from garbage.
pub fn with_safe_to_bootstrap(text: &str, value: bool) -> Result<String, GrastateError> {
    with_entry(text, "safe_to_bootstrap", &u8::from(value).to_string())
}

/// Returns `text` with `seqno: -1`, the way Galera marks a state it cannot vouch for: a joiner then
/// asks for a full state transfer instead of offering its (untrustworthy) position for IST.
pub fn with_unknown_seqno(text: &str) -> Result<String, GrastateError> {
    with_entry(text, "seqno", "-1")
}

fn with_entry(text: &str, key: &str, value: &str) -> Result<String, GrastateError> {
    parse(text)?;
    let new_line = format!("{key}: {value}");
    let mut out = String::with_capacity(text.len() + new_line.len() + 1);
    let mut replaced = false;
    for piece in text.split_inclusive('\n') {
        let (line, eol) = match piece.strip_suffix('\n') {
            Some(l) => match l.strip_suffix('\r') {
                Some(l2) => (l2, "\r\n"),
                None => (l, "\n"),
            },
            None => (piece, ""),
        };
        let is_key = line.split_once(':').is_some_and(|(k, _)| k.trim() == key);
        if is_key {
            // Keep any indentation the line had, so only the value changes.
            let indent_len = line.len() - line.trim_start().len();
            out.push_str(line.get(..indent_len).unwrap_or(""));
            out.push_str(&new_line);
            replaced = true;
        } else {
            out.push_str(line);
        }
        out.push_str(eol);
    }
    if !replaced {
        out = insert_after_last_entry(text, &new_line);
    }
    Ok(out)
}

/// Inserts `line` after the last non-blank line, so Galera's trailing padding stays last.
fn insert_after_last_entry(text: &str, line: &str) -> String {
    let pieces: Vec<&str> = text.split_inclusive('\n').collect();
    let last_content = pieces.iter().rposition(|p| !p.trim().is_empty());
    let mut out = String::with_capacity(text.len() + line.len() + 2);
    for (i, piece) in pieces.iter().enumerate() {
        out.push_str(piece);
        if Some(i) == last_content {
            if !piece.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const U: &str = "8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a";

    fn seqno(n: i64) -> Seqno {
        Seqno::new(n).unwrap()
    }

    #[test]
    fn real_file_after_graceful_stop() {
        let g = parse(fixture!("grastate/graceful-stop.dat")).unwrap();
        assert_eq!(g.uuid.to_string(), "e394c5ff-e730-11f1-9b78-c24f1def9f8e");
        assert_eq!(g.seqno, seqno(2));
        assert_eq!(g.safe_to_bootstrap, Some(true));
        assert_eq!(g.version.as_deref(), Some("2.1"));
    }

    #[test]
    fn real_file_while_running_has_unknown_seqno() {
        let g = parse(fixture!("grastate/running-seqno-unknown.dat")).unwrap();
        assert_eq!(g.seqno, Seqno::UNKNOWN);
    }

    #[test]
    fn real_file_of_a_crashed_member() {
        let g = parse(fixture!("grastate/lab3-member-crashed.dat")).unwrap();
        assert_eq!(
            (g.seqno, g.safe_to_bootstrap),
            (Seqno::UNKNOWN, Some(false))
        );
    }

    #[test]
    fn synthetic_good_files() {
        let g = parse(fixture!("grastate/member-stopped.dat")).unwrap();
        assert_eq!(
            (g.uuid.to_string(), g.seqno, g.safe_to_bootstrap),
            (U.to_string(), seqno(1234), Some(false))
        );
        let g = parse(fixture!("grastate/crashed-seqno-unknown.dat")).unwrap();
        assert_eq!(g.seqno, Seqno::UNKNOWN);
        let g = parse(fixture!("grastate/fresh-nil-uuid.dat")).unwrap();
        assert!(g.uuid.is_nil());
        let g = parse(fixture!("grastate/legacy-no-safe-to-bootstrap.dat")).unwrap();
        assert_eq!(g.safe_to_bootstrap, None);
        assert_eq!(g.seqno, seqno(1234));
    }

    #[test]
    fn bad_files_have_typed_errors() {
        assert_eq!(
            parse(fixture!("grastate/empty.dat")),
            Err(GrastateError::Empty)
        );
        assert_eq!(parse("  \n\n \n"), Err(GrastateError::Empty));
        assert!(matches!(
            parse(fixture!("grastate/garbage.dat")),
            Err(GrastateError::Garbage { .. })
        ));
        assert_eq!(
            parse(fixture!("grastate/truncated.dat")),
            Err(GrastateError::Truncated { missing: "seqno" })
        );
        assert!(matches!(
            parse(fixture!("grastate/seqno-text.dat")),
            Err(GrastateError::BadSeqno(PositionError::BadSeqno(s))) if s == "twelve"
        ));
        assert!(matches!(
            parse(fixture!("grastate/bad-uuid.dat")),
            Err(GrastateError::BadUuid(_))
        ));
    }

    #[test]
    fn more_bad_input() {
        let head = "# GALERA saved state\nversion: 2.1\n";
        assert_eq!(
            parse(&format!("{head}seqno: 5\n")),
            Err(GrastateError::Truncated { missing: "uuid" })
        );
        assert_eq!(
            parse(&format!("{head}uuid: {U}\n")),
            Err(GrastateError::Truncated { missing: "seqno" })
        );
        assert_eq!(
            parse(&format!("{head}uuid: {U}\nseqno: 1\nseqno: 2\n")),
            Err(GrastateError::Duplicate { key: "seqno" })
        );
        assert_eq!(
            parse(&format!(
                "{head}uuid: {U}\nseqno: 1\nsafe_to_bootstrap: yes\n"
            )),
            Err(GrastateError::BadSafeToBootstrap("yes".into()))
        );
        assert!(matches!(
            parse(&format!("{head}uuid: {U}\nseqno: -2\n")),
            Err(GrastateError::BadSeqno(PositionError::SeqnoOutOfRange(-2)))
        ));
        assert!(matches!(
            parse(&format!("{head}uuid: {U}\nseqno: \n")),
            Err(GrastateError::BadSeqno(_))
        ));
        // Truncated inside the header comment: no key at all.
        assert!(matches!(
            parse("# GALERA saved"),
            Err(GrastateError::Garbage { line: 1 })
        ));
        assert!(matches!(
            parse("hello world\n"),
            Err(GrastateError::Garbage { line: 1 })
        ));
        assert!(matches!(
            parse(&format!("{head}uuid: {U}\nseqno: 1\nthis is not a line\n")),
            Err(GrastateError::Garbage { line: 5 })
        ));
    }

    #[test]
    fn upper_case_uuid_and_crlf_are_accepted() {
        let text = format!(
            "# GALERA saved state\r\nversion: 2.1\r\nuuid: {}\r\nseqno: 7\r\nsafe_to_bootstrap: 0\r\n",
            U.to_uppercase()
        );
        let g = parse(&text).unwrap();
        assert_eq!(g.uuid.to_string(), U);
        let changed = with_safe_to_bootstrap(&text, true).unwrap();
        assert_eq!(
            changed,
            text.replace("safe_to_bootstrap: 0", "safe_to_bootstrap: 1")
        );
    }

    #[test]
    fn set_safe_to_bootstrap_changes_only_that_line() {
        let text = fixture!("grastate/member-stopped.dat");
        let changed = with_safe_to_bootstrap(text, true).unwrap();
        assert_eq!(
            changed,
            text.replace("safe_to_bootstrap: 0", "safe_to_bootstrap: 1")
        );
        let g = parse(&changed).unwrap();
        assert_eq!(g.safe_to_bootstrap, Some(true));
        assert_eq!((g.uuid.to_string(), g.seqno), (U.to_string(), seqno(1234)));
        // Idempotent, and back.
        assert_eq!(with_safe_to_bootstrap(&changed, true).unwrap(), changed);
        assert_eq!(with_safe_to_bootstrap(&changed, false).unwrap(), text);
    }

    #[test]
    fn set_safe_to_bootstrap_keeps_galera_padding() {
        let text = fixture!("grastate/graceful-stop.dat");
        let changed = with_safe_to_bootstrap(text, false).unwrap();
        assert_eq!(changed.len(), text.len());
        assert_eq!(
            changed,
            text.replace("safe_to_bootstrap: 1", "safe_to_bootstrap: 0")
        );
        assert!(changed.ends_with("\n "));
    }

    #[test]
    fn set_safe_to_bootstrap_adds_missing_line() {
        let text = fixture!("grastate/legacy-no-safe-to-bootstrap.dat");
        let changed = with_safe_to_bootstrap(text, true).unwrap();
        assert_eq!(changed, format!("{text}safe_to_bootstrap: 1\n"));
        assert_eq!(parse(&changed).unwrap().safe_to_bootstrap, Some(true));
        // No trailing newline, and trailing padding after the last entry.
        let bare = format!("# GALERA saved state\nuuid: {U}\nseqno: 3");
        assert_eq!(
            with_safe_to_bootstrap(&bare, false).unwrap(),
            format!("{bare}\nsafe_to_bootstrap: 0\n")
        );
        let padded = format!("# GALERA saved state\nuuid: {U}\nseqno: 3\n    ");
        assert_eq!(
            with_safe_to_bootstrap(&padded, true).unwrap(),
            format!("# GALERA saved state\nuuid: {U}\nseqno: 3\nsafe_to_bootstrap: 1\n    ")
        );
    }

    #[test]
    fn set_safe_to_bootstrap_refuses_bad_files() {
        for bad in [
            fixture!("grastate/empty.dat"),
            fixture!("grastate/garbage.dat"),
            fixture!("grastate/truncated.dat"),
            fixture!("grastate/seqno-text.dat"),
            fixture!("grastate/bad-uuid.dat"),
        ] {
            assert!(with_safe_to_bootstrap(bad, true).is_err());
        }
    }

    prop_compose! {
        fn arb_file()(
            uuid in any::<[u8; 16]>(),
            seqno in -1i64..1_000_000,
            stb in proptest::option::of(any::<bool>()),
            pad in "[ \t]{0,3}",
            extra in proptest::option::of("cert_index:[ a-z0-9]{0,6}"),
            trailing in prop_oneof![Just(""), Just("\n"), Just("\n   "), Just("\n\n")],
        ) -> String {
            let mut lines = vec![
                "# GALERA saved state".to_string(),
                "version: 2.1".to_string(),
                format!("uuid:{pad}{}", ClusterUuid::from_bytes(uuid)),
                format!("seqno:{pad}{seqno}"),
            ];
            if let Some(e) = extra { lines.push(e); }
            if let Some(b) = stb { lines.push(format!("safe_to_bootstrap:{pad}{}", u8::from(b))); }
            format!("{}{trailing}", lines.join("\n"))
        }
    }

    proptest! {
        #[test]
        fn set_safe_to_bootstrap_keeps_every_other_line(text in arb_file(), value in any::<bool>()) {
            let before = parse(&text).unwrap();
            let after_text = with_safe_to_bootstrap(&text, value).unwrap();
            let after = parse(&after_text).unwrap();
            prop_assert_eq!(after.safe_to_bootstrap, Some(value));
            prop_assert_eq!((after.uuid, after.seqno, &after.version), (before.uuid, before.seqno, &before.version));
            let others = |t: &str| -> Vec<String> {
                t.lines().filter(|l| !l.trim_start().starts_with("safe_to_bootstrap")).map(str::to_string).collect()
            };
            prop_assert_eq!(others(&after_text), others(&text));
            // Applying it again changes nothing.
            prop_assert_eq!(with_safe_to_bootstrap(&after_text, value).unwrap(), after_text);
        }

        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,200}", value in any::<bool>()) {
            let _ = parse(&text);
            let _ = with_safe_to_bootstrap(&text, value);
        }

        #[test]
        fn never_panics_on_mutated_files(text in arb_file(), cut in any::<proptest::sample::Index>(), junk in "\\PC{0,8}") {
            let mut mutated = text.clone();
            let at = cut.index(text.len() + 1);
            if mutated.is_char_boundary(at) {
                mutated.insert_str(at, &junk);
                let _ = parse(&mutated);
                let _ = with_safe_to_bootstrap(&mutated, true);
                let _ = parse(&text[..at]);
            }
        }
    }

    #[test]
    fn unknown_seqno_rewrites_only_that_line() {
        let text = "# GALERA saved state\nversion: 2.1\nuuid:    6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10\nseqno:   42\nsafe_to_bootstrap: 1\n";
        let out = with_unknown_seqno(text).unwrap();
        assert_eq!(out, text.replace("seqno:   42", "seqno: -1"));
        assert!(!parse(&out).unwrap().seqno.is_known());
        assert!(with_unknown_seqno("garbage").is_err());
    }
}
