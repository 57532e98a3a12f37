//! Every wait of an action is bounded by one [`Deadline`]: Pacemaker's `CRM_meta_timeout` minus a margin, so
//! the agent, not Pacemaker's kill, is the one that gives up — with an exit reason and tidy state.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// Pacemaker passes milliseconds; anything above a week is treated as a week so `Instant` arithmetic cannot
/// overflow and a typo cannot make an action wait for years.
const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeoutError {
    #[error("CRM_meta_timeout {0:?} is not a number of milliseconds")]
    NotANumber(String),
    #[error("CRM_meta_timeout is 0")]
    Zero,
}

/// Parse `CRM_meta_timeout` (ms).
pub fn parse_timeout(raw: &str) -> Result<Duration, TimeoutError> {
    let ms: u128 = raw
        .trim()
        .parse()
        .map_err(|_| TimeoutError::NotANumber(raw.to_owned()))?;
    if ms == 0 {
        return Err(TimeoutError::Zero);
    }
    let ms = u64::try_from(ms).unwrap_or(u64::MAX);
    Ok(Duration::from_millis(ms).min(MAX_TIMEOUT))
}

/// The margin kept back for cleanup (stop a joiner, write an exit reason): a tenth of the timeout, at least
/// one second, at most ten.
pub fn margin(timeout: Duration) -> Duration {
    (timeout / 10).clamp(Duration::from_secs(1), Duration::from_secs(10))
}

/// The most [`cleanup_reserve`] keeps back: a `crm_attribute` call takes tens of milliseconds, a second or
/// two on a loaded node; three seconds cover that without taking much from a long wait.
const CLEANUP_RESERVE_MAX: Duration = Duration::from_secs(3);

/// What a wait that may hang keeps back for the cleanup after its failure: a third of what is `remaining`,
/// at most `CLEANUP_RESERVE_MAX` (3 s). A third so a short deadline still leaves most of it to the wait;
/// capped so a long one does not give up on a slow but answering server much earlier than it has to.
///
/// The case it is for: a monitor whose SQL query hangs (mariadbd stopped by SIGSTOP, or stuck) waits
/// until its deadline; the failure's cleanup (`<rsc>-synced=0`, so the VIP moves in the failure's own
/// transition) then has no time left before Pacemaker kills the monitor. [`margin`] is no help there: no
/// command runs past the deadline, the margin is only the agent's time to return before that kill.
pub fn cleanup_reserve(remaining: Duration) -> Duration {
    (remaining / 3).min(CLEANUP_RESERVE_MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    end: Instant,
    total: Duration,
}

impl Deadline {
    /// A deadline `timeout - margin(timeout)` from now.
    pub fn after(timeout: Duration) -> Deadline {
        let usable = timeout.saturating_sub(margin(timeout));
        Deadline {
            end: Instant::now() + usable,
            total: usable,
        }
    }

    pub fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }

    pub fn expired(&self) -> bool {
        self.remaining().is_zero()
    }

    /// An earlier deadline that leaves `keep` for what follows (e.g. the SIGKILL step of a stop).
    pub fn leaving(&self, keep: Duration) -> Deadline {
        Deadline {
            end: self.end.checked_sub(keep).unwrap_or(self.end),
            total: self.total.saturating_sub(keep),
        }
    }

    /// A deadline [`cleanup_reserve`] earlier, for a wait whose failure this action must still clean up
    /// after (within this, the full deadline): the monitor's SQL query, before `withdraw_claims`.
    pub fn keeping_cleanup(&self) -> Deadline {
        self.leaving(cleanup_reserve(self.remaining()))
    }

    /// The earlier of this deadline and `limit` from now (a bounded step inside a longer action).
    pub fn within(&self, limit: Duration) -> Deadline {
        let end = self.end.min(Instant::now() + limit);
        Deadline {
            end,
            total: self.total.min(limit),
        }
    }

    pub fn total(&self) -> Duration {
        self.total
    }

    pub fn instant(&self) -> Instant {
        self.end
    }
}

/// Call `probe` every `every` until it returns `Some`, or `None` once the deadline has passed.
/// The probe runs at least once, even on an expired deadline.
pub async fn poll_until<T, F, Fut>(deadline: Deadline, every: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    loop {
        if let Some(v) = probe().await {
            return Some(v);
        }
        let left = deadline.remaining();
        if left.is_zero() {
            return None;
        }
        tokio::time::sleep(every.min(left)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse() {
        assert_eq!(parse_timeout("20000"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_timeout("0"), Err(TimeoutError::Zero));
        assert!(matches!(
            parse_timeout("20s"),
            Err(TimeoutError::NotANumber(_))
        ));
        assert_eq!(parse_timeout("99999999999999999999999"), Ok(MAX_TIMEOUT));
    }

    #[test]
    fn margins_are_bounded() {
        assert_eq!(margin(Duration::from_secs(5)), Duration::from_secs(1));
        assert_eq!(margin(Duration::from_secs(20)), Duration::from_secs(2));
        assert_eq!(margin(Duration::from_secs(300)), Duration::from_secs(10));
    }

    #[test]
    fn cleanup_reserve_is_a_third_of_what_is_left_at_most_three_seconds() {
        let ms = Duration::from_millis;
        for (left, reserve) in [
            (Duration::ZERO, Duration::ZERO),
            (ms(300), ms(100)),
            (ms(3_000), ms(1_000)),
            (ms(9_000), ms(3_000)),
            (ms(27_000), ms(3_000)),
            (MAX_TIMEOUT, CLEANUP_RESERVE_MAX),
        ] {
            assert_eq!(cleanup_reserve(left), reserve, "{left:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn keeping_cleanup_ends_the_reserve_earlier() {
        // The monitor's default 30 s: 27 s usable, of which the query gets 24 s.
        let d = Deadline::after(Duration::from_secs(30));
        let q = d.keeping_cleanup();
        assert_eq!(q.remaining(), Duration::from_secs(24));
        assert_eq!(d.instant() - q.instant(), Duration::from_secs(3));
        assert_eq!(q.total(), Duration::from_secs(24));
        // A short one keeps a third: 3 s usable, the query gets 2 s.
        let short = Deadline::after(Duration::from_secs(4)).keeping_cleanup();
        assert_eq!(short.remaining(), Duration::from_secs(2));
        // The reserve is of what is left now, not of the whole deadline.
        tokio::time::advance(Duration::from_secs(24)).await;
        assert_eq!(d.keeping_cleanup().remaining(), Duration::from_secs(2));
        assert!(q.expired());
    }

    #[tokio::test(start_paused = true)]
    async fn keeping_cleanup_of_an_expired_deadline_is_expired() {
        let d = Deadline::after(Duration::from_secs(2));
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(d.expired());
        assert!(d.keeping_cleanup().expired());
        assert!(d.keeping_cleanup().instant() <= d.instant());
    }

    #[tokio::test(start_paused = true)]
    async fn poll_until_gives_up_at_the_deadline() {
        let d = Deadline::after(Duration::from_secs(10));
        let mut calls = 0;
        let r: Option<()> = poll_until(d, Duration::from_secs(1), || {
            calls += 1;
            async { None }
        })
        .await;
        assert!(r.is_none());
        assert!((9..=11).contains(&calls));
    }

    #[tokio::test(start_paused = true)]
    async fn poll_until_returns_the_value() {
        let d = Deadline::after(Duration::from_secs(10));
        let mut n = 0;
        let r = poll_until(d, Duration::from_millis(100), || {
            n += 1;
            let v = (n == 3).then_some(n);
            async move { v }
        })
        .await;
        assert_eq!(r, Some(3));
    }
}
