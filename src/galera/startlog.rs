//! What the server log says about one start of mariadbd, read from where that start began (the caller
//! reads the log from an offset it recorded before the start): whether Galera asked for a state transfer
//! into this datadir, and whether the server reached a Primary component. Used for a re-forming start
//! (`decide::election::Decision::Reform`), where neither the SQL socket (it opens only after InnoDB) nor
//! the SST scripts' `sst_in_progress` (their exit trap removes it when a transfer fails) can tell it:
//!
//! - `State transfer required:` (Galera, a `[Note]` on the node that needs one, SST or IST, before its
//!   SST script starts; in the lab at every IST join, never at a level re-form): a transfer into this
//!   datadir was requested. `Prepared SST request:` (MariaDB, on the joiner) counts too, but MariaDB 10.4+
//!   writes it only with `wsrep_debug`. Notes are what the evidence rests on, so a re-forming start passes
//!   `--loose-skip-silent-startup` (`silent-startup` in my.cnf drops them until the server is up). Every
//!   member of a group prints `requested state transfer from` when *any* member asks, so that line proves
//!   nothing about this one.
//! - `New COMPONENT: primary = yes|no` (Galera's group layer, before the storage engines start): the
//!   server's component; the last such line says whether it is in a Primary one now. Seen in the lab at
//!   every re-form and in garbd's log (`galera::garbdlog`).
//!
//! Pure: the caller reads the log.

/// The evidence of one start (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StartLog {
    /// Galera asked for a state transfer into this datadir (SST or IST).
    pub transfer_requested: bool,
    /// The server's last component since the start is a Primary one.
    pub primary_formed: bool,
}

/// The evidence in `log`, the server log's text since the start.
pub fn read(log: &str) -> StartLog {
    let mut found = StartLog::default();
    for line in log.lines() {
        if line.contains("State transfer required:") || line.contains("Prepared SST request:") {
            found.transfer_requested = true;
        }
        if line.contains("New COMPONENT: primary = yes") {
            found.primary_formed = true;
        } else if line.contains("New COMPONENT: primary = no") {
            found.primary_formed = false;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A level member re-forming the saved view (lab, full-crash): the component comes back from disk, no
    /// transfer; the donor-selection line names another member.
    const REFORMED: &str = "\
2026-12-07 23:50:01 0 [Note] WSREP: restore pc from disk successfully
2026-12-07 23:50:03 0 [Note] WSREP: New COMPONENT: primary = no, bootstrap = no, my_idx = 0, memb_num = 2
2026-12-07 23:50:03 0 [Note] WSREP: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 3
2026-12-07 23:50:04 0 [Note] WSREP: Member 2.0 (node3) requested state transfer from '*any*'. Selected 0.0 (node1)(SYNCED) as donor.
";

    const JOINED: &str = "\
2026-12-07 23:52:11 0 [Note] WSREP: New COMPONENT: primary = yes, bootstrap = no, my_idx = 2, memb_num = 3
2026-12-07 23:52:11 2 [Note] WSREP: State transfer required: 
\tGroup state: 6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:120
\tLocal state: 6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:97
2026-12-07 23:52:11 2 [Note] WSREP: Prepared SST request: rsync|198.18.0.13:4444/rsync_sst
";
    // (`Prepared SST request` only with wsrep_debug; kept here to show both lines count.)

    #[test]
    fn a_level_re_form_requests_no_transfer() {
        assert_eq!(
            read(REFORMED),
            StartLog {
                transfer_requested: false,
                primary_formed: true
            }
        );
    }

    #[test]
    fn a_join_requests_a_transfer() {
        assert_eq!(
            read(JOINED),
            StartLog {
                transfer_requested: true,
                primary_formed: true
            }
        );
        let only_prepared = "x [Note] WSREP: Prepared SST request: mariabackup|198.18.0.12:4444/xtrabackup_sst//1\n";
        assert!(read(only_prepared).transfer_requested);
    }

    #[test]
    fn the_last_component_counts() {
        let lost = format!(
            "{REFORMED}x [Note] WSREP: New COMPONENT: primary = no, bootstrap = no, my_idx = 0, memb_num = 1\n"
        );
        assert!(!read(&lost).primary_formed);
    }

    #[test]
    fn a_non_primary_component_is_not_formed() {
        let waiting = "x [Note] WSREP: New COMPONENT: primary = no, bootstrap = no, my_idx = 0, memb_num = 2\n";
        assert_eq!(read(waiting), StartLog::default());
        assert_eq!(read(""), StartLog::default());
    }
}
