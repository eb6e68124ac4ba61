//! Token status (TOK-4), computed from facts and an injected "now".

use crate::limits::TOKEN_EXPIRY_WARNING_DAYS;
use crate::time::UnixSeconds;

/// What the token list shows in its Status column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenStatus {
    Ok,
    /// Expires within [`TOKEN_EXPIRY_WARNING_DAYS`].
    Expiring,
    Expired,
    /// Apple answered `T_C_NOT_SIGNED`: the org must accept new terms in the portal.
    TermsNotAccepted,
    /// Apple refused the credentials (401 on `/session`): a new token file is needed.
    Rejected,
}

/// The facts the status is computed from.
#[derive(Debug, Clone, Copy)]
pub struct TokenStatusInput {
    pub expires_at: UnixSeconds,
    pub terms_not_accepted: bool,
    pub rejected_by_apple: bool,
}

impl TokenStatus {
    /// Apple's verdicts win over the calendar: a rejected token is unusable even
    /// when it has not expired yet.
    pub fn evaluate(input: TokenStatusInput, now: UnixSeconds) -> Self {
        if input.rejected_by_apple {
            TokenStatus::Rejected
        } else if input.expires_at <= now {
            TokenStatus::Expired
        } else if input.terms_not_accepted {
            TokenStatus::TermsNotAccepted
        } else if input.expires_at.seconds_since(now) <= TOKEN_EXPIRY_WARNING_DAYS * 86_400 {
            TokenStatus::Expiring
        } else {
            TokenStatus::Ok
        }
    }

    /// Whole days left until expiry (negative once expired).
    pub fn days_left(expires_at: UnixSeconds, now: UnixSeconds) -> i64 {
        expires_at.seconds_since(now).div_euclid(86_400)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const NOW: UnixSeconds = UnixSeconds::new(1_790_000_000);

    fn input(expires_in_days: i64) -> TokenStatusInput {
        TokenStatusInput {
            expires_at: NOW.plus(expires_in_days * DAY),
            terms_not_accepted: false,
            rejected_by_apple: false,
        }
    }

    #[test]
    fn status_follows_the_calendar() {
        assert_eq!(TokenStatus::evaluate(input(300), NOW), TokenStatus::Ok);
        assert_eq!(TokenStatus::evaluate(input(31), NOW), TokenStatus::Ok);
        assert_eq!(TokenStatus::evaluate(input(30), NOW), TokenStatus::Expiring);
        assert_eq!(TokenStatus::evaluate(input(1), NOW), TokenStatus::Expiring);
        assert_eq!(TokenStatus::evaluate(input(0), NOW), TokenStatus::Expired);
        assert_eq!(TokenStatus::evaluate(input(-5), NOW), TokenStatus::Expired);
    }

    #[test]
    fn apple_verdicts_override_the_calendar() {
        let terms = TokenStatusInput {
            terms_not_accepted: true,
            ..input(300)
        };
        assert_eq!(
            TokenStatus::evaluate(terms, NOW),
            TokenStatus::TermsNotAccepted
        );
        let rejected = TokenStatusInput {
            rejected_by_apple: true,
            ..terms
        };
        assert_eq!(TokenStatus::evaluate(rejected, NOW), TokenStatus::Rejected);
    }

    #[test]
    fn days_left_rounds_down() {
        assert_eq!(TokenStatus::days_left(NOW + 30 * DAY + 5, NOW), 30);
        assert_eq!(TokenStatus::days_left(NOW + DAY - 1, NOW), 0);
        assert_eq!(TokenStatus::days_left(NOW - 1, NOW), -1);
    }
}
