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
